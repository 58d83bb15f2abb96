"""RQ executor: split a batch into chunks, enqueue them for ``prorl worker`` processes, gather results.

Job state lives in Redis (see :mod:`reward_service.chunk_jobs`), so any replica can answer for any job
and any replica can repair one. The waiting side wakes on a per-job notify list (BLPOP, no polling of
results) and once a second runs :meth:`RQExecutor._reap`: a chunk whose worker died mid-chunk (its lease
lapsed) or between taking it and starting it, or whose RQ job failed or timed out, is re-enqueued up to ``PRORL_CHUNK_ATTEMPTS`` times, then
answered as ``infra_error``. A batch past ``PRORL_REQUEST_TIMEOUT_S`` gets ``infra_error`` for what is
left. Every item always comes back. Redis unreachable -> :class:`Unavailable` (HTTP 503); redis-py
reconnects on the next command, so the service recovers by itself when Redis returns.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import anyio
import redis
import redis.asyncio as aioredis
from rq import Queue, Worker
from rq.job import Job
from rq.job import JobStatus as RQStatus

from reward_service import metrics
from reward_service.chunk_jobs import (
    complete_chunk,
    job_key,
    lease_key,
    notify_key,
    score_chunk,
    set_job_field,
)
from reward_service.executors.base import Executor, Unavailable, with_deadlines
from reward_service.schemas import JobProgress, JobStatus
from reward_service.settings import Settings
from verifiers.schemas import Item, Result

_REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
_WAITING = {RQStatus.QUEUED, RQStatus.DEFERRED, RQStatus.SCHEDULED}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def rq_job_id(job_id: str, index: int, attempt: int) -> str:
    """Deterministic RQ job ids: a chunk's attempts never collide and never need a lookup table."""
    return f"prorl-{job_id}-{index}-{attempt}"


class RQExecutor(Executor):
    """Scores through Redis + RQ workers; see the module docstring."""

    name = "rq"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        url = settings.redis_url or "redis://127.0.0.1:6379/0"
        # Short timeouts: a dead Redis must turn into a quick 503, not a hung request.
        self._sync = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=3, retry_on_timeout=False)
        self._async = aioredis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=3)
        self._queue = Queue(settings.queue, connection=self._sync)
        self._last_reap: dict[str, float] = {}
        self._live: dict[str, Any] = {}
        self._backlog, self._backlog_at = 0, 0.0

    async def close(self) -> None:
        await self._async.aclose()
        self._sync.close()

    # ------------------------------------------------------------------ scoring
    async def score(self, items: list[Item]) -> list[Result]:
        if not items:
            return []
        job_id, chunks = await self._create(items, ttl_s=int(self.settings.request_timeout_s) + 300)
        try:
            await self._wait(job_id, chunks, time.monotonic() + self.settings.request_timeout_s)
            return await anyio.to_thread.run_sync(self._collect, job_id, chunks, True)
        except _REDIS_ERRORS as exc:
            raise Unavailable(f"redis unreachable while scoring: {type(exc).__name__}: {exc}") from exc
        finally:
            try:
                await self._async.delete(job_key(job_id), notify_key(job_id))
            except _REDIS_ERRORS:
                pass

    async def submit(self, items: list[Item], on_done: Callable[[], None] | None = None) -> str:
        # The job's state lives in Redis and the queue itself is the buffer (see backlog_items), so this
        # process stops holding the items as soon as they are enqueued. When enqueueing fails, on_done is
        # not called: the caller releases its own admission (calling it here too released it twice).
        job_id, _ = await self._create(items, ttl_s=self.settings.job_ttl_s + int(self.settings.request_timeout_s))
        if on_done is not None:
            on_done()
        return job_id

    async def backlog_items(self) -> int:
        if time.monotonic() - self._backlog_at > 1.0:
            try:
                self._backlog = int(await self._async.llen(self._queue.key)) * self.settings.chunk_size
            except _REDIS_ERRORS as exc:
                raise Unavailable(f"redis unreachable: {type(exc).__name__}: {exc}") from exc
            self._backlog_at = time.monotonic()
        return self._backlog

    async def job(self, job_id: str) -> JobStatus | None:
        try:
            fields = await self._async.hmget(job_key(job_id), ["total", "chunks", "done_items", "done_chunks",
                                                               "started", "created"])
            if fields[0] is None:
                return None
            total, chunks, done_items, done_chunks = (int(v or 0) for v in fields[:4])
            if done_chunks < chunks and time.monotonic() - self._last_reap.get(job_id, 0.0) >= 1.0:
                if len(self._last_reap) > 10_000:  # abandoned polls: forget throttle entries, not jobs
                    self._last_reap.clear()
                self._last_reap[job_id] = time.monotonic()
                deadline_passed = time.time() - float(fields[5] or 0) > self.settings.request_timeout_s
                await anyio.to_thread.run_sync(self._reap, job_id, chunks, deadline_passed)
                done_items, done_chunks = (int(v or 0) for v in await self._async.hmget(
                    job_key(job_id), ["done_items", "done_chunks"]))
            if done_chunks >= chunks:
                self._last_reap.pop(job_id, None)
                first = bool(await self._async.hsetnx(job_key(job_id), "observed", 1))  # count a job once
                results = await anyio.to_thread.run_sync(self._collect, job_id, chunks, first)
                return JobStatus(job_id=job_id, status="finished", progress=JobProgress(done=total, total=total),
                                 results=results)
            return JobStatus(job_id=job_id, status="running" if fields[4] or done_chunks else "queued",
                             progress=JobProgress(done=done_items, total=total))
        except _REDIS_ERRORS as exc:
            raise Unavailable(f"redis unreachable: {type(exc).__name__}: {exc}") from exc

    # ------------------------------------------------------------------ internals
    async def _create(self, items: list[Item], ttl_s: int) -> tuple[str, int]:
        """Write the job hash and enqueue one RQ job per chunk; Unavailable when Redis is down."""
        job_id = uuid.uuid4().hex
        try:
            # On a thread: serialising a large batch takes ~0.1 s of CPU, which must not stall the event loop.
            chunks = await anyio.to_thread.run_sync(self._write_and_enqueue, job_id, items, ttl_s)
        except _REDIS_ERRORS as exc:
            raise Unavailable(f"redis unreachable: {type(exc).__name__}: {exc}") from exc
        return job_id, chunks

    def _write_and_enqueue(self, job_id: str, items: list[Item], ttl_s: int) -> int:
        """Serialise the batch into the job hash, enqueue its chunks and return how many there are."""
        payload = [item.model_dump(mode="json") for item in with_deadlines(items, self.settings)]
        size = self.settings.chunk_size
        chunks = [payload[i:i + size] for i in range(0, len(payload), size)]
        mapping: dict[str, str | int | float] = {"total": len(payload), "chunks": len(chunks), "done_items": 0,
                                                 "done_chunks": 0, "created": time.time(), "ttl": ttl_s}
        for index, chunk in enumerate(chunks):
            mapping[f"items:{index}"] = json.dumps(chunk)
            mapping[f"attempt:{index}"] = 1
        pipe = self._sync.pipeline()
        pipe.hset(job_key(job_id), mapping=mapping)  # type: ignore[arg-type]  # invariant Mapping key type
        pipe.expire(job_key(job_id), ttl_s)
        pipe.execute()
        self._queue.enqueue_many([self._prepare(job_id, index, 1, ttl_s) for index in range(len(chunks))])
        return len(chunks)

    def _prepare(self, job_id: str, index: int, attempt: int, ttl_s: int) -> Any:
        return Queue.prepare_data(
            score_chunk, args=(job_id, index, self.settings.lease_ttl_s, ttl_s),
            job_id=rq_job_id(job_id, index, attempt), timeout=int(self.settings.chunk_timeout_s),
            result_ttl=60, failure_ttl=ttl_s, ttl=ttl_s, description=f"prorl chunk {index} of {job_id}",
        )

    async def _wait(self, job_id: str, chunks: int, deadline: float) -> None:
        last_reap = time.monotonic()
        while True:
            done = await self._async.hget(job_key(job_id), "done_chunks")
            if done is None:
                return  # job hash gone (Redis restarted): _collect raises Unavailable, the client retries
            if int(done) >= chunks:
                return
            await self._async.blpop([notify_key(job_id)], timeout=1)
            now = time.monotonic()
            if now >= deadline:
                await anyio.to_thread.run_sync(self._reap, job_id, chunks, True)
                return
            if now - last_reap >= 1.0:
                last_reap = now
                await anyio.to_thread.run_sync(self._reap, job_id, chunks, False)

    def _reap(self, job_id: str, chunks: int, deadline_passed: bool) -> None:
        """Re-enqueue or fail the chunks that can no longer finish on their own (see module docstring)."""
        key = job_key(job_id)
        raw: dict[Any, Any] = self._sync.hgetall(key)  # type: ignore[assignment]  # sync client: bytes
        fields: dict[str, bytes] = {_text(k): v for k, v in raw.items()}
        if not fields:
            return
        ttl_s = int(fields.get("ttl", b"3600"))
        pending = [i for i in range(chunks) if f"result:{i}" not in fields]
        attempts = {i: int(fields.get(f"attempt:{i}", b"1")) for i in pending}
        rq_jobs = Job.fetch_many([rq_job_id(job_id, i, attempts[i]) for i in pending], connection=self._sync)
        taken = self._taken_not_started(rq_jobs)
        for index, rq_job in zip(pending, rq_jobs, strict=True):
            if deadline_passed:
                self._fail_chunk(job_id, index, fields, ttl_s,
                                 f"batch not finished within PRORL_REQUEST_TIMEOUT_S={self.settings.request_timeout_s:g}s"
                                 " (no free worker?)")
                continue
            reason = self._lost_reason(job_id, index, rq_job, fields, taken)
            if reason is None:
                continue
            attempt = attempts[index]
            if attempt < self.settings.chunk_attempts:
                # One replica requeues; the attempt moves on only once its RQ job exists, so a replica
                # reaping meanwhile still sees the old, lost attempt and loses the race for the marker.
                if set_job_field(self._sync, job_id, f"retry:{index}:{attempt + 1}", reason, True) == 1:
                    self._queue.enqueue_many([self._prepare(job_id, index, attempt + 1, ttl_s)])
                    set_job_field(self._sync, job_id, f"attempt:{index}", attempt + 1, False)
                    metrics.CHUNK_RETRIES.inc()
            else:
                self._fail_chunk(job_id, index, fields, ttl_s, f"chunk lost after {attempt} attempts: {reason}")

    def _taken_not_started(self, rq_jobs: list[Job | None]) -> set[str]:
        """Ids of these RQ jobs that a worker has taken off the queue but not started yet.

        An RQ worker moves a job from the queue to the queue's *intermediate* list (LMOVE), forks, and
        only then marks it started. A worker killed in between leaves the job ``queued`` but on no queue;
        RQ itself fails such a job only after a minute and on its next maintenance pass (every 10 minutes
        by default), so a request waiting on it would hang that long. The intermediate list holds one
        entry per worker at most, so reading it whole is cheap.
        """
        if not any(job is not None and job.get_status(refresh=False) == RQStatus.QUEUED for job in rq_jobs):
            return set()
        entries: list[bytes] = self._sync.lrange(self._queue.intermediate_queue_key, 0, -1)  # type: ignore[assignment]
        return {_text(v) for v in entries}

    def _lost_reason(self, job_id: str, index: int, rq_job: Job | None, fields: dict[str, bytes],
                     taken: set[str]) -> str | None:
        """Why a chunk without a result can no longer produce one; None while it still may."""
        if rq_job is None:
            return "its queue entry disappeared"
        status = rq_job.get_status(refresh=False)
        if status == RQStatus.QUEUED and rq_job.id in taken:
            # Taken by a worker but not started: a live worker starts it within milliseconds, so give it
            # one lease period (measured from when any replica first saw it there) before calling it lost.
            seen = fields.get(f"taken:{rq_job.id}")
            if seen is None:
                set_job_field(self._sync, job_id, f"taken:{rq_job.id}", time.time(), True)
                return None
            if time.time() - float(seen) < self.settings.lease_ttl_s:
                return None
            return "its worker took it off the queue and stopped before starting it (killed?)"
        if status in _WAITING:
            return None
        if status == RQStatus.STARTED:
            if self._sync.exists(lease_key(job_id, index)):
                return None
            started = rq_job.started_at
            if started is not None:
                started = started if started.tzinfo else started.replace(tzinfo=timezone.utc)
                if (datetime.now(timezone.utc) - started).total_seconds() < self.settings.lease_ttl_s:
                    return None  # the worker has not taken its lease yet
            return "its worker stopped renewing the lease (killed mid-chunk?)"
        if status == RQStatus.FAILED:
            latest = rq_job.latest_result()
            exc = (latest.exc_string or "") if latest is not None else ""
            return f"the worker failed it: {exc.strip().splitlines()[-1] if exc.strip() else 'unknown error'}"
        return f"its RQ job ended as {status} without a result"

    def _fail_chunk(self, job_id: str, index: int, fields: dict[str, bytes], ttl_s: int, reason: str) -> None:
        items = json.loads(fields.get(f"items:{index}", b"[]"))
        results = [Result.failed("infra_error", reason, item.get("id")).model_dump(mode="json") for item in items]
        if complete_chunk(self._sync, job_id, index, results, ttl_s) == 1:
            metrics.CHUNKS_LOST.inc()

    def _collect(self, job_id: str, chunks: int, observe: bool) -> list[Result]:
        if chunks == 0:
            return []
        key = job_key(job_id)
        values = self._sync.hmget(key, [f"result:{i}" for i in range(chunks)] + [f"items:{i}" for i in range(chunks)])
        results: list[Result] = []
        domains: list[str] = []
        for index in range(chunks):
            raw_results, raw_items = values[index], values[chunks + index]
            if raw_items is None:
                # The hash is gone (Redis restarted or flushed): the batch cannot be answered item by item.
                raise Unavailable("the batch was lost from Redis (restarted?); retry it")
            items = json.loads(raw_items)
            domains.extend(str(item.get("domain")) for item in items)
            if raw_results is not None:
                results.extend(Result.model_validate(r) for r in json.loads(raw_results))
            else:
                results.extend(Result.failed("infra_error", "chunk has no result", i.get("id")) for i in items)
        if observe:
            metrics.observe_results(domains, results)
        return results

    # ------------------------------------------------------------------ health
    async def ready(self) -> dict[str, Any]:
        try:
            await self._async.ping()
        except _REDIS_ERRORS as exc:
            self._live = {"prorl_redis_up": 0}
            return {"ready": False, "executor": self.name, "redis": f"unreachable: {type(exc).__name__}: {exc}"}
        workers, depth = await anyio.to_thread.run_sync(self._queue_stats)
        return {"ready": True, "executor": self.name, "redis": "ok", "workers": workers, "queue_depth": depth}

    def _queue_stats(self) -> tuple[int, int]:
        workers = Worker.count(connection=self._sync, queue=self._queue)
        depth = self._queue.count
        self._live = {"prorl_redis_up": 1, "prorl_rq_workers": workers, "prorl_queue_depth": depth}
        return workers, depth

    def live_metrics(self) -> dict[str, Any]:
        try:
            self._queue_stats()
        except _REDIS_ERRORS:
            self._live = {"prorl_redis_up": 0}
        return dict(self._live)
