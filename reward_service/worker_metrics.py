"""Metrics of one ``prorl worker`` process, served on ``--metrics-port`` (docs/service.md, "Metrics").

What the worker scored (chunks by outcome, items by domain and status), how long its chunks took, whether
it is busy now, and its own scoring pool, verdict cache and sandbox pool (read at scrape time).

Item and chunk counters are named ``prorl_worker_*``: the API already counts every rq result in
``prorl_items_total`` when it answers, and a dashboard summing over API and workers must not count an
item twice. Pool, cache and sandbox numbers keep the API's names (``prorl_pool_*``...): with the rq
executor only the workers have them, so the same panels and alerts cover both executors.

Only the worker process imports this module (``score_chunk`` imports it when it runs), so API processes
never export these series.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from reward_service import metrics
from verifiers.schemas import Result

REGISTRY = CollectorRegistry(auto_describe=True)

CHUNKS = Counter("prorl_worker_chunks", "Chunks this worker took, by outcome: recorded (its results count), "
                 "duplicate (another attempt recorded first), expired (the batch was gone), failed (scoring raised).",
                 ["outcome"], registry=REGISTRY)
ITEMS = Counter("prorl_worker_items", "Items scored by this worker, by domain and result status.",
                ["domain", "status"], registry=REGISTRY)
CHUNK_SECONDS = Histogram(
    "prorl_worker_chunk_duration_seconds", "Time to score one chunk (score_batch), by this worker.",
    registry=REGISTRY, buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)
BUSY = Gauge("prorl_worker_busy", "1 while this worker scores a chunk, else 0.", registry=REGISTRY)
REGISTRY.register(metrics.LiveCollector(metrics.scoring_process_numbers))

# complete_chunk's answer -> outcome label
OUTCOMES = {1: "recorded", 0: "duplicate", -1: "expired"}


@contextmanager
def scoring_chunk() -> Iterator[None]:
    """Mark the worker busy and time the chunk; a chunk that raises counts as ``failed``."""
    BUSY.set(1)
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        CHUNKS.labels("failed").inc()
        raise
    finally:
        CHUNK_SECONDS.observe(time.perf_counter() - started)
        BUSY.set(0)


def observe_items(items: Sequence[dict[str, Any]], results: Sequence[Result]) -> None:
    """Count a scored chunk's results by domain (unknown ones as ``other``) and status."""
    for item, result in zip(items, results, strict=False):
        ITEMS.labels(metrics.domain_label(item.get("domain")), result.status).inc()


def serve(host: str, port: int) -> Callable[[], None]:
    """Serve this registry at ``http://host:port/metrics`` from a daemon thread; returns its stop function.

    Raises OSError when the address cannot be bound.
    """
    server, thread = start_http_server(port, addr=host, registry=REGISTRY)

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return stop
