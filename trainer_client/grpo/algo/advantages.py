"""GRPO group-relative advantages.

GRPO has no value model: the baseline of a sample is the mean reward of the other samples drawn for the
same prompt. Dividing by the group std (the original GRPO) up-weights prompts whose rewards barely
differ; Dr. GRPO argues this is a difficulty bias and turns it off, so both are offered.
"""

from __future__ import annotations

import torch


def group_advantages(
    rewards: torch.Tensor,
    group_ids: torch.Tensor,
    valid: torch.Tensor | None = None,
    norm_std: bool = True,
    eps: float = 1e-6,
) -> torch.Tensor:
    """Per-sample advantage ``(r - mean_group) / (std_group + eps)`` (or ``r - mean_group`` without std).

    ``rewards`` and ``group_ids`` are 1-D of the same length; samples with the same id share a prompt.
    ``valid`` masks samples the reward service could not judge: they neither enter their group's
    statistics nor get an advantage (0), so an infra failure can never look like a wrong answer.
    The std is the unbiased sample std, as in GRPO/verl; a group with a single valid sample gets 0.
    """
    rewards = rewards.to(torch.float32)
    valid_f = torch.ones_like(rewards) if valid is None else valid.to(torch.float32)
    _, inverse = torch.unique(group_ids, return_inverse=True)
    n_groups = int(inverse.max().item()) + 1 if inverse.numel() else 0
    count = torch.zeros(n_groups).index_add_(0, inverse, valid_f)
    total = torch.zeros(n_groups).index_add_(0, inverse, rewards * valid_f)
    mean = total / count.clamp(min=1)
    centred = (rewards - mean[inverse]) * valid_f
    if norm_std:
        sq = torch.zeros(n_groups).index_add_(0, inverse, centred**2)
        std = torch.sqrt(sq / (count - 1).clamp(min=1))
        centred = centred / (std[inverse] + eps)
    single = count[inverse] <= 1
    return torch.where(single, torch.zeros_like(centred), centred) * valid_f
