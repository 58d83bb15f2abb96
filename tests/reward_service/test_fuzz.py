"""Schemathesis fuzz of the service's own OpenAPI schema (bounded): no input may produce a 5xx.

Both generation modes run: schema-conforming bodies (which must score or fail per item) and
schema-violating ones (which must get a 4xx). Hypothesis drives schemathesis' strategies directly,
because schemathesis' pytest plugin does not work with the pytest in our dev extra.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode

MAX_EXAMPLES = 15  # per operation and mode: 7 operations x 2 modes


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors(reward_service_url: str, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(reward_service_url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7
    fuzzed = []
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                  derandomize=True, database=None)
        def check(case: object) -> None:
            case.call_and_validate(base_url=reward_service_url, checks=[not_a_server_error],  # type: ignore[attr-defined]
                                   timeout=60)

        try:
            check()
        except Unsatisfiable:
            # Negative mode cannot break an operation that takes no input at all (GET /healthz).
            assert mode == GenerationMode.NEGATIVE and operation.method.upper() == "GET", operation.label
            continue
        fuzzed.append(operation.label)
    assert {"POST /v1/score", "POST /v1/jobs", "POST /openrlhf/reward"} <= set(fuzzed)


# ---------------------------------------------------------------- arbitrary JSON items through the real app
# Hypothesis builds items from any JSON: lone surrogates in any string, huge and non-finite numbers, wrong
# types, nesting far past any real reference. Every answer is 200 with one result per item, or a 4xx with a
# JSON error; never a 5xx. The app runs in process (real executor, real jailed pool).

import json  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from reward_service.app import create_app  # noqa: E402
from reward_service.settings import Settings  # noqa: E402

_TEXT = st.text(st.characters() | st.integers(0xD800, 0xDFFF).map(chr), max_size=40)  # lone surrogates included
_NUMBER = st.one_of(st.integers(-(10**300), 10**300), st.floats(allow_nan=True, allow_infinity=True))
_JSON = st.recursive(st.none() | st.booleans() | _NUMBER | _TEXT,
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
                     max_leaves=12)
_DEEP = "\x00deep{}\x00"  # placeholder, replaced by JSON text nested this deep (json.dumps itself would recurse)


def _deep(depth: int) -> str:
    return _DEEP.format(depth)


_DOMAIN = st.sampled_from(["math", "mcq", "ifeval", "reasoning_gym", "code"])
_OPTIONS = st.dictionaries(st.sampled_from(["timeout_s", "reward", "thinking", "mode", "x"]) | _TEXT,
                           _JSON | st.integers(0, 3000).map(_deep), max_size=3)
# Well-typed items with hostile content reach scoring (and serialisation); loose ones test validation.
_WELL_TYPED = st.fixed_dictionaries(
    {"domain": _DOMAIN | _TEXT, "response": _TEXT,
     "reference": st.dictionaries(st.sampled_from(["answer", "choices", "entry", "tests"]) | _TEXT,
                                  _JSON | st.integers(0, 3000).map(_deep), max_size=3)},
    optional={"id": _TEXT | st.integers(-(2**63), 2**63), "options": _OPTIONS, "truncated": st.booleans()},
)
_LOOSE = st.fixed_dictionaries(
    {"domain": _DOMAIN | _JSON},
    optional={"id": _JSON, "response": _TEXT | _JSON, "reference": _JSON | st.integers(0, 3000).map(_deep),
              "options": _OPTIONS | _JSON, "truncated": _JSON},
)
_ITEM = st.one_of(_WELL_TYPED, _WELL_TYPED, _LOOSE)


def _body_text(items: list[Any]) -> bytes:
    text = json.dumps({"items": items}, ensure_ascii=True, allow_nan=True)  # NaN/Infinity: Python clients send them
    while "\\u0000deep" in text:
        start = text.index('"\\u0000deep')
        end = text.index('\\u0000"', start) + len('\\u0000"')
        depth = int(text[start + len('"\\u0000deep'):end - len('\\u0000"')])
        text = text[:start] + "[" * depth + "]" * depth + text[end:]
    return text.encode()


@pytest.fixture(scope="module")
def app_client() -> Iterator[TestClient]:
    settings = Settings(_env_file=None, check_docker=False)  # type: ignore[call-arg]
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def _check(response: Any, n_items: int) -> None:
    assert response.status_code < 500, response.text
    body = response.json()
    if response.status_code == 200:
        results = body["results"] if "results" in body else None
        if results is not None:
            assert len(results) == n_items
            for result in results:
                assert 0.0 <= result["reward"] <= 1.0 and result["status"] in ("ok", "timeout", "invalid",
                                                                              "infra_error")
        else:
            assert len(body["rewards"]) == n_items
    else:
        assert 400 <= response.status_code < 500 and body["error"], body


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
@given(items=st.lists(_ITEM, min_size=1, max_size=4) | st.lists(_WELL_TYPED, min_size=1, max_size=4))
def test_arbitrary_json_items_never_500(app_client: TestClient, items: list[Any]) -> None:
    response = app_client.post("/v1/score", content=_body_text(items), headers={"content-type": "application/json"})
    _check(response, len(items))


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
@given(labels=st.lists(_JSON | st.integers(0, 3000).map(lambda d: "[" * d + "]" * d) | _ITEM.map(json.dumps),
                       min_size=1, max_size=4), query=_TEXT)
def test_arbitrary_openrlhf_labels_never_500(app_client: TestClient, labels: list[Any], query: str) -> None:
    body = json.dumps({"query": [query] * len(labels), "labels": labels},
                      ensure_ascii=True, allow_nan=True).encode()
    response = app_client.post("/openrlhf/reward", content=body, headers={"content-type": "application/json"})
    _check(response, len(labels))


def test_huge_integer_literal_is_a_clear_4xx(app_client: TestClient) -> None:
    body = b'{"items": [{"domain": "math", "response": "x", "reference": {"answer": ' + b"9" * 5000 + b"}}]}"
    response = app_client.post("/v1/score", content=body, headers={"content-type": "application/json"})
    _check(response, 1)
