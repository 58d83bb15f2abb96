"""A bad item never costs the other items of its batch (issue #14.5), on every route and executor.

Lone surrogate escapes (``"\\ud800"``: valid JSON, not encodable as UTF-8) are replaced by U+FFFD at intake
and the item is scored; JSON nested too deeply becomes a per-item ``invalid`` where it is one item's data,
and a clear 4xx where it is the body itself. Bodies go out as raw bytes: an HTTP client's own JSON encoder
would refuse (or silently rewrite) the surrogates under test.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx
import pytest

from tests.fixtures.service import ServiceStack

LONE = ["\ud800", "a\udfffb", "\udc00\ud800", "\U0001f600\ud83d"]  # high, low, reversed pair, after a real emoji

GOOD = {"id": "good", "domain": "math", "response": "\\boxed{4}", "reference": {"answer": "4"}}
WRONG = {"id": "wrong", "domain": "math", "response": "\\boxed{5}", "reference": {"answer": "4"}}


def _raw(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=True).encode()  # \\ud800 escapes, as a JS client sends them


def bad_items(text: str) -> list[dict[str, Any]]:
    """One item per place a surrogate can sit, between items that must score normally."""
    return [
        GOOD,
        {"id": "response", "domain": "math", "response": f"\\boxed{{4}} {text}", "reference": {"answer": "4"}},
        {"id": f"id{text}", "domain": "math", "response": "\\boxed{4}", "reference": {"answer": "4"}},
        {"id": "reference", "domain": "math", "response": "\\boxed{4}", "reference": {"answer": f"4{text}"}},
        {"id": "reference-key", "domain": "mcq", "response": "Answer: B",
         "reference": {"answer": "B", text: [text, {text: text}]}},
        {"id": "option", "domain": "math", "response": "\\boxed{4}", "reference": {"answer": "4"},
         "options": {text: text, "note": [text]}},
        {"id": "domain", "domain": f"math{text}", "response": "x", "reference": {}},
        {"id": "ifeval", "domain": "ifeval", "response": f"hello {text} world",
         "reference": {"prompt": text, "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}},
        WRONG,
    ]


def cleaned(text: str) -> str:
    return re.sub("[\ud800-\udfff]", "\ufffd", text)


def check_results(results: list[dict[str, Any]], text: str) -> None:
    assert len(results) == 9
    assert results[0]["id"] == "good" and results[0]["reward"] == 1.0
    assert results[8]["id"] == "wrong" and results[8]["status"] == "ok" and results[8]["reward"] == 0.0
    # The surrogate is replaced and the item judged: a response cannot buy an unmaskable `invalid` with one.
    assert results[1]["status"] == "ok" and results[1]["reward"] == 1.0
    assert results[2]["id"] == "id" + cleaned(text) and results[2]["reward"] == 1.0
    assert results[3]["id"] == "reference" and results[3]["status"] in ("ok", "invalid")
    assert results[4]["status"] == "ok" and results[4]["reward"] == 1.0
    assert results[5]["status"] == "ok" and results[5]["reward"] == 1.0
    assert results[6]["status"] == "invalid" and "unknown domain" in results[6]["error"]
    assert results[7]["status"] == "ok"
    for result in results:
        json.dumps(result, ensure_ascii=False).encode("utf-8")  # nothing unencodable comes back


def post(url: str, path: str, body: Any, timeout: float = 120) -> httpx.Response:
    return httpx.post(url + path, content=_raw(body), headers={"content-type": "application/json"}, timeout=timeout)


def wait_job(url: str, job_id: str, timeout_s: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        status = httpx.get(f"{url}/v1/jobs/{job_id}", timeout=30).json()
        if status["status"] in ("finished", "failed"):
            return status
        assert time.monotonic() < deadline, f"job not finished: {status}"
        time.sleep(0.2)


@pytest.mark.parametrize("text", LONE)
def test_score_route_scores_items_with_lone_surrogates(reward_service_url: str, text: str) -> None:
    response = post(reward_service_url, "/v1/score", {"items": bad_items(text)})
    assert response.status_code == 200, response.text
    check_results(response.json()["results"], text)


def test_embedded_job_keeps_every_item(reward_service_url: str) -> None:
    response = post(reward_service_url, "/v1/jobs", {"items": bad_items("\ud800")})
    assert response.status_code == 202, response.text
    status = wait_job(reward_service_url, response.json()["job_id"])
    assert status["status"] == "finished", status
    check_results(status["results"], "\ud800")


def test_rq_job_and_score_keep_every_item(rq_stack: ServiceStack) -> None:
    response = post(rq_stack.url, "/v1/jobs", {"items": bad_items("\udc00x")})
    assert response.status_code == 202, response.text
    status = wait_job(rq_stack.url, response.json()["job_id"])
    assert status["status"] == "finished", status
    check_results(status["results"], "\udc00x")
    response = post(rq_stack.url, "/v1/score", {"items": bad_items("\ud800")})
    assert response.status_code == 200, response.text
    check_results(response.json()["results"], "\ud800")


def _nested_string(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_openrlhf_bad_labels_are_per_sample(reward_service_url: str) -> None:
    good_label = json.dumps({"domain": "math", "reference": {"answer": "4"}})
    labels = [
        good_label,
        _nested_string(1_000),  # a JSON string nested past the parser: that sample only
        _nested_string(100_000),
        json.dumps({"domain": "math", "reference": {"answer": "4", "deep": json.loads(_nested_string(300))}}),
        json.dumps({"domain": "math\ud800", "reference": {"answer": "4\udfff"}}, ensure_ascii=True),
        {"domain": "math", "reference": {"answer": "4"}, "options": {"\ud800": 1}},
        good_label,
    ]
    query = ["Q: 2+2? A: \\boxed{4}", "\\boxed{4}", "\\boxed{4}", "\\boxed{4}", "\\boxed{4}",
             "\\boxed{4}\ud800", "\ud800 \\boxed{4}"]
    response = post(reward_service_url, "/openrlhf/reward", {"query": query, "prompts": ["Q: 2+2? A: "] + [""] * 6,
                                                             "labels": labels})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rewards"] == [1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0]
    assert body["extra_logs"]["usable"] == [1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0]


def test_reference_nested_deep_is_one_invalid_item(reward_service_url: str) -> None:
    deep = json.loads(_nested_string(500))  # parses, but nests past any real reference
    items = [GOOD, {"id": "deep", "domain": "math", "response": "\\boxed{4}", "reference": {"answer": "4", "x": deep}},
             {"id": "deep-option", "domain": "math", "response": "\\boxed{4}", "reference": {"answer": "4"},
              "options": {"x": deep}}, WRONG]
    response = post(reward_service_url, "/v1/score", {"items": items})
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == ["ok", "invalid", "invalid", "ok"]
    assert [r["reward"] for r in response.json()["results"]] == [1.0, 0.0, 0.0, 0.0]


def test_body_nested_past_the_parser_is_a_clear_4xx(reward_service_url: str) -> None:
    body = b'{"items": [' + _nested_string(100_000).encode() + b"]}"
    response = httpx.post(reward_service_url + "/v1/score", content=body,
                          headers={"content-type": "application/json"}, timeout=60)
    assert response.status_code == 400, response.text
    assert "nested" in response.json()["error"]
    assert httpx.get(reward_service_url + "/healthz", timeout=30).status_code == 200


def test_run_code_with_lone_surrogates_runs(reward_service_url: str) -> None:
    body = {"language": "python", "code": 'print("\ud800" + input())', "stdin": "x\udfff\n", "run_timeout": 10}
    response = post(reward_service_url, "/run_code", body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "Success", answer
    assert answer["run_result"]["stdout"] == "\ufffdx\ufffd\n"
