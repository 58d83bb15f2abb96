"""Scoring throughput: the naive math-verify loop vs ``verifiers.score_batch`` on a GRPO-shaped batch.

Not a test. Both scorers run in this one process tree, on the same items, in the same run, so the
ratio is meaningful on whatever machine runs it:

    .venv/bin/python bench/bench_scoring.py                  # 256 prompts x 16 samples of math
    .venv/bin/python bench/bench_scoring.py --workers 2 --prompts 64
    .venv/bin/python bench/bench_scoring.py --domain ifeval  # or mixed: half math, half ifeval
    .venv/bin/python bench/bench_scoring.py --dedup-keys     # only the dedup keys on repetition loops

(a) naive (math only): one process calls ``math_verify.parse``/``verify`` per item, the way verl and
    open-r1 do (gold wrapped in ``\\boxed{}``, the whole response parsed, math-verify's 5 s timers).
(b) prorl: ``verifiers.score_batch`` with the jailed pool (``--workers``, default = cores), warm
    workers, no LRU carried over between runs (within-batch dedup is part of the design).
(c) prorl's domain modules called serially in one process (no pool, no dedup): the per-item service
    time a worker spends, used as the latency of (b) (a whole batch is queued at once, so time since
    submission measures the batch, not the item).
CPU seconds (parent + workers) are printed too: on a shared machine items per CPU-second is the fair
comparison, since wall-clock time depends on what else runs.
Targets: >= 20x the naive loop per core, p99 <= 1 s, zero hangs; ifeval >= 2,000 items/s per core.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psutil

_HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(_HERE), str(_HERE.parent)]  # the batch generator, and this checkout's packages

from grpo_batch import math_batch  # noqa: E402

HANG_S = 10.0  # a verdict slower than this would stall a trainer's step


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _children_cpu() -> float:
    """CPU seconds of live worker processes plus those already reaped (workers replaced mid-run)."""
    live = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
            live += times.user + times.system
        except psutil.Error:
            pass
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return live + usage.ru_utime + usage.ru_stime


def _items(domain: str, prompts: int, samples: int, seed: int, pathological: int = 4) -> list[dict[str, Any]]:
    if domain == "math":
        return math_batch(prompts, samples, seed, pathological)
    try:
        from trainer_client.data.ifeval_prompts import generate, sample_responses
    except ImportError:
        sys.exit("--domain ifeval/mixed needs trainer_client.data.ifeval_prompts (generate, sample_responses)")
    n = prompts if domain == "ifeval" else prompts - prompts // 2
    group = [item for item in generate(n, seed=seed) for _ in range(samples)]
    ifeval = [{"id": f"if{i}", "domain": "ifeval", "response": response, "reference": item["reference"]}
              for i, (item, response) in enumerate(zip(group, sample_responses(group, seed), strict=True))]
    return ifeval if domain == "ifeval" else math_batch(prompts // 2, samples, seed, pathological) + ifeval


def naive_loop(items: list[dict[str, Any]], warm: list[dict[str, Any]]) -> dict[str, Any]:
    """verl/open-r1 style: parse the boxed gold and the whole response, then verify, per item."""
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

    gold_cfg, pred_cfg = [LatexExtractionConfig()], [ExprExtractionConfig(), LatexExtractionConfig()]
    for item in warm:
        verify(parse("\\boxed{" + item["reference"]["answer"] + "}", extraction_config=gold_cfg),
               parse(item["response"], extraction_config=pred_cfg))
    latencies, rewards = [], []
    cpu0, start = time.process_time(), time.perf_counter()
    for item in items:
        t0 = time.perf_counter()
        try:
            gold = parse("\\boxed{" + item["reference"]["answer"] + "}", extraction_config=gold_cfg)
            pred = parse(item["response"], extraction_config=pred_cfg)
            rewards.append(float(verify(gold, pred)))
        except BaseException:  # noqa: B036 - math-verify's TimeoutException is a BaseException
            rewards.append(0.0)
        latencies.append(time.perf_counter() - t0)
    return {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu0, "latencies": latencies,
            "rewards": rewards, "timeouts": 0}


def in_process_loop(items: list[dict[str, Any]], warm: list[dict[str, Any]]) -> dict[str, Any]:
    """prorl's domain modules called serially in this process: no pool, no dedup, no cache.

    Its per-item times are the service times a pool worker spends, so they are the latency figures.
    """
    from verifiers.answer_text import TruncatedInThinking, answer_text
    from verifiers.registry import get_verifier
    from verifiers.schemas import ItemOptions

    options = ItemOptions()
    for item in warm:
        try:
            get_verifier(item["domain"]).score(answer_text(item["response"]), item["reference"], options)
        except BaseException:  # noqa: B036, S110
            pass
    latencies, rewards, timeouts = [], [], 0
    cpu0, start = time.process_time(), time.perf_counter()
    for item in items:
        t0 = time.perf_counter()
        try:
            verdict = get_verifier(item["domain"]).score(answer_text(item["response"]), item["reference"], options)
            rewards.append(verdict.reward)
        except TruncatedInThinking:
            rewards.append(0.0)
        except TimeoutError:
            rewards.append(0.0)
            timeouts += 1
        except BaseException:  # noqa: B036 - counted as a zero, like the pool's statuses
            rewards.append(0.0)
        latencies.append(time.perf_counter() - t0)
    return {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu0, "latencies": latencies,
            "rewards": rewards, "timeouts": timeouts}


def prorl_pool(
    items: list[dict[str, Any]], warm: list[dict[str, Any]], workers: int, latencies: list[float]
) -> dict[str, Any]:
    """``verifiers.score_batch`` on a warm pool, no LRU; CPU counts the parent and the workers."""
    from verifiers import score_batch
    from verifiers.jail.pool import JailedPool

    pool = JailedPool(workers=workers)
    try:
        score_batch(warm, pool=pool, cache=None)
        children0, cpu0 = _children_cpu(), time.process_time()
        start = time.perf_counter()
        results = score_batch(items, pool=pool, cache=None)
        wall = time.perf_counter() - start
        cpu = time.process_time() - cpu0 + _children_cpu() - children0
    finally:
        pool.close()
    statuses: dict[str, int] = {}
    for result in results:
        statuses[result.status] = statuses.get(result.status, 0) + 1
    return {"wall": wall, "cpu": cpu, "latencies": latencies, "rewards": [r.reward for r in results],
            "timeouts": statuses.get("timeout", 0), "statuses": statuses}


def _row(name: str, run: dict[str, Any], n: int, cores: int, expected: list[float | None]) -> list[str]:
    lat = run["latencies"]
    misgraded = sum(1 for e, r in zip(expected, run["rewards"], strict=True) if e is not None and abs(e - r) > 1e-6)
    rate = n / run["wall"]
    return [name, str(n), f"{run['wall']:.2f}", f"{run['cpu']:.2f}", f"{rate:,.0f}", str(cores), f"{rate / cores:,.0f}",
            f"{n / run['cpu']:,.0f}",
            f"{1000 * _quantile(lat, 0.5):.2f}", f"{1000 * _quantile(lat, 0.99):.1f}", f"{1000 * max(lat):.0f}",
            str(run["timeouts"]), str(sum(t > HANG_S for t in lat)), str(misgraded)]


REPETITION_LOOPS = {  # degenerate outputs that reach the dedup key in the API process (issue 14.5)
    "A\\n x 25000": "A\n" * 25_000, "C is the answer. x 2900": "C is the answer. " * 2_900,
    "\\boxed{C} x 5000": "\\boxed{C} " * 5_000, "<answer>5</answer> x 2700": "<answer>5</answer>" * 2_700,
    "I x 25000": "I " * 25_000, "the answer x 4500": "the answer " * 4_500,
}


def dedup_key_costs(repeats: int = 5) -> None:
    """CPU ms of the math and mcq dedup keys on repetition loops, next to one str.split of the same text.

    The dedup key runs in the API process on untrusted text, so it must stay linear with a small constant:
    the split column is the same-run baseline for "one pass over the text".
    """
    from verifiers import math as math_verifier
    from verifiers import mcq
    from verifiers.schemas import ItemOptions

    options = ItemOptions()
    mcq_ref = {"answer": "C", "choices": ["helium", "neon", "hydrogen", "argon"]}

    def best_ms(call: Any) -> float:
        times = []
        for _ in range(repeats):
            start = time.process_time()
            call()
            times.append(time.process_time() - start)
        return 1000 * min(times)

    print("dedup key on repetition loops (CPU ms, best of 5):")
    print(f"  {'text':26} {'chars':>7} {'math':>7} {'mcq':>7} {'str.split':>10}")
    for name, text in REPETITION_LOOPS.items():
        math_ms = best_ms(lambda text=text: math_verifier.dedup_key(text, {"answer": "5"}, options))
        mcq_ms = best_ms(lambda text=text: mcq.dedup_key(text, mcq_ref, options))
        split_ms = best_ms(lambda text=text: text.split())
        print(f"  {name:26} {len(text):7,} {math_ms:7.2f} {mcq_ms:7.2f} {split_ms:10.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--domain", choices=["math", "ifeval", "mixed"], default="math")
    parser.add_argument("--prompts", type=int, default=256)
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-naive", action="store_true", help="only run the prorl pool")
    parser.add_argument("--dedup-keys", action="store_true", help="only time the dedup keys on repetition loops")
    args = parser.parse_args(argv)
    if args.dedup_keys:
        dedup_key_costs()
        return 0
    logging.getLogger("math_verify").setLevel(logging.CRITICAL)  # its timeout warnings would flood stderr

    items = _items(args.domain, args.prompts, args.samples, args.seed)
    expected = [item.pop("expected", None) for item in items]
    # Steady state: every scorer first sees a quarter-size batch from another seed, as a trainer's pool
    # has by its second step (latex2sympy's ANTLR prediction caches and sympy's caches are per process).
    warm = _items(args.domain, max(1, args.prompts // 4), args.samples, args.seed + 1, pathological=0)
    for item in warm:
        item.pop("expected", None)
    size = sum(len(item["response"]) for item in items) / len(items)
    cores = min(args.workers, os.cpu_count() or 1)
    print(f"batch: {len(items)} items ({args.prompts} prompts x {args.samples}), domain {args.domain}, "
          f"mean response {size:,.0f} chars, {os.cpu_count()} cores, pool workers {args.workers}", flush=True)

    rows = []
    naive = None
    if not args.skip_naive and args.domain == "math":
        naive = naive_loop(items, warm)
        rows.append(_row("(a) naive math-verify loop", naive, len(items), 1, expected))
        print(f"naive loop done in {naive['wall']:.1f}s", flush=True)
    serial = in_process_loop(items, warm)
    rows.append(_row("(c) prorl modules, 1 process", serial, len(items), 1, expected))
    pool = prorl_pool(items, warm, args.workers, serial["latencies"])
    rows.append(_row("(b) prorl score_batch (pool)", pool, len(items), cores, expected))

    header = ["scorer", "items", "wall s", "cpu s", "items/s", "cores", "items/s/core", "items/cpu-s", "p50 ms", "p99 ms", "max ms",
              "timeouts", f"hangs>{HANG_S:g}s", "misgraded"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))))
    print(f"prorl pool statuses: {pool['statuses']}; latency columns of (b) are the per-item service times of (c)")
    per_core_pool = len(items) / pool["wall"] / cores
    if naive is not None:
        ratio = per_core_pool / (len(items) / naive["wall"])
        cpu_ratio = (len(items) / pool["cpu"]) / (len(items) / naive["cpu"])
        print(f"per-core speed-up vs naive: {ratio:.1f}x wall-clock (target >= 20x); {cpu_ratio:.1f}x per CPU-second "
              f"(the fair figure when other processes share the cores: load average {os.getloadavg()[0]:.1f})")
    else:
        target = " (ifeval target >= 2,000)" if args.domain == "ifeval" else ""
        print(f"per-core throughput: {per_core_pool:,.0f} items/s, "
              f"{len(items) / pool['cpu']:,.0f} items per CPU-second{target}")
    p99 = _quantile(pool["latencies"], 0.99)
    print(f"prorl p99 item latency: {1000 * p99:.0f} ms (target <= 1000 ms); "
          f"mean {1000 * statistics.fmean(pool['latencies']):.2f} ms per item in one process")
    dedup_key_costs()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
