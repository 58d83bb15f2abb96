"""The Redis side of the rq executor: key layout, the chunk function RQ workers run, and completion.

A batch becomes one job hash ``prorl:job:<id>`` holding its chunks' items and, as they finish, their
results. Any API replica can read it (so ``GET /v1/jobs/<id>`` works behind a load balancer) and any
replica can repair it: a worker holds a short *lease* key while it scores a chunk and renews it from a
thread; a chunk whose lease lapsed without a result was lost with its worker (SIGKILL, OOM, node gone)
and is re-enqueued or answered as ``infra_error``. Completion is one Lua script, so a chunk counts once
even when a presumed-dead worker finishes after its retry did.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from redis import Redis

JOB_PREFIX = "prorl:job:"

# KEYS[1] job hash, KEYS[2] notify list; ARGV: chunk index, results JSON, item count, ttl seconds.
# Returns 1 when this call completed the chunk, 0 when it was already complete, -1 when the job is gone.
COMPLETE_CHUNK_LUA = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HSETNX', KEYS[1], 'result:' .. ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'done_items', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'done_chunks', 1)
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
"""

# KEYS[1] job hash; ARGV[1] chunk index. The chunk's items JSON (nil when the job is gone), marking the job
# started in the same step: a separate HSET on an expired job would recreate its hash with no TTL.
TAKE_CHUNK_LUA = """
local items = redis.call('HGET', KEYS[1], 'items:' .. ARGV[1])
if items then redis.call('HSET', KEYS[1], 'started', 1) end
return items
"""

# KEYS[1] job hash; ARGV[1] field, ARGV[2] value, ARGV[3] "nx" (only when absent) or "set". Never writes to
# a job that is gone: a plain HSET(NX) on an expired job would recreate its hash with no TTL.
# Returns 1 when written, 0 when "nx" found the field there, -1 when the job is gone.
SET_JOB_FIELD_LUA = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if ARGV[3] == 'nx' then return redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""


def job_key(job_id: str) -> str:
    return JOB_PREFIX + job_id


def notify_key(job_id: str) -> str:
    return JOB_PREFIX + job_id + ":done"


def lease_key(job_id: str, index: int) -> str:
    return f"{JOB_PREFIX}{job_id}:lease:{index}"


def take_chunk(conn: Redis, job_id: str, index: int) -> list[dict[str, Any]] | None:
    """Chunk ``index``'s items, marking the job started; None when the job expired or Redis lost it."""
    raw = conn.eval(TAKE_CHUNK_LUA, 1, job_key(job_id), index)  # type: ignore[arg-type]
    return None if raw is None else json.loads(raw)  # type: ignore[arg-type]


def set_job_field(conn: Redis, job_id: str, field: str, value: str | int | float, only_if_absent: bool) -> int:
    """Write one field of a live job (see :data:`SET_JOB_FIELD_LUA`): 1 written, 0 already there, -1 gone.

    The reaper's markers go through here: which replica re-enqueues a chunk (``retry:<i>:<n>``, only if
    absent), the chunk's ``attempt:<i>``, and when a chunk was first seen taken but not started
    (``taken:<rq job id>``, only if absent).
    """
    mode = "nx" if only_if_absent else "set"
    return int(conn.eval(SET_JOB_FIELD_LUA, 1, job_key(job_id), field, value, mode))  # type: ignore[arg-type]


def complete_chunk(conn: Redis, job_id: str, index: int, results: list[dict[str, Any]], ttl_s: int) -> int:
    """Record one chunk's results exactly once (see :data:`COMPLETE_CHUNK_LUA`)."""
    return int(conn.eval(COMPLETE_CHUNK_LUA, 2, job_key(job_id), notify_key(job_id),  # type: ignore[arg-type]
                         index, json.dumps(results), len(results), ttl_s))


class _Lease:
    """Holds ``prorl:job:<id>:lease:<i>`` while this worker scores chunk i; a dead worker stops renewing."""

    def __init__(self, conn: Redis, key: str, ttl_s: float) -> None:
        self._conn, self._key, self._ttl_ms = conn, key, max(1000, int(ttl_s * 1000))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name="prorl-lease", daemon=True)

    def __enter__(self) -> _Lease:
        self._conn.set(self._key, "1", px=self._ttl_ms)
        self._thread.start()
        return self

    def _renew(self) -> None:
        while not self._stop.wait(self._ttl_ms / 4000):
            try:
                self._conn.set(self._key, "1", px=self._ttl_ms)
            except Exception:  # Redis blip: the next renewal retries; a long outage loses the lease (correctly)
                pass

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            self._conn.delete(self._key)
        except Exception:
            pass


def score_chunk(job_id: str, index: int, lease_ttl_s: float, ttl_s: int) -> int:
    """RQ job body (runs in ``prorl worker``): score chunk ``index`` of job ``job_id`` and record it."""
    from rq import get_current_job

    from reward_service import worker_metrics  # here: API processes import this module but never score
    from verifiers import score_batch

    current = get_current_job()
    assert current is not None, "score_chunk runs inside an RQ worker"
    conn: Redis = current.connection
    items = take_chunk(conn, job_id, index)
    if items is None:
        worker_metrics.CHUNKS.labels("expired").inc()
        return -1  # the job expired or Redis lost it: nobody is waiting for this chunk any more
    with _Lease(conn, lease_key(job_id, index), lease_ttl_s), worker_metrics.scoring_chunk():
        results = score_batch(items)
    worker_metrics.observe_items(items, results)
    recorded = complete_chunk(conn, job_id, index, [r.model_dump(mode="json") for r in results], ttl_s)
    worker_metrics.CHUNKS.labels(worker_metrics.OUTCOMES.get(recorded, "expired")).inc()
    return recorded
