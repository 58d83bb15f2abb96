"""DAPO dynamic sampling on raw accuracy, with per-prompt pass-rate memory.

A group whose samples are all right or all wrong has zero advantage everywhere and contributes nothing
but KL to the gradient. Keeping only groups with ``0 < correct < n`` keeps the batch informative. The
filter uses the verifier's raw correctness, not the length-shaped reward: an overlong penalty must not
make an all-correct group look informative.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

import torch


def informative_groups(correct: torch.Tensor, valid: torch.Tensor | None = None) -> torch.Tensor:
    """``[G, n]`` correctness (bool/0-1) -> ``[G]`` bool: keep a group iff ``0 < correct < valid count``.

    Samples masked out by ``valid`` (not judged by the service) count neither as right nor wrong; a group
    with fewer than two judged samples is never informative.
    """
    correct = correct.to(torch.float32)
    valid_f = torch.ones_like(correct) if valid is None else valid.to(torch.float32)
    n_ok = (correct * valid_f).sum(dim=-1)
    n_valid = valid_f.sum(dim=-1)
    return (n_ok > 0) & (n_ok < n_valid) & (n_valid >= 2)


@dataclass
class GroupFilter:
    """Stream-refill bookkeeping for one training step (OpenRLHF/DAPO style).

    The trainer generates a round of groups, calls :meth:`add`, and keeps generating new prompts while
    :meth:`need_more` says so. At the round cap it stops and trains on what it has (possibly fewer
    groups, possibly none): it never raises.
    """

    target_groups: int
    max_rounds: int
    enabled: bool = True
    kept: list[int] = field(default_factory=list)
    rounds: int = 0
    seen_groups: int = 0
    wasted_tokens: int = 0

    def add(self, group_indices: list[int], keep: torch.Tensor, tokens_per_group: torch.Tensor) -> list[int]:
        """Record one generation round; returns the indices newly kept (at most up to the target)."""
        self.rounds += 1
        self.seen_groups += len(group_indices)
        if not self.enabled:
            keep = torch.ones(len(group_indices), dtype=torch.bool)
        new: list[int] = []
        for idx, k, tok in zip(group_indices, keep.tolist(), tokens_per_group.tolist(), strict=True):
            if k and len(self.kept) < self.target_groups:
                self.kept.append(idx)
                new.append(idx)
            else:
                self.wasted_tokens += int(tok)
        return new

    def need_more(self) -> bool:
        return len(self.kept) < self.target_groups and self.rounds < self.max_rounds

    def metrics(self) -> dict[str, float]:
        return {
            "dynamic_sampling/kept_fraction": len(self.kept) / max(self.seen_groups, 1),
            "dynamic_sampling/rounds": float(self.rounds),
            "dynamic_sampling/wasted_tokens": float(self.wasted_tokens),
            "dynamic_sampling/kept_groups": float(len(self.kept)),
            "dynamic_sampling/hit_round_cap": float(len(self.kept) < self.target_groups),
        }


@dataclass
class PassRateTracker:
    """Exponential moving average of each prompt's pass rate, e.g. to skip prompts that are always solved."""

    decay: float = 0.5
    rates: dict[Hashable, float] = field(default_factory=dict)

    def update(self, prompt_key: Hashable, pass_rate: float) -> float:
        old = self.rates.get(prompt_key)
        new = pass_rate if old is None else self.decay * old + (1 - self.decay) * pass_rate
        self.rates[prompt_key] = new
        return new

    def state_dict(self) -> dict[str, object]:
        return {"decay": self.decay, "rates": dict(self.rates)}

    def load_state_dict(self, state: dict[str, object]) -> None:
        self.decay = float(state["decay"])  # type: ignore[arg-type]
        self.rates = dict(state["rates"])  # type: ignore[call-overload]
