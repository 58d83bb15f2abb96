"""A process's children and descendants from ``/proc``: what a worker's budget counts and what is killed with it.

Its own module because the budget (:mod:`verifiers.jail.budget`), the forked-task runner
(:mod:`verifiers.jail.forked`) and the pool's kill all need it, and none of them should import another.
"""

from __future__ import annotations

import os


def children(pid: int | str = "self") -> list[int]:
    """Pids of a process's live children (``/proc/<pid>/task/*/children``; zombies included until reaped)."""
    pids: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return pids
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as listing:
                pids.extend(int(child) for child in listing.read().split())
        except OSError:
            continue
    return pids


def descendants(pid: int) -> list[int]:
    """Pids of a process's children, their children and so on (a snapshot; for the pool's kill)."""
    found: list[int] = []
    stack = [pid]
    while stack and len(found) < 100_000:
        for child in children(stack.pop()):
            found.append(child)
            stack.append(child)
    return found
