"""trainer_client/data/gym_tasks.py: the training and held-out task lists stay inside what the verifier scores."""

from __future__ import annotations

from reasoning_gym.factory import DATASETS

from trainer_client.data.gym_tasks import OOD_HELD_OUT, PRORL_TASKS, ood_held_out, training_tasks
from trainer_client.data.procedural_math import MATH_TASKS
from verifiers import reasoning_gym as vrg


def test_every_training_and_held_out_task_is_one_the_verifier_scores() -> None:
    scorable = vrg.scorable_tasks()
    assert set(training_tasks()) <= scorable
    assert set(ood_held_out()) <= scorable
    assert set(PRORL_TASKS) <= scorable
    assert not set(PRORL_TASKS) & set(vrg.NOT_SCORABLE)


def test_candidate_pool_is_the_installed_registry_minus_held_out_and_unscorable() -> None:
    assert set(OOD_HELD_OUT) <= set(DATASETS)
    assert set(PRORL_TASKS) == set(DATASETS) - set(OOD_HELD_OUT) - set(vrg.NOT_SCORABLE)
    assert list(PRORL_TASKS) == sorted(PRORL_TASKS)


def test_training_mix_leaves_out_held_out_leaking_and_math_tasks() -> None:
    tasks = set(training_tasks())
    assert not tasks & set(OOD_HELD_OUT)
    assert "game_of_life" not in tasks  # the held-out game_of_life_halting's simulator
    assert not tasks & set(MATH_TASKS)
    assert tasks == set(PRORL_TASKS) - set(OOD_HELD_OUT) - {"game_of_life"} - set(MATH_TASKS)
