"""What scoring answer-evaluating tasks in a throwaway fork costs (verifiers/jail/forked.py).

Not a test. The same reasoning_gym items (every task of the golden set, each answer in a few spellings so
dedup does not fold them) are scored by two warm pools of the same size in this one run: one that forks
per task (the default, ``PRORL_POOL_FORK_TAINTING=on``) and one that scores in the worker itself. Prints
items/s for both and the ratio:

    .venv/bin/python bench/bench_fork_tainting.py                # 2 workers, 4 spellings, 3 rounds
    .venv/bin/python bench/bench_fork_tainting.py --workers 4 --copies 8
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_ROOT))

from verifiers import score_batch  # noqa: E402
from verifiers.jail.isolation import IsolationSettings  # noqa: E402
from verifiers.jail.pool import JailedPool  # noqa: E402


def _items(copies: int) -> list[dict[str, Any]]:
    golden = [json.loads(line)["item"] for line in
              (_ROOT / "tests" / "golden" / "reasoning_gym.jsonl").read_text().splitlines() if line.strip()]
    spellings = ["{}", " {}", "{} ", "\n{}", "<answer>{}</answer>", "{}\n", "  {}", "{}  "]
    return [{**item, "id": f"{n}:{i}", "response": spellings[n % len(spellings)].format(item["response"])}
            for n in range(copies) for i, item in enumerate(golden)]


def _rate(pool: JailedPool, items: list[dict[str, Any]], rounds: int) -> tuple[float, list[str]]:
    score_batch(items[:32], pool=pool, cache=None)  # warm: workers started and preloaded
    best, statuses = 0.0, []
    for _ in range(rounds):
        start = time.perf_counter()
        results = score_batch(items, pool=pool, cache=None)
        best = max(best, len(items) / (time.perf_counter() - start))
        statuses = [r.status for r in results]
    return best, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--copies", type=int, default=4, help="spellings of each golden answer")
    parser.add_argument("--rounds", type=int, default=3, help="best of this many batches per pool")
    args = parser.parse_args()
    items = _items(args.copies)
    rates = {}
    for name, fork in (("in the worker", False), ("forked per task", True)):
        pool = JailedPool(workers=args.workers, isolation=IsolationSettings(fork_tainting=fork))
        try:
            rates[name], statuses = _rate(pool, items, args.rounds)
        finally:
            pool.close()
        counts = {s: statuses.count(s) for s in sorted(set(statuses))}
        print(f"{name:>16}: {rates[name]:8.1f} items/s  ({1000 * args.workers / rates[name]:.2f} ms of a worker "
              f"per item; {len(items)} reasoning_gym items, {args.workers} workers; statuses {counts})")
    print(f"fork per task costs {rates['in the worker'] / rates['forked per task']:.2f}x the in-worker time")


if __name__ == "__main__":
    main()
