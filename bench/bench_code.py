"""Code scoring throughput: one ``docker run`` per test case vs the pooled sandbox, without and with reuse.

Not a test. Both run in the same process, on the same problems, in the same run, with the same
number of threads, the same image and the same limits, so the ratio is meaningful on whatever
machine runs it:

    .venv/bin/python bench/bench_code.py                         # 60 problems, naive on 12 of them
    .venv/bin/python bench/bench_code.py --problems 106 --naive-problems 20 --threads 4

Problems: ``trainer_client/data/code_problems.jsonl`` (stdin and call-based, 4 to 12 tests each),
each scored twice, with its reference solution (must score 1) and its wrong solution (must score 0).
Binary reward, so both methods stop at a program's first failing test.

(a) naive: every test case is ``docker run --rm -i`` of the sandbox image with a tiny runner
    (fresh container per test), outputs compared outside exactly as the verifier does.
(b) pooled: ``verifiers.code.score`` (warm, attached, never-reused containers; one per program).
(c) reused: the same with ``PRORL_SANDBOX_PROGRAMS_PER_CONTAINER`` (default 64 here): a container serves
    many programs, each as a fresh uid, cleaned up and checked in between.

Reported: programs/s and programs/s per core, the ratio, p50/p99 latency per program, and the p50
overhead beyond the program's own run time (pooled: the harness-measured test wall time; naive: the
same program's test time measured by the pooled run). Targets: >= 5x naive, >= 0.5 programs/s per
core, p50 overhead <= 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_ROOT))

from sandboxes import shared  # noqa: E402
from sandboxes.limits import MIB, SandboxLimits, container_host_config  # noqa: E402
from verifiers import code  # noqa: E402
from verifiers.code.cases import parse_reference, return_matches, stdout_matches  # noqa: E402
from verifiers.schemas import ItemOptions  # noqa: E402

PROBLEMS = _ROOT / "trainer_client" / "data" / "code_problems.jsonl"
WAITS: list[float] = []  # pooled: ms each program waited for a slot and a warm container

# The naive runner: what a quick implementation runs per test, inside a fresh container.
_RUNNER = r"""
import io, json, sys
job = json.loads(sys.stdin.read())
if job["fn_name"] is None:
    sys.stdin = io.StringIO(job["input"])
    exec(compile(job["code"], "main.py", "exec"), {"__name__": "__main__"})
else:
    out, sys.stdout = sys.stdout, io.StringIO()
    ns = {"__name__": "__main__"}
    exec(compile(job["code"], "main.py", "exec"), ns)
    cls = ns.get("Solution")
    fn = getattr(cls(), job["fn_name"]) if isinstance(cls, type) else ns[job["fn_name"]]
    value = fn(*job["input"])
    sys.stdout = out
    print(json.dumps({"value": value}))
"""


@dataclass
class Case:
    name: str
    program: str
    reference: dict[str, Any]
    expected: float


@dataclass
class Outcome:
    reward: float
    latency_s: float
    program_s: float  # the program's own test time as the pooled harness measured it


def load_cases(n: int) -> list[Case]:
    rows = [json.loads(line) for line in PROBLEMS.read_text().splitlines() if line.strip()][:n]
    cases = []
    for row in rows:
        meta = row["meta"]
        cases.append(Case(meta["name"], meta["reference_solution"], row["reference"], 1.0))
        cases.append(Case(meta["name"] + "/wrong", meta["wrong_solution"], row["reference"], 0.0))
    return cases


def _docker_run_args(image: str) -> list[str]:
    """The same container limits as the pool, as `docker run` flags."""
    host = container_host_config(SandboxLimits())
    args = ["docker", "run", "--rm", "-i", "--network", "none", "--read-only", "--user", "10001:10001",
            "--memory", str(host["mem_limit"]), "--memory-swap", str(host["memswap_limit"]),
            "--pids-limit", str(host["pids_limit"]), "--cpus", str(host["nano_cpus"] / 1e9),
            "--cap-drop", "ALL", "--security-opt", "no-new-privileges:true",
            "--ulimit", f"nofile={SandboxLimits().nofile}", "--ulimit", f"fsize={SandboxLimits().fsize_mb * MIB}"]
    for path, opts in host["tmpfs"].items():
        args += ["--tmpfs", f"{path}:{opts}"]
    return args + [image, "python3", "-I", "-c", _RUNNER]


def naive_score(case: Case, image: str) -> Outcome:
    suite = parse_reference(case.reference)
    start = time.monotonic()
    passed = 0
    for test_input, expected in zip(suite.inputs, suite.outputs, strict=True):
        job = json.dumps({"code": case.program, "fn_name": suite.fn_name, "input": test_input})
        try:
            proc = subprocess.run(_docker_run_args(image), input=job.encode(), capture_output=True,
                                  timeout=(suite.time_limit_s or 2.0) * 2 + 10)
        except subprocess.TimeoutExpired:
            break
        out = proc.stdout.decode("utf-8", "replace")
        if proc.returncode != 0:
            break
        if suite.fn_name is None:
            ok = stdout_matches(out, expected)
        else:
            try:
                ok = return_matches(json.loads(out)["value"], expected)
            except (ValueError, KeyError, TypeError):
                ok = False
        if not ok:
            break
        passed += 1
    return Outcome(float(passed == len(suite.inputs)), time.monotonic() - start, 0.0)


def pooled_score(case: Case) -> Outcome:
    start = time.monotonic()
    verdict = code.score(f"```python\n{case.program}```", case.reference, ItemOptions())
    latency = time.monotonic() - start
    WAITS.append(verdict.details.get("sandbox_wait_ms", 0.0))
    return Outcome(verdict.reward, latency, verdict.details.get("program_ms", 0.0) / 1000)


def run_all(cases: list[Case], threads: int, score: Any) -> tuple[list[Outcome], float]:
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        outcomes = list(pool.map(score, cases))
    return outcomes, time.monotonic() - start


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problems", type=int, default=60, help="problems for the pooled run (x2 programs)")
    parser.add_argument("--naive-problems", type=int, default=12, help="first N of them also run naively")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="scoring threads, all methods")
    parser.add_argument("--programs-per-container", type=int, default=64, help="reuse mode's recycling count")
    args = parser.parse_args(argv)

    os.environ.setdefault("PRORL_SANDBOX_MAX_CONCURRENT", str(args.threads))
    cores = os.cpu_count() or 1
    cases = load_cases(args.problems)

    def pooled_run(per_container: int) -> tuple[list[Outcome], float, str]:
        os.environ["PRORL_SANDBOX_PROGRAMS_PER_CONTAINER"] = str(per_container)
        shared.reset_sandbox()
        box = shared.get_sandbox()
        time.sleep(2.0)  # let the warm pool fill, as it is in a running service
        WAITS.clear()
        outcomes, wall = run_all(cases, args.threads, pooled_score)
        waits = f"{statistics.median(WAITS):.1f}"
        print(f"  {per_container} program(s) per container: {box.pool.created} containers created")
        return outcomes, wall, waits

    image = shared.get_sandbox().settings.image
    print(f"{len(cases)} programs ({args.problems} problems x correct/wrong), {args.threads} threads, "
          f"{cores} cores, image {image}, pool {shared.get_sandbox().settings.pool_size}")
    pooled, pooled_wall, pooled_waits = pooled_run(1)
    reused, reused_wall, reused_waits = pooled_run(args.programs_per_container)
    naive_cases = cases[: 2 * args.naive_problems]
    naive, naive_wall = run_all(naive_cases, args.threads, lambda c: naive_score(c, image))
    for outcome, twin in zip(naive, pooled, strict=False):
        outcome.program_s = twin.program_s  # same program, same tests: its own run time

    rows = []
    for name, outcomes, wall, subset in (("naive docker run/test", naive, naive_wall, naive_cases),
                                         ("pooled, 1 per container", pooled, pooled_wall, cases),
                                         ("pooled, reused", reused, reused_wall, cases)):
        rate = len(outcomes) / wall
        wrong = sum(o.reward != c.expected for o, c in zip(outcomes, subset, strict=True))
        overhead = [o.latency_s - o.program_s for o in outcomes]
        rows.append((name, len(outcomes), rate, rate / cores, quantile([o.latency_s for o in outcomes], 0.5),
                     quantile([o.latency_s for o in outcomes], 0.99), statistics.median(overhead), wrong))
    print(f"\n{'method':<26}{'programs':>9}{'prog/s':>9}{'per core':>10}{'p50 s':>8}{'p99 s':>8}"
          f"{'p50 overhead ms':>17}{'misjudged':>11}")
    for name, n, rate, per_core, p50, p99, over, wrong in rows:
        print(f"{name:<26}{n:>9}{rate:>9.2f}{per_core:>10.2f}{p50:>8.3f}{p99:>8.3f}{over * 1000:>17.1f}{wrong:>11}")
    ratio = rows[1][2] / rows[0][2]
    print(f"\npooled / naive throughput: {ratio:.1f}x (target >= 5x); pooled per core {rows[1][3]:.2f} "
          f"programs/s (target >= 0.5); pooled p50 overhead {rows[1][6] * 1000:.1f} ms (target <= 50)")
    print(f"reused / pooled throughput: {rows[2][2] / rows[1][2]:.2f}x; reused per core {rows[2][3]:.2f} programs/s "
          f"(target >= 10); reused p50 overhead {rows[2][6] * 1000:.1f} ms")
    print(f"p50 wait for a warm container: pooled {pooled_waits} ms, reused {reused_waits} ms (part of the overhead)")
    load = os.getloadavg()
    print(f"load average during the run: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {cores} cores")
    shared.reset_sandbox()
    return 0 if rows[0][7] == rows[1][7] == rows[2][7] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
