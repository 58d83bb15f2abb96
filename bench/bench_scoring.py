"""Scoring throughput: the naive math-verify loop vs ``verifiers.score_batch`` on a GRPO-shaped batch.

Not a test. Both scorers run in this one process tree, on the same items, in the same run, so the
ratio is meaningful on whatever machine runs it:

    .venv/bin/python bench/bench_scoring.py                  # 256 prompts x 16 samples of math
    .venv/bin/python bench/bench_scoring.py --workers 2 --prompts 64
    .venv/bin/python bench/bench_scoring.py --domain ifeval  # needs verifiers.ifeval.generate

(a) naive: one process calls ``math_verify.parse``/``verify`` per item, the way verl and open-r1 do
    (gold wrapped in ``\\boxed{}``, the whole response parsed, math-verify's default 5 s timers).
(b) prorl: ``verifiers.score_batch`` with the jailed pool (``--workers``, default = cores), warm
    workers, no LRU carried over between runs (within-batch dedup is part of the design).

Item latency is service time: (a) per item of the loop; (b) ``score()`` of the domain module timed
in-process on every distinct item the pool had to score (what a worker spends on it, no queueing).
Targets: >= 20x the naive loop per core, p99 <= 1 s, zero hangs; ifeval >= 2,000 items/s per core.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(_HERE), str(_HERE.parent)]  # the batch generator, and this checkout's packages

from grpo_batch import math_batch  # noqa: E402

HANG_S = 10.0  # a verdict slower than this would stall a trainer's step


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _items(domain: str, prompts: int, samples: int, seed: int) -> list[dict[str, Any]]:
    if domain == "math":
        return math_batch(prompts, samples, seed)
    if domain in ("ifeval", "mixed"):
        try:
            from verifiers.ifeval import generate  # type: ignore[attr-defined]
        except ImportError:
            sys.exit("--domain ifeval/mixed needs verifiers.ifeval.generate(n, seed=...) -> list of contract "
                     "items with responses; it is not in this checkout yet")
        ifeval = list(generate(prompts * samples, seed=seed))
        if domain == "ifeval":
            return ifeval
        half = prompts // 2
        return math_batch(half, samples, seed) + ifeval[: (prompts - half) * samples]
    sys.exit(f"unknown domain {domain!r}")


def naive_loop(items: list[dict[str, Any]]) -> dict[str, Any]:
    """verl/open-r1 style: parse the boxed gold and the whole response, then verify, per item."""
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

    gold_cfg, pred_cfg = [LatexExtractionConfig()], [ExprExtractionConfig(), LatexExtractionConfig()]
    latencies, rewards = [], []
    start = time.perf_counter()
    for item in items:
        t0 = time.perf_counter()
        try:
            gold = parse("\\boxed{" + item["reference"]["answer"] + "}", extraction_config=gold_cfg)
            pred = parse(item["response"], extraction_config=pred_cfg)
            rewards.append(float(verify(gold, pred)))
        except BaseException:  # noqa: B036 - math-verify's TimeoutException is a BaseException
            rewards.append(0.0)
        latencies.append(time.perf_counter() - t0)
    return {"wall": time.perf_counter() - start, "latencies": latencies, "rewards": rewards, "timeouts": 0}


def prorl_pool(items: list[dict[str, Any]], workers: int) -> dict[str, Any]:
    """``verifiers.score_batch`` on a warm pool; latency = in-process service time of distinct items."""
    from verifiers import score_batch
    from verifiers.batch import _prepare
    from verifiers.pool import JailedPool
    from verifiers.registry import get_verifier
    from verifiers.schemas import ItemOptions, Result

    pool = JailedPool(workers=workers)
    try:
        warm = [{"domain": "math", "response": f"\\boxed{{{i}}}", "reference": {"answer": str(i)}} for i in range(64)]
        score_batch(warm, pool=pool, cache=None)
        start = time.perf_counter()
        results = score_batch(items, pool=pool, cache=None)
        wall = time.perf_counter() - start
    finally:
        pool.close()

    distinct: dict[str, Any] = {}
    for item in items:
        prepared = _prepare(item, None)
        if not isinstance(prepared, Result):
            distinct.setdefault(prepared.key, prepared)
    latencies = []
    for prepared in distinct.values():
        module = get_verifier(prepared.domain)
        t0 = time.perf_counter()
        try:
            module.score(prepared.answer, prepared.reference, ItemOptions.model_validate(prepared.options))
        except BaseException:  # noqa: B036 - timeouts are what we are measuring here
            pass
        latencies.append(time.perf_counter() - t0)
    return {"wall": wall, "latencies": latencies, "rewards": [r.reward for r in results],
            "timeouts": sum(r.status == "timeout" for r in results), "distinct": len(distinct),
            "statuses": {s: sum(r.status == s for r in results) for s in {r.status for r in results}}}


def _row(name: str, run: dict[str, Any], n: int, cores: int, expected: list[float | None]) -> list[str]:
    lat = run["latencies"]
    misgraded = sum(1 for e, r in zip(expected, run["rewards"], strict=True) if e is not None and abs(e - r) > 1e-6)
    rate = n / run["wall"]
    return [name, str(n), f"{run['wall']:.2f}", f"{rate:,.0f}", str(cores), f"{rate / cores:,.0f}",
            f"{1000 * _quantile(lat, 0.5):.2f}", f"{1000 * _quantile(lat, 0.99):.1f}", f"{1000 * max(lat):.0f}",
            str(run["timeouts"]), str(sum(t > HANG_S for t in lat)), str(misgraded)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--domain", choices=["math", "ifeval", "mixed"], default="math")
    parser.add_argument("--prompts", type=int, default=256)
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-naive", action="store_true", help="only run the prorl pool")
    args = parser.parse_args(argv)
    logging.getLogger("math_verify").setLevel(logging.CRITICAL)  # its timeout warnings would flood stderr

    items = _items(args.domain, args.prompts, args.samples, args.seed)
    expected = [item.pop("expected", None) for item in items]
    size = sum(len(item["response"]) for item in items) / len(items)
    cores = min(args.workers, os.cpu_count() or 1)
    print(f"batch: {len(items)} items ({args.prompts} prompts x {args.samples}), domain {args.domain}, "
          f"mean response {size:,.0f} chars, {os.cpu_count()} cores, pool workers {args.workers}", flush=True)

    rows = []
    naive = None
    if not args.skip_naive and args.domain == "math":
        naive = naive_loop(items)
        rows.append(_row("naive math-verify loop", naive, len(items), 1, expected))
        print(f"naive loop done in {naive['wall']:.1f}s", flush=True)
    pool = prorl_pool(items, args.workers)
    rows.append(_row("prorl score_batch (pool)", pool, len(items), cores, expected))

    header = ["scorer", "items", "wall s", "items/s", "cores", "items/s/core", "p50 ms", "p99 ms", "max ms",
              "timeouts", f"hangs>{HANG_S:g}s", "misgraded"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))))
    print(f"prorl: {pool['distinct']} distinct items scored after dedup; statuses {pool['statuses']}")
    per_core_pool = len(items) / pool["wall"] / cores
    if naive is not None:
        ratio = per_core_pool / (len(items) / naive["wall"])
        print(f"per-core speed-up vs naive: {ratio:.1f}x (target >= 20x)")
    else:
        print(f"per-core throughput: {per_core_pool:,.0f} items/s (ifeval target >= 2,000)")
    p99 = _quantile(pool["latencies"], 0.99)
    print(f"prorl p99 item latency: {1000 * p99:.0f} ms (target <= 1000 ms); "
          f"mean per item {1000 * statistics.fmean(pool['latencies']):.2f} ms over distinct items")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
