"""SandboxFusion-compatible code execution: ``POST /run_code``.

Users who run SandboxFusion beside verl or with the ``sandbox-fusion`` client switch to prorl by
changing a URL. Request and response follow SandboxFusion's ``sandbox/server/sandbox_api.py``:
``status`` is Success (everything ran and exited 0), Failed (non-zero exit or time limit) or
SandboxError (the sandbox itself failed; the client retries it and verl never learns from it).

Programs run on the code verifier's warm pool of hardened containers (``sandboxes.shared.get_sandbox``:
one pool per process, shared with ``/v1/score``), behind the service's auth, body cap, in-flight cap
and metrics. Python and C++ (``cpp``: compiled once with g++ -O2 -std=c++17, the compile reported as
``compile_result``) run; other SandboxFusion languages answer SandboxError "unsupported language", and
names SandboxFusion does not know answer 422, as SandboxFusion itself does.
``files`` and ``fetch_files`` are supported through a wrapper program (see :mod:`run_code_program`).

SandboxFusion clients send no ``Authorization`` header, so with ``PRORL_API_KEYS`` set the key may
also travel as URL credentials (``http://prorl:KEY@host:8000``, which ``requests`` turns into Basic
auth) or as ``?api_key=KEY`` (verl posts to the full URL it is given).
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import Literal

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from prometheus_client import Counter, Histogram
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from reward_service import metrics
from reward_service.admission import require_api_key_any_form
from reward_service.compat.run_code_program import FetchedOutput, split_fetched, wrap_program
from sandboxes import RunReport, SandboxUnavailable
from verifiers.base import InfraError
from verifiers.schemas import clean_text

# Every language SandboxFusion's API accepts (its `Language` literal), plus "python3".
SANDBOX_FUSION_LANGUAGES = (
    "python", "python2", "cpp", "nodejs", "go", "go_test", "java", "php", "csharp", "bash", "typescript", "sql",
    "rust", "cuda", "lua", "R", "perl", "D_ut", "ruby", "scala", "julia", "pytest", "junit", "kotlin_script", "jest",
    "verilog", "python_gpu", "lean", "swift", "racket", "gtest", "react",
)
PYTHON_LANGUAGES = ("python", "python3")
CPP_LANGUAGES = ("cpp",)

RUN_CODE_REQUESTS = Counter("prorl_run_code_requests", "/run_code requests answered, by SandboxFusion status.",
                            ["status"], registry=metrics.REGISTRY)
RUN_CODE_SECONDS = Histogram(
    "prorl_run_code_seconds", "/run_code time from admission to answer (waiting for a sandbox included).",
    registry=metrics.REGISTRY, buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)

router = APIRouter(dependencies=[Depends(require_api_key_any_form)], tags=["compatibility"])


class RunCodeRequest(BaseModel):
    """SandboxFusion's ``RunCodeRequest`` (``args`` is pytest-only there and ignored here)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "code": "print(sum(map(int, input().split())))", "stdin": "1 2\n", "language": "python", "run_timeout": 5}]})

    compile_timeout: float = Field(10, description="Ignored: C++ compiles under PRORL_SANDBOX_COMPILE_TIME_LIMIT_S "
                                   "(CPU seconds per compiler process); Python has nothing to compile.")
    run_timeout: float = Field(10, gt=0, description="Seconds the program may run: its CPU-time limit, with "
                               "wall-clock backstops; clamped to PRORL_SANDBOX_MAX_TIME_LIMIT_S.")
    memory_limit_MB: int | None = Field(-1, description="Memory cap in MB; -1 or null = the sandbox default "
                                        "(PRORL_SANDBOX_MEMORY_MB), never above it (verl sends null when "
                                        "reward.sandbox_fusion.memory_limit_mb is unset).")
    code: str = Field(description="The program.")
    stdin: str | None = Field(None, description="Standard input of the program.")
    language: str = Field(description="python / python3 / cpp; other SandboxFusion languages answer SandboxError.")
    files: dict[str, str | None] = Field(default_factory=dict,
                                         description="Path (relative to the working dir) -> base64 content, "
                                         "written before the program starts.")
    fetch_files: list[str] = Field(default_factory=list, description="Paths to return (base64) after the run.")
    args: list[str] = Field(default_factory=list, description="SandboxFusion pytest arguments; ignored.")

    @model_validator(mode="before")
    @classmethod
    def _clean_surrogates(cls, data: object) -> object:
        # Lone surrogate escapes are valid JSON but not UTF-8: replaced at intake, as for scoring items.
        return clean_text(data) if isinstance(data, dict) else data

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in SANDBOX_FUSION_LANGUAGES and value not in PYTHON_LANGUAGES:
            raise ValueError(f"unknown language {value!r}; SandboxFusion languages: {', '.join(SANDBOX_FUSION_LANGUAGES)}")
        return value


class CommandRunResult(BaseModel):
    """One command's outcome, as SandboxFusion reports it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "status": "Finished", "execution_time": 0.031, "cpu_time": 0.02, "return_code": 0, "stdout": "3\n",
        "stderr": ""}]})

    status: Literal["Finished", "Error", "TimeLimitExceeded"] = Field(
        description="`Finished`: the command ran to its end (any exit code); `TimeLimitExceeded`: killed at its limit.")
    execution_time: float | None = Field(default=None, description="Wall-clock seconds.")
    cpu_time: float | None = Field(default=None, description="CPU seconds.")
    return_code: int | None = Field(default=None, description="Exit code; negative = killed by that signal.")
    stdout: str | None = Field(default=None, description="Standard output (capped).")
    stderr: str | None = Field(default=None, description="Standard error (capped).")


class RunCodeResponse(BaseModel):
    """SandboxFusion's ``RunCodeResponse``."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "status": "Success", "message": "", "compile_result": None,
        "run_result": {"status": "Finished", "execution_time": 0.031, "cpu_time": 0.02, "return_code": 0,
                       "stdout": "3\n", "stderr": ""}, "executor_pod_name": None, "files": {}}]})

    status: Literal["Success", "Failed", "SandboxError"] = Field(
        description="`Success`: ran and exited 0; `Failed`: non-zero exit or time limit (a wrong program); "
        "`SandboxError`: the sandbox itself failed (retry; never learn from it).")
    message: str = Field(default="", description="Why, for SandboxError.")
    compile_result: CommandRunResult | None = Field(default=None, description="The compile step, for compiled "
                                                    "languages.")
    run_result: CommandRunResult | None = Field(default=None, description="The program's run.")
    executor_pod_name: str | None = Field(default=None, description="Always null here (SandboxFusion's pod name).")
    files: dict[str, str] = Field(default_factory=dict, description="Requested `fetch_files`: path -> base64 content.")


def _sandbox_error(message: str) -> RunCodeResponse:
    return RunCodeResponse(status="SandboxError", message=message)


def _decode_files(files: dict[str, str | None]) -> dict[str, bytes] | str:
    """The input files as bytes, or why they cannot be used. None values are skipped, as SandboxFusion does."""
    out: dict[str, bytes] = {}
    for path, content in files.items():
        if content is None or "IGNORE_THIS_FILE" in path:
            continue
        try:
            out[path] = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            return f"files[{path!r}] is not valid base64"
    return out


def _compile_result(report: RunReport) -> CommandRunResult | None:
    if report.compile is None:
        return None
    ok, status = bool(report.compile.get("ok")), report.compile.get("status")
    return CommandRunResult(status="TimeLimitExceeded" if status == "timeout" else "Finished",
                            return_code=0 if ok else 1, stdout="", stderr=str(report.compile.get("stderr", "")))


def response_from_report(report: RunReport, fetched: FetchedOutput | None) -> RunCodeResponse:
    """Map one harness run onto SandboxFusion's statuses (see the module docstring)."""
    compiled = _compile_result(report)
    if compiled is not None and compiled.return_code != 0:  # as SandboxFusion: Failed, no run_result
        return RunCodeResponse(status="Failed", compile_result=compiled)
    response = _run_response(report, fetched)
    response.compile_result = compiled
    return response


def _run_response(report: RunReport, fetched: FetchedOutput | None) -> RunCodeResponse:
    if not report.tests:  # the outer wall-clock deadline killed the container before the test reported
        run = CommandRunResult(status="TimeLimitExceeded", execution_time=round(report.wall_s, 4), stdout="", stderr="")
        return RunCodeResponse(status="Failed", run_result=run)
    test = report.tests[0]
    stdout = test.stdout or ""
    files: dict[str, str] = {}
    if fetched is not None:
        stdout, files = split_fetched(stdout, fetched)
    stderr = test.stderr
    if test.status == "timeout":
        run = CommandRunResult(status="TimeLimitExceeded", execution_time=test.wall_s, cpu_time=test.cpu_s,
                               stdout=stdout, stderr=stderr)
        return RunCodeResponse(status="Failed", run_result=run, files=files)
    if test.status not in ("exited", "signal", "output_limit"):
        return _sandbox_error(f"sandbox harness reported {test.status!r}")
    # A signal death reads as a negative return code, as Python's subprocess (and SandboxFusion) report it.
    return_code = test.exit_code if test.exit_code is not None else -(test.signal or 9)
    if test.status == "output_limit":
        stderr += "\n[prorl] killed: stdout or stderr went over PRORL_SANDBOX_OUTPUT_LIMIT_MB\n"
    run = CommandRunResult(status="Finished", execution_time=test.wall_s, cpu_time=test.cpu_s,
                           return_code=return_code, stdout=stdout, stderr=stderr)
    return RunCodeResponse(status="Success" if return_code == 0 else "Failed", run_result=run, files=files)


def run_blocking(body: RunCodeRequest) -> RunCodeResponse:
    """Run one request on the shared sandbox (blocking: call it on a worker thread)."""
    from sandboxes.shared import get_sandbox

    if body.language not in PYTHON_LANGUAGES + CPP_LANGUAGES:
        return _sandbox_error(f"unsupported language {body.language!r}: this prorl service runs "
                              f"{' / '.join(PYTHON_LANGUAGES + CPP_LANGUAGES)} only")
    language = "cpp" if body.language in CPP_LANGUAGES else "python"
    if language == "cpp" and (body.files or body.fetch_files):
        return _sandbox_error("files and fetch_files are supported for python only")
    files = _decode_files(body.files)
    if isinstance(files, str):
        return _sandbox_error(files)
    try:
        (body.stdin or "").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no byte stream to feed (SandboxFusion fails here too)
        return _sandbox_error("stdin is not encodable as UTF-8 (lone surrogate)")
    code, fetched = wrap_program(body.code, files, body.fetch_files) if language == "python" else (body.code, None)
    try:
        sandbox = get_sandbox()
        report = sandbox.run(code, [body.stdin or ""], time_limit_s=body.run_timeout, language=language,
                             memory_mb=body.memory_limit_MB if (body.memory_limit_MB or 0) > 0 else None)
    except (InfraError, SandboxUnavailable) as exc:
        return _sandbox_error(f"code sandbox unavailable: {exc}")
    return response_from_report(report, fetched)


def _runner_limit(request: Request) -> anyio.CapacityLimiter:
    """Threads for /run_code, so waiting programs queue here and never take /v1/score's worker threads.

    Sized to the sandbox's own concurrency plus a few that wait for a warm container; created on first
    use because an anyio limiter belongs to the running event loop.
    """
    state = request.app.state
    limit = getattr(state, "run_code_threads", None)
    if limit is None:
        from sandboxes import SandboxSettings

        limit = state.run_code_threads = anyio.CapacityLimiter(SandboxSettings.from_env().max_concurrent + 2)
    return limit


@router.post("/run_code", response_model=RunCodeResponse, summary="SandboxFusion-compatible code execution")
async def run_code(body: RunCodeRequest, request: Request) -> Response:
    from reward_service.app import json_response, reserve

    started = time.perf_counter()
    limiter = await reserve(request, 1)
    try:
        answer = await anyio.to_thread.run_sync(run_blocking, body, limiter=_runner_limit(request))
    finally:
        limiter.release(1)
    RUN_CODE_REQUESTS.labels(answer.status).inc()
    RUN_CODE_SECONDS.observe(time.perf_counter() - started)
    return json_response(answer)


