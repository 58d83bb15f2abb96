"""How much a verification may cost, how it is measured, and what running over means (CONTRACT: ``status``).

Why CPU time: a verdict must be the same on an idle and on a saturated host. A wall-clock deadline
turns a right answer into a 0 whenever the worker waits for a core (shared/PITFALLS.md); the worker's
own CPU time (``/proc/<pid>/stat`` utime + stime, all its threads) only grows while it verifies.

Why a wall-clock backstop as well: a scorer that blocks (sleeps, waits on a lock or on I/O) uses no
CPU and would hold its worker forever. Past ``factor * budget + grace_s`` of wall time the task is
given up as ``infra_error`` (retryable, not learned from): an answer cannot make pure Python block
without taking over the worker first, so a stall is the host's or the service's fault, and a host
too overloaded to give a worker ``budget`` CPU seconds in that time is also the service's fault.

What running over the CPU budget means depends on whose cost it is. The pool then verifies an empty
answer against the same reference under the same budget (every domain reads its reference before it
looks at the answer, and an empty answer costs nothing to judge):

- that check is judged (any reward): the reference is sound and the cost was the answer's, so the item
  is ``ok``, reward 0, ``details.reason: "verification_timeout"``. Masking it would let a policy escape
  reward 0 by writing answers too costly to check.
- that check is ``invalid`` or runs over too: the reference cannot be verified in budget: ``invalid``.
- anything else (no worker, pool shut down): ``infra_error``.

A worker that dies while verifying (a C extension's crash, an rlimit signal, a protocol violation by
a worker the answer took over) is charged the same way with ``details.reason: "verification_crashed"``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

_TICKS = os.sysconf("SC_CLK_TCK")

VERIFICATION_TIMEOUT = "verification_timeout"
VERIFICATION_CRASHED = "verification_crashed"


@dataclass(frozen=True)
class WallBackstop:
    """The wall-clock limit of a task whose CPU budget is ``budget_s``: ``factor * budget_s + grace_s``."""

    factor: float = 4.0
    grace_s: float = 30.0

    def limit_s(self, budget_s: float) -> float:
        return self.factor * budget_s + self.grace_s

    @classmethod
    def from_env(cls) -> WallBackstop:
        env = os.environ
        return cls(factor=float(env.get("PRORL_POOL_WALL_FACTOR", cls.factor)),
                   grace_s=float(env.get("PRORL_POOL_WALL_GRACE_S", cls.grace_s)))


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process (all its threads) has used; None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS  # fields 14 and 15 of proc(5), after "pid (comm)"


def over_budget(reason: str, error: str) -> dict[str, Any]:
    """The worker-side outcome of a task past its budget, before the reference is checked (internal)."""
    return {"status": "timeout", "error": error, "details": {"reason": reason}}


def resolve_over_budget(outcome: dict[str, Any], reference_check: dict[str, Any], budget_s: float) -> dict[str, Any]:
    """The final result of a task that ran over (``outcome``), given how verifying an empty answer
    against its reference went (``reference_check``); see the module docstring."""
    reason = (outcome.get("details") or {}).get("reason", VERIFICATION_TIMEOUT)
    status = reference_check.get("status")
    if status == "ok":
        return {"status": "ok", "reward": 0.0, "details": {"reason": reason, "budget_cpu_s": budget_s,
                                                            "error": outcome.get("error")}}
    if status == "invalid":
        return {"status": "invalid", "error": reference_check.get("error") or "invalid reference"}
    if status == "timeout":
        return {"status": "invalid", "error": f"the reference cannot be verified within the {budget_s:g}s budget "
                f"(an empty answer against it ran over too: {reference_check.get('error')})"}
    return {"status": "infra_error", "error": reference_check.get("error") or "reference check failed"}
