"""Embedded executor: score in this process's jailed pool (``verifiers.score_batch``), no Redis needed.

``score_batch`` blocks, so it runs on a worker thread; the event loop only parses and answers. Jobs
live in this process's memory: behind a load balancer with several replicas, use the rq executor,
whose jobs live in Redis and can be read from any replica.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio

from reward_service import metrics
from reward_service.executors.base import Executor, with_deadlines
from reward_service.schemas import JobProgress, JobStatus
from verifiers import batch as verifier_batch
from verifiers.batch import ProgressCallback
from verifiers.jail.pool import get_pool
from verifiers.schemas import Item, Result


@dataclass
class _Job:
    total: int
    status: str = "queued"
    done: int = 0
    results: list[Result] | None = None
    error: str | None = None
    finished_at: float | None = None
    task: asyncio.Task | None = field(default=None, repr=False)


class EmbeddedExecutor(Executor):
    """One jailed pool per service process, created at start-up so the first request pays nothing."""

    name = "embedded"

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self._jobs: dict[str, _Job] = {}
        self._docker_checked_at = 0.0
        self._docker_ok: tuple[bool, str] = (False, "not checked")

    async def start(self) -> None:
        await anyio.to_thread.run_sync(get_pool)

    async def close(self) -> None:
        for job in self._jobs.values():
            if job.task is not None:
                job.task.cancel()

    async def score(self, items: list[Item], progress: ProgressCallback | None = None) -> list[Result]:
        """``score_batch`` with the service's deadlines, on a worker thread; counts the results.

        All of it runs on the thread: besides scoring, copying deadlines into and counting a large batch
        costs tens of milliseconds of CPU that must not stall the event loop.
        """

        def run() -> list[Result]:
            results = verifier_batch.score_batch(with_deadlines(items, self.settings), progress=progress)
            metrics.observe_results([item.domain for item in items], results)
            return results

        return await anyio.to_thread.run_sync(run)

    async def submit(self, items: list[Item], on_done: Callable[[], None] | None = None) -> str:
        self._expire()
        job_id = uuid.uuid4().hex
        job = _Job(total=len(items))
        self._jobs[job_id] = job
        job.task = asyncio.get_running_loop().create_task(self._run(job, items))
        if on_done is not None:
            job.task.add_done_callback(lambda _: on_done())
        return job_id

    async def _run(self, job: _Job, items: list[Item]) -> None:
        loop = asyncio.get_running_loop()

        def progress(done_unique: int, total_unique: int) -> None:
            # score_batch reports unique (deduplicated, uncached) items; scale to the job's item count.
            done = job.total if total_unique == 0 else int(job.total * done_unique / total_unique)
            loop.call_soon_threadsafe(setattr, job, "done", min(done, job.total))

        job.status = "running"
        try:
            job.results = await self.score(items, progress=progress)
            job.status, job.done = "finished", job.total
        except Exception as exc:  # a bug, not bad input: the job says so instead of hanging
            job.status, job.error = "failed", f"{type(exc).__name__}: {exc}"
        job.finished_at = time.monotonic()

    async def job(self, job_id: str) -> JobStatus | None:
        job = self._jobs.get(job_id)
        if job is None:
            return None
        return JobStatus(job_id=job_id, status=job.status,  # type: ignore[arg-type]
                         progress=JobProgress(done=job.done, total=job.total), results=job.results, error=job.error)

    def _expire(self) -> None:
        cutoff = time.monotonic() - self.settings.job_ttl_s
        for job_id in [j for j, job in self._jobs.items() if job.finished_at and job.finished_at < cutoff]:
            del self._jobs[job_id]

    async def ready(self) -> dict[str, Any]:
        stats = get_pool().snapshot()
        checks: dict[str, Any] = {"executor": self.name, "pool_size": stats.size,
                                  "pool_isolation": stats.isolation}  # what a taken-over scorer can reach
        ok = stats.size > 0
        if self.settings.check_docker:
            docker_ok, reason = await anyio.to_thread.run_sync(self._docker)
            checks["docker"] = "ok" if docker_ok else reason
            ok = ok and docker_ok
        checks["ready"] = ok
        return checks

    def _docker(self) -> tuple[bool, str]:
        # Cached for a few seconds: a readiness probe every second must not hammer the engine.
        if time.monotonic() - self._docker_checked_at < 5.0:
            return self._docker_ok
        try:
            import docker

            client = docker.from_env(timeout=3)
            try:
                client.ping()
            finally:
                client.close()
            self._docker_ok = (True, "ok")
        except Exception as exc:
            self._docker_ok = (False, f"docker unreachable: {type(exc).__name__}: {exc}"[:300])
        self._docker_checked_at = time.monotonic()
        return self._docker_ok

    def process_metrics(self) -> dict[str, Any]:
        numbers = metrics.scoring_process_numbers()
        numbers.setdefault(metrics.SANDBOX_CONTAINERS, {"ready": 0, "busy": 0})  # code runs here, when it runs
        return numbers
