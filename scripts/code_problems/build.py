"""Author's tool: regenerate ``trainer_client/data/code_problems.jsonl`` from the problem specs here.

Each spec holds a statement, a reference solution, a wrong solution, fixed edge-case inputs and an
input generator. Expected outputs are computed by running the reference solution (trusted: we wrote it)
and the build refuses a problem whose wrong solution passes every test, or whose reference crashes.

    python scripts/code_problems/build.py          # rewrites the shipped file
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from trainer_client.data.code_problems import check_solution, run_trusted  # noqa: E402
from trainer_client.data.convert_code import code_record  # noqa: E402
from trainer_client.data.records import write_records  # noqa: E402

OUT = ROOT / "trainer_client" / "data" / "code_problems.jsonl"


@dataclass
class Problem:
    """One problem spec; ``fn_name`` set means call-based, else stdin/stdout."""

    name: str
    statement: str
    ref: str
    wrong: str
    fixed: list[Any]
    gen: Callable[[random.Random], Any] | None = None
    fn_name: str | None = None
    n_random: int = 5
    tags: list[str] = field(default_factory=list)

    def inputs(self) -> list[Any]:
        rng = random.Random(self.name)
        out: list[Any] = []
        for value in list(self.fixed) + [self.gen(rng) for _ in range(self.n_random if self.gen else 0)]:
            if value not in out:
                out.append(value)
        return out


def _dedent(src: str) -> str:
    import textwrap

    return textwrap.dedent(src).strip("\n") + "\n"


def build(problems: list[Problem]) -> list[dict[str, Any]]:
    """Compute outputs with the reference, check the wrong solution fails, return records."""
    names = [p.name for p in problems]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise SystemExit(f"duplicate problem names: {sorted(dup)}")
    jobs = []
    for p in problems:
        jobs.append({"program": _dedent(p.ref), "inputs": p.inputs(), "fn_name": p.fn_name})
    ref_results = run_trusted(jobs)
    records = []
    for p, job, results in zip(problems, jobs, ref_results, strict=True):
        bad = [r["error"] for r in results if not r["ok"]]
        if bad:
            raise SystemExit(f"{p.name}: reference solution failed: {bad[0]}")
        tests: dict[str, Any] = {"inputs": job["inputs"], "outputs": [r["value"] for r in results]}
        if p.fn_name:
            tests["fn_name"] = p.fn_name
        meta = {"source": "prorl_code", "name": p.name, "reference_solution": _dedent(p.ref),
                "wrong_solution": _dedent(p.wrong), "style": "call" if p.fn_name else "stdin"}
        records.append(code_record(_dedent(p.statement), tests, meta))
    wrong_results = run_trusted([{**job, "program": _dedent(p.wrong)} for p, job in zip(problems, jobs, strict=True)])
    for p, record, results in zip(problems, records, wrong_results, strict=True):
        if all(check_solution(record, record["meta"]["wrong_solution"], results)):
            raise SystemExit(f"{p.name}: the wrong solution passes every test; add a test that catches it")
    return records


def main() -> int:
    import call_a
    import call_b
    import stdin_a
    import stdin_b

    problems = stdin_a.PROBLEMS + stdin_b.PROBLEMS + call_a.PROBLEMS + call_b.PROBLEMS
    records = build(problems)
    write_records(records, OUT)
    n_call = sum(1 for p in problems if p.fn_name)
    print(f"wrote {len(records)} problems ({len(records) - n_call} stdin, {n_call} call-based) to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
