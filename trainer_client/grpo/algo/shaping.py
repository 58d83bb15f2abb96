"""DAPO overlong reward shaping: soft punishment and overlong filtering.

A response cut at the length cap has no answer, so it scores 0 for a reason that has nothing to do with
its reasoning; training on that reward is noise. DAPO offers two fixes, each a switch here:
soft punishment (a length penalty that ramps in over the last ``cache_len`` tokens) and filtering
(truncated samples do not contribute to the loss at all).
"""

from __future__ import annotations

import torch


def overlong_penalty(
    lengths: torch.Tensor, max_len: int, cache_len: int, factor: float = 1.0
) -> torch.Tensor:
    """Penalty to add to the reward: 0 up to ``max_len - cache_len``, linear to ``-factor`` at ``max_len``,
    ``-factor`` beyond."""
    if not 0 < cache_len <= max_len:
        raise ValueError("overlong cache length must be in (0, max_len]")
    expected = max_len - cache_len
    exceed = (lengths.to(torch.float32) - expected).clamp(min=0)
    return -(exceed / cache_len).clamp(max=1.0) * factor


def overlong_filter_mask(truncated: torch.Tensor) -> torch.Tensor:
    """1.0 for samples that finished on their own, 0.0 for samples cut at the length cap."""
    return (~truncated.to(torch.bool)).to(torch.float32)
