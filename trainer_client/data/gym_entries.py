"""Drawing entries from reasoning_gym generators, spread evenly over tasks and reproducible per seed.

Two things a policy would otherwise learn from the data rather than the task:

- Binary-answer tasks whose generators produce imbalanced labels (``circuit_logic`` gives "0" about 60%
  of the time, ``syllogism`` "Yes" 70%): a constant answer would earn the class prior. Their entries are
  drawn label-balanced (:data:`BALANCED_LABELS`), alternating labels, so any prefix is balanced too.
- Multi-valued tasks with a dominant answer: no gold answer fills more than :data:`MAX_LABEL_SHARE`
  of a task's draw.
- Entries whose gold answer is not a solution: ``intermediate_integration`` sometimes gives up and
  prints an unevaluated ``Integral(...)`` as the answer. Training on those would teach the echo.
"""

from __future__ import annotations

import contextlib
import math
import sys
import zlib
from collections import Counter
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


# Binary tasks drawn 50/50 by answer (normalised: stripped, lower case). game_of_life_halting is an OOD
# evaluation task; balancing it keeps "always False" from looking like skill there too.
BALANCED_LABELS: dict[str, tuple[str, str]] = {
    "circuit_logic": ("0", "1"),
    "course_schedule": ("false", "true"),
    "isomorphic_strings": ("false", "true"),
    "game_of_life_halting": ("false", "true"),
    "ransom_note": ("false", "true"),
    "syllogism": ("no", "yes"),
}
# No single gold answer may be more than this share of a task's draw: a constant answer then earns at
# most about a third (letter_counting "1", gcd "2", self_reference "2" came out 40-47% of entries).
MAX_LABEL_SHARE = 1 / 3
_OVERDRAW = 8  # generated entries per kept entry before a balanced draw gives up on the rarer label


def usable(entry: dict[str, Any]) -> bool:
    """False for entries whose gold answer is not an answer (see the module docstring)."""
    task = entry.get("metadata", {}).get("source_dataset")
    return not (task == "intermediate_integration" and "Integral(" in str(entry.get("answer")))


def entries(tasks: Sequence[str], n: int, seed: int, round_: int = 0) -> Iterator[dict[str, Any]]:
    """About ``n`` entries, evenly over ``tasks``; ``round_`` gives a fresh batch for top-ups after dedup."""
    import reasoning_gym

    for task, count in split_evenly(n, tasks, seed + round_).items():
        if count <= 0:
            continue
        # some generators print progress (bf prints dots); keep our stdout for the command's own output
        with contextlib.redirect_stdout(sys.stderr):
            if task in BALANCED_LABELS:
                batch = _draw_balanced(reasoning_gym, task, task_seed(seed, task, round_), count)
            else:
                batch = _draw(reasoning_gym, task, task_seed(seed, task, round_), count)
        yield from batch


def _label(entry: dict[str, Any]) -> str | None:
    answer = entry.get("answer")
    return None if answer is None else str(answer).strip().lower()


def _draw(reasoning_gym: Any, task: str, seed: int, count: int) -> list[dict[str, Any]]:
    """``count`` entries of ``task``, skipping the ones its generator fails on, unusable ones, and any
    whose gold answer already fills :data:`MAX_LABEL_SHARE` of the draw.

    Some upstream generators crash for some seeds (codeio json-dumps a sympy Integer); one bad entry
    must not sink a 100k-record build, and the mix builder tops up whatever is missing. Skipped entries
    are replaced from further down the same seeded stream."""
    cap = max(1, math.ceil(count * MAX_LABEL_SHARE))
    out: list[dict[str, Any]] = []
    per_label: Counter[str] = Counter()
    start, skipped = 0, 0
    for size in (count, _OVERDRAW * count + 16):
        try:
            dataset = reasoning_gym.create_dataset(task, seed=seed, size=size)
        except Exception as exc:  # noqa: BLE001 - any upstream failure: report and go on
            print(f"reasoning_gym {task}: generator failed ({type(exc).__name__}: {exc}); skipped", file=sys.stderr)
            return out
        for i in range(start, size):
            if len(out) >= count:
                break
            entry = _entry_or_none(dataset, task, i)
            if entry is None:
                continue
            label = _label(entry)
            if not usable(entry) or (label is not None and per_label[label] >= cap):
                skipped += 1
                continue
            if label is not None:
                per_label[label] += 1
            out.append(entry)
        if len(out) >= count or not skipped:
            break
        start = size
    return out


def _entry_or_none(dataset: Any, task: str, i: int) -> dict[str, Any] | None:
    try:
        return dataset[i]  # type: ignore[no-any-return]
    except Exception as exc:  # noqa: BLE001
        print(f"reasoning_gym {task}: entry {i} failed ({type(exc).__name__}: {exc}); skipped", file=sys.stderr)
        return None


def _draw_balanced(reasoning_gym: Any, task: str, seed: int, count: int) -> list[dict[str, Any]]:
    """``count`` entries of a binary task, half per label (the odd one goes to the label the seed picks),
    interleaved; deterministic per seed. Fewer when the generator is too lopsided to fill a label within
    ``_OVERDRAW * count`` entries (the mix builder tops up)."""
    labels = BALANCED_LABELS[task]
    first = labels[seed % 2]
    quota = {label: count // 2 + (1 if count % 2 and label == first else 0) for label in labels}
    try:
        dataset = reasoning_gym.create_dataset(task, seed=seed, size=_OVERDRAW * count + 16)
    except Exception as exc:  # noqa: BLE001 - any upstream failure: report and go on
        print(f"reasoning_gym {task}: generator failed ({type(exc).__name__}: {exc}); skipped", file=sys.stderr)
        return []
    kept: dict[str, list[dict[str, Any]]] = {label: [] for label in labels}
    for i in range(len(dataset)):
        if all(len(kept[label]) >= quota[label] for label in labels):
            break
        entry = _entry_or_none(dataset, task, i)
        label = str(entry["answer"]).strip().lower() if entry is not None else None
        if entry is not None and label in kept and len(kept[label]) < quota[label]:
            kept[label].append(entry)
    a, b = (kept[first], kept[labels[1 - labels.index(first)]])
    out = [e for pair in zip(a, b, strict=False) for e in pair]
    out += a[len(b):] + b[len(a):]
    return out
