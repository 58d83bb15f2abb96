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
