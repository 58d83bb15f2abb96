"""Prometheus metrics, all named ``prorl_*`` (listed in docs/service.md; dashboards and alerts use them).

Counters of results are labelled by domain and status so a dashboard can show items/s, timeouts and
infra errors per domain. Pool, cache and queue numbers are read at scrape time by a collector, so they
are never stale and cost nothing between scrapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from verifiers.registry import DOMAINS
from verifiers.schemas import Result

disable_created_metrics()  # `_created` series double the scrape size and no dashboard uses them
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
INFLIGHT = Gauge("prorl_inflight_items", "Items admitted and not yet answered.", registry=REGISTRY)
CHUNK_RETRIES = Counter("prorl_chunk_retries", "RQ chunks re-enqueued after their worker died or timed out.",
                        registry=REGISTRY)
CHUNKS_LOST = Counter("prorl_chunks_lost", "RQ chunks answered as infra_error after their last attempt.",
                      registry=REGISTRY)


def observe_results(domains: Sequence[str], results: Sequence[Result]) -> None:
    """Count one batch of results by domain and status (unknown domains are pooled as ``other``)."""
    for domain, result in zip(domains, results, strict=False):
        label = domain if domain in DOMAINS else "other"  # bounded label set whatever clients send
        ITEMS.labels(label, result.status).inc()
        if result.correct:
            CORRECT.labels(label).inc()
        ITEM_LATENCY.labels(label).observe(result.elapsed_ms / 1000.0)


class LiveCollector(Collector):
    """Numbers read at scrape time from the executor (pool, queue) and the verifier cache."""

    def __init__(self, read: Callable[[], dict[str, Any]]) -> None:
        self._read = read

    def collect(self) -> Iterable[Any]:
        try:
            values = self._read()
        except Exception:  # a scrape must never fail because Redis is down; the gauges just go missing
            values = {}
        gauges = {
            "prorl_pool_size": "Scoring processes alive in this service process (embedded executor).",
            "prorl_pool_busy": "Scoring processes working on a task.",
            "prorl_pool_queued": "Tasks waiting for a scoring process.",
            "prorl_queue_depth": "Chunks waiting in the RQ queue (rq executor).",
            "prorl_rq_workers": "RQ workers registered on the queue (rq executor).",
            "prorl_redis_up": "1 when Redis answered the last ping (rq executor).",
        }
        for name, help_ in gauges.items():
            if name in values:
                yield GaugeMetricFamily(name, help_, value=float(values[name]))
        counters = {
            "prorl_pool_recycled": "Scoring processes recycled (task count or memory).",
            "prorl_pool_killed": "Scoring processes killed at a deadline.",
            "prorl_pool_crashed": "Scoring processes that died on their own.",
            "prorl_cache_hits": "Verdicts served from the LRU cache.",
            "prorl_cache_misses": "Cache lookups that had to score.",
        }
        for name, help_ in counters.items():
            if name in values:
                yield CounterMetricFamily(name, help_, value=float(values[name]))
        if "prorl_sandbox_containers" in values:
            family = GaugeMetricFamily("prorl_sandbox_containers", "Sandbox containers of this process by state "
                                       "(ready = warm and waiting, busy = running a problem).", labels=["state"])
            for state, count in sorted(values["prorl_sandbox_containers"].items()):
                family.add_metric([state], float(count))
            yield family


_live_source: list[Callable[[], dict[str, Any]]] = []


def set_live_source(read: Callable[[], dict[str, Any]]) -> None:
    """Point the scrape-time collector at the running executor (one per process)."""
    _live_source[:] = [read]


REGISTRY.register(LiveCollector(lambda: _live_source[0]() if _live_source else {}))


def render() -> bytes:
    """The Prometheus text exposition of every prorl metric."""
    return generate_latest(REGISTRY)
