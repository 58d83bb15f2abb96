"""``prorl score INPUT.jsonl [-o OUTPUT.jsonl]``: offline batch scoring of a file of items.

One Result per input line, same order. A line that is not a JSON object still gets a Result
(status ``invalid``, with the line number in ``error``), so output lines always match input lines.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from verifiers.schemas import Result


def _read_items(path: str) -> tuple[list[Any], dict[int, str]]:
    """Items by line; lines that cannot be parsed map to the reason, keyed by their index."""
    items: list[Any] = []
    broken: dict[int, str] = {}
    stream = sys.stdin if path == "-" else open(path, encoding="utf-8", errors="replace")  # noqa: SIM115
    with stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                broken[len(items)] = f"line {number}: not valid JSON ({exc.msg})"
                value = None
            except RecursionError:
                broken[len(items)] = f"line {number}: JSON nested too deeply"
                value = None
            else:
                if not isinstance(value, dict):
                    broken[len(items)] = f"line {number}: expected a JSON object, got {type(value).__name__}"
            items.append(value)
    return items, broken


def _seconds(text: str) -> float:
    """An item deadline as the contract bounds it (ItemOptions.timeout_s): 0 or less would time out everything."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"{text} is not in (0, 600] seconds")
    return value


def main(argv: list[str]) -> int:
    """Entry point of ``prorl score``."""
    parser = argparse.ArgumentParser(prog="prorl score", description=__doc__.splitlines()[0])
    parser.add_argument("input", help="JSONL file of items (one contract item per line), or - for stdin")
    parser.add_argument("-o", "--output", default="-", help="where to write results (default: stdout)")
    parser.add_argument("--workers", type=int, default=None, help="scoring processes (default: CPU count)")
    parser.add_argument("--timeout", type=_seconds, default=None, help="per-item deadline in seconds (0 to 600]")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    args = parser.parse_args(argv)
    if args.workers is not None:
        os.environ["PRORL_POOL_WORKERS"] = str(args.workers)

    from tqdm import tqdm

    from verifiers import score_batch
    from verifiers.pool import shutdown_default_pool

    try:
        items, broken = _read_items(args.input)
    except OSError as exc:
        print(f"prorl score: cannot read {args.input}: {exc}", file=sys.stderr)
        return 2
    try:  # before scoring: an unwritable path must not cost the whole run's work
        out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        print(f"prorl score: cannot write {args.output}: {exc}", file=sys.stderr)
        return 2
    scorable = [item for index, item in enumerate(items) if index not in broken]
    bar = tqdm(total=len(scorable), unit="item", file=sys.stderr, disable=args.no_progress, desc="scoring")

    def on_progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        scored = iter(score_batch(scorable, timeout_s=args.timeout, progress=on_progress))
    finally:
        bar.close()
        shutdown_default_pool()
    with out:
        for index in range(len(items)):
            if index in broken:
                result = Result.failed("invalid", broken[index])
            else:
                result = next(scored)
            out.write(result.model_dump_json() + "\n")
    return 0
