"""Domain ``code``: run the answer's last fenced Python (or C++) block against hidden tests in the sandbox.

Only test inputs enter the sandbox; each test's output (stdout text or a JSON return value) comes
back as data and is compared here (:mod:`verifiers.code.cases`). So exiting early, printing nothing,
faking ``__eq__`` or hunting the filesystem for expected outputs passes nothing, and a program that
crashes after printing the right answer fails that test.

Runs on a thread in the parent (``RUNS_IN = "thread"``): the untrusted work happens in Docker.
"""

from __future__ import annotations

import math
import re
from typing import Any

from sandboxes import SandboxUnavailable, TestRun
from sandboxes.shared import current_settings, get_sandbox
from verifiers.base import InfraError, InvalidReference, Verdict
from verifiers.code.cases import LANGUAGE_ALIASES, TestSuite, parse_reference, return_matches, stdout_matches
from verifiers.registry import thread_concurrency
from verifiers.schemas import ItemOptions

RUNS_IN = "thread"
# Deadline of an item whose tests cannot even be counted; otherwise see deadline_s().
DEFAULT_TIMEOUT_S = 120.0

_FENCE = re.compile(r"^[ \t]*```[ \t]*([^\n`]*)\n(.*?)^[ \t]*```", re.DOTALL | re.MULTILINE)
_TAGS = {"python": {"python", "py", "python3"}, "cpp": {"cpp", "c++", "cc", "cxx", "c"}}
_SHOWN_CHARS = 200  # of a failing test's output, in details (never the expected output)
_COMPILE_SHOWN_CHARS = 1000  # of the compiler's messages


def extract_program(answer_text: str, language: str = "python") -> str | None:
    """The last fenced block of ``language`` (```python, ```cpp), or when there is none the last untagged one.

    Blocks tagged with another language (sample output as ```text, C++ in a Python problem) are not the
    program. The code is returned exactly as written: ``\\r\\n``, tabs and trailing whitespace included.
    """
    tags = _TAGS[language]
    tagged_blocks, plain_blocks = [], []
    for match in _FENCE.finditer(answer_text):
        tag = match.group(1).strip().lower()
        if tag in tags:
            tagged_blocks.append(match.group(2))
        elif tag == "":
            plain_blocks.append(match.group(2))
    if tagged_blocks:
        return tagged_blocks[-1]
    return plain_blocks[-1] if plain_blocks else None


def dedup_key(answer_text: str, reference: dict[str, Any], options: ItemOptions) -> str:
    """Two answers with the same program get the same verdict, whatever prose surrounds it."""
    language = _language(reference)
    program = extract_program(answer_text, language)
    return "no-code" if program is None else f"program:{language}:" + program


def _language(reference: dict[str, Any]) -> str:
    raw = reference.get("language", "python") if isinstance(reference, dict) else "python"
    return LANGUAGE_ALIASES.get(str(raw).lower(), "python")


def deadline_s(reference: dict[str, Any], options: ItemOptions) -> float:
    """A verification deadline for this item: the sandbox's own hard budget, plus waiting for a slot.

    The sandbox kills the container itself at its budget (every test's wall limit plus slack), so
    this outer deadline only fires when the engine stalls. Waiting for one of the sandbox's
    ``max_concurrent`` slots behind the other scoring threads counts too.
    """
    try:
        suite = parse_reference(reference)
    except InvalidReference:
        return DEFAULT_TIMEOUT_S
    settings = current_settings()
    limits = settings.limits
    budget = limits.outer_deadline_s(limits.time_limit_s(suite.time_limit_s), len(suite.inputs),
                                     compiled=suite.language != "python")
    threads = thread_concurrency()
    waves = max(1, math.ceil(threads / settings.max_concurrent))
    return budget * waves + settings.acquire_timeout_s


def score(answer_text: str, reference: dict[str, Any], options: ItemOptions) -> Verdict:
    """Reward 1 when every test passes (``options.reward == "fraction"``: the fraction passed)."""
    suite = parse_reference(reference)
    program = extract_program(answer_text, suite.language)
    if program is None:
        return Verdict(0.0, {"reason": "no_code_block", "tests_total": len(suite.inputs)})
    fraction = options.reward == "fraction"
    verdicts: list[dict[str, Any]] = []

    def judge(test: TestRun) -> bool:
        verdict = _judge(test, suite)
        verdicts.append(verdict)
        test.stdout = test.result = None  # judged: up to 8 MiB per test need not stay in memory
        return fraction or verdict["status"] == "passed"  # binary stops at the first failure

    try:
        sandbox = get_sandbox()
    except SandboxUnavailable as exc:  # already says why: "code sandbox unavailable|misconfigured: ..."
        raise InfraError(str(exc)) from exc
    try:
        report = sandbox.run(
            program,
            suite.inputs,
            fn_name=suite.fn_name,
            time_limit_s=suite.time_limit_s,
            memory_mb=suite.memory_mb,
            language=suite.language,  # type: ignore[arg-type]  # parse_reference only yields known ones
            should_continue=judge,
        )
    except SandboxUnavailable as exc:
        raise InfraError(f"code sandbox unavailable: {exc}") from exc
    if report.compile is not None and not report.compile.get("ok"):
        return Verdict(0.0, {"reason": "compile_error", "tests_total": len(suite.inputs),
                             "compile_status": report.compile.get("status"),
                             "compile_error": str(report.compile.get("stderr", ""))[:_COMPILE_SHOWN_CHARS]})
    if len(verdicts) < len(report.tests):  # the last test's verdict (no should_continue call for it)
        verdicts.append(_judge(report.tests[-1], suite))
    passed = sum(v["status"] == "passed" for v in verdicts)
    total = len(suite.inputs)
    reward = passed / total if fraction else float(passed == total)
    details: dict[str, Any] = {
        "tests_total": total,
        "tests_run": len(verdicts),
        "tests_passed": passed,
        "tests": [{k: v[k] for k in ("status", "time_s")} for v in verdicts],
        "program_ms": round(report.program_s * 1000, 1),  # the tests' own wall time in the sandbox
        "sandbox_overhead_ms": round((report.wall_s - report.program_s) * 1000, 1),
        "sandbox_wait_ms": round(report.wait_s * 1000, 1),  # for a free slot and a warm container
    }
    failure = next((v for v in verdicts if v["status"] != "passed"), None)
    if failure is not None:
        details["first_failure"] = {k: v for k, v in failure.items() if k != "time_s"}
    if report.ended == "killed":
        details["reason"] = "sandbox_deadline"
    return Verdict(reward, details)


def _judge(test: TestRun, suite: TestSuite) -> dict[str, Any]:
    """One test's verdict: passed | wrong_answer | runtime_error | timeout | output_limit | no_return."""
    verdict: dict[str, Any] = {"test": test.index, "time_s": round(test.cpu_s, 4)}
    if test.status == "timeout":
        status = "timeout"
    elif test.status == "output_limit":
        status = "output_limit"
    elif not test.clean_exit:
        status = "runtime_error"  # a crash after printing the right answer still fails
        verdict["exit_code"] = test.exit_code
        verdict["signal"] = test.signal
        verdict["stderr"] = test.stderr[-_SHOWN_CHARS:]
    elif suite.fn_name is not None:
        result = test.result
        if not isinstance(result, dict) or "value" not in result:
            status = "no_return"  # exited 0 without the call returning (sys.exit, os._exit)
        else:
            status = "passed" if return_matches(result["value"], suite.outputs[test.index]) else "wrong_answer"
            verdict["got"] = repr(result["value"])[:_SHOWN_CHARS]
    else:
        stdout = test.stdout or ""
        status = "passed" if stdout_matches(stdout, suite.outputs[test.index]) else "wrong_answer"
        verdict["got"] = stdout[:_SHOWN_CHARS]
    verdict["status"] = status
    return verdict
