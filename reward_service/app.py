"""The FastAPI application: thin routes over an executor (see shared/CONTRACT.md for the contract).

Routes validate, check limits, hand the batch to the executor and return. CPU work never runs on the
event loop: executors run ``verifiers.score_batch`` on threads (embedded) or on RQ workers (rq).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.exceptions import HTTPException as StarletteHTTPException

from reward_service import logs, metrics
from reward_service.admission import InflightLimiter, TooBusy, require_api_key, reserve_inflight
from reward_service.compat.nemo_gym import router as nemo_gym_router
from reward_service.compat.openrlhf import router as openrlhf_router
from reward_service.compat.sandbox_fusion import router as run_code_router
from reward_service.executors.base import Executor, Unavailable
from reward_service.handoff import json_response, score_items
from reward_service.http_middleware import ServiceMiddleware
from reward_service.schemas import (
    ErrorBody,
    JobCreated,
    JobStatus,
    ScoreRequest,
    ScoreResponse,
    versions,
)
from reward_service.settings import Settings, get_settings

_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text} for code, text in {
        401: "Missing or invalid API key (when PRORL_API_KEYS is set).",
        413: "Body over PRORL_MAX_BODY_BYTES or more than PRORL_MAX_ITEMS items.",
        422: "Malformed body (not JSON, no items list, an item missing a required field).",
        429: "Too many items in flight; retry after Retry-After seconds.",
        503: "A dependency (Redis) is unavailable; retry after Retry-After seconds.",
    }.items()
}


def make_executor(settings: Settings) -> Executor:
    """The rq executor when a Redis URL is configured, else the embedded one."""
    if settings.redis_url:
        from reward_service.executors.rq_executor import RQExecutor

        return RQExecutor(settings)
    from reward_service.executors.embedded import EmbeddedExecutor

    return EmbeddedExecutor(settings)


v1 = APIRouter(prefix="/v1", dependencies=[Depends(require_api_key)], responses=ERRORS)


@v1.post("/score", response_model=ScoreResponse, summary="Score a batch of rollouts; results in order")
async def score(body: ScoreRequest, request: Request) -> Response:
    """One result per item, in order. A bad item gets its own `invalid` result; it never fails the batch."""
    results = await score_items(request, body.items)
    return json_response(ScoreResponse(results=results, versions=versions()))


@v1.post("/jobs", status_code=202, response_model=JobCreated, summary="Score a batch in the background")
async def create_job(body: ScoreRequest, request: Request) -> Response:
    """202 with a job id at once; poll `GET /v1/jobs/{job_id}` for progress and results (large batches)."""
    n = len(body.items)
    limiter = await reserve_inflight(request, n)
    try:
        job_id = await request.app.state.executor.submit(body.items, on_done=lambda: limiter.release(n))
    except BaseException:
        limiter.release(n)
        raise
    return json_response(JobCreated(job_id=job_id), status_code=202)


@v1.get("/jobs/{job_id}", response_model=JobStatus, summary="A job's status, progress and (when finished) results")
async def get_job(job_id: str, request: Request) -> Response:
    """404 for an unknown or expired job (results are kept PRORL_JOB_TTL_S after it finishes)."""
    status = await request.app.state.executor.job(job_id) if _JOB_ID.match(job_id) else None
    if status is None:
        raise HTTPException(404, f"no job {job_id!r} (unknown or expired)")
    return json_response(status)


ops = APIRouter()


@ops.get("/healthz", summary="Alive")
async def healthz() -> dict[str, Any]:
    return {"status": "ok", "versions": versions()}


@ops.get("/readyz", summary="Dependencies reachable (Redis when configured, Docker when code is enabled)")
async def readyz(request: Request) -> JSONResponse:
    checks = await request.app.state.executor.ready()
    if not checks.get("ready"):
        settings: Settings = request.app.state.settings
        return JSONResponse(checks, status_code=503, headers={"Retry-After": str(settings.retry_after_s)})
    return JSONResponse(checks)


@ops.get("/metrics", summary="Prometheus metrics (prorl_*)")
async def prometheus_metrics() -> Response:
    # On a thread: the rq executor reads queue depth from Redis, which must not block the event loop.
    return Response(await anyio.to_thread.run_sync(metrics.render), media_type=CONTENT_TYPE_LATEST)


def _error(status: int, message: str, detail: Any = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if detail is not None:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI, settings: Settings) -> None:
    retry_after = {"Retry-After": str(settings.retry_after_s)}

    @app.exception_handler(RequestValidationError)
    async def invalid_body(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Only location, message and type: echoing `input` back could be huge or not JSON-serialisable.
        detail = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg")), "type": str(e.get("type"))}
                  for e in exc.errors()[:20]]
        first = detail[0] if detail else {"loc": [], "msg": "invalid"}
        return _error(422, f"invalid request body: {'.'.join(first['loc'])}: {first['msg']}", detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = str(exc.detail)
        if exc.status_code == 400 and detail == "There was an error parsing the body":  # FastAPI's words
            detail = ("request body is not JSON that can be read: nested past ~1,000 levels, an integer "
                      "literal over 4,300 digits, or not UTF-8")
        return _error(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(TooBusy)
    async def too_busy(request: Request, exc: TooBusy) -> JSONResponse:
        return _error(429, str(exc), headers=retry_after)

    @app.exception_handler(Unavailable)
    async def unavailable(request: Request, exc: Unavailable) -> JSONResponse:
        metrics.REJECTED.labels("unavailable").inc()
        return _error(503, str(exc), headers=retry_after)

    @app.exception_handler(Exception)
    async def server_bug(request: Request, exc: Exception) -> JSONResponse:
        logs.logger.exception("unhandled error", extra={"path": request.url.path})
        request_id = getattr(request.state, "request_id", None)
        return _error(500, f"internal server error (request id {request_id}); this is a bug, please report it")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service; the executor starts (and the scoring pool forks) in the lifespan."""
    settings = settings or get_settings()
    executor = make_executor(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        logs.configure(settings.log_level)
        await executor.start()
        metrics.set_live_sources(executor.live_metrics, executor.process_metrics)
        logs.logger.info("service started", extra={"executor": executor.name, "versions": versions()})
        try:
            yield
        finally:
            metrics.process_exiting()
            await executor.close()

    app = FastAPI(
        title="prorl reward service", version=versions()["prorl"], lifespan=lifespan,
        description="Verifiable rewards for math, code, STEM MCQ, reasoning_gym and IFEval rollouts.",
    )
    app.state.settings = settings
    app.state.executor = executor
    app.state.limiter = InflightLimiter(settings.max_inflight_items)
    app.add_middleware(ServiceMiddleware, max_body_bytes=settings.max_body_bytes,
                       body_timeout_s=settings.body_timeout_s)
    _install_error_handlers(app, settings)
    app.include_router(v1)
    # Our handlers answer every 4xx with ErrorBody (FastAPI would document its own 422 shape instead).
    compat_errors: dict[int | str, dict[str, Any]] = {code: ERRORS[code] for code in (401, 413, 422, 429)}
    app.include_router(openrlhf_router, responses=compat_errors)
    app.include_router(nemo_gym_router, responses=compat_errors)
    app.include_router(run_code_router, responses=compat_errors)
    app.include_router(ops)
    return app
