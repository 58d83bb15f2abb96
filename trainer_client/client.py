"""Async HTTP client for the reward service's ``POST /v1/score``.

A trainer scores thousands of rollouts per step. This client splits them into chunks, sends the chunks
concurrently (bounded, so one trainer cannot flood the service), retries what is retryable (429/503/5xx,
connection errors, and items that came back ``infra_error``) with exponential backoff that honours the
service's ``Retry-After``, and always returns exactly one :class:`Result` per item, in input order.

What it never does is turn an unjudged item into a learnable reward: an item that still fails after the
retries comes back as ``infra_error`` (reward 0) and :func:`usable` / :func:`usable_mask` tell the
trainer to mask it. Client errors that retrying cannot fix (401, 413, 422) raise :class:`RewardServiceError`
instead, because they mean the trainer is misconfigured.
"""

from __future__ import annotations

import asyncio
import os
import random
import threading
import weakref
from collections.abc import Sequence
from typing import Any

import httpx
from pydantic import ValidationError

from verifiers.schemas import Item, Result

__all__ = ["RewardClient", "RewardServiceError", "USABLE_STATUSES", "service_from_env", "service_problem", "usable",
           "usable_mask"]

# Only `ok` is a real judgement; `invalid`, `timeout` and `infra_error` carry reward 0 by construction and
# must not be learned from (the contract's status semantics). An answer too costly to verify is `ok`,
# reward 0, `details.reason: "verification_timeout"`: usable, since masking it would let a policy escape
# reward 0 that way. `timeout` now only comes from older services, and stays masked.
USABLE_STATUSES = frozenset({"ok"})
_RETRY_HTTP = frozenset({408, 425, 429, 500, 502, 503, 504})


class RewardServiceError(RuntimeError):
    """The service refused the request for a reason retrying cannot fix (bad key, body too large...)."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(f"reward service answered {status_code}: {message}")
        self.status_code = status_code


def usable(result: Result) -> bool:
    """True when ``result`` is a real judgement the trainer may learn from (status ``ok``)."""
    return result.status in USABLE_STATUSES


def usable_mask(results: Sequence[Result]) -> list[bool]:
    """Per-item loss mask: False for items the service could not judge."""
    return [usable(r) for r in results]


def service_from_env(url: str | None = None, api_key: str | None = None) -> tuple[str, str | None]:
    """``(url, api_key)`` for the framework adapters (verl, TRL): the given values, else ``PRORL_REWARD_URL``
    (default ``http://127.0.0.1:8000``) and ``PRORL_API_KEY``. An explicit empty key means "no key"."""
    return (url or os.environ.get("PRORL_REWARD_URL", "http://127.0.0.1:8000"),
            api_key if api_key is not None else os.environ.get("PRORL_API_KEY"))


def service_problem(url: str, api_key: str | None) -> str | None:
    """Why the service cannot be used (unreachable, not ready, key rejected), or None. ``prorl train`` and
    ``prorl eval`` ask this before loading a model, so a dead service fails the command at once rather than
    after the first rollout (or, for eval, after generating everything)."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        if httpx.get(f"{url.rstrip('/')}/healthz", timeout=10).status_code != 200:
            return "/healthz did not answer 200"
        probe = httpx.post(f"{url.rstrip('/')}/v1/score", json={"items": []}, headers=headers, timeout=30)
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"
    if probe.status_code == 401:
        return "401 unauthorized (missing or wrong API key: service.api_key / --api-key)"
    return None


def _retry_after_s(response: httpx.Response) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds form); None when absent or unparsable."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # HTTP-date form: fall back to our own backoff rather than parse clocks


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        return str(body.get("error") or body.get("detail") or body)[:300]
    return str(body)[:300]


class RewardClient:
    """Scores items through a running reward service.

    ``chunk_size`` items go in one request; at most ``max_concurrency`` requests are in flight per call.
    ``timeout_s`` bounds one HTTP request; a request that times out is retried like a 503. ``max_retries``
    bounds the retries per chunk (and per round of ``infra_error`` items).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        chunk_size: int = 256,
        max_concurrency: int = 8,
        timeout_s: float = 300.0,
        max_retries: int = 5,
        backoff_s: float = 0.5,
        max_backoff_s: float = 30.0,
        retry_infra_errors: bool = True,
        max_connections: int = 64,
    ) -> None:
        if chunk_size < 1 or max_concurrency < 1 or max_retries < 0:
            raise ValueError("chunk_size and max_concurrency must be >= 1, max_retries >= 0")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.chunk_size = chunk_size
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.retry_infra_errors = retry_infra_errors
        self.max_connections = max(max_connections, max_concurrency)
        self.versions: dict[str, Any] = {}  # from the last successful response, for reproducibility logs
        # One kept-alive httpx client per event loop: an AsyncClient's connections belong to the loop that
        # opened them, and building one per call (with its SSL context) costs ~60 ms, more than scoring.
        self._http: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary())
        self._http_lock = threading.Lock()
        self._sync_loop: asyncio.AbstractEventLoop | None = None
        self._sync_pid = os.getpid()

    # ------------------------------------------------------------------ public API
    async def ascore(self, items: Sequence[Item | dict[str, Any]]) -> list[Result]:
        """Score ``items``; one Result per item, in the same order. Raises only :class:`RewardServiceError`."""
        results: list[Result | None] = [None] * len(items)
        payloads: list[tuple[int, dict[str, Any]]] = []
        for index, item in enumerate(items):
            # Validate locally so one malformed item becomes its own `invalid` result instead of a 422
            # that would fail the whole chunk.
            try:
                model = item if isinstance(item, Item) else Item.model_validate(item)
            except ValidationError as exc:
                item_id = item.get("id") if isinstance(item, dict) else None
                results[index] = Result.failed(
                    "invalid", f"malformed item: {exc.errors()[0].get('msg', exc)}",
                    item_id if isinstance(item_id, (str, int)) else None,
                )
                continue
            payloads.append((index, model.model_dump(mode="json", exclude_none=True)))

        if payloads:
            semaphore = asyncio.Semaphore(self.max_concurrency)
            http = self._loop_http()
            chunks = [payloads[i:i + self.chunk_size] for i in range(0, len(payloads), self.chunk_size)]
            scored = await asyncio.gather(*(self._score_chunk(http, semaphore, c) for c in chunks))
            for chunk, chunk_results in zip(chunks, scored, strict=True):
                for (index, _), result in zip(chunk, chunk_results, strict=True):
                    results[index] = result
        return [r for r in results if r is not None]

    def score(self, items: Sequence[Item | dict[str, Any]]) -> list[Result]:
        """Blocking wrapper of :meth:`ascore`; safe from any thread and from inside a running event loop.

        Every blocking call runs on one private event loop thread owned by this client, so calls from many
        threads (verl runs a sync ``compute_score`` on its executor threads) share kept-alive connections.
        """
        future = asyncio.run_coroutine_threadsafe(self.ascore(items), self._private_loop())
        return future.result()

    async def aclose(self) -> None:
        """Close the connections this client opened on the running event loop."""
        http = self._http.pop(asyncio.get_running_loop(), None)
        if http is not None:
            await http.aclose()

    def close(self) -> None:
        """Close the private loop's connections and stop its thread (a later call starts them again)."""
        with self._http_lock:
            loop, self._sync_loop = self._sync_loop, None
        if loop is not None:
            asyncio.run_coroutine_threadsafe(self.aclose(), loop).result()
            loop.call_soon_threadsafe(loop.stop)

    # ------------------------------------------------------------------ internals
    def _loop_http(self) -> httpx.AsyncClient:
        """The kept-alive client of the running loop (created on first use in that loop)."""
        loop = asyncio.get_running_loop()
        http = self._http.get(loop)
        if http is None or http.is_closed:
            headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
            # The pool is shared by every concurrent call on this loop (verl's reward loop awaits one
            # compute_score per sample at once), so it is wider than one call's max_concurrency.
            limits = httpx.Limits(max_connections=self.max_connections, max_keepalive_connections=self.max_connections)
            http = httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=self.timeout_s, limits=limits)
            self._http[loop] = http
        return http

    def _private_loop(self) -> asyncio.AbstractEventLoop:
        with self._http_lock:
            # A forked child (verl and Ray fork workers) inherits the loop object but not its thread.
            if self._sync_loop is None or self._sync_loop.is_closed() or self._sync_pid != os.getpid():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="prorl-reward-client", daemon=True).start()
                self._sync_loop, self._sync_pid = loop, os.getpid()
            return self._sync_loop

    async def _score_chunk(
        self, http: httpx.AsyncClient, semaphore: asyncio.Semaphore, chunk: list[tuple[int, dict[str, Any]]]
    ) -> list[Result]:
        """Score one chunk, then resend only its ``infra_error`` items until they settle or retries run out."""
        results = await self._post_with_retries(http, semaphore, [payload for _, payload in chunk])
        if not self.retry_infra_errors:
            return results
        for attempt in range(self.max_retries):
            pending = [i for i, r in enumerate(results) if r.status == "infra_error"]
            if not pending:
                break
            await asyncio.sleep(self._backoff(attempt, None))
            retried = await self._post_with_retries(http, semaphore, [chunk[i][1] for i in pending])
            for i, result in zip(pending, retried, strict=True):
                results[i] = result
        return results

    async def _post_with_retries(
        self, http: httpx.AsyncClient, semaphore: asyncio.Semaphore, payload: list[dict[str, Any]]
    ) -> list[Result]:
        """POST one chunk; retry transient failures; after the last retry, every item is ``infra_error``."""
        last_error = "no attempt made"
        for attempt in range(self.max_retries + 1):
            retry_after: float | None = None
            try:
                async with semaphore:
                    response = await http.post("/v1/score", json={"items": payload})
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200:
                    return self._parse(response, payload)
                last_error = f"HTTP {response.status_code}: {_error_text(response)}"
                if response.status_code not in _RETRY_HTTP:
                    raise RewardServiceError(response.status_code, _error_text(response))
                retry_after = _retry_after_s(response)
            if attempt < self.max_retries:
                await asyncio.sleep(self._backoff(attempt, retry_after))
        return [
            Result.failed("infra_error", f"reward service unavailable after {self.max_retries} retries: {last_error}",
                          p.get("id"))
            for p in payload
        ]

    def _parse(self, response: httpx.Response, payload: list[dict[str, Any]]) -> list[Result]:
        try:
            body = response.json()
        except ValueError:  # a proxy's HTML page with a 200: nothing was judged, so it is retryable
            body = None
        raw = body.get("results") if isinstance(body, dict) else None
        if not isinstance(raw, list) or len(raw) != len(payload):
            # A service that loses items is an infrastructure fault, never a silent reordering.
            got = len(raw) if isinstance(raw, list) else "no"
            return [Result.failed("infra_error", f"service returned {got} results for {len(payload)} items",
                                  p.get("id")) for p in payload]
        try:
            results = [Result.model_validate(r) for r in raw]
        except ValidationError as exc:
            return [Result.failed("infra_error", f"service returned malformed results: {exc.errors()[0]['msg']}",
                                  p.get("id")) for p in payload]
        self.versions = body.get("versions") or self.versions  # type: ignore[union-attr]
        return results

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_backoff_s)
        # Full jitter: many trainer ranks retrying at once should not hit the service in lockstep.
        return random.uniform(0, min(self.max_backoff_s, self.backoff_s * (2 ** attempt)))

