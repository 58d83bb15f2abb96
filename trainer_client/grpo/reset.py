"""ProRL's reference-policy reset: when to do it, and what it does.

With a KL penalty to a fixed reference, the KL term grows as the policy moves away and eventually
dominates the loss, so learning stalls. ProRL hard-resets the reference to the current policy and
re-initialises the optimizer (AdamW moments and step count, warmup restarted) whenever validation
stagnates. No public trainer ships this, so the triggers and the action live here, small and testable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from trainer_client.grpo.config import ResetConfig, RolloutConfig, Stage


@dataclass
class ResetScheduler:
    """Decides whether a reset is due after a step; its state is saved in every checkpoint."""

    cfg: ResetConfig
    manual_path: Path | None = None
    last_reset_step: int = 0
    count: int = 0
    val_history: list[float] = field(default_factory=list)
    val_at_last_reset: int = 0  # validations before this index belong to the previous reference
    history: list[dict[str, Any]] = field(default_factory=list)
    last_detail: dict[str, Any] = field(default_factory=dict)  # why the last due() fired: logged with the reset

    def record_validation(self, score: float) -> None:
        """One validation result (with ``run.val_n_samples > 1`` a mean over several samples per prompt,
        which is what makes the plateau trigger robust to sampling noise)."""
        self.val_history.append(float(score))

    def _plateau(self) -> dict[str, Any] | None:
        """The evidence when the last W validations did not beat the best before them by more than
        ``plateau_min_delta``; None otherwise."""
        w = self.cfg.plateau_window
        vals = self.val_history[self.val_at_last_reset :]
        if w <= 0 or len(vals) <= w:
            return None
        best_before, best_recent = max(vals[:-w]), max(vals[-w:])
        if best_recent > best_before + self.cfg.plateau_min_delta:
            return None
        return {"best_before": best_before, "best_recent": best_recent, "window": w,
                "min_delta": self.cfg.plateau_min_delta, "recent": vals[-w:]}

    def due(self, step: int, mean_kl: float | None = None) -> str | None:
        """The reason a reset is due after ``step`` (1-based, completed), or None; :attr:`last_detail` then
        holds the numbers that made it fire."""
        self.last_detail = {}
        if step - self.last_reset_step < self.cfg.min_gap:
            return None
        if self.manual_path is not None and self.manual_path.exists():
            self.last_detail = {"file": str(self.manual_path)}
            return "manual"
        if step in self.cfg.at_steps:
            self.last_detail = {"at_steps": list(self.cfg.at_steps)}
            return "scheduled"
        if self.cfg.interval > 0 and step % self.cfg.interval == 0:
            self.last_detail = {"interval": self.cfg.interval}
            return "interval"
        plateau = self._plateau()
        if plateau is not None:
            self.last_detail = plateau
            return "validation_plateau"
        if self.cfg.kl_threshold > 0 and mean_kl is not None and mean_kl > self.cfg.kl_threshold:
            self.last_detail = {"kl": mean_kl, "kl_threshold": self.cfg.kl_threshold}
            return "kl_threshold"
        return None

    def mark(self, step: int, reason: str, detail: dict[str, Any] | None = None) -> dict[str, Any]:
        """Record a reset that was carried out (``detail``: why it fired); consumes the manual trigger file."""
        self.count += 1
        self.last_reset_step = step
        self.val_at_last_reset = len(self.val_history)
        if reason == "manual" and self.manual_path is not None:
            self.manual_path.unlink(missing_ok=True)
        event = {"step": step, "reason": reason, "count": self.count, **({"detail": detail} if detail else {})}
        self.history.append(event)
        return event

    def state_dict(self) -> dict[str, Any]:
        return {
            "last_reset_step": self.last_reset_step,
            "count": self.count,
            "val_history": list(self.val_history),
            "val_at_last_reset": self.val_at_last_reset,
            "history": list(self.history),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.last_reset_step = int(state["last_reset_step"])
        self.count = int(state["count"])
        self.val_history = [float(v) for v in state["val_history"]]
        self.val_at_last_reset = int(state["val_at_last_reset"])
        self.history = list(state["history"])


@torch.no_grad()
def reset_reference(policy: torch.nn.Module, reference: torch.nn.Module) -> None:
    """Copy the policy's weights into the reference in place (same architecture, possibly other dtype)."""
    ref_params = dict(reference.named_parameters())
    for name, p in policy.named_parameters():
        ref_params[name].copy_(p.detach())


def reset_optimizer(optimizer: torch.optim.Optimizer) -> None:
    """Forget AdamW's moments and step count: the next update starts as the very first one did."""
    optimizer.state.clear()


BASE_STAGE = -1
"""Stage index when no ``stages`` entry applies yet: the base ``rollout`` settings and ``data.mix``."""

NO_STAGE_YET = -2
"""``Trainer.stage`` before its first step has applied a stage (fresh start; a resume sets the real one):
the first stage applied is not logged as a stage change, every later change is."""


def active_stage(stages: list[Stage], step: int, resets: int) -> int:
    """Index of the stage in force at ``step`` after ``resets`` resets (:data:`BASE_STAGE` = base settings).

    A stage applies once ``step >= start_step`` or once ``resets >= after_resets``; the latest applicable
    stage wins. Pure in (step, resets), so a resumed run lands in the same stage.
    """
    current = BASE_STAGE
    for i, s in enumerate(stages):
        if (s.start_step is not None and step >= s.start_step) or (
            s.after_resets is not None and resets >= s.after_resets
        ):
            current = i
    return current


def stage_settings(
    stages: list[Stage], index: int, rollout: RolloutConfig, mix: dict[str, float]
) -> tuple[int, int, dict[str, float]]:
    """(max_response_tokens, n_samples, data mix) in force for stage ``index``: later stages inherit."""
    max_tokens, n, cur_mix = rollout.max_response_tokens, rollout.n_samples, dict(mix)
    for s in stages[: index + 1]:
        max_tokens = s.max_response_tokens or max_tokens
        n = s.n_samples or n
        cur_mix = dict(s.mix) if s.mix is not None else cur_mix
    return max_tokens, n, cur_mix
