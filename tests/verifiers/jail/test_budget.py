"""verifiers/jail/budget.py, verifiers/scoring.py's over-budget rules and the pool's depth bound: pure rules, checked as properties."""

from __future__ import annotations

import subprocess
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from verifiers.jail.budget import cpu_seconds
from verifiers.jail.messages import nested_deeper_than
from verifiers.scoring import VERIFICATION_CRASHED, VERIFICATION_TIMEOUT, over_budget, resolve_over_budget

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=2), children, max_size=3),
    max_leaves=40,
)


def depth(value: Any) -> int:
    """Levels of lists/objects, recursively (the reference the iterative bound must agree with)."""
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


@given(json_values, st.integers(min_value=0, max_value=8))
def test_the_depth_bound_agrees_with_a_recursive_count(value, limit):
    assert nested_deeper_than(value, limit) == (depth(value) > limit + 1)  # the root container is level 0


statuses = st.sampled_from(["ok", "invalid", "timeout", "infra_error"])


@given(statuses, st.sampled_from([VERIFICATION_TIMEOUT, VERIFICATION_CRASHED]), st.floats(0.01, 600))
def test_an_overrun_never_comes_back_as_the_masked_timeout(check_status, reason, budget):
    """CONTRACT `status`: over budget is ok/0 (the answer's cost), invalid (the reference's) or
    infra_error (the service's); never `timeout`, which trainers mask."""
    result = resolve_over_budget(over_budget(reason, "spent"), {"status": check_status, "error": "e"}, budget)
    expected = {"ok": "ok", "invalid": "invalid", "timeout": "invalid", "infra_error": "infra_error"}[check_status]
    assert result["status"] == expected
    if expected == "ok":
        assert result["reward"] == 0.0 and result["details"]["reason"] == reason
    else:
        assert result["error"]


def test_cpu_seconds_reads_a_live_process_and_none_once_it_is_gone():
    child = subprocess.Popen(["sleep", "30"])
    try:
        assert cpu_seconds(child.pid) is not None and cpu_seconds(child.pid) >= 0.0
    finally:
        child.kill()
        child.wait()
    assert cpu_seconds(child.pid) is None
