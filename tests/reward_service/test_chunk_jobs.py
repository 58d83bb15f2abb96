"""The Redis side of chunk jobs against a real Redis: taking a chunk and completing it exactly once."""

from __future__ import annotations

import json
import uuid

from redis import Redis

from reward_service.chunk_jobs import complete_chunk, job_key, notify_key, set_job_field, take_chunk
from tests.fixtures.service import RedisServer


def test_take_chunk_marks_started_and_never_revives_an_expired_job(redis_server: RedisServer) -> None:
    conn = Redis.from_url(redis_server.url)
    try:
        gone = uuid.uuid4().hex
        assert take_chunk(conn, gone, 0) is None
        assert not conn.exists(job_key(gone))  # no TTL-less hash left behind by a late worker

        job_id = uuid.uuid4().hex
        items = [{"id": 1, "domain": "math", "response": "\\boxed{2}", "reference": {"answer": "2"}}]
        conn.hset(job_key(job_id), mapping={"items:0": json.dumps(items), "done_items": 0, "done_chunks": 0})
        conn.expire(job_key(job_id), 60)
        assert conn.hget(job_key(job_id), "started") is None
        assert take_chunk(conn, job_id, 0) == items
        assert conn.hget(job_key(job_id), "started") == b"1"
        assert take_chunk(conn, job_id, 1) is None  # no such chunk

        result = [{"id": 1, "reward": 1.0}]
        assert complete_chunk(conn, job_id, 0, result, 60) == 1
        assert complete_chunk(conn, job_id, 0, result, 60) == 0  # a presumed-dead worker finishing late
        assert conn.hget(job_key(job_id), "done_chunks") == b"1"
        assert complete_chunk(conn, gone, 0, result, 60) == -1
        assert not conn.exists(job_key(gone))
        conn.delete(job_key(job_id), notify_key(job_id))
    finally:
        conn.close()


def test_reaper_markers_are_set_once_and_never_revive_an_expired_job(redis_server: RedisServer) -> None:
    conn = Redis.from_url(redis_server.url)
    try:
        gone = uuid.uuid4().hex
        for only_if_absent in (True, False):
            assert set_job_field(conn, gone, "retry:0:2", "lost", only_if_absent) == -1
        assert not conn.exists(job_key(gone))  # a reap racing the job's expiry leaves no TTL-less hash

        job_id = uuid.uuid4().hex
        conn.hset(job_key(job_id), mapping={"attempt:0": 1})
        conn.expire(job_key(job_id), 60)
        assert set_job_field(conn, job_id, "retry:0:2", "lost", True) == 1  # this replica requeues
        assert set_job_field(conn, job_id, "retry:0:2", "lost too", True) == 0  # another one does not
        assert conn.hget(job_key(job_id), "retry:0:2") == b"lost"
        assert set_job_field(conn, job_id, "attempt:0", 2, False) == 1
        assert conn.hget(job_key(job_id), "attempt:0") == b"2"
        assert 0 < conn.ttl(job_key(job_id)) <= 60  # writes keep the job's expiry
        conn.delete(job_key(job_id))
    finally:
        conn.close()
