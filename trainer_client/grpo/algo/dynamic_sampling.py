"""DAPO dynamic sampling, with per-prompt pass-rate memory.

A group whose samples all earn the same reward has zero advantage everywhere and contributes nothing but
KL to the gradient. Two criteria decide which groups are informative (``algo.dynamic_sampling_criterion``):

- ``accuracy`` (the ProRL/DAPO paper's, verl's ``filter_groups.metric: acc``): keep ``0 < correct < n``,
  correctness being ``reward == 1``. A group whose rewards vary but never reach 1 (partial credit of
  reasoning_gym, ``options.reward: fraction``) is dropped.
- ``reward_std``: keep groups whose raw rewards are not all equal (std > 0), so partial-credit groups are
  kept. For binary rewards both criteria keep exactly the same groups.

Both use the verifier's raw result, not the length-shaped reward: an overlong penalty must not make an
all-correct group look informative.

Refill follows verl DAPO's ``max_num_gen_batches``: keep generating fresh rounds until the batch is full,
at most ``max_rounds`` rounds (0 = no cap). At the cap, either train on the groups kept so far
(``on_cap="train"``; the update then rebalances its mini-batches) or stop with :class:`RoundCapError`
(``on_cap="error"``, what verl does).
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


def varied_reward_groups(rewards: torch.Tensor, valid: torch.Tensor | None = None, tol: float = 1e-6) -> torch.Tensor:
    """``[G, n]`` raw rewards -> ``[G]`` bool: keep a group iff its judged rewards are not all equal
    (max - min > ``tol``, i.e. std > 0 up to float noise). Unjudged samples are ignored; a group with fewer
    than two judged samples is never informative."""
    rewards = rewards.to(torch.float32)
    valid_b = torch.ones_like(rewards, dtype=torch.bool) if valid is None else valid.to(torch.bool)
    hi = torch.where(valid_b, rewards, torch.full_like(rewards, -torch.inf)).amax(dim=-1)
    lo = torch.where(valid_b, rewards, torch.full_like(rewards, torch.inf)).amin(dim=-1)
    return (valid_b.sum(dim=-1) >= 2) & (hi - lo > tol)


CRITERIA = ("accuracy", "reward_std")


def keep_groups(criterion: str, rewards: torch.Tensor, correct: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """The groups ``criterion`` (one of :data:`CRITERIA`) keeps, from ``[G, n]`` raw rewards/correctness."""
    if criterion == "accuracy":
        return informative_groups(correct, valid)
    if criterion == "reward_std":
        return varied_reward_groups(rewards, valid)
    raise ValueError(f"unknown dynamic sampling criterion {criterion!r}; expected one of {CRITERIA}")


class RoundCapError(RuntimeError):
    """Dynamic sampling reached ``algo.max_gen_rounds`` without filling the batch (``on_round_cap: error``)."""


@dataclass
class GroupFilter:
    """Stream-refill bookkeeping for one training step (verl DAPO's ``max_num_gen_batches`` semantics).

    The trainer generates a round of groups, calls :meth:`add`, and keeps generating new prompts while
    :meth:`need_more` says so: until ``target_groups`` are kept, or ``max_rounds`` rounds were generated
    (``max_rounds <= 0``: no cap). :meth:`check_cap` then raises when the batch is short and ``on_cap`` is
    ``"error"``; with ``"train"`` the step trains on what it has (possibly nothing).
    """

    target_groups: int
    max_rounds: int
    enabled: bool = True
    on_cap: str = "train"
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
        return len(self.kept) < self.target_groups and (self.max_rounds <= 0 or self.rounds < self.max_rounds)

    @property
    def hit_cap(self) -> bool:
        """The refill stopped at the round cap with the batch short."""
        return len(self.kept) < self.target_groups

    def check_cap(self) -> None:
        """Raise :class:`RoundCapError` when the batch is short and the configuration says to stop."""
        if self.hit_cap and self.on_cap == "error":
            raise RoundCapError(
                f"dynamic sampling kept {len(self.kept)} of {self.target_groups} groups after {self.rounds} generation "
                f"rounds (algo.max_gen_rounds={self.max_rounds}): the data is too easy or too hard for the policy. "
                "Raise algo.max_gen_rounds (0 = no cap), set algo.on_round_cap=train to train on a smaller batch, "
                "or change the data mix")

    def metrics(self) -> dict[str, float]:
        return {
            "dynamic_sampling/kept_fraction": len(self.kept) / max(self.seen_groups, 1),
            "dynamic_sampling/rounds": float(self.rounds),
            "dynamic_sampling/wasted_tokens": float(self.wasted_tokens),
            "dynamic_sampling/kept_groups": float(len(self.kept)),
            "dynamic_sampling/hit_round_cap": float(self.hit_cap),
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
