"""``prorl worker --metrics-port``: a real RQ worker process reports what it scored on its own /metrics."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from typing import Any

import httpx
import pytest

from reward_service.metrics import domain_label
from tests.reward_service.test_metrics import scrape_until, total
from tests.reward_service.test_sandbox_metrics import CODE_ITEM


def test_worker_metrics_count_what_it_scored(service_factory: Any) -> None:
    stack = service_factory({"PRORL_CHUNK_SIZE": "4", "PRORL_CHECK_DOCKER": "false"}, rq_workers=1,
                            worker_metrics=True)
    url = stack.workers[0].metrics_url
    before = scrape_until(url, lambda text: total(text, "prorl_pool_size") == 1)  # its scoring process is up
    assert total(before, "prorl_worker_busy") == 0 and total(before, "prorl_worker_chunk_duration_seconds_count") == 0

    items: list[dict[str, Any]] = [
        *({"domain": "math", "response": f"\\boxed{{{i}}}", "reference": {"answer": "3"}} for i in range(5)),
        *({"domain": "mcq", "response": f"Answer: {c}", "reference": {"answer": "B"}} for c in "ABC"),
        *({"domain": "astrology", "response": "x", "reference": {"n": i}} for i in range(2)),
    ]
    response = httpx.post(stack.url + "/v1/score", json={"items": items}, timeout=120)
    assert response.status_code == 200, response.text
    expected = Counter((domain_label(item["domain"]), result["status"])
                       for item, result in zip(items, response.json()["results"], strict=True))
    assert expected[("other", "invalid")] == 2 and expected[("math", "ok")] == 5

    # The worker counts a chunk once Redis has its results, which may be just after the API answered.
    text = scrape_until(url, lambda text: total(text, "prorl_worker_chunks_total", outcome="recorded") >= 3)
    assert total(text, "prorl_worker_chunks_total", outcome="recorded") == 3  # 10 items in chunks of 4
    assert total(text, "prorl_worker_chunks_total") == 3
    for (domain, status), n in expected.items():
        assert total(text, "prorl_worker_items_total", domain=domain, status=status) == n, (domain, status)
    assert total(text, "prorl_worker_items_total") == len(items)
    assert total(text, "prorl_worker_chunk_duration_seconds_count") == 3
    assert total(text, "prorl_worker_busy") == 0
    assert total(text, "prorl_pool_size") == 1 and total(text, "prorl_cache_misses_total") >= 1
    assert "prorl_sandbox_containers" not in text  # no code item ran: this worker has no sandbox pool

    api = httpx.get(stack.url + "/metrics", timeout=30).text
    assert total(api, "prorl_items_total") == len(items)  # the API counts them once more, under its own name
    assert "prorl_worker_" not in api


def test_a_bad_metrics_port_is_refused_before_the_worker_starts() -> None:
    proc = subprocess.run([sys.executable, "-m", "prorl.cli", "worker", "--metrics-port", "70000"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "--metrics-port" in proc.stderr


@pytest.mark.docker
def test_a_worker_that_ran_code_reports_its_sandbox_containers(service_factory: Any, sandbox_image: str) -> None:
    stack = service_factory({"PRORL_SANDBOX_POOL_SIZE": "1", "PRORL_SANDBOX_IMAGE": sandbox_image}, rq_workers=1,
                            worker_metrics=True)
    response = httpx.post(stack.url + "/v1/score", json={"items": [CODE_ITEM]}, timeout=180)
    assert response.status_code == 200 and response.json()["results"][0]["reward"] == 1.0, response.text
    # A used container is replaced in the background: wait for a warm one.
    text = scrape_until(stack.workers[0].metrics_url,
                        lambda text: total(text, "prorl_sandbox_containers", state="ready") >= 1)
    assert total(text, "prorl_sandbox_containers", state="ready") >= 1
    assert total(text, "prorl_sandbox_containers", state="busy") == 0
    assert total(text, "prorl_worker_items_total", domain="code", status="ok") == 1
