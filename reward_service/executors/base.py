"""The executor interface: how a validated batch gets scored (in this process, or by RQ workers).

Routes only validate and hand off; an executor owns where the CPU work happens. Both executors return
exactly one Result per item, in order, and raise :class:`Unavailable` (-> HTTP 503) only when the whole
batch cannot be taken (Redis down), never for a bad item.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any

from reward_service.schemas import JobStatus
from reward_service.settings import Settings
from verifiers.schemas import Item, Result


class Unavailable(RuntimeError):
    """A dependency the executor needs is down; the request may be retried later (HTTP 503)."""


class Executor(abc.ABC):
    """Scores batches synchronously (``score``) or as background jobs (``submit`` + ``job``)."""

    name: str = "abstract"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Acquire resources (pool, connections) at service start-up."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources at shutdown."""

    @abc.abstractmethod
    async def score(self, items: list[Item]) -> list[Result]:
        """Score ``items``; one Result per item, in order."""

    @abc.abstractmethod
    async def submit(self, items: list[Item], on_done: Callable[[], None] | None = None) -> str:
        """Start a background job; return its id.

        ``on_done`` runs once, when this process stops working on the accepted job. When ``submit`` raises,
        no job exists and ``on_done`` never runs: the caller undoes what it reserved for the job itself.
        """

    @abc.abstractmethod
    async def job(self, job_id: str) -> JobStatus | None:
        """A job's status and, when finished, its results; None for an unknown (or expired) id."""

    @abc.abstractmethod
    async def ready(self) -> dict[str, Any]:
        """Dependency checks: ``{"ready": bool, ...details}``."""

    async def backlog_items(self) -> int:
        """Items queued outside this process (RQ) that count against the in-flight cap."""
        return 0

    def live_metrics(self) -> dict[str, Any]:
        """Scrape-time numbers every service process sees alike (the RQ queue), read by the one answering."""
        return {}

    def process_metrics(self) -> dict[str, Any]:
        """Scrape-time numbers of this process's own scoring machinery, added up over service processes."""
        return {}


def with_deadlines(items: list[Item], settings: Settings) -> list[Item]:
    """Bake the service's deadlines into items that set none, so any worker applies the same ones.

    An item's own ``options.timeout_s`` wins, then ``PRORL_DOMAIN_TIMEOUTS[domain]``, then
    ``PRORL_TIMEOUT_S``; with none of them the verifier's own default applies.
    """
    out: list[Item] = []
    for item in items:
        if item.options.timeout_s is None:
            timeout = settings.domain_timeouts.get(item.domain, settings.timeout_s)
            if timeout is not None:
                item = item.model_copy(update={"options": item.options.model_copy(update={"timeout_s": timeout})})
        out.append(item)
    return out
