"""The clipped PPO/GRPO surrogate with DAPO's decoupled clip bounds, optional dual-clip and
token-level aggregation.

Token-level ("token-mean") aggregation divides the summed token losses by the number of tokens of the
whole mini-batch, so each token weighs the same whatever the length of its response (DAPO). When a
mini-batch is split into gradient-accumulation micro-batches (and across data-parallel ranks), the
normaliser must be the mini-batch's global token count, passed as ``normalizer``: summing the
micro-batch losses then gives exactly the loss of the whole mini-batch.
"""

from __future__ import annotations

import torch

AGG_MODES = ("token-mean", "seq-mean-token-mean", "seq-mean-token-sum")

# exp() of a log-ratio beyond this is inf/0 in fp32 and poisons the batch; verl clamps the same way.
LOG_RATIO_CLAMP = 20.0


def aggregate_loss(
    loss_mat: torch.Tensor, mask: torch.Tensor, mode: str = "token-mean", normalizer: float | None = None
) -> torch.Tensor:
    """Reduce a ``[B, T]`` per-token loss to a scalar.

    - ``token-mean``: ``sum(loss * mask) / normalizer`` (default normaliser: ``mask.sum()`` of this batch)
    - ``seq-mean-token-mean``: mean over tokens within each sequence, then ``sum / normalizer``
      (default: the number of sequences with at least one token); the original GRPO's sample-level loss
    - ``seq-mean-token-sum``: sum over tokens within each sequence, then ``sum / normalizer`` (sequences)
    """
    mask = mask.to(loss_mat.dtype)
    if mode == "token-mean":
        denom = mask.sum() if normalizer is None else normalizer
        return (loss_mat * mask).sum() / max(float(denom), 1.0)
    if mode in ("seq-mean-token-mean", "seq-mean-token-sum"):
        tok = mask.sum(dim=-1)
        seq = (loss_mat * mask).sum(dim=-1)
        if mode == "seq-mean-token-mean":
            seq = seq / tok.clamp(min=1)
        denom = (tok > 0).sum() if normalizer is None else normalizer
        return seq.sum() / max(float(denom), 1.0)
    raise ValueError(f"unknown loss aggregation {mode!r}; expected one of {AGG_MODES}")


def _masked_mean(x: torch.Tensor, mask: torch.Tensor) -> float:
    return float((x * mask).sum() / mask.sum().clamp(min=1))


def policy_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    eps_low: float = 0.2,
    eps_high: float = 0.4,
    dual_clip: float | None = None,
    agg: str = "token-mean",
    normalizer: float | None = None,
    is_weights: torch.Tensor | None = None,
) -> tuple[torch.Tensor, dict[str, float]]:
    """Clipped surrogate loss (to minimise) and its statistics.

    ``logp``/``old_logp``/``mask`` are ``[B, T]``; ``advantages`` is ``[B]`` (one per sequence, GRPO) or
    ``[B, T]``. Per token: ``max(-A * r, -A * clip(r, 1 - eps_low, 1 + eps_high))`` with
    ``r = exp(clamp(logp - old_logp, +-20))``. With ``dual_clip = c`` (> 1), tokens with ``A < 0`` are
    further bounded by ``-A * c`` so one token with a huge ratio cannot dominate (Ye et al., dual-clip
    PPO). ``is_weights`` (truncated importance weights) multiply the per-token loss.

    Statistics (means over unmasked tokens of this call): ``clipfrac_high`` (A > 0 and r above
    1 + eps_high: the update is stopped at the upper bound), ``clipfrac_low`` (A < 0, r below 1 - eps_low),
    ``clipfrac_dual``, ``ppo_kl`` (mean of old - new log-prob), ``ratio_max``.
    """
    if advantages.dim() == 1:
        advantages = advantages.unsqueeze(-1).expand_as(logp)
    mask = mask.to(logp.dtype)
    log_ratio = torch.clamp(logp - old_logp, min=-LOG_RATIO_CLAMP, max=LOG_RATIO_CLAMP)
    ratio = torch.exp(log_ratio)
    loss_unclipped = -advantages * ratio
    loss_clipped = -advantages * torch.clamp(ratio, 1.0 - eps_low, 1.0 + eps_high)
    loss_mat = torch.maximum(loss_unclipped, loss_clipped)
    dual_hit = torch.zeros_like(mask, dtype=torch.bool)
    if dual_clip is not None:
        if dual_clip <= 1.0:
            raise ValueError("dual_clip must be > 1")
        bound = -advantages * dual_clip
        negative = advantages < 0
        dual_hit = negative & (loss_mat > bound)
        loss_mat = torch.where(negative, torch.minimum(loss_mat, bound), loss_mat)
    if is_weights is not None:
        loss_mat = loss_mat * is_weights
    loss = aggregate_loss(loss_mat, mask, agg, normalizer)
    with torch.no_grad():
        stats = {
            "clipfrac_high": _masked_mean(((advantages > 0) & (ratio > 1 + eps_high)).float(), mask),
            "clipfrac_low": _masked_mean(((advantages < 0) & (ratio < 1 - eps_low)).float(), mask),
            "clipfrac_dual": _masked_mean(dual_hit.float(), mask),
            "ppo_kl": _masked_mean(-log_ratio, mask),
            "ratio_max": float((ratio * mask).max()) if mask.any() else 1.0,
        }
    return loss, stats
