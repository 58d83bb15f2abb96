"""Who may call (bearer keys) and how much work may be in flight (backpressure).

A burst of trainer ranks must get a quick 429 with ``Retry-After`` rather than an ever-growing queue
that ends in timeouts or an OOM: the client backs off and retries, and nothing is lost. Every route
that does work, the compatibility routes included, is admitted by :func:`reserve_inflight`.
"""

from __future__ import annotations

import hmac
import threading

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBasic, HTTPBasicCredentials, HTTPBearer

from reward_service import metrics
from reward_service.executors.base import Executor
from reward_service.settings import Settings

# Both answer None (never 401 themselves) when their scheme is absent; HTTPBearer ignores other schemes.
_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <key>` when PRORL_API_KEYS is set.")
_basic = HTTPBasic(auto_error=False)


def _bearer_key(credentials: HTTPAuthorizationCredentials | None) -> str:
    return credentials.credentials if credentials is not None else ""


def require_api_key(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:
    """401 unless auth is off or the bearer key matches one configured key (constant-time compare)."""
    _check_key(request, _bearer_key(credentials))


def require_api_key_or_query(request: Request,
                             credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:
    """Like :func:`require_api_key`, also accepting ``?api_key=``: OpenRLHF cannot send headers, only a URL."""
    _check_key(request, _bearer_key(credentials) or request.query_params.get("api_key", ""))


def require_api_key_any_form(request: Request,
                             bearer: HTTPAuthorizationCredentials | None = Depends(_bearer),
                             basic: HTTPBasicCredentials | None = Depends(_basic)) -> None:
    """Like :func:`require_api_key_or_query`, also accepting the key as a Basic password: SandboxFusion
    clients take URL credentials (``http://prorl:KEY@host``), which ``requests`` sends as Basic auth."""
    key = _bearer_key(bearer) or (basic.password if basic is not None else "")
    _check_key(request, key or request.query_params.get("api_key", ""))


def _check_key(request: Request, given_key: str) -> None:
    keys: list[str] = request.app.state.settings.api_key_list
    if not keys:
        return
    given = given_key.encode()
    # Compare against every key (no early exit), so timing does not reveal which prefix matched.
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(given, key.encode())
    if not matched:
        metrics.REJECTED.labels("unauthorized").inc()
        raise HTTPException(401, "missing or invalid API key", headers={"WWW-Authenticate": "Bearer"})


class TooBusy(Exception):
    """More items in flight than PRORL_MAX_INFLIGHT_ITEMS: answer 429 with Retry-After."""

    def __init__(self, inflight: int, requested: int, cap: int) -> None:
        super().__init__(f"service busy: {inflight} items in flight, {requested} requested, cap {cap} "
                         "(PRORL_MAX_INFLIGHT_ITEMS); retry later")


class InflightLimiter:
    """Counts admitted items. A request is refused only if others are in flight, so any single request
    within PRORL_MAX_ITEMS can always run on an idle service."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.inflight = 0
        self._lock = threading.Lock()

    def acquire(self, n: int, backlog: int = 0) -> None:
        """Admit ``n`` items or raise :class:`TooBusy`; ``backlog`` is work queued elsewhere (RQ)."""
        with self._lock:
            busy = self.inflight + backlog
            if busy > 0 and busy + n > self.cap:
                metrics.REJECTED.labels("backpressure").inc()
                raise TooBusy(busy, n, self.cap)
            self.inflight += n
            metrics.INFLIGHT.set(self.inflight)

    def release(self, n: int) -> None:
        with self._lock:
            self.inflight = max(0, self.inflight - n)
            metrics.INFLIGHT.set(self.inflight)


async def reserve_inflight(request: Request, n: int) -> InflightLimiter:
    """Admit ``n`` items or refuse the request: 413 over PRORL_MAX_ITEMS, 429 over the in-flight cap.

    The one admission path of every route that does work. The caller must ``release(n)`` on the returned
    limiter once this process stops working on the items. Records the count for the access log.
    """
    settings: Settings = request.app.state.settings
    if n > settings.max_items:
        metrics.REJECTED.labels("too_many_items").inc()
        raise HTTPException(413, f"{n} items in one request; at most {settings.max_items} (PRORL_MAX_ITEMS)")
    request.state.items = n
    executor: Executor = request.app.state.executor
    limiter: InflightLimiter = request.app.state.limiter
    limiter.acquire(n, await executor.backlog_items() if n else 0)
    return limiter
