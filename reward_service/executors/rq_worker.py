"""The consuming end of the rq executor: one ``prorl worker`` process scoring chunks off the queue.

The worker keeps a warm jailed scoring pool, so it runs RQ jobs in its own process
(:class:`ScoringWorker`, no fork per job). RQ's work loop returns on some Redis errors (a Redis restart,
a dropped connection); :func:`run_rq_worker` then starts a fresh RQ worker with a growing backoff, until
SIGTERM/SIGINT. The chunks themselves are scored by :func:`reward_service.chunk_jobs.score_chunk`.
"""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import redis
from rq import Queue, SimpleWorker

from reward_service import logs, worker_metrics
from verifiers.jail.pool import get_pool, shutdown_default_pool


@dataclass(frozen=True)
class RQWorkerOptions:
    """What ``prorl worker`` was asked for (its flags, see :func:`reward_service.serve_command.rq_worker_main`)."""

    redis_url: str
    queue: str
    name_prefix: str | None = None  # default: host-pid
    burst: bool = False  # exit when the queue is empty
    log_level: str = "INFO"
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 0  # 0 = no metrics endpoint


class ScoringWorker(SimpleWorker):
    """Runs chunks in this process (no fork per job) so the warm jailed pool is reused.

    ``stop`` is shared by every worker :func:`run_rq_worker` starts: a signal that arrives between two of
    them (during the reconnect backoff) must still end the loop.
    """

    max_connection_wait_time = 5.0  # RQ's own reconnect backoff cap (60 s upstream): recover quickly

    def __init__(self, *args: Any, stop: threading.Event | None = None, **kwargs: Any) -> None:
        # Optional: RQ's own class methods (find_by_key, all) build workers without it.
        super().__init__(*args, **kwargs)
        self.stop = stop if stop is not None else threading.Event()

    def heartbeat(self, timeout=None, pipeline=None):  # type: ignore[no-untyped-def]
        # A Redis that restarted without persistence has forgotten this worker; RQ would keep
        # dequeuing unregistered (invisible to /readyz and to the API's worker count). Register again.
        if pipeline is None and not self.connection.exists(self.key):
            self.log.warning("worker %s: registration lost (Redis restarted?): registering again", self.name)
            self.register_birth()
        return super().heartbeat(timeout, pipeline)

    def request_stop(self, signum, frame):  # type: ignore[no-untyped-def]
        self.stop.set()  # also stop between restarts, when RQ would only raise StopRequested
        super().request_stop(signum, frame)


def run_rq_worker(options: RQWorkerOptions) -> int:
    """Fork the scoring pool, serve metrics if asked, and work the queue until stopped; the exit code."""
    logs.configure(options.log_level)
    get_pool()  # fork the scoring processes before taking any job
    stop_metrics = None
    if options.metrics_port:
        try:
            stop_metrics = worker_metrics.serve(options.metrics_host, options.metrics_port)
        except OSError as exc:
            logs.logger.error("cannot serve worker metrics", extra={
                "host": options.metrics_host, "port": options.metrics_port, "error": str(exc)})
            shutdown_default_pool()
            return 2
        logs.logger.info("worker metrics", extra={"url": f"http://{options.metrics_host}:{options.metrics_port}/metrics"})
    try:
        _work_until_stopped(options)
    finally:
        if stop_metrics is not None:
            stop_metrics()
        shutdown_default_pool()
    return 0


def _work_until_stopped(options: RQWorkerOptions) -> None:
    """Start RQ workers one after another until a signal (or, with ``burst``, an empty queue)."""
    stop = threading.Event()
    prefix = options.name_prefix or f"{os.uname().nodename}-{os.getpid()}"
    # No socket timeout: the worker blocks on the queue. Connect timeout: a dead Redis is noticed fast.
    connection = redis.Redis.from_url(options.redis_url, socket_connect_timeout=3, health_check_interval=15)
    backoff = 0.5
    while not stop.is_set():
        try:
            worker = ScoringWorker([Queue(options.queue, connection=connection)], connection=connection,
                                   name=f"{prefix}-{uuid.uuid4().hex[:6]}", stop=stop)
            worker.work(burst=options.burst, logging_level=options.log_level.upper())
            if options.burst:
                break
            backoff = 0.5
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            logs.logger.warning("redis unavailable, retrying", extra={"error": str(exc), "retry_in_s": backoff})
        # RQ's loop quits on some Redis errors (e.g. after a Redis restart): start a fresh worker.
        if stop.wait(backoff):
            break
        backoff = min(backoff * 2, 10.0)
