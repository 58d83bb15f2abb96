"""The shipped code problems: every reference solution passes all its tests, every wrong one fails one.

Checked twice: locally in one child process (fast, our own trusted programs) and through the real
sandbox via ``verifiers.score_batch`` (marked docker), which is what a trainer's reward will do.
"""

from __future__ import annotations

import pytest

from trainer_client.data.code_problems import check_solution, load_code_problems, run_trusted

PROBLEMS = load_code_problems()


def _response(program: str) -> str:
    return f"Here is my solution.\n\n```python\n{program}```\n"


def test_the_shipped_set_is_large_and_has_both_test_styles() -> None:
    assert len(PROBLEMS) >= 100
    styles = [p["meta"]["style"] for p in PROBLEMS]
    assert styles.count("stdin") >= 40 and styles.count("call") >= 40
    names = [p["meta"]["name"] for p in PROBLEMS]
    assert len(set(names)) == len(names)
    for p in PROBLEMS:
        tests = p["reference"]["tests"]
        assert len(tests["inputs"]) == len(tests["outputs"]) >= 3, p["meta"]["name"]
        assert ("fn_name" in tests) == (p["meta"]["style"] == "call")
        if "fn_name" in tests:
            assert f"`{tests['fn_name']}`" in p["prompt"][-1]["content"]
        assert p["meta"]["reference_solution"] != p["meta"]["wrong_solution"]


def test_reference_solutions_pass_and_wrong_solutions_fail_locally() -> None:
    def jobs(key: str) -> list[dict]:
        return [{"program": p["meta"][key], "inputs": p["reference"]["tests"]["inputs"],
                 "fn_name": p["reference"]["tests"].get("fn_name")} for p in PROBLEMS]

    ref_runs, wrong_runs = run_trusted(jobs("reference_solution")), run_trusted(jobs("wrong_solution"))
    failing_refs = [p["meta"]["name"] for p, r in zip(PROBLEMS, ref_runs, strict=True)
                    if not all(check_solution(p, p["meta"]["reference_solution"], r))]
    passing_wrongs = [p["meta"]["name"] for p, r in zip(PROBLEMS, wrong_runs, strict=True)
                      if all(check_solution(p, p["meta"]["wrong_solution"], r))]
    assert failing_refs == []
    assert passing_wrongs == []


@pytest.mark.docker
def test_every_problem_through_the_real_sandbox(sandbox_image: str) -> None:
    from verifiers import score_batch

    items = []
    for i, p in enumerate(PROBLEMS):
        for kind in ("reference_solution", "wrong_solution"):
            items.append({"id": f"{i}:{kind}", "domain": "code", "reference": p["reference"],
                          "response": _response(p["meta"][kind])})
    results = score_batch(items, cache=None)
    infra = [r for r in results if r.status != "ok"]
    assert not infra, f"{len(infra)} items not scored; first: {infra[0].id} {infra[0].status} {infra[0].error}"
    bad_refs = [(r.id, r.details) for r in results if r.id.endswith("reference_solution") and r.reward != 1.0]
    passing_wrongs = [r.id for r in results if r.id.endswith("wrong_solution") and r.reward != 0.0]
    assert bad_refs == []
    assert passing_wrongs == []


def test_shipped_file_is_what_the_specs_build() -> None:
    """The JSONL is generated from scripts/code_problems/*.py; an edit to one without the other fails here."""
    import runpy
    import sys
    from pathlib import Path

    folder = Path(__file__).resolve().parents[3] / "scripts" / "code_problems"
    sys.path.insert(0, str(folder))
    try:
        build = runpy.run_path(str(folder / "build.py"), run_name="code_problems_build")
        import call_a
        import call_b
        import stdin_a
        import stdin_b

        rebuilt = build["build"](stdin_a.PROBLEMS + stdin_b.PROBLEMS + call_a.PROBLEMS + call_b.PROBLEMS)
    finally:
        sys.path.remove(str(folder))
    assert rebuilt == PROBLEMS
