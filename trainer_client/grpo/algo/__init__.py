"""GRPO/DAPO/ProRL algorithm pieces as pure functions on tensors (no model, no I/O)."""

from trainer_client.grpo.algo.advantages import group_advantages
from trainer_client.grpo.algo.dynamic_sampling import GroupFilter, PassRateTracker, informative_groups
from trainer_client.grpo.algo.kl import kl_penalty
from trainer_client.grpo.algo.policy_loss import aggregate_loss, policy_loss
from trainer_client.grpo.algo.shaping import overlong_filter_mask, overlong_penalty
from trainer_client.grpo.algo.tis import truncated_is_weights

__all__ = [
    "GroupFilter",
    "PassRateTracker",
    "aggregate_loss",
    "group_advantages",
    "informative_groups",
    "kl_penalty",
    "overlong_filter_mask",
    "overlong_penalty",
    "policy_loss",
    "truncated_is_weights",
]
