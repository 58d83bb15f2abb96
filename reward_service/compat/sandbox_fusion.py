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

from reward_service import metrics
from reward_service.admission import require_api_key_any_form, reserve_inflight
from reward_service.compat.run_code_program import FetchedOutput, split_fetched, wrap_program
from reward_service.handoff import json_response
from reward_service.schemas import (
    CPP_LANGUAGES,
    PYTHON_LANGUAGES,
    CommandRunResult,
    RunCodeRequest,
    RunCodeResponse,
)
from sandboxes import RunReport, SandboxUnavailable

RUN_CODE_REQUESTS = Counter("prorl_run_code_requests", "/run_code requests answered, by SandboxFusion status.",
                            ["status"], registry=metrics.REGISTRY)
RUN_CODE_SECONDS = Histogram(
    "prorl_run_code_seconds", "/run_code time from admission to answer (waiting for a sandbox included).",
    registry=metrics.REGISTRY, buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)

router = APIRouter(dependencies=[Depends(require_api_key_any_form)], tags=["compatibility"])


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
    language: Literal["python", "cpp"] = "cpp" if body.language in CPP_LANGUAGES else "python"
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
    except SandboxUnavailable as exc:
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
    started = time.perf_counter()
    limiter = await reserve_inflight(request, 1)
    try:
        answer = await anyio.to_thread.run_sync(run_blocking, body, limiter=_runner_limit(request))
    finally:
        limiter.release(1)
    RUN_CODE_REQUESTS.labels(answer.status).inc()
    RUN_CODE_SECONDS.observe(time.perf_counter() - started)
    return json_response(answer)


