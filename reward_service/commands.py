"""``prorl serve`` (the HTTP service) and ``prorl worker`` (an RQ scoring worker).

Command-line flags override the ``PRORL_*`` environment; both end up in the environment so that every
uvicorn worker process builds the same settings.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import tempfile
import threading
from typing import Any

_STOP = threading.Event()
_MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def port_number(text: str) -> int:
    """argparse type: a TCP port, 0 included."""
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0-65535)")
    return value


def prepare_metrics_dir(workers: int) -> str | None:
    """Set up prometheus_client's multiprocess mode for ``prorl serve`` (reward_service/metrics.py).

    With several uvicorn processes each keeps its metrics in files under ``PROMETHEUS_MULTIPROC_DIR`` and
    any of them answers ``/metrics`` for all. Unless the user set that variable, a private temporary
    directory is made (returned, for removal at exit). A user-set directory is created if missing and its
    ``*.db`` files are removed: a previous run's counts would otherwise be added in.
    """
    given = os.environ.get(_MULTIPROC_ENV)
    if given:
        os.makedirs(given, exist_ok=True)
        for stale in glob.glob(os.path.join(given, "*.db")):
            os.remove(stale)
        return None
    if workers <= 1:
        return None  # one process: plain in-memory metrics
    path = tempfile.mkdtemp(prefix="prorl-metrics-")
    os.environ[_MULTIPROC_ENV] = path  # inherited by every uvicorn worker process
    return path


def serve_main(argv: list[str]) -> int:
    """Run the HTTP reward service (embedded executor unless a Redis URL is configured)."""
    parser = argparse.ArgumentParser(
        prog="prorl serve", description="Run the prorl reward service (every PRORL_* setting: docs/service.md).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  PRORL_API_KEYS=secret prorl serve --host 0.0.0.0 --port 8000 --workers 2\n"
        "  curl -s localhost:8000/v1/score -H 'Authorization: Bearer secret' \\\n"
        "    -d '{\"items\": [{\"domain\": \"math\", \"response\": \"\\\\boxed{4}\", \"reference\": {\"answer\": \"4\"}}]}'")
    parser.add_argument("--host", help="bind address (PRORL_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (PRORL_PORT, default 8000; 0 = any free port)")
    parser.add_argument("--workers", type=int, help="uvicorn worker processes (PRORL_WORKERS, default 1)")
    parser.add_argument("--redis-url", help="use the rq executor with this Redis (PRORL_REDIS_URL)")
    parser.add_argument("--log-level", help="PRORL_LOG_LEVEL, default INFO")
    args = parser.parse_args(argv)
    for flag, env in (("host", "PRORL_HOST"), ("port", "PRORL_PORT"), ("workers", "PRORL_WORKERS"),
                      ("redis_url", "PRORL_REDIS_URL"), ("log_level", "PRORL_LOG_LEVEL")):
        value = getattr(args, flag)
        if value is not None:
            os.environ[env] = str(value)

    import uvicorn

    from reward_service.settings import get_settings

    get_settings.cache_clear()
    settings = get_settings()
    if settings.workers > 1 and not settings.redis_url and "PRORL_POOL_WORKERS" not in os.environ:
        # Each uvicorn process has its own scoring pool: share the cores instead of oversubscribing them
        # (oversubscribed pools flip math-verify verdicts to timeouts, see shared/PITFALLS.md).
        os.environ["PRORL_POOL_WORKERS"] = str(max(1, (os.cpu_count() or 1) // settings.workers))
    metrics_dir = prepare_metrics_dir(settings.workers)
    try:
        uvicorn.run(
            "reward_service.app:create_app", factory=True, host=settings.host, port=settings.port,
            workers=settings.workers, log_config=None, access_log=False, timeout_graceful_shutdown=30,
            # Slow clients (reward_service/slow_clients.py): a deadline on headers, idle keep-alive and a cap on
            # connections here; the body's deadline is the app's middleware.
            http=_http_protocol(), timeout_keep_alive=max(1, round(settings.keep_alive_s)),
            limit_concurrency=settings.limit_concurrency,
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


def _http_protocol() -> Any:
    """uvicorn's httptools protocol with a header deadline; uvicorn's default where httptools is missing."""
    try:
        from reward_service.slow_clients import HeaderTimeoutProtocol
    except ImportError:  # no httptools (uvicorn without [standard]): no header deadline, nginx's still applies
        return "auto"
    return HeaderTimeoutProtocol


def worker_main(argv: list[str]) -> int:
    """Run one RQ worker that scores chunks with its own jailed pool until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(
        prog="prorl worker", description="Run a prorl RQ scoring worker.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  prorl worker --redis-url redis://127.0.0.1:6379/0 --metrics-port 9101\n"
        "  PRORL_REDIS_URL=redis://127.0.0.1:6379/0 prorl serve   # the API that enqueues for it")
    parser.add_argument("--redis-url", default=os.environ.get("PRORL_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--queue", default=os.environ.get("PRORL_QUEUE", "prorl"))
    parser.add_argument("--name", help="worker name prefix (default: host-pid)")
    parser.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    parser.add_argument("--log-level", default=os.environ.get("PRORL_LOG_LEVEL", "INFO"))
    parser.add_argument("--metrics-port", type=port_number, default=os.environ.get("PRORL_WORKER_METRICS_PORT", "0"),
                        help="serve Prometheus metrics on this port (PRORL_WORKER_METRICS_PORT; default 0 = off)")
    parser.add_argument("--metrics-host", default=os.environ.get("PRORL_WORKER_METRICS_HOST", "127.0.0.1"),
                        help="bind address of the metrics port (PRORL_WORKER_METRICS_HOST, default 127.0.0.1)")
    args = parser.parse_args(argv)
    # One process: its metrics stay in memory. An env file shared with `prorl serve` must not make it
    # write (and count) into the API's multiprocess metrics directory.
    os.environ.pop(_MULTIPROC_ENV, None)

    import uuid

    import redis
    from rq import Queue, SimpleWorker

    from reward_service import logs
    from verifiers.jail.pool import get_pool, shutdown_default_pool

    class ScoringWorker(SimpleWorker):
        """Runs chunks in this process (no fork per job) so the warm jailed pool is reused."""

        max_connection_wait_time = 5.0  # RQ's own reconnect backoff cap (60 s upstream): recover quickly

        def heartbeat(self, timeout=None, pipeline=None):  # type: ignore[no-untyped-def]
            # A Redis that restarted without persistence has forgotten this worker; RQ would keep
            # dequeuing unregistered (invisible to /readyz and to the API's worker count). Register again.
            if pipeline is None and not self.connection.exists(self.key):
                self.log.warning("worker %s: registration lost (Redis restarted?): registering again", self.name)
                self.register_birth()
            return super().heartbeat(timeout, pipeline)

        def request_stop(self, signum, frame):  # type: ignore[no-untyped-def]
            _STOP.set()  # also stop between restarts, when RQ would only raise StopRequested
            super().request_stop(signum, frame)

    logs.configure(args.log_level)
    get_pool()  # fork the scoring processes before taking any job
    stop_metrics = None
    if args.metrics_port:
        from reward_service import worker_metrics

        try:
            stop_metrics = worker_metrics.serve(args.metrics_host, args.metrics_port)
        except OSError as exc:
            logs.logger.error("cannot serve worker metrics", extra={
                "host": args.metrics_host, "port": args.metrics_port, "error": str(exc)})
            shutdown_default_pool()
            return 2
        logs.logger.info("worker metrics", extra={"url": f"http://{args.metrics_host}:{args.metrics_port}/metrics"})
    prefix = args.name or f"{os.uname().nodename}-{os.getpid()}"
    # No socket timeout: the worker blocks on the queue. Connect timeout: a dead Redis is noticed fast.
    connection = redis.Redis.from_url(args.redis_url, socket_connect_timeout=3, health_check_interval=15)
    backoff = 0.5
    try:
        while not _STOP.is_set():
            try:
                worker = ScoringWorker([Queue(args.queue, connection=connection)], connection=connection,
                                       name=f"{prefix}-{uuid.uuid4().hex[:6]}")
                worker.work(burst=args.burst, logging_level=args.log_level.upper())
                if args.burst:
                    break
                backoff = 0.5
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
                logs.logger.warning("redis unavailable, retrying", extra={"error": str(exc), "retry_in_s": backoff})
            # RQ's loop quits on some Redis errors (e.g. after a Redis restart): start a fresh worker.
            if _STOP.wait(backoff):
                break
            backoff = min(backoff * 2, 10.0)
    finally:
        if stop_metrics is not None:
            stop_metrics()
        shutdown_default_pool()
    return 0
