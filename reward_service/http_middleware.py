"""Pure-ASGI middleware: request id + access log + HTTP metrics, and the request body cap.

Pure ASGI rather than ``BaseHTTPMiddleware`` so a 4 MB body is not copied through an extra task, and
so the body cap can stop reading at the cap (a client cannot make the service buffer 1 GB to learn
it was too large). Reading the body also has a deadline (``PRORL_BODY_TIMEOUT_S``): a client that sends
part of a body and stalls gets 408 instead of holding a connection and a task forever (uvicorn has no
body-read timeout; see :mod:`reward_service.slow_clients`).
"""

from __future__ import annotations

import json
import math
import re
import time
import uuid
from typing import Any

import anyio
from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reward_service import metrics
from reward_service.logs import logger, request_id_var

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once the body passes the cap (an HTTPException, so FastAPI answers 413).

    FastAPI's own handler usually answers it, so the middleware never sees it: it is counted where it
    is raised.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over {limit} bytes (PRORL_MAX_BODY_BYTES)")


class BodyTimeout(HTTPException):
    """Raised from ``receive`` when the body is not complete within its deadline (FastAPI answers 408)."""

    def __init__(self, limit_s: float) -> None:
        super().__init__(408, f"request body not received within {limit_s:g}s (PRORL_BODY_TIMEOUT_S)",
                         headers={"Connection": "close"})


async def _send_json(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]) -> None:
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": payload})


class ServiceMiddleware:
    """Tags each request with an id (``X-Request-ID``), caps its body, logs and measures it."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, body_timeout_s: float = math.inf) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout_s = body_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        id_header = (b"x-request-id", request_id.encode())
        started = time.perf_counter()
        status_holder = {"status": 500, "started": False}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"], status_holder["started"] = message["status"], True
                message["headers"] = [*message.get("headers", []), id_header]
            await send(message)

        try:
            length = headers.get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
                too_large = BodyTooLarge(self.max_body_bytes)
                metrics.REJECTED.labels("body_too_large").inc()
                status_holder["status"] = 413
                await _send_json(send, 413, {"error": too_large.detail}, [id_header])
                return
            received = 0
            body_done = False
            body_deadline = started + self.body_timeout_s

            async def capped_receive() -> Message:
                nonlocal received, body_done
                if body_done:  # after the body only http.disconnect can come: no deadline on waiting for it
                    return await receive()
                try:
                    with anyio.fail_after(max(0.0, body_deadline - time.perf_counter())):
                        message = await receive()
                except TimeoutError:
                    metrics.REJECTED.labels("body_timeout").inc()
                    raise BodyTimeout(self.body_timeout_s) from None
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    body_done = not message.get("more_body", False)
                    if received > self.max_body_bytes:
                        metrics.REJECTED.labels("body_too_large").inc()
                        raise BodyTooLarge(self.max_body_bytes)
                return message

            try:
                await self.app(scope, capped_receive, send_wrapper)
            except (BodyTooLarge, BodyTimeout) as refused:  # read outside FastAPI's handlers: answer it here
                if not status_holder["started"]:
                    status_holder["status"] = refused.status_code
                    await _send_json(send, refused.status_code, {"error": refused.detail}, [id_header])
        finally:
            route = scope.get("route")
            route_name = getattr(route, "path", None) or "unmatched"
            elapsed = time.perf_counter() - started
            metrics.REQUESTS.labels(route_name, str(status_holder["status"])).inc()
            metrics.REQUEST_LATENCY.labels(route_name).observe(elapsed)
            state = scope.get("state", {})
            if route_name not in ("/metrics", "/healthz", "/readyz"):
                logger.info("request", extra={
                    "method": scope.get("method"), "path": scope.get("path"), "status": status_holder["status"],
                    "duration_ms": round(elapsed * 1000, 2), "items": state.get("items"),
                    "client": (scope.get("client") or ("?",))[0],
                })
            request_id_var.reset(token)
