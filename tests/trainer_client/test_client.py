"""RewardClient against real services: order, chunking, local validation, retries, timeouts, auth."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest

from tests.fixtures.service import free_port
from trainer_client.client import RewardClient, RewardServiceError, usable, usable_mask


def mixed_items(n: int) -> list[dict[str, Any]]:
    items = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            items.append({"id": i, "domain": "math", "response": f"\\boxed{{{i}}}", "reference": {"answer": str(i)}})
        elif kind == 1:
            items.append({"id": i, "domain": "math", "response": "\\boxed{-1}", "reference": {"answer": str(i)}})
        elif kind == 2:
            items.append({"id": i, "domain": "mcq", "response": "Answer: B", "reference": {"answer": "B"}})
        else:
            items.append({"id": i, "domain": "nope", "response": "x", "reference": {}})
    return items


def test_chunked_concurrent_results_keep_order_and_match_one_request(reward_service_url: str) -> None:
    items = mixed_items(23)
    whole = httpx.post(reward_service_url + "/v1/score", json={"items": items}, timeout=120).json()["results"]
    results = RewardClient(reward_service_url, chunk_size=3, max_concurrency=3).score(items)
    assert [r.id for r in results] == list(range(23))
    assert [r.model_dump(exclude={"elapsed_ms"}) for r in results] == \
        [{k: v for k, v in r.items() if k != "elapsed_ms"} for r in whole]
    assert usable_mask(results) == [i % 4 != 3 for i in range(23)]  # unknown domain -> invalid -> masked
    assert [r.reward for r in results[:3]] == [1.0, 0.0, 1.0]


def test_malformed_items_become_local_invalid_results(reward_service_url: str) -> None:
    items = [{"id": "x", "domain": "math"}, mixed_items(1)[0], "not an item"]
    results = RewardClient(reward_service_url).score(items)  # type: ignore[arg-type]
    assert [r.status for r in results] == ["invalid", "ok", "invalid"]
    assert results[0].id == "x" and "malformed" in (results[0].error or "")
    assert results[1].reward == 1.0


def test_429_is_retried_after_retry_after(inprocess_service: Any) -> None:
    service = inprocess_service(max_inflight_items=4, retry_after_s=1)
    limiter = service.app.state.limiter
    limiter.acquire(4)  # the service is full...
    threading.Timer(1.5, limiter.release, args=(4,)).start()  # ...until another request finishes
    results = RewardClient(service.url, max_retries=6).score(mixed_items(2))
    assert [r.status for r in results] == ["ok", "ok"]
    metrics = httpx.get(service.url + "/metrics").text
    assert 'prorl_rejected_requests_total{reason="backpressure"}' in metrics


def test_unreachable_service_gives_infra_error_after_retries() -> None:
    client = RewardClient(f"http://127.0.0.1:{free_port()}", max_retries=2, backoff_s=0.01)
    results = client.score(mixed_items(3))
    assert [r.status for r in results] == ["infra_error"] * 3
    assert [r.id for r in results] == [0, 1, 2]
    assert not any(usable(r) for r in results)
    assert "ConnectError" in (results[0].error or "")


def test_request_timeout_gives_infra_error(reward_service_url: str) -> None:
    slow = [{"id": 1, "domain": "probe", "response": "sleep:3", "reference": {"n": 1}, "options": {"timeout_s": 5}}]
    results = RewardClient(reward_service_url, timeout_s=0.5, max_retries=0).score(slow)
    assert results[0].status == "infra_error" and "Timeout" in (results[0].error or "")


def test_auth_errors_raise_and_good_key_works(inprocess_service: Any) -> None:
    service = inprocess_service(api_keys="s3cret")
    with pytest.raises(RewardServiceError) as info:
        RewardClient(service.url, api_key="wrong").score(mixed_items(1))
    assert info.value.status_code == 401
    assert RewardClient(service.url, api_key="s3cret").score(mixed_items(1))[0].reward == 1.0


def test_sync_wrapper_works_inside_a_running_loop(reward_service_url: str) -> None:
    async def inside() -> float:
        return RewardClient(reward_service_url).score(mixed_items(1))[0].reward

    assert asyncio.run(inside()) == 1.0
