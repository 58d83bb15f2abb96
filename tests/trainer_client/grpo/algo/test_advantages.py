import math

import torch

from trainer_client.grpo.algo.advantages import group_advantages


def test_grpo_std_normalised_matches_hand_computation() -> None:
    rewards = torch.tensor([1.0, 0, 0, 0, 1, 1, 0, 0])
    groups = torch.tensor([0, 0, 0, 0, 1, 1, 1, 1])
    adv = group_advantages(rewards, groups, eps=0.0)
    # group 0: mean .25, unbiased std .5; group 1: mean .5, std sqrt(1/3)
    s = 0.5 / math.sqrt(1 / 3)
    expected = torch.tensor([1.5, -0.5, -0.5, -0.5, s, s, -s, -s])
    assert torch.allclose(adv, expected, atol=1e-5)


def test_dr_grpo_without_std_is_plain_centering() -> None:
    rewards = torch.tensor([1.0, 0, 0, 0, 0.5, 0.25])
    groups = torch.tensor([7, 7, 7, 7, 3, 3])  # ids need not be contiguous
    adv = group_advantages(rewards, groups, norm_std=False)
    assert torch.allclose(adv, torch.tensor([0.75, -0.25, -0.25, -0.25, 0.125, -0.125]))


def test_invalid_samples_excluded_from_stats_and_zeroed() -> None:
    rewards = torch.tensor([1.0, 0.0, 0.0, 0.0])
    groups = torch.zeros(4, dtype=torch.long)
    valid = torch.tensor([True, True, False, False])  # two infra_error items
    adv = group_advantages(rewards, groups, valid=valid, norm_std=False)
    assert torch.allclose(adv, torch.tensor([0.5, -0.5, 0.0, 0.0]))


def test_uniform_group_and_singleton_get_zero() -> None:
    adv = group_advantages(torch.tensor([1.0, 1.0, 1.0, 0.3]), torch.tensor([0, 0, 0, 1]))
    assert torch.equal(adv, torch.zeros(4))
