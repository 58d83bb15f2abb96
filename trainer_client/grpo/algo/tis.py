"""Truncated importance sampling for the rollout/trainer log-prob mismatch.

vLLM samples with its own kernels (and often bf16), so the probability it gave a token differs from what
the trainer computes for the same weights. The PPO ratio is taken against the trainer's old log-probs, so
the samples are off-policy by ``pi_old / pi_rollout``; weighting each token's loss by that ratio, capped at
C to bound the variance, corrects for it (Yao et al., "Your efficient RL framework secretly brings you
off-policy RL training").
"""

from __future__ import annotations

import torch


def truncated_is_weights(
    old_logp: torch.Tensor, rollout_logp: torch.Tensor, cap: float = 2.0
) -> torch.Tensor:
    """``min(exp(old_logp - rollout_logp), cap)``, detached (a weight, not something to differentiate)."""
    if cap <= 0:
        raise ValueError("the truncation cap C must be positive")
    log_w = torch.clamp(old_logp - rollout_logp, min=-20.0, max=20.0)
    return torch.clamp(torch.exp(log_w), max=cap).detach()
