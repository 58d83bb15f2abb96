"""``prorl serve`` (the HTTP service) and ``prorl worker`` (an RQ scoring worker): flags in, process out.

Only argument parsing and process setup live here; the worker's loop and its RQ worker class are in
:mod:`reward_service.executors.rq_worker`. For ``serve``, command-line flags override the ``PRORL_*``
environment, and both end up in the environment so that every uvicorn worker process builds the same
settings.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import tempfile
from typing import Any

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


def rq_worker_main(argv: list[str]) -> int:
    """``prorl worker``: run one RQ worker that scores chunks with its own jailed pool until SIGTERM/SIGINT."""
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

    from reward_service.executors.rq_worker import RQWorkerOptions, run_rq_worker

    return run_rq_worker(RQWorkerOptions(
        redis_url=args.redis_url, queue=args.queue, name_prefix=args.name, burst=args.burst,
        log_level=args.log_level, metrics_host=args.metrics_host, metrics_port=args.metrics_port))
