"""Drawing entries from reasoning_gym generators, spread evenly over tasks and reproducible per seed."""

from __future__ import annotations

import contextlib
import sys
import zlib
from collections.abc import Iterator, Sequence
from typing import Any


def task_seed(seed: int, task: str, round_: int = 0) -> int:
    """A stable per-task seed (``hash()`` is salted per process, crc32 is not)."""
    return (seed * 1_000_003 + zlib.crc32(f"{task}:{round_}".encode())) % (2**31 - 1)


def split_evenly(n: int, tasks: Sequence[str], seed: int) -> dict[str, int]:
    """``n`` spread over ``tasks`` as evenly as possible; which tasks get the remainder depends on seed."""
    base, extra = divmod(n, len(tasks))
    order = sorted(tasks, key=lambda t: task_seed(seed, t))
    return {t: base + (1 if i < extra else 0) for i, t in enumerate(order)}


def entries(tasks: Sequence[str], n: int, seed: int, round_: int = 0) -> Iterator[dict[str, Any]]:
    """About ``n`` entries, evenly over ``tasks``; ``round_`` gives a fresh batch for top-ups after dedup."""
    import reasoning_gym

    for task, count in split_evenly(n, tasks, seed + round_).items():
        if count <= 0:
            continue
        # some generators print progress (bf prints dots); keep our stdout for the command's own output
        with contextlib.redirect_stdout(sys.stderr):
            dataset = reasoning_gym.create_dataset(task, seed=task_seed(seed, task, round_), size=count)
            batch = [dataset[i] for i in range(count)]
        yield from batch
