"""/run_code overhead: the SandboxFusion route (HTTP + the real sandbox-fusion client) vs the sandbox itself.

Not a test. Both sides run in this process on the same shared sandbox (``sandboxes.shared.get_sandbox``),
same programs, same thread count, same run, so the difference is what the compatibility route costs:

    .venv/bin/python bench/bench_run_code.py                 # 40 programs, 2 threads
    .venv/bin/python bench/bench_run_code.py --programs 100 --threads 4

(a) direct: ``get_sandbox().run(code, [stdin])``, what ``/v1/score`` does for one code test.
(b) /run_code: ``sandbox_fusion.run_code(RunCodeRequest(...))`` against the app served by uvicorn on
    loopback (request parsing, admission, the thread hop, the response mapping, JSON both ways).

Reported: programs/s, p50/p99 latency, and the p50 overhead of (b) over (a).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PROGRAM = "import sys\nnums = list(map(int, sys.stdin.read().split()))\nprint(sum(nums))\n"


def _serve() -> tuple[str, object]:
    import uvicorn

    from reward_service.app import create_app
    from reward_service.settings import Settings

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(Settings()), host="127.0.0.1", port=port, log_level="warning",
                                           log_config=None, access_log=False))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def _measure(run_one: Callable[[int], None], programs: int, threads: int) -> tuple[float, list[float]]:
    latencies: list[float] = []

    def timed(i: int) -> None:
        started = time.perf_counter()
        run_one(i)
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(timed, range(programs)))
    return programs / (time.perf_counter() - started), sorted(latencies)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=40)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds per side")
    args = parser.parse_args()

    from sandbox_fusion import RunCodeRequest, run_code

    from sandboxes.shared import get_sandbox

    sandbox = get_sandbox()
    url, server = _serve()
    stdin = [f"{i} {i + 1} {i + 2}\n" for i in range(args.programs)]

    def direct(i: int) -> None:
        report = sandbox.run(PROGRAM, [stdin[i]], time_limit_s=2)
        assert report.tests[0].stdout == f"{3 * i + 3}\n"

    def via_route(i: int) -> None:
        out = run_code(RunCodeRequest(code=PROGRAM, stdin=stdin[i], language="python", run_timeout=2),
                       endpoint=url, max_attempts=1)
        assert out.run_result.stdout == f"{3 * i + 3}\n"

    direct(0)
    via_route(0)  # warm both paths (imports, first containers)
    # Alternate the two sides in rounds (ABBA...), so drift in machine load hits both alike.
    paths = {"direct sandbox.run": direct, "/run_code + sandbox-fusion client": via_route}
    seconds = dict.fromkeys(paths, 0.0)
    latencies: dict[str, list[float]] = {name: [] for name in paths}
    per_round = max(1, args.programs // args.rounds)
    for round_ in range(args.rounds):
        order = list(paths) if round_ % 2 == 0 else list(reversed(paths))
        for name in order:
            rate, lat = _measure(paths[name], per_round, args.threads)
            seconds[name] += per_round / rate
            latencies[name] += lat
    rows = []
    for name in paths:
        lat = sorted(latencies[name])
        rows.append((name, len(lat) / seconds[name], lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))]))
    print(f"{args.programs} programs, {args.threads} threads, sandbox max_concurrent "
          f"{sandbox.settings.max_concurrent}, pool {sandbox.settings.pool_size}")
    print(f"{'path':<36}{'programs/s':>12}{'p50 ms':>10}{'p99 ms':>10}")
    for name, rate, p50, p99 in rows:
        print(f"{name:<36}{rate:>12.2f}{p50 * 1000:>10.1f}{p99 * 1000:>10.1f}")
    print(f"p50 overhead of /run_code: {(rows[1][2] - rows[0][2]) * 1000:.1f} ms; load average "
          f"{statistics.mean(os.getloadavg()):.1f} on {os.cpu_count()} cores (noise grows with it)")
    server.should_exit = True  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
