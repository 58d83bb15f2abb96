"""Which reasoning_gym tasks go into training, and which are held out for out-of-distribution evaluation.

ProRL trained on Reasoning Gym's logic puzzles and evaluated generalisation on three tasks it never
trained on: ``acre``, ``boxnet`` and ``game_of_life_halting``. We hold those out, plus ``game_of_life``
(the same simulator, so training on it would leak the held-out skill). The reasoning_gym verifier
exports its own lists (``verifiers.reasoning_gym.PRORL_TASKS`` / ``OOD_HELD_OUT``); they win, so the two
sides can never disagree. The tasks :mod:`trainer_client.data.procedural_math` turns into ``math``
records are always removed, so one problem never appears in two domains.

Only if the verifier exports no lists does the fallback below apply; it also leaves out ``arc_agi`` and
``rearc`` (their gold grids are tuples that the plain reasoning_gym scorer no longer matches after JSON)
and ``composite`` (a wrapper over other tasks, not a task).
"""

from __future__ import annotations

from trainer_client.data.procedural_math import MATH_TASKS

_OOD_HELD_OUT: tuple[str, ...] = ("acre", "boxnet", "game_of_life_halting")
_LEAKS_OOD = ("game_of_life",)
_UNUSABLE = ("arc_agi", "rearc", "composite")


def _all_tasks() -> list[str]:
    from reasoning_gym.factory import DATASETS

    return sorted(DATASETS)


def _from_verifier() -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    try:
        from verifiers.reasoning_gym import OOD_HELD_OUT, PRORL_TASKS  # type: ignore[attr-defined]
    except (ImportError, AttributeError):
        return None
    return tuple(PRORL_TASKS), tuple(OOD_HELD_OUT)


def ood_held_out() -> tuple[str, ...]:
    """Tasks reserved for out-of-distribution evaluation: never in a training mix."""
    exported = _from_verifier()
    return exported[1] if exported else _OOD_HELD_OUT


def training_tasks() -> tuple[str, ...]:
    """The reasoning_gym tasks a training mix draws from (held-out tasks are always removed)."""
    held_out = set(ood_held_out()) | set(_LEAKS_OOD)
    exported = _from_verifier()
    if exported:
        return tuple(t for t in exported[0] if t not in held_out and t not in MATH_TASKS)
    excluded = held_out | set(_UNUSABLE) | set(MATH_TASKS)
    return tuple(t for t in _all_tasks() if t not in excluded)
