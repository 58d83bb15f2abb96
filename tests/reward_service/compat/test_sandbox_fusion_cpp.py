"""POST /run_code with ``language: "cpp"`` through the real ``sandbox-fusion`` client: compile results in
SandboxFusion's own shape (``compile_result``; a failed compile is ``Failed`` with no ``run_result``), so
``summary_run_code_result`` reads them as it reads SandboxFusion's."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sandbox_fusion import RunCodeRequest, RunCodeResponse, RunStatus, SummaryMapping, run_code, set_endpoint
from sandbox_fusion import summary_run_code_result as summary

MAPPING = SummaryMapping(Success="ok", Failed="failed", CompileFailed="compile_failed", CompileTimeout="compile_timeout",
                         RunFailed="run_failed", RunTimeout="run_timeout")
SUM = "#include <iostream>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b<<std::endl;return 0;}\n"


@pytest.fixture(scope="module", autouse=True)
def _endpoint(reward_service_url: str) -> Iterator[None]:
    set_endpoint(reward_service_url)
    yield


def _run(code: str, **kwargs: object) -> RunCodeResponse:
    return run_code(RunCodeRequest(code=code, language="cpp", **kwargs), max_attempts=1, client_timeout=120)


def test_a_correct_program_compiles_and_passes() -> None:
    out = _run(SUM, stdin="20 22\n")
    assert out.status == RunStatus.Success and summary(out, MAPPING) == "ok"
    assert out.compile_result is not None and out.compile_result.return_code == 0
    assert out.run_result.stdout == "42\n" and out.run_result.return_code == 0


def test_a_wrong_or_crashing_program_fails() -> None:
    wrong = _run(SUM.replace("a+b", "a-b"), stdin="20 22\n")
    assert wrong.status == RunStatus.Success and wrong.run_result.stdout == "-2\n"  # runs; the caller compares
    crash = _run("#include <cstdlib>\nint main(){std::abort();}\n")
    assert crash.status == RunStatus.Failed and summary(crash, MAPPING) == "run_failed"
    assert crash.run_result.return_code == -6  # SIGABRT, negative as SandboxFusion reports a signal


def test_a_compile_error_fails_with_the_compiler_message() -> None:
    out = _run("int main() { this is not C++; }\n")
    assert out.status == RunStatus.Failed and out.run_result is None
    assert out.compile_result.return_code != 0 and "error" in out.compile_result.stderr
    assert summary(out, MAPPING) == "compile_failed"


def test_a_program_past_its_time_limit_fails() -> None:
    out = _run("int main(){volatile unsigned long x=0;for(;;)x++;}\n", run_timeout=1)
    assert out.status == RunStatus.Failed and summary(out, MAPPING) == "run_timeout"


def test_files_for_cpp_and_other_languages_are_refused_clearly(reward_service_url: str) -> None:
    raw = httpx.post(f"{reward_service_url}/run_code", timeout=30,
                     json={"code": SUM, "language": "cpp", "fetch_files": ["out.txt"]})
    assert raw.json()["status"] == "SandboxError" and "python only" in raw.json()["message"]
    with pytest.raises(Exception, match="unsupported language 'rust'"):
        run_code(RunCodeRequest(code="fn main() {}", language="rust"), max_attempts=1, client_timeout=60)
