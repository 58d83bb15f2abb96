"""prorl's ``POST /verify`` as a NeMo-Gym resource server, checked with the nemo-gym package's own models.

The driver (nemo_gym_driver.py, in NeMo-Gym's environment: it imports hydra) builds each request from
``BaseVerifyRequest`` with a NeMo-Gym ``NeMoGymResponse`` and parses the answer with ``BaseVerifyResponse``;
a field NeMo-Gym requires and we did not send fails that parse.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.integrations.conftest import run_driver


@pytest.fixture(scope="module")
def nemo_run(reward_service_url: str) -> dict[str, Any]:
    return run_driver("nemo_gym_driver.py", [reward_service_url], "nemo_gym_deps", "nemo_gym")


def test_every_domain_scores_and_echoes_the_task(nemo_run: dict[str, Any]) -> None:
    domains = nemo_run["domains"]
    assert [d["reward"] for d in domains] == [d["expected"] for d in domains]
    assert all(d["echoed"] and d["mask"] is False for d in domains)


def test_nemo_gym_math_rows_with_expected_answer(nemo_run: dict[str, Any]) -> None:
    assert nemo_run["expected_answer"] == {"reward": 1.0, "echoed": True}


def test_response_cut_at_max_output_tokens_scores_zero(nemo_run: dict[str, Any]) -> None:
    # A right box in a response NeMo-Gym marks incomplete (max_output_tokens) is no answer; it is a
    # judgement (not masked), as the contract's `truncated` says.
    assert nemo_run["incomplete"] == {"reward": 0.0, "reason": "truncated", "mask": False}


def test_unjudgeable_task_is_masked(nemo_run: dict[str, Any]) -> None:
    bad = nemo_run["unjudgeable"]
    assert bad["reward"] == 0.0 and bad["mask"] is True and bad["reason"]
