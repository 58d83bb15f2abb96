"""verl pointed at prorl's /run_code: its exact request bodies, its verdict logic, and the golden code set.

The helpers in ``verl_sandbox_fusion`` reproduce verl's sandbox_fusion reward code (files cited there).
The done-when check runs every shipped golden code case test by test through /run_code, judges it the
way verl does, and compares with /v1/score on the same program.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandboxes import SandboxLimits
from tests.reward_service.compat import verl_sandbox_fusion as verl
from verifiers.answer_text import TruncatedInThinking, answer_text
from verifiers.code import extract_program
from verifiers.code.cases import parse_reference, return_matches, stdout_matches

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "code.jsonl"
VERL_MEMORY_MB = 1024  # reward_model.sandbox_fusion.memory_limit_mb default


def test_verl_stdin_request_and_verdicts(reward_service_url: str) -> None:
    url = f"{reward_service_url}/run_code"  # reward_model.sandbox_fusion.url
    body = json.loads(verl.request_body("print(1)", "x", 10, 10, 1024))
    assert list(body) == ["compile_timeout", "run_timeout", "code", "stdin", "memory_limit_MB", "language",
                          "files", "fetch_files"]
    program = "a, b = map(int, input().split())\nprint(a + b)"
    cases = {
        "right": (program, "1 2\n", "3\n", True, "success"),
        "wrong": (program, "1 2\n", "4\n", False, "wrong_answer"),
        "crash": ("raise SystemExit(2)", "", "", -2, "runtime_error"),
        "tle": ("while True: pass", "", "", -3, "timeout"),
    }
    for name, (code, stdin, expected, want, status) in cases.items():
        response, error = verl.call_sandbox_api(url, code, stdin, 1, 1, VERL_MEMORY_MB)
        assert error is None, error
        assert verl.case_verdict(response, error, expected) == (want, status), name
    # compute_score end to end: extraction from the completion, then the pass rate.
    completion = f"Sure.\n```python\n{program}\n```"
    results = [verl.case_verdict(*verl.call_sandbox_api(url, verl.extract_solution(completion), i, 10, 10,
                                                        VERL_MEMORY_MB), o)[0]
               for i, o in (("1 2\n", "3\n"), ("5 5\n", "10\n"), ("0 0\n", "1\n"))]
    assert results == [True, True, False]
    assert verl.score_from_results(results, continuous=True) == pytest.approx(2 / 3)


def test_verl_call_based_request_and_verdicts(reward_service_url: str) -> None:
    url = f"{reward_service_url}/run_code"
    generation = "class Solution:\n    def twoSum(self, nums, target):\n        seen = {}\n" \
                 "        for i, x in enumerate(nums):\n            if target - x in seen:\n" \
                 "                return [seen[target - x], i]\n            seen[x] = i\n"
    code = verl.program_for_case(generation, "twoSum")
    # verl's call-based input: one JSON value per line (LiveCodeBench style), output compared as text.
    for stdin, expected, want in (("[2, 7, 11, 15]\n9", "[0, 1]", True), ("[3, 2, 4]\n6", "[0, 2]", False)):
        response, error = verl.call_sandbox_api(url, code, stdin, 10, 10, VERL_MEMORY_MB)
        assert verl.case_verdict(response, error, expected)[0] is want
    broken = verl.program_for_case("def other():\n    pass\n", "twoSum")
    response, error = verl.call_sandbox_api(url, broken, "[1]\n1", 10, 10, VERL_MEMORY_MB)
    # verl's wrapper prints nothing and exits 0 when the function is missing: a wrong answer to verl.
    assert verl.case_verdict(response, error, "[0, 1]") == (False, "wrong_answer")
    assert "WrapperError" in response["run_result"]["stderr"]


def _golden() -> list[dict[str, Any]]:
    return [json.loads(line) for line in GOLDEN.read_text().splitlines() if line.strip()]


def _verl_inputs(suite: Any) -> list[tuple[str, str]]:
    """(stdin, expected text) per test as a verl dataset carries them: stdin tests as they are; call tests
    as one JSON argument per line and the JSON text of the return value (LiveCodeBench's convention)."""
    if suite.fn_name is None:
        return list(zip(suite.inputs, suite.outputs, strict=True))
    pairs = []
    for args, out in zip(suite.inputs, suite.outputs, strict=True):
        args = args if isinstance(args, list) else [args]
        pairs.append(("\n".join(json.dumps(a) for a in args), json.dumps(out)))
    return pairs


def _clean(response: dict[str, Any] | None) -> bool:
    run = (response or {}).get("run_result") or {}
    return (response or {}).get("status") == "Success" and run.get("status") == "Finished"


def test_golden_code_cases_agree_with_v1_score(reward_service_url: str) -> None:
    """Done-when: each golden case's program, run test by test through /run_code and judged as verl judges,
    gives /v1/score's verdict. Where verl's judge itself differs (an exact string compare, or printing the
    return value), the run must still be clean and prorl's own comparator on the /run_code output must
    give /v1/score's verdict: the execution agrees, only the judge differs (listed in the output)."""
    cases = _golden()
    scored = httpx.post(f"{reward_service_url}/v1/score", json={"items": [c["item"] for c in cases]},
                        timeout=600).json()["results"]
    url = f"{reward_service_url}/run_code"
    plan: dict[int, tuple[Any, str, str, float]] = {}
    for index, (case, result) in enumerate(zip(cases, scored, strict=True)):
        if result["status"] != "ok":
            continue  # invalid references: nothing is run, verl would answer -1 for every case
        item = case["item"]
        try:
            program = extract_program(answer_text(item["response"]))
        except TruncatedInThinking:
            program = None
        if program is None:
            assert result["reward"] == 0.0  # no program: nothing to run either way
            continue
        suite = parse_reference(item["reference"])
        timeout = suite.time_limit_s or SandboxLimits().default_time_limit_s  # the limit /v1/score applied
        plan[index] = (suite, item.get("options", {}).get("reward", "binary"),
                       verl.program_for_case(program, suite.fn_name), timeout)

    def run_case(index: int) -> list[tuple[dict[str, Any] | None, Any, bool]]:
        """(response, verl verdict, prorl's verdict) per test; a binary case stops once both judges failed."""
        suite, mode, code, timeout = plan[index]
        out = []
        for test, (stdin, expected) in enumerate(_verl_inputs(suite)):
            response, error = verl.call_sandbox_api(url, code, stdin, timeout, timeout, VERL_MEMORY_MB)
            verdict = verl.case_verdict(response, error, expected)[0]
            mine = _clean(response) and _prorl_judges(suite, test, response)
            out.append((response, verdict, mine))
            if mode != "fraction" and verdict is not True and not mine:
                break
        return out

    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = dict(zip(plan, pool.map(run_case, plan), strict=True))

    judge_only: list[str] = []
    for index, tests in sorted(runs.items()):
        suite, mode, _, _ = plan[index]
        note, result = cases[index]["note"], scored[index]
        reward = result["reward"]
        timed_out = any(t["status"] == "timeout" for t in result["details"].get("tests", []))
        for response, _, _ in tests:
            assert response is None or response["status"] != "SandboxError", f"{note}: {response}"
            # verl gives up on the HTTP call after compile + run timeout + 10 s; only a program that
            # ran into the time limit may take that long (runnable programs get a wall-clock backstop).
            assert response is not None or timed_out, f"{note}: /run_code did not answer in verl's time"
        verdicts = [v for _, v, _ in tests] + [False] * (len(suite.inputs) - len(tests))
        verl_score = verl.score_from_results(verdicts, continuous=True)
        verl_reward = verl_score if mode == "fraction" else float(verl_score == 1.0)
        ours = [mine for _, _, mine in tests] + [False] * (len(suite.inputs) - len(tests))
        ours_reward = sum(ours) / len(ours) if mode == "fraction" else float(all(ours))
        if suite.fn_name is None:
            # Same program, same tests, prorl's comparator on /run_code's output: exactly /v1/score's verdict.
            assert ours_reward == pytest.approx(reward), f"{note}: /run_code execution differs from /v1/score"
        if verl_reward != pytest.approx(reward):
            differing = [t for t, (_, v, mine) in enumerate(tests) if (v is True) != mine]
            assert all(_clean(tests[t][0]) for t in differing), f"{note}: verl verdict differs on an unclean run"
            judge_only.append(f"{note!r}: /v1/score {reward}, verl {verl_reward} (judge differs on tests {differing})")
    print("\ngolden cases where verl's judge gives another verdict than /v1/score (runs clean):\n  " + "\n  ".join(judge_only or ["none"]))
    stdin_cases = [i for i, entry in plan.items() if entry[0].fn_name is None]
    assert len(stdin_cases) >= 20  # the comparison covered the golden set, not an empty slice of it


def _prorl_judges(suite: Any, test: int, response: dict[str, Any] | None) -> bool:
    """prorl's own comparison applied to what /run_code returned (stdin: token-wise stdout; call: the
    printed JSON value, where the verl wrapper printed JSON)."""
    stdout = ((response or {}).get("run_result") or {}).get("stdout") or ""
    if suite.fn_name is None:
        return stdout_matches(stdout, suite.outputs[test])
    try:
        value = json.loads(stdout)
    except ValueError:
        return False
    return return_matches(value, suite.outputs[test])
