"""verl 0.9 (the real wheel) scoring through prorl: its Hydra config, its reward loop, its sandbox-fusion client.

One driver run (tests/integrations/verl_driver.py) composes verl's own ``ppo_trainer`` config with the
overrides docs/ecosystem.md gives, builds verl's ``RewardLoopWorker`` (which calls verl's
``load_reward_manager``) and scores one right and one wrong sample per domain. Renamed keys fail here:
Hydra refuses an override of a key that no longer exists, and a key that composes but is not read
scores with verl's own grader instead of ours (IFEval, reasoning_gym and gpqa then raise in verl).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.integrations.conftest import run_driver


@pytest.fixture(scope="module")
def verl_run(reward_service_url: str) -> dict[str, Any]:
    return run_driver("verl_driver.py", [reward_service_url], "verl")


def test_the_driven_wheel_is_verl_0_9(verl_run: dict[str, Any]) -> None:
    assert verl_run["verl_version"].startswith("0.9.")


def test_custom_reward_function_keys_reach_the_reward_loop(verl_run: dict[str, Any]) -> None:
    assert verl_run["custom_fn_path"].endswith("trainer_client/verl.py")
    naive = verl_run["naive"]
    assert naive["scores"] == naive["expected"]  # every domain, right and wrong, as the service scores it
    assert all(extra["usable"] == 1.0 and set(extra) == {"score", "reward", "acc", "usable"}
               for extra in naive["extra"])


def test_legacy_keys_are_ignored_by_verl_0_9(verl_run: dict[str, Any]) -> None:
    # Why the docs have a version table: verl <= 0.6 spellings compose and are silently unused in 0.9.
    assert verl_run["legacy_custom_fn_reaches_reward"] is False
    assert verl_run["batch_manager"] == "Unknown reward manager: batch"


def test_prorl_reward_manager_marks_responses_cut_at_the_budget(verl_run: dict[str, Any]) -> None:
    # Same right box: cut at the length budget (no EOS) scores 0, a finished response scores 1.
    assert verl_run["truncation"] == [0.0, 1.0]


def test_verl_sandbox_fusion_client_against_run_code(verl_run: dict[str, Any]) -> None:
    sandbox = verl_run["sandbox"]
    assert sandbox["scores"] == sandbox["expected"]


def test_memory_limit_null_is_the_sandbox_default(verl_run: dict[str, Any]) -> None:
    # verl sends memory_limit_MB: null when reward.sandbox_fusion.memory_limit_mb is null (was 422: all -1).
    sandbox = verl_run["sandbox_memory_null"]
    assert sandbox["scores"] == sandbox["expected"]


def test_prorl_data_parquet_feeds_verl_rlhf_dataset(verl_run: dict[str, Any]) -> None:
    # `prompt` is a native list of messages (verl builds raw_prompt from it); data_source and
    # reward_model.ground_truth are what verl's reward loop hands to compute_score.
    dataset = verl_run["dataset"]
    assert dataset["raw_prompts"] == dataset["prompts"]
    assert dataset["scores"] == [1.0, 1.0]
