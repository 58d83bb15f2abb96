"""``prorl audit``: find the junk answers a reward pays for, before a training run does.

For every item it scores junk answers (constants, nan, the question echoed, another item's gold, fixed
expressions, pathological inputs, hedges, do-nothing programs, instruction stuffing) through the real scoring
path, and flags each junk strategy that pays. Exit status: 0 nothing flagged, 1 something flagged, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from prorl.audit.items import (
    GOLDEN_DOMAINS,
    AuditInputError,
    AuditItem,
    cap_per_task,
    golden_items,
    mix_tasks,
    read_file,
    task_items,
    with_ifeval_loopholes,
)
from prorl.audit.junk import FAMILIES, describe
from prorl.audit.report import Thresholds, build_report, format_table

_REPO_GOLDEN = Path(__file__).resolve().parents[2] / "tests" / "golden"

_EPILOG = f"""junk families:
{describe()}

examples:
  prorl data build --size 20000 -o mix.jsonl && prorl audit mix.jsonl --out audit.json
  prorl audit --tasks --per-task 16          # every reasoning_gym task of the training mix
  prorl audit --tasks countdown coin_flip --per-task 64
  prorl audit --domains math mcq --golden-dir tests/golden
  prorl audit mix.jsonl --service-url http://127.0.0.1:8000   # audit a running service
"""


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not in [0, 1]")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"{text} is not in (0, 600] seconds")
    return value


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``prorl audit`` (help ends with examples)."""
    p = argparse.ArgumentParser(prog="prorl audit", description=__doc__.split("\n\n")[1],
                                epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("data", nargs="?", help="JSONL of records (prorl data build), contract items or golden rows")
    p.add_argument("--tasks", nargs="*", metavar="TASK",
                   help="generate reasoning_gym entries: the named tasks, or every task of the training mix")
    p.add_argument("--domains", nargs="*", metavar="DOMAIN", choices=GOLDEN_DOMAINS,
                   help=f"golden sets of these domains (default with no names: {' '.join(GOLDEN_DOMAINS)})")
    p.add_argument("--golden-dir", default=str(_REPO_GOLDEN), help="where <domain>.jsonl golden sets are")
    p.add_argument("--per-task", type=int, default=16, help="entries generated per task with --tasks (16)")
    p.add_argument("--seed", type=int, default=0, help="generator seed for --tasks (0)")
    p.add_argument("--max-items-per-task", type=int, default=64,
                   help="audit at most this many items per task of a file or golden set (64; 0 = all)")
    p.add_argument("--pathological-items", type=int, default=2,
                   help="items per task that get the costly pathological family (2)")
    p.add_argument("--families", default=None, help=f"comma-separated subset of: {','.join(FAMILIES)}")
    p.add_argument("--ifeval-loopholes", choices=("google", "closed"), default=None,
                   help="IFEval items without a loopholes option are audited with this one "
                        "(default: closed for --domains, as training scores them; as carried for files)")
    p.add_argument("--max-mean", type=_share, default=0.5, help="flag a junk answer with mean reward >= this (0.5)")
    p.add_argument("--max-full-credit", type=_share, default=0.5,
                   help="flag a junk answer with full credit on >= this share of items (0.5)")
    p.add_argument("--max-constant-binary", type=_share, default=0.6,
                   help="binary tasks: flag a constant answer earning more than this (0.6)")
    p.add_argument("--min-items", type=int, default=4,
                   help="an answer tried on fewer items is flagged only if it always pays, and the constants "
                        "of a task with fewer items are reported, not flagged (4)")
    p.add_argument("--timeout", type=_seconds, default=None, help="per-item verification deadline, seconds")
    p.add_argument("--workers", type=int, default=None, help="scoring processes (default: CPU count)")
    p.add_argument("--service-url", default=None, help="audit a running reward service instead of scoring here")
    p.add_argument("--api-key", default=None, help="the service's API key (default: $PRORL_API_KEY)")
    p.add_argument("--out", default=None, help="write the JSON report here")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    return p


def collect(args: argparse.Namespace) -> list[AuditItem]:
    """The items named by the command line; raises :class:`AuditInputError` on bad input."""
    if args.data is None and args.tasks is None and args.domains is None:
        raise AuditInputError("nothing to audit: give DATA.jsonl, --tasks or --domains")
    if args.per_task < 1 or args.max_items_per_task < 0 or args.pathological_items < 0:
        raise AuditInputError("--per-task must be >= 1, --max-items-per-task and --pathological-items >= 0")
    items: list[AuditItem] = []
    if args.data is not None:
        loaded = read_file(args.data)
        items += with_ifeval_loopholes(cap_per_task(loaded, args.max_items_per_task), args.ifeval_loopholes)
    if args.domains is not None:
        loaded = golden_items(args.golden_dir, args.domains or GOLDEN_DOMAINS)
        items += with_ifeval_loopholes(cap_per_task(loaded, args.max_items_per_task), args.ifeval_loopholes or "closed")
    if args.tasks is not None:
        items += task_items(args.tasks or mix_tasks(), args.per_task, args.seed)
    return items


def main(argv: list[str]) -> int:
    """Entry point of ``prorl audit``: 0 nothing flagged, 1 something flagged, 2 bad input."""
    args = parser().parse_args(argv)
    families = None
    if args.families:
        families = frozenset(f.strip() for f in args.families.split(",") if f.strip())
        unknown = families - set(FAMILIES)
        if unknown:
            print(f"prorl audit: unknown families {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
    if args.workers is not None:
        os.environ["PRORL_POOL_WORKERS"] = str(args.workers)
    try:
        items = collect(args)
    except AuditInputError as exc:
        print(f"prorl audit: {exc}", file=sys.stderr)
        return 2
    out = None
    if args.out:
        try:  # before scoring: an unwritable path must not cost the whole run
            out = open(args.out, "w", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            print(f"prorl audit: cannot write {args.out}: {exc}", file=sys.stderr)
            return 2

    from tqdm import tqdm

    from prorl.audit.run import local_scorer, plan, score_pairs, service_scorer

    pairs = plan(items, args.pathological_items, families)
    if args.service_url:
        from trainer_client.client import service_from_env

        url, key = service_from_env(args.service_url, args.api_key)
        scorer = service_scorer(url, key, args.timeout)
    else:
        scorer = local_scorer(args.timeout)
    bar = tqdm(total=len(pairs), unit="answer", file=sys.stderr, disable=args.no_progress, desc="prorl audit")

    def on_progress(done: int, total: int) -> None:  # total counts distinct answers: identical ones score once
        bar.total, bar.n = total, done
        bar.refresh()

    try:
        scored = score_pairs(pairs, scorer, on_progress)
    finally:
        bar.close()
        if not args.service_url:
            from verifiers.jail.pool import shutdown_default_pool

            shutdown_default_pool()
    limits = Thresholds(args.max_mean, args.max_full_credit, args.max_constant_binary, args.min_items)
    source = {"data": args.data, "tasks": args.tasks, "domains": args.domains, "per_task": args.per_task,
              "seed": args.seed, "service_url": args.service_url, "ifeval_loopholes": args.ifeval_loopholes}
    report = build_report(scored, limits, source)
    if out is not None:
        with out:
            json.dump(report, out, indent=1, sort_keys=False)
            out.write("\n")
    print(format_table(report))
    return 1 if report["flags"] else 0
