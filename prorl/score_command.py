"""``prorl score INPUT.jsonl|INPUT.parquet [-o OUTPUT.jsonl]``: offline batch scoring of a file of items.

One Result per input line (or Parquet row), same order: output line N answers input line N. A line that
is blank or not a JSON object still gets a Result (status ``invalid``, with the line number in ``error``).
A file that is not JSONL at all (binary, not UTF-8, no line a JSON object) is refused with exit 2 rather
than answered with a screenful of ``invalid`` lines.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
from collections.abc import Iterable
from typing import Any

from verifiers.schemas import Result

EXAMPLE = """example:
  prorl score rollouts.jsonl -o rewards.jsonl --workers 4 --timeout 30
  prorl score rollouts.parquet --no-progress > rewards.jsonl
Each item: {"id": "s1", "domain": "math", "response": "... \\\\boxed{4}", "reference": {"answer": "4"}}"""

PARQUET_MAGIC = b"PAR1"
# Columns a Parquet file may hold as JSON text (how `prorl data build` writes them) or as native structs.
_JSON_COLUMNS = ("reference", "options")


class UnreadableInput(Exception):
    """The input is not a file of items at all: exit 2 with this message."""


def _parse_line(number: int, line: str) -> tuple[Any, str | None]:
    """The item on one line, or None and why it cannot be one."""
    if not line.strip():
        return None, f"line {number}: blank line (expected one JSON item per line)"
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"line {number}: not valid JSON ({exc.msg})"
    except RecursionError:
        return None, f"line {number}: JSON nested too deeply"
    if not isinstance(value, dict):
        return None, f"line {number}: expected a JSON object, got {type(value).__name__}"
    return value, None


def _jsonl_lines(path: str) -> Iterable[str]:
    """Lines of a UTF-8 text file (or stdin); a binary file is refused, not read as 500 broken lines."""
    with (open(path, "rb") if path != "-" else os.fdopen(os.dup(sys.stdin.fileno()), "rb")) as raw:
        for number, data in enumerate(raw, start=1):
            if number == 1 and data.startswith(PARQUET_MAGIC):
                raise UnreadableInput(f"{path} is a Parquet file: give it a .parquet name")
            if b"\x00" in data:
                raise UnreadableInput(f"{path} line {number} holds NUL bytes: not a JSONL text file")
            try:
                yield data.decode("utf-8")
            except UnicodeDecodeError:
                raise UnreadableInput(f"{path} line {number} is not UTF-8 text: not a JSONL file") from None


def _read_items(path: str) -> tuple[list[Any], dict[int, str]]:
    """Items by line, one per line (blank lines included); unusable lines map to the reason, by index."""
    if path != "-" and path.lower().endswith(".parquet"):
        return _read_parquet(path)
    items: list[Any] = []
    broken: dict[int, str] = {}
    for number, line in enumerate(_jsonl_lines(path), start=1):
        value, reason = _parse_line(number, line)
        if reason is not None:
            broken[len(items)] = reason
        items.append(value)
    if items and len(broken) == len(items) and any(not reason.endswith("per line)") for reason in broken.values()):
        raise UnreadableInput(f"{path}: no line is a JSON object ({broken[0]}): expected JSONL, one item per line")
    return items, broken


def _read_parquet(path: str) -> tuple[list[Any], dict[int, str]]:
    """Rows of a Parquet file as items: ``reference``/``options`` as JSON text or native structs."""
    try:
        import pyarrow.parquet as pq
    except ModuleNotFoundError:
        raise UnreadableInput("reading Parquet needs pyarrow: pip install pyarrow") from None
    try:
        rows = pq.read_table(path).to_pylist()
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise UnreadableInput(f"{path} is not a readable Parquet file: {exc}") from None
    items: list[Any] = []
    broken: dict[int, str] = {}
    for number, row in enumerate(rows, start=1):
        for column in _JSON_COLUMNS:
            value = row.get(column)
            if isinstance(value, str):
                try:
                    row[column] = json.loads(value)
                except (json.JSONDecodeError, RecursionError):
                    broken[len(items)] = f"row {number}: column {column!r} is not JSON text"
            elif isinstance(value, dict):
                # A struct column has every key of every row; keys another row brought in are null here.
                row[column] = {k: v for k, v in value.items() if v is not None}
            elif value is None:
                row.pop(column, None)
        items.append(row)
    return items, broken


def _workers(text: str) -> int:
    """argparse type: at least one scoring process (0 would wait forever for a worker)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value}: at least 1 scoring process")
    return value


def _seconds(text: str) -> float:
    """An item deadline as the contract bounds it (ItemOptions.timeout_s): 0 or less would time out everything."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"{text} is not in (0, 600] seconds")
    return value


def summary(results: list[Result]) -> str:
    """One line for stderr: how many results of each status, and the mean reward of the judged ones."""
    counts = collections.Counter(r.status for r in results)
    judged = [r.reward for r in results if r.status == "ok"]
    mean = f"{sum(judged) / len(judged):.4f}" if judged else "n/a"
    parts = ", ".join(f"{status} {counts[status]}" for status in ("ok", "invalid", "timeout", "infra_error")
                      if counts[status])
    over = sum(1 for r in results if r.status == "ok" and r.details.get("reason") == "verification_timeout")
    parts += f" (of them over budget, scored 0: {over})" if over else ""
    return f"prorl score: {len(results)} results: {parts or 'none'}; mean reward of ok results {mean}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prorl score", description=__doc__.splitlines()[0], epilog=EXAMPLE,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", help="JSONL file of items (one contract item per line), a .parquet file with the "
                        "item columns, or - for JSONL on stdin")
    parser.add_argument("-o", "--output", default="-", help="where to write results (default: stdout)")
    parser.add_argument("--workers", type=_workers, default=None, help="scoring processes, >= 1 (default: CPU count)")
    parser.add_argument("--timeout", type=_seconds, default=None,
                        help="per-item verification budget in CPU seconds (0 to 600]; an answer that uses it up "
                        "scores 0 (status ok, details.reason verification_timeout)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    return parser


def main(argv: list[str]) -> int:
    """Entry point of ``prorl score``."""
    args = _parser().parse_args(argv)
    if args.workers is not None:
        os.environ["PRORL_POOL_WORKERS"] = str(args.workers)

    from tqdm import tqdm

    from verifiers import score_batch
    from verifiers.jail.pool import shutdown_default_pool

    try:
        items, broken = _read_items(args.input)
    except OSError as exc:
        print(f"prorl score: cannot read {args.input}: {exc}", file=sys.stderr)
        return 2
    except UnreadableInput as exc:
        print(f"prorl score: cannot read {exc}", file=sys.stderr)
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
    results = [Result.failed("invalid", broken[index]) if index in broken else next(scored)
               for index in range(len(items))]
    with out:
        for result in results:
            out.write(result.model_dump_json() + "\n")
    print(summary(results), file=sys.stderr)
    return 0
