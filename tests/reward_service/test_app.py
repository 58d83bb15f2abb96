"""HTTP behaviour of the service in process (real app, real jailed pool): limits, auth, errors, jobs, ops."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from reward_service.app import create_app
from reward_service.settings import Settings

MATH_OK = {"id": "a", "domain": "math", "response": "so \\boxed{\\frac{1}{2}}", "reference": {"answer": "0.5"}}
MATH_WRONG = {"id": "b", "domain": "math", "response": "\\boxed{3}", "reference": {"answer": "2"}}
UNKNOWN = {"id": "c", "domain": "astrology", "response": "x", "reference": {}}


def _client(**overrides: object) -> TestClient:
    settings = Settings(_env_file=None, **overrides)  # type: ignore[call-arg]
    return TestClient(create_app(settings), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with _client(max_items=5, max_body_bytes=4096, max_inflight_items=10) as c:
        yield c


def test_score_keeps_order_ids_and_versions(client: TestClient) -> None:
    response = client.post("/v1/score", json={"items": [MATH_WRONG, UNKNOWN, MATH_OK]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["id"] for r in body["results"]] == ["b", "c", "a"]
    assert [r["reward"] for r in body["results"]] == [0.0, 0.0, 1.0]
    assert [r["status"] for r in body["results"]] == ["ok", "invalid", "ok"]
    assert "unknown domain" in body["results"][1]["error"]
    assert set(body["versions"]) >= {"prorl", "math-verify", "sympy", "reasoning-gym", "langdetect"}
    assert response.headers["x-request-id"]


def test_request_id_is_echoed_when_sane(client: TestClient) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "trainer-7.step-3"}).headers["x-request-id"] == \
        "trainer-7.step-3"
    assert client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"}).headers["x-request-id"] != \
        "bad id\nwith newline"


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"items": 3}', b'{"items": [{"domain": "math"}]}',
                                  b'{"items": [{"domain": "math", "response": "x", "reference": "notadict"}]}',
                                  b'{"items": [{"domain": 5, "response": "x", "reference": {}}]}', b""])
def test_malformed_bodies_are_422_json(client: TestClient, body: bytes) -> None:
    response = client.post("/v1/score", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["error"].startswith("invalid request body")


def test_too_many_items_is_413(client: TestClient) -> None:
    response = client.post("/v1/score", json={"items": [MATH_OK] * 6})
    assert response.status_code == 413
    assert "PRORL_MAX_ITEMS" in response.json()["error"]


def test_body_over_cap_is_413_with_and_without_content_length(client: TestClient) -> None:
    big = {"items": [{**MATH_OK, "response": "x" * 5000}]}
    response = client.post("/v1/score", json=big)
    assert response.status_code == 413 and "bytes" in response.json()["error"]

    def chunks() -> Iterator[bytes]:  # chunked transfer: no content-length to check up front
        payload = json.dumps(big).encode()
        for i in range(0, len(payload), 1000):
            yield payload[i:i + 1000]

    response = client.post("/v1/score", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413, response.text


def test_body_over_cap_is_counted_once_with_and_without_content_length(client: TestClient) -> None:
    from reward_service.metrics import REGISTRY

    def rejected() -> float:
        value = REGISTRY.get_sample_value("prorl_rejected_requests_total", {"reason": "body_too_large"})
        return value or 0.0

    payload = json.dumps({"items": [{**MATH_OK, "response": "x" * 5000}]}).encode()
    before = rejected()
    assert client.post("/v1/score", content=payload, headers={"content-type": "application/json"}).status_code == 413
    assert rejected() == before + 1
    chunked = client.post("/v1/score", content=iter([payload[:3000], payload[3000:]]),
                          headers={"content-type": "application/json"})
    assert chunked.status_code == 413 and "PRORL_MAX_BODY_BYTES" in chunked.json()["error"]
    assert rejected() == before + 2


def test_backpressure_is_429_with_retry_after(client: TestClient) -> None:
    limiter = client.app.state.limiter  # type: ignore[attr-defined]
    limiter.acquire(9)  # another request holds 9 of the 10 in-flight slots
    try:
        response = client.post("/v1/score", json={"items": [MATH_OK, MATH_OK]})
        assert response.status_code == 429
        assert int(response.headers["retry-after"]) >= 1
        assert "PRORL_MAX_INFLIGHT_ITEMS" in response.json()["error"]
        assert client.post("/v1/score", json={"items": [MATH_OK]}).status_code == 200  # 9 + 1 fits
    finally:
        limiter.release(9)
    assert client.post("/v1/score", json={"items": [MATH_OK, MATH_OK]}).status_code == 200
    assert limiter.inflight == 0


def test_auth_required_when_keys_configured() -> None:
    with _client(api_keys="k-one, k-two") as c:
        item = {"items": [MATH_OK]}
        assert c.post("/v1/score", json=item).status_code == 401
        wrong = c.post("/v1/score", json=item, headers={"Authorization": "Bearer k-three"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        assert c.post("/v1/score", json=item, headers={"Authorization": "Basic k-one"}).status_code == 401
        assert c.post("/v1/score", json=item, headers={"Authorization": "Bearer k-two"}).status_code == 200
        assert c.get("/v1/jobs/" + "0" * 32).status_code == 401
        assert c.post("/openrlhf/reward", json={"query": []}).status_code == 401
        assert c.post("/openrlhf/reward?api_key=nope", json={"query": []}).status_code == 401
        assert c.post("/openrlhf/reward?api_key=k-one", json={"query": []}).status_code == 200  # OpenRLHF: URL only
        assert c.post("/v1/score?api_key=k-one", json=item).status_code == 401  # /v1 wants the header
        assert c.get("/healthz").status_code == 200  # probes and scrapes stay open
        assert c.get("/metrics").status_code == 200


def test_job_lifecycle_with_progress(client: TestClient) -> None:
    created = client.post("/v1/jobs", json={"items": [MATH_OK, MATH_WRONG, UNKNOWN]})
    assert created.status_code == 202
    job_id = created.json()["job_id"]
    deadline = time.monotonic() + 60
    while True:
        status = client.get(f"/v1/jobs/{job_id}").json()
        assert status["progress"]["total"] == 3
        assert 0 <= status["progress"]["done"] <= 3
        if status["status"] == "finished" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert status["status"] == "finished"
    assert status["progress"]["done"] == 3
    assert [r["reward"] for r in status["results"]] == [1.0, 0.0, 0.0]
    assert client.get("/v1/jobs/" + "f" * 32).status_code == 404
    assert client.get("/v1/jobs/../../etc").status_code == 404
    assert client.app.state.limiter.inflight == 0  # type: ignore[attr-defined]


def test_ops_endpoints(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["pool_size"] >= 1
    assert ready.json()["pool_isolation"]["enabled"] is True  # verifiers/jail/isolation.py, per worker
    client.post("/v1/score", json={"items": [MATH_OK]})
    text = client.get("/metrics").text
    for name in ("prorl_items_total", "prorl_item_latency_seconds_bucket", "prorl_inflight_items",
                 "prorl_pool_size", "prorl_cache_hits_total", "prorl_http_requests_total",
                 "prorl_rejected_requests_total"):
        assert name in text, name
    assert 'prorl_items_total{domain="math",status="ok"}' in text
    schema = client.get("/openapi.json").json()
    assert {"/v1/score", "/v1/jobs", "/v1/jobs/{job_id}", "/openrlhf/reward"} <= set(schema["paths"])
    assert client.get("/docs").status_code == 200


def test_openrlhf_reward_protocol(client: TestClient) -> None:
    prompt = "<|user|>What is 1/2 as a decimal?<|assistant|>"
    label = json.dumps({"domain": "math", "reference": {"answer": "0.5"}})
    body = {
        "query": [prompt + "It is \\boxed{0.5}", prompt + "It is \\boxed{2}", prompt + "?", "no label"],
        "prompts": [prompt, prompt, prompt, "other"],
        "labels": [label, label, "not json", {"domain": "math"}],
    }
    response = client.post("/openrlhf/reward", json=body)
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["rewards"] == [1.0, 0.0, 0.0, 0.0]
    assert out["scores"] == out["rewards"]
    assert out["extra_logs"]["usable"] == [1.0, 1.0, 0.0, 0.0]
    assert out["extra_logs"]["correct"] == [1.0, 0.0, 0.0, 0.0]
    # The prompt's own numbers are not the answer: a prompt that boxes 0.5 does not reward an empty reply.
    boxed_prompt = "Example: \\boxed{0.5}. Now answer:"
    out = client.post("/openrlhf/reward", json={"query": [boxed_prompt + " I refuse"], "prompts": [boxed_prompt],
                                                "labels": [label]}).json()
    assert out["rewards"] == [0.0]


def test_per_domain_deadlines_apply_to_items_without_their_own() -> None:
    # The probe domain reports the budget its scorer was given (budgets count CPU time, so a sleep cannot show it).
    with _client(domain_timeouts={"probe": 0.5}) as c:
        items = [{"id": 1, "domain": "probe", "response": "timeout", "reference": {"n": 1}},
                 {"id": 2, "domain": "probe", "response": "timeout", "reference": {"n": 2}, "options": {"timeout_s": 5}}]
        results = c.post("/v1/score", json={"items": items}).json()["results"]
        assert [r["status"] for r in results] == ["ok", "ok"]
        assert [r["details"]["timeout_s"] for r in results] == [0.5, 5.0]


def test_failed_job_submission_releases_its_items_once() -> None:
    # Redis dies after the backlog was read (it is cached for a second): the submission fails with 503,
    # and only the 3 items of that request leave the in-flight count, not another request's as well.
    with _client(redis_url="redis://127.0.0.1:1/0", max_inflight_items=100) as c:
        app = c.app
        app.state.executor._backlog_at = time.monotonic() + 3600  # type: ignore[attr-defined]  # backlog "fresh"
        app.state.limiter.acquire(5)  # type: ignore[attr-defined]  # another request in flight
        response = c.post("/v1/jobs", json={"items": [MATH_OK, MATH_WRONG, UNKNOWN]})
        assert response.status_code == 503, response.text
        assert app.state.limiter.inflight == 5  # type: ignore[attr-defined]
