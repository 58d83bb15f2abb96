"""What the pool's dispatcher tracks per scoring process, and the counters it exports (see verifiers.jail.pool)."""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any


@dataclass
class WorkerState:
    process: Any
    conn: Connection
    ready: bool = False
    pending: collections.deque = field(default_factory=collections.deque)  # (task_id, Task) in order
    started_at: float = 0.0  # when its current (first pending) task started (monotonic)
    cpu_start: float = 0.0  # the worker's CPU seconds then: a task's budget is CPU time (verifiers.jail.budget)
    tainted: bool = False  # it ran a task whose scorer evaluates the answer: its later verdicts are untrusted


@dataclass
class ExitingProcess:
    """A process out of service that has not been reaped yet (owned by the dispatcher thread)."""

    process: Any
    kill_at: float  # monotonic time to SIGKILL it if it is still running
    killed: bool = False
    watch: bool = True  # its sentinel is in the wait set (dropped if it fires early: a worker closed it)


@dataclass
class PoolStats:
    """Counters exported as metrics by the service."""

    size: int = 0
    busy: int = 0
    queued: int = 0
    recycled: int = 0
    killed: int = 0  # deadline kills: CPU budget spent, or the wall-clock backstop for a blocked scorer
    crashed: int = 0
    exiting: int = 0  # out of service, not yet exited (a recycled worker still shutting down)
    isolation: dict[str, Any] = field(default_factory=dict)  # what the latest worker applied (verifiers.jail.isolation)
