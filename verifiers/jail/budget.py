"""How much a verification may cost and how it is measured: a worker's own CPU time, with a wall backstop.

Why CPU time: a verdict must be the same on an idle and on a saturated host. A wall-clock deadline
turns a right answer into a 0 whenever the worker waits for a core (shared/PITFALLS.md); the worker's
own CPU time (``/proc/<pid>/stat`` utime + stime, all its threads) only grows while it verifies.

Why a wall-clock backstop as well: a scorer that blocks (sleeps, waits on a lock or on I/O) uses no
CPU and would hold its worker forever. Past ``factor * budget + grace_s`` of wall time the task is
given up as ``infra_error`` (retryable, not learned from): an answer cannot make pure Python block
without taking over the worker first, so a stall is the host's or the service's fault, and a host
too overloaded to give a worker ``budget`` CPU seconds in that time is also the service's fault.

What running over means, and whose cost it was, is :mod:`verifiers.scoring`'s business (the batch's
thread path applies the same rules).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from verifiers.jail.proc_tree import children

_TICKS = os.sysconf("SC_CLK_TCK")


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


def cpu_seconds(pid: int, live_children: bool = True) -> float | None:
    """User + system CPU seconds a worker has used: all its threads, its reaped children and its live
    ones (a task scored in a fork, :mod:`verifiers.jail.forked`, is the worker's cost); None once it is gone.

    Monotonic across a fork's life: the child counts live until the worker reaps it, then in the
    worker's cutime/cstime. ``live_children=False`` skips listing them (four times the cost of the rest):
    right when a task starts, since a worker reaps every fork before it reports a result.
    """
    fields = _stat_fields(pid)
    if fields is None:
        return None
    # fields 14-17 of proc(5) (utime, stime, cutime, cstime), counted after "pid (comm)"
    ticks = int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    for child in children(pid) if live_children else ():
        child_fields = _stat_fields(child)
        if child_fields is not None:
            ticks += int(child_fields[11]) + int(child_fields[12])
    return ticks / _TICKS


def _stat_fields(pid: int) -> list[bytes] | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
