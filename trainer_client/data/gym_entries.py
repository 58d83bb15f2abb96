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
            batch = _draw(reasoning_gym, task, task_seed(seed, task, round_), count)
        yield from batch


def _draw(reasoning_gym: Any, task: str, seed: int, count: int) -> list[dict[str, Any]]:
    """``count`` entries of ``task``, skipping the ones its generator fails on.

    Some upstream generators crash for some seeds (codeio json-dumps a sympy Integer); one bad entry
    must not sink a 100k-record build, and the mix builder tops up whatever is missing."""
    try:
        dataset = reasoning_gym.create_dataset(task, seed=seed, size=count)
    except Exception as exc:  # noqa: BLE001 - any upstream failure: report and go on
        print(f"reasoning_gym {task}: generator failed ({type(exc).__name__}: {exc}); skipped", file=sys.stderr)
        return []
    out = []
    for i in range(count):
        try:
            out.append(dataset[i])
        except Exception as exc:  # noqa: BLE001
            print(f"reasoning_gym {task}: entry {i} failed ({type(exc).__name__}: {exc}); skipped", file=sys.stderr)
    return out
