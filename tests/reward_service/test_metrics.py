"""/metrics of ``prorl serve --workers 2``: real uvicorn processes, one answer for all of them.

Each process keeps its metrics in files under PROMETHEUS_MULTIPROC_DIR (prometheus_client's multiprocess
mode); whichever process answers a scrape adds up every process's numbers.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

TWO_PROCESSES = {"PRORL_WORKERS": "2", "PRORL_POOL_WORKERS": "1", "PRORL_CHECK_DOCKER": "false"}


def total(exposition: str, name: str, **labels: str) -> float:
    """Sum of the samples called ``name`` whose labels include ``labels``."""
    return sum(sample.value for family in text_string_to_metric_families(exposition) for sample in family.samples
               if sample.name == name and labels.items() <= sample.labels.items())


def scrape_until(url: str, done: Callable[[str], bool], timeout_s: float = 120) -> str:
    """The exposition at ``url`` once ``done`` holds for it (or the last one, after ``timeout_s``)."""
    deadline = time.monotonic() + timeout_s
    text = httpx.get(url, timeout=30).text
    while not done(text) and time.monotonic() < deadline:
        time.sleep(0.2)
        text = httpx.get(url, timeout=30).text
    return text


def cache_lookups(exposition: str) -> float:
    return total(exposition, "prorl_cache_hits_total") + total(exposition, "prorl_cache_misses_total")


def items(n: int, tag: str) -> list[dict[str, Any]]:
    return [{"domain": "math", "response": f"\\boxed{{{i}}}", "reference": {"answer": str(i)}, "id": f"{tag}-{i}"}
            for i in range(n)]


def send(url: str, sizes: list[int], tag: str) -> None:
    """One request per size, 4 at a time, each on a new connection (so either process may take it)."""
    def one(args: tuple[int, int]) -> None:
        index, size = args
        response = httpx.post(url + "/v1/score", json={"items": items(size, f"{tag}-{index}")}, timeout=120)
        assert response.status_code == 200, response.text

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, enumerate(sizes)))


def items_by_pid(directory: Path) -> dict[int, float]:
    """``prorl_items_total`` of each process, read from its own counter file (pids that counted any)."""
    counts: dict[int, float] = {}
    for file in directory.glob("counter_*.db"):
        with tempfile.TemporaryDirectory() as one:
            shutil.copy(file, one)
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=one)
            n = sum(s.value for family in registry.collect() for s in family.samples if s.name == "prorl_items_total")
        if n:
            counts[int(file.stem.split("_")[-1])] = n
    return counts


def send_until_both_processes_scored(url: str, directory: Path) -> tuple[int, int]:
    """Send rounds of requests until two processes have counted items; returns (items, requests) sent."""
    sent_items = sent_requests = 0
    for round_ in range(25):
        sizes = [1 + i % 3 for i in range(8)]
        send(url, sizes, f"r{round_}")
        sent_items, sent_requests = sent_items + sum(sizes), sent_requests + len(sizes)
        if len(items_by_pid(directory)) >= 2:
            break
    assert len(items_by_pid(directory)) >= 2, "every request went to one process: nothing to add up"
    return sent_items, sent_requests


def test_two_processes_answer_metrics_for_both(service_factory: Any, tmp_path: Path) -> None:
    # `prorl serve` makes a private directory (under TMPDIR, so the test can look inside) and removes it.
    stack = service_factory({**TWO_PROCESSES, "TMPDIR": str(tmp_path)})
    [directory] = tmp_path.glob("prorl-metrics-*")
    sent_items, sent_requests = send_until_both_processes_scored(stack.url, directory)
    assert sum(items_by_pid(directory).values()) == sent_items
    # Each process copies its pool and cache numbers into its files once a second, and counts a request
    # just after answering it: wait for all of them to show.
    scrape_until(stack.url + "/metrics", lambda text: total(text, "prorl_pool_size") == 2 and total(
        text, "prorl_http_requests_total", route="/v1/score") == sent_requests and cache_lookups(text) == sent_items)
    for _ in range(8):  # several scrapes: each is answered by one process or the other, all say the same
        text = httpx.get(stack.url + "/metrics", timeout=30).text
        assert total(text, "prorl_items_total") == sent_items
        assert total(text, "prorl_items_total", domain="math", status="ok") == sent_items
        assert total(text, "prorl_http_requests_total", route="/v1/score", code="200") == sent_requests
        assert total(text, "prorl_item_latency_seconds_count") == sent_items
        assert total(text, "prorl_pool_size") == 2  # one scoring process in each uvicorn process
        assert cache_lookups(text) == sent_items  # each item is looked up once, in its process's cache
        assert total(text, "prorl_inflight_items") == 0
    stack.stop()
    assert not directory.exists()


def test_a_killed_process_keeps_its_counts_and_leaves_the_gauges(service_factory: Any, tmp_path: Path) -> None:
    directory = tmp_path / "metrics"  # set by the user: created, and a previous run's files removed
    stale = directory / "counter_4242.db"
    directory.mkdir()
    stale.write_bytes(b"a previous run's file")
    stack = service_factory({**TWO_PROCESSES, "PROMETHEUS_MULTIPROC_DIR": str(directory)})
    assert not stale.exists()
    sent_items, _ = send_until_both_processes_scored(stack.url, directory)
    live = {int(f.stem.split("_")[-1]) for f in directory.glob("gauge_livesum_*.db")}
    assert len(live) == 2
    text = scrape_until(stack.url + "/metrics", lambda text: total(text, "prorl_pool_size") == 2)
    assert total(text, "prorl_pool_size") == 2

    victim = max(items_by_pid(directory))  # a process that counted items
    os.kill(victim, signal.SIGKILL)  # no shutdown code runs; uvicorn starts a replacement
    deadline = time.monotonic() + 180
    while True:
        try:
            text = httpx.get(stack.url + "/metrics", timeout=30).text
        except httpx.HTTPError:
            text = ""
        live = {int(f.stem.split("_")[-1]) for f in directory.glob("gauge_livesum_*.db")}
        if text and victim not in live and len(live) == 2 and total(text, "prorl_pool_size") == 2:
            break
        assert time.monotonic() < deadline, f"live gauge files {live}, victim {victim}:\n{stack.api.log_tail()}"
        time.sleep(0.5)
    assert total(text, "prorl_items_total") == sent_items  # the dead process's counts are still in the sum
    assert total(text, "prorl_inflight_items") == 0
