"""What a per-sample reward call costs: a fresh HTTP client per call vs a kept-alive one vs one batch.

verl's reward loop awaits ``compute_score`` once per sample; before the client kept one connection pool per
event loop, every call built its own ``httpx.AsyncClient`` (and SSL context). This bench starts a real
``prorl serve`` (or uses ``--url``), then scores the same N math items three ways, in the same run:

- ``per_call``: a new ``RewardClient`` per sample (one new AsyncClient each: the old ``ascore``);
- ``kept_alive``: one ``RewardClient``, one ``ascore([item])`` per sample (what ``compute_score`` does now);
- ``batched``: one ``ascore(items)`` (chunked requests: what a batch reward manager does).

Per-sample modes run ``--concurrency`` samples at a time. Prints ms per sample and the speedup against
``per_call``. Usage: ``python bench/bench_client.py [--n 128] [--concurrency 8] [--url URL]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fixtures.service import free_port  # noqa: E402
from trainer_client.client import RewardClient  # noqa: E402


@contextmanager
def served(url: str | None) -> Iterator[str]:
    """The given URL, or a `prorl serve` started here and stopped afterwards."""
    if url:
        yield url
        return
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "prorl.cli", "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def items(n: int) -> list[dict]:
    return [{"id": str(i), "domain": "math", "response": f"so \\boxed{{{i}}}", "reference": {"answer": str(i)}}
            for i in range(n)]


async def per_sample(batch: list[dict], concurrency: int, client: RewardClient | None, url: str) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(item: dict) -> None:
        async with gate:
            if client is None:
                fresh = RewardClient(url)
                try:
                    assert (await fresh.ascore([item]))[0].correct
                finally:
                    await fresh.aclose()
            else:
                assert (await client.ascore([item]))[0].correct

    await asyncio.gather(*(one(item) for item in batch))


async def run(url: str, n: int, concurrency: int) -> dict[str, float]:
    batch = items(n)
    kept = RewardClient(url)
    await kept.ascore(batch[:4])  # warm the service's workers and the kept client's pool alike
    timings: dict[str, float] = {}
    for mode in ("per_call", "kept_alive", "batched"):
        start = time.perf_counter()
        if mode == "batched":
            assert all(r.correct for r in await kept.ascore(batch))
        else:
            await per_sample(batch, concurrency, None if mode == "per_call" else kept, url)
        timings[mode] = (time.perf_counter() - start) * 1000 / n
    await kept.aclose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=128)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--url", default=None, help="a running service (default: start one here)")
    args = parser.parse_args()
    with served(args.url) as url:
        timings = asyncio.run(run(url, args.n, args.concurrency))
    base = timings["per_call"]
    print(f"{args.n} math items, {args.concurrency} per-sample calls in flight, {os.cpu_count()} cores")
    for mode, ms in timings.items():
        print(f"  {mode:<11} {ms:8.2f} ms/sample   {base / ms:6.1f}x")


if __name__ == "__main__":
    main()
