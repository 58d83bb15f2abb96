"""Reward service overhead and RQ scaling, measured against in-process scoring in the same run.

Not a test. Run from the repository root:

    .venv/bin/python bench/bench_service.py                 # 4,096 items, batches of 256, RQ 1/2/4/8 workers
    .venv/bin/python bench/bench_service.py --items 1024 --rq-workers 1 2

(1) Overhead: the same 16 batches of 256 mixed-domain items go (a) through ``verifiers.score_batch`` in
    this process and (b) through ``POST /v1/score`` of a ``prorl serve`` subprocess (embedded executor),
    one batch at a time. Per-item overhead of a batch = (HTTP time - in-process time) / batch size; the
    table shows its p50/p99 over batches and the throughput ratio. Both sides have the LRU off
    (``cache=None`` / ``PRORL_CACHE_SIZE=0``) and the same pool size, so they do the same scoring work.
(2) Scaling: all items through the rq executor with 1, 2, 4, 8 ``prorl worker`` processes (one scoring
    process each) on a private Redis, sent by ``RewardClient`` (chunks of 256, 8 in flight).
    On a machine with fewer cores than workers the curve flattens at the core count: say so when
    reporting (``os.cpu_count()`` is printed).

The mix follows ProRL's data proportions without code (math 40 : STEM MCQ 25 : logic 37 : IF 10):
GRPO-shaped math rollouts from ``grpo_batch.py`` (no pathological expressions, which would measure
math-verify deadlines rather than the service) and the shipped golden items of the other domains that
score ``ok`` (no timeouts, no invalid references). ``--with-code`` adds golden code items (needs Docker and the sandbox).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(_HERE), str(_HERE.parent)]

from grpo_batch import math_batch  # noqa: E402

GOLDEN = _HERE.parent / "tests" / "golden"
MIX = {"math": 40, "mcq": 25, "reasoning_gym": 37, "ifeval": 10}


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def build_items(n: int, seed: int, with_code: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``n`` items in ProRL proportions, shuffled with a fixed seed (ids are positions), and a warm-up set.

    The warm-up set holds every distinct template: scoring it once imports every scorer (reasoning_gym
    has one module per task) in a pool, so neither side pays imports inside the timed batches.
    """
    from verifiers import score_batch

    mix = dict(MIX, **({"code": 24} if with_code else {}))
    total = sum(mix.values())
    counts = {domain: n * weight // total for domain, weight in mix.items()}
    counts["math"] += n - sum(counts.values())
    items: list[dict[str, Any]] = []
    warm: list[dict[str, Any]] = [{k: v for k, v in item.items() if k != "expected"}
                                  for item in math_batch(8, 4, seed=seed + 1, pathological=0)]
    for domain, count in counts.items():
        if domain == "math":
            batch = math_batch(max(1, count // 16) + 1, 16, seed=seed, pathological=0)[:count]
            items += [{k: v for k, v in item.items() if k != "expected"} for item in batch]
            continue
        path = GOLDEN / f"{domain}.jsonl"
        templates = [json.loads(line)["item"] for line in path.read_text().splitlines() if line.strip()]
        checked = score_batch(templates, cache=None)
        usable = [t for t, r in zip(templates, checked, strict=True) if r.status == "ok"]
        items += [dict(usable[i % len(usable)]) for i in range(count)]
        warm += usable
    random.Random(seed).shuffle(items)
    for index, item in enumerate(items):
        item["id"] = index
    return items, warm


def overhead(items: list[dict[str, Any]], warm: list[dict[str, Any]], batch: int, log_dir: Path) -> dict[str, Any]:
    """Part (1): in-process vs HTTP, batch by batch."""
    import httpx

    from tests.fixtures.service import start_stack
    from verifiers import score_batch
    from verifiers.jail.pool import get_pool

    score_batch(warm, pool=get_pool(), cache=None)  # same warm-up on both sides
    batches = [items[i:i + batch] for i in range(0, len(items), batch)]
    stack = start_stack(log_dir, {"PRORL_CACHE_SIZE": "0", "PRORL_LOG_LEVEL": "WARNING"})
    try:
        with httpx.Client(base_url=stack.url, timeout=600) as http:
            http.post("/v1/score", json={"items": warm}).raise_for_status()
            # Two passes over the same batches, only the second timed: by then every scoring process on
            # both sides has imported every scorer it needs (first-use imports are not service overhead).
            for chunk in batches:
                score_batch(chunk, cache=None)
                http.post("/v1/score", json={"items": chunk}).raise_for_status()
            local_s, http_s, mismatches = [], [], 0
            for index, chunk in enumerate(batches):
                # Alternate which side goes first, so load from other processes drifts onto both equally.
                order = ("local", "http") if index % 2 == 0 else ("http", "local")
                timings: dict[str, float] = {}
                for side in order:
                    t0 = time.perf_counter()
                    if side == "local":
                        local = score_batch(chunk, cache=None)
                    else:
                        response = http.post("/v1/score", json={"items": chunk})
                    timings[side] = time.perf_counter() - t0
                response.raise_for_status()
                remote = response.json()["results"]
                mismatches += sum(a.reward != b["reward"] or a.status != b["status"]
                                  for a, b in zip(local, remote, strict=True))
                local_s.append(timings["local"])
                http_s.append(timings["http"])
    finally:
        stack.stop()
    per_item_ms = [(h - loc) * 1000 / len(b) for h, loc, b in zip(http_s, local_s, batches, strict=True)]
    return {"batches": len(batches), "local_items_s": len(items) / sum(local_s),
            "http_items_s": len(items) / sum(http_s), "overhead_p50_ms": statistics.median(per_item_ms),
            "overhead_p99_ms": _quantile(per_item_ms, 0.99), "mismatches": mismatches}


def rq_scaling(items: list[dict[str, Any]], warm: list[dict[str, Any]], worker_counts: list[int],
               log_dir: Path) -> list[tuple[int, float]]:
    """Part (2): throughput of the rq executor for each worker count."""
    from tests.fixtures.service import RedisServer, free_port, start_stack
    from trainer_client.client import RewardClient

    redis = RedisServer(free_port(), log_dir)
    redis.start()
    rows = []
    try:
        for workers in worker_counts:
            env = {"PRORL_CACHE_SIZE": "0", "PRORL_POOL_WORKERS": "1", "PRORL_CHUNK_SIZE": "64",
                   "PRORL_LOG_LEVEL": "WARNING"}
            stack = start_stack(log_dir, env, rq_workers=workers, redis=redis)
            try:
                client = RewardClient(stack.url, chunk_size=256, max_concurrency=8, timeout_s=600)
                for _ in range(workers):  # chunks spread over workers: each sees most scorers once
                    client.score(warm)
                t0 = time.perf_counter()
                results = client.score(items)
                elapsed = time.perf_counter() - t0
                assert len(results) == len(items)
                rows.append((workers, len(items) / elapsed))
            finally:
                stack.redis = None
                stack.stop()
    finally:
        redis.stop()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=4096)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rq-workers", type=int, nargs="*", default=[1, 2, 4, 8])
    parser.add_argument("--with-code", action="store_true", help="add code items (Docker + sandbox image)")
    args = parser.parse_args(argv)
    os.environ.setdefault("PRORL_CACHE_SIZE", "0")
    log_dir = Path(tempfile.mkdtemp(prefix="prorl-bench-"))
    items, warm = build_items(args.items, args.seed, args.with_code)
    domains: dict[str, int] = {}
    for item in items:
        domains[item["domain"]] = domains.get(item["domain"], 0) + 1
    load = os.getloadavg()[0]
    print(f"cores: {os.cpu_count()}  load average: {load:.1f}  items: {len(items)}  mix: {domains}  batch: {args.batch}")
    if load > (os.cpu_count() or 1):
        print("warning: the machine is busy with other work; timings are noisy")

    o = overhead(items, warm, args.batch, log_dir)
    print("\n| path | items/s | per-item overhead p50 | p99 |")
    print("|---|---|---|---|")
    print(f"| in-process score_batch | {o['local_items_s']:.0f} | - | - |")
    print(f"| HTTP /v1/score (embedded) | {o['http_items_s']:.0f} | {o['overhead_p50_ms']:.3f} ms "
          f"| {o['overhead_p99_ms']:.3f} ms |")
    print(f"\nthroughput ratio HTTP / in-process: {o['http_items_s'] / o['local_items_s']:.3f}  "
          f"(target overhead p50 <= 5 ms/item); reward/status mismatches: {o['mismatches']}")

    if args.rq_workers:
        rows = rq_scaling(items, warm, args.rq_workers, log_dir)
        base = rows[0][1] / rows[0][0]
        print(f"\n| RQ workers | items/s | scaling vs linear (cores here: {os.cpu_count()}) |")
        print("|---|---|---|")
        for workers, rate in rows:
            print(f"| {workers} | {rate:.0f} | {100 * rate / (base * workers):.0f}% |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
