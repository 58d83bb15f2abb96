"""Prometheus metrics, all named ``prorl_*`` (listed in docs/service.md; dashboards and alerts use them).

Counters of results are labelled by domain and status so a dashboard can show items/s, timeouts and
infra errors per domain. Pool, cache and queue numbers are read at scrape time by a collector, so they
are never stale and cost nothing between scrapes.

Several processes (``prorl serve --workers N``) use prometheus_client's multiprocess mode: with
``PROMETHEUS_MULTIPROC_DIR`` set (``prorl serve`` sets it), every process keeps its metric values in its
own files there and a scrape, whichever process answers it, adds up every process's files: counters and
histograms always (a dead process's counts stay), ``livesum`` gauges over live processes only. The
per-process numbers a collector reads at scrape time (scoring pool, verdict cache, sandboxes) are copied
into such files once a second by each process, and by the answering process on every scrape; the shared
ones (RQ queue, workers, Redis) are read by the answering process as with one process.
"""

from __future__ import annotations

import glob
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from verifiers.registry import DOMAINS
from verifiers.schemas import Result

disable_created_metrics()  # `_created` series double the scrape size and no dashboard uses them
# Read once at import, as prometheus_client itself decides at import whether values live in files.
MULTIPROC_DIR: str | None = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None
REGISTRY = CollectorRegistry(auto_describe=True)

ITEMS = Counter("prorl_items", "Items scored, by domain and result status.", ["domain", "status"], registry=REGISTRY)
CORRECT = Counter("prorl_correct_items", "Items with reward 1, by domain.", ["domain"], registry=REGISTRY)
ITEM_LATENCY = Histogram(
    "prorl_item_latency_seconds", "Verification latency of one item (queue wait included), by domain.",
    ["domain"], registry=REGISTRY,
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
REQUESTS = Counter("prorl_http_requests", "HTTP requests, by route and status code.", ["route", "code"],
                   registry=REGISTRY)
REQUEST_LATENCY = Histogram(
    "prorl_http_request_duration_seconds", "HTTP request duration, by route.", ["route"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
REJECTED = Counter("prorl_rejected_requests", "Requests refused before scoring, by reason (429 backpressure, "
                   "413 too large, 401 auth, 503 unavailable).", ["reason"], registry=REGISTRY)
INFLIGHT = Gauge("prorl_inflight_items", "Items admitted and not yet answered.", registry=REGISTRY,
                 multiprocess_mode="livesum")
CHUNK_RETRIES = Counter("prorl_chunk_retries", "RQ chunks re-enqueued after their worker died or timed out.",
                        registry=REGISTRY)
CHUNKS_LOST = Counter("prorl_chunks_lost", "RQ chunks answered as infra_error after their last attempt.",
                      registry=REGISTRY)


def domain_label(domain: object) -> str:
    """The ``domain`` label of an item: unknown domains are pooled as ``other``, so the label set stays
    bounded whatever clients send."""
    return domain if isinstance(domain, str) and domain in DOMAINS else "other"


def observe_results(domains: Sequence[str], results: Sequence[Result]) -> None:
    """Count one batch of results by domain and status (unknown domains are pooled as ``other``)."""
    for domain, result in zip(domains, results, strict=False):
        label = domain_label(domain)
        ITEMS.labels(label, result.status).inc()
        if result.correct:
            CORRECT.labels(label).inc()
        ITEM_LATENCY.labels(label).observe(result.elapsed_ms / 1000.0)


# Scrape-time numbers. Per-process ones describe this process's own scoring machinery; shared ones
# describe the RQ queue, which every API process sees alike (so they are never added up).
PROCESS_GAUGES = {
    "prorl_pool_size": "Scoring processes alive in this service process (embedded executor).",
    "prorl_pool_busy": "Scoring processes working on a task.",
    "prorl_pool_queued": "Tasks waiting for a scoring process.",
}
PROCESS_COUNTERS = {
    "prorl_pool_recycled": "Scoring processes recycled (task count or memory).",
    "prorl_pool_killed": "Scoring processes killed at a deadline.",
    "prorl_pool_crashed": "Scoring processes that died on their own.",
    "prorl_cache_hits": "Verdicts served from the LRU cache.",
    "prorl_cache_misses": "Cache lookups that had to score.",
}
SANDBOX_CONTAINERS = "prorl_sandbox_containers"
SANDBOX_HELP = "Sandbox containers of this process by state (ready = warm and waiting, busy = running a problem)."
SHARED_GAUGES = {
    "prorl_queue_depth": "Chunks waiting in the RQ queue (rq executor).",
    "prorl_rq_workers": "RQ workers registered on the queue (rq executor).",
    "prorl_redis_up": "1 when Redis answered the last ping (rq executor).",
}


def scoring_process_numbers() -> dict[str, Any]:
    """This process's scoring pool and verdict cache, and its sandbox pool once code has started one."""
    from sandboxes.shared import container_counts
    from verifiers import batch
    from verifiers.jail.pool import get_pool

    stats = get_pool().snapshot()
    numbers: dict[str, Any] = {
        "prorl_pool_size": stats.size, "prorl_pool_busy": stats.busy, "prorl_pool_queued": stats.queued,
        "prorl_pool_recycled": stats.recycled, "prorl_pool_killed": stats.killed,
        "prorl_pool_crashed": stats.crashed, "prorl_cache_hits": batch.CACHE.hits,
        "prorl_cache_misses": batch.CACHE.misses,
    }
    sandbox = container_counts()
    if sandbox is not None:
        numbers[SANDBOX_CONTAINERS] = sandbox
    return numbers


class LiveCollector(Collector):
    """Numbers read at scrape time from the executor (pool, queue) and the verifier cache."""

    def __init__(self, read: Callable[[], dict[str, Any]]) -> None:
        self._read = read

    def collect(self) -> Iterable[Any]:
        try:
            values = self._read()
        except Exception:  # a scrape must never fail because Redis is down; the gauges just go missing
            values = {}
        for name, help_ in {**PROCESS_GAUGES, **SHARED_GAUGES}.items():
            if name in values:
                yield GaugeMetricFamily(name, help_, value=float(values[name]))
        for name, help_ in PROCESS_COUNTERS.items():
            if name in values:
                yield CounterMetricFamily(name, help_, value=float(values[name]))
        if SANDBOX_CONTAINERS in values:
            family = GaugeMetricFamily(SANDBOX_CONTAINERS, SANDBOX_HELP, labels=["state"])
            for state, count in sorted(values[SANDBOX_CONTAINERS].items()):
                family.add_metric([state], float(count))
            yield family


def _nothing() -> dict[str, Any]:
    return {}


class _Sources:
    """Where scrape-time numbers come from in this process (set by the app once its executor runs)."""

    shared: Callable[[], dict[str, Any]] = _nothing
    per_process: Callable[[], dict[str, Any]] = _nothing


def _live_values() -> dict[str, Any]:
    if MULTIPROC_DIR is not None:  # per-process numbers come from every process's files instead
        return _Sources.shared()
    return {**_Sources.per_process(), **_Sources.shared()}


REGISTRY.register(LiveCollector(_live_values))


# Per process, not per publisher: a replacement publisher must not count the same cache hits again.
_file_metrics: dict[str, Any] = {}
_published: dict[str, float] = {}
_publish_lock = threading.Lock()


class _Publisher:
    """Multiprocess mode: copies this process's scrape-time numbers into its metric files (module docstring)."""

    interval_s = 1.0

    def __init__(self, read: Callable[[], dict[str, Any]]) -> None:
        self._read = read
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="prorl-metrics-publisher", daemon=True)

    def start(self) -> None:
        self.publish()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.publish()

    def publish(self) -> None:
        try:
            values = self._read()
        except Exception:  # never let a metrics thread die; the last values stay
            return
        with _publish_lock:
            for name in PROCESS_GAUGES:
                if name in values:
                    self._metric(name).set(float(values[name]))
            for name in PROCESS_COUNTERS:
                if name in values:
                    value, counter = float(values[name]), self._metric(name)
                    # Counters only grow: add what is new since the last copy. A source that restarted from
                    # zero (a new cache) is counted from its new zero.
                    delta = value - _published.get(name, 0.0)
                    if delta > 0:
                        counter.inc(delta)
                    _published[name] = value
            for state, count in values.get(SANDBOX_CONTAINERS, {}).items():
                self._metric(SANDBOX_CONTAINERS).labels(state).set(float(count))

    def _metric(self, name: str) -> Any:
        """The file-backed metric for ``name``, made on first use (so a process without a pool exports none)."""
        if name not in _file_metrics:
            if name in PROCESS_GAUGES:
                _file_metrics[name] = Gauge(name, PROCESS_GAUGES[name], registry=None, multiprocess_mode="livesum")
            elif name in PROCESS_COUNTERS:
                _file_metrics[name] = Counter(name, PROCESS_COUNTERS[name], registry=None)
            else:
                _file_metrics[name] = Gauge(name, SANDBOX_HELP, ["state"], registry=None, multiprocess_mode="livesum")
        return _file_metrics[name]


_publisher: list[_Publisher] = []


def set_live_sources(shared: Callable[[], dict[str, Any]],
                     per_process: Callable[[], dict[str, Any]] = _nothing) -> None:
    """Point the scrape-time collector at the running executor (one per process).

    ``per_process`` reads numbers that each service process has for itself (they are added up over
    processes); ``shared`` reads numbers every process sees alike (read by whichever process answers).
    """
    _Sources.shared, _Sources.per_process = shared, per_process
    if MULTIPROC_DIR is not None:
        for old in _publisher:
            old.stop()
        _publisher[:] = [_Publisher(per_process)]
        _publisher[0].start()


def process_exiting() -> None:
    """Drop this process's ``livesum`` gauges from the sum (its counters stay); at service shutdown."""
    for publisher in _publisher:
        publisher.stop()
    _publisher.clear()
    if MULTIPROC_DIR is not None:
        multiprocess.mark_process_dead(os.getpid(), MULTIPROC_DIR)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def forget_dead_processes(path: str) -> list[int]:
    """``mark_process_dead`` for every process that left live-gauge files but no longer runs.

    A process killed outright (SIGKILL, OOM) never runs its shutdown, and uvicorn starts a replacement:
    without this its last in-flight and pool numbers would be added in forever. Returns the pids dropped.
    """
    dead: set[int] = set()
    for file in glob.glob(os.path.join(path, "gauge_live*_*.db")):
        pid_text = os.path.basename(file)[:-len(".db")].rsplit("_", 1)[-1]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _pid_alive(int(pid_text)):
            dead.add(int(pid_text))
    for pid in dead:
        multiprocess.mark_process_dead(pid, path)
    return sorted(dead)


def render() -> bytes:
    """The Prometheus text exposition of every prorl metric (of every service process, see above)."""
    if MULTIPROC_DIR is None:
        return generate_latest(REGISTRY)
    for publisher in _publisher:
        publisher.publish()  # this process's own numbers as of now
    forget_dead_processes(MULTIPROC_DIR)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=MULTIPROC_DIR)
    registry.register(LiveCollector(_Sources.shared))
    return generate_latest(registry)
