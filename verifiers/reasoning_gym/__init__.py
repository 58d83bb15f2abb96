"""Reasoning Gym puzzles: the reward is reasoning_gym's own scorer for the entry's task.

The answer is the content of the last ``<answer>...</answer>`` tag, exactly as
``reasoning_gym.utils.extract_answer`` takes it, or the whole (stripped) answer text when there is no
tag; the reward is ``reasoning_gym.get_score_answer_fn(task)(answer, entry)`` clamped to [0, 1].

Where this module departs from calling the scorer naively, and why:

- Entries travel as JSON, which turns tuples into lists. The ARC scorers compare the parsed board with
  ``metadata["output"]`` as a tuple of tuples, so over JSON every correct ARC answer would score 0.05:
  the grids are turned back into tuples before scoring (the entry as reasoning_gym produced it).
- Several scorers ``eval()`` the model's answer and several hand it to ``sympy.parse_expr`` (which
  evals too). No answer ever reaches either: the tasks that sympy-parse are scored by
  :mod:`verifiers.reasoning_gym.fixes` on values that :mod:`verifiers.reasoning_gym.arith`'s whitelisting parser builds
  (the upstream modules' parsers are replaced by one that refuses), and the scorers that call ``eval``
  on a list literal see ``ast.literal_eval``. All of it runs only inside the jailed worker pool.
- Scorers that pay for junk (``nan`` in complex_arithmetic, prefix credit in coin_flip, per-cell credit
  on game_of_life, puzzles copied back, ``bool(answer)`` in game_of_life_halting) are replaced by
  corrected ones: :data:`SCORER_FIXES` says what each does, and ``details.scorer_fix`` marks them.
- A scorer that raises on the model's answer gives reward 0 with the error in ``details``; if the
  entry's own gold answer raises too, the entry is broken and the item is ``invalid``.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import math
from collections.abc import Callable
from typing import Any

from verifiers.base import InvalidReference, Verdict
from verifiers.reasoning_gym.fixes import FIXED_SCORERS, SCORER_FIXES
from verifiers.schemas import ItemOptions

DEFAULT_TIMEOUT_S = 10.0
# Upstream scorers are not hardened (see above): a hostile answer may take over what scores it, so each
# item is scored in a throwaway fork of its worker (verifiers.jail.forked).
EVALUATES_ANSWERS = True

# Registry names that are not a task of their own.
NOT_SCORABLE: dict[str, str] = {
    "composite": "a mixture of other tasks; its entries carry the sub-task's name in metadata.source_dataset",
}

# Scorers that run the model's answer (eval) or a reference (number_sorting's gold) through eval():
# the module global ``eval`` is shadowed by ast.literal_eval (module globals beat builtins).
_LITERAL_EVAL_ONLY: dict[str, str] = {
    "string_insertion": "reasoning_gym.algorithmic.string_insertion",
    "spiral_matrix": "reasoning_gym.algorithmic.spiral_matrix",
    "binary_matrix": "reasoning_gym.algorithmic.binary_matrix",
    "n_queens": "reasoning_gym.games.n_queens",
    "number_sorting": "reasoning_gym.algorithmic.number_sorting",
}
# Modules whose scorers sympy-parse the answer. Those tasks are scored by verifiers.reasoning_gym.fixes and never
# call the upstream scorer; the evaluators are also replaced by one that refuses, so that no path left
# over (or added by a later edit) can hand an answer to parse_expr.
_NO_PARSE_EXPR: dict[str, str] = {
    "reasoning_gym.games.puzzle24": "parse_expr",
    "reasoning_gym.games.countdown": "parse_expr",
    "reasoning_gym.algebra.simple_integration": "sympy",
    "reasoning_gym.algebra.intermediate_integration": "sympy",
    "reasoning_gym.algebra.polynomial_multiplication": "sp",
}
_ARC_GRID_FIELDS = {"arc_agi": ("input", "output"), "rearc": ("input", "output")}
_OPEN, _CLOSE = "<answer>", "</answer>"


def extract_answer(answer_text: str) -> tuple[str, bool]:
    """The scored answer and whether it came from an ``<answer>`` tag.

    Same result as ``reasoning_gym.utils.extract_answer`` (last non-overlapping
    ``<answer>\\s?(.*?)\\s?</answer>`` match, stripped) but linear-time: that regex rescans to the end
    for every unclosed ``<answer>``, which a hostile response can repeat thousands of times.
    """
    last: tuple[int, int] | None = None
    pos = 0
    while True:
        start = answer_text.find(_OPEN, pos)
        if start < 0:
            break
        end = answer_text.find(_CLOSE, start + len(_OPEN))
        if end < 0:
            break
        last = (start + len(_OPEN), end)
        pos = end + len(_CLOSE)
    if last is None:
        return answer_text.strip(), False
    return answer_text[last[0]: last[1]].strip(), True


def _entry(reference: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    entry = reference.get("entry")
    if not isinstance(entry, dict):
        raise InvalidReference("reasoning_gym reference needs 'entry': the dataset entry reasoning_gym produced")
    metadata = entry.get("metadata")
    if not isinstance(metadata, dict):
        raise InvalidReference("reasoning_gym entry needs a 'metadata' object")
    task = metadata.get("source_dataset")
    if not isinstance(task, str) or not task:
        raise InvalidReference("reasoning_gym entry metadata needs 'source_dataset': the task name")
    if "answer" not in entry:
        raise InvalidReference("reasoning_gym entry needs an 'answer' field (null for open-answer tasks)")
    if task in NOT_SCORABLE:
        raise InvalidReference(f"reasoning_gym task {task!r} cannot be scored directly: {NOT_SCORABLE[task]}")
    return task, entry


def warm() -> None:
    """Import reasoning_gym (4-5 s on a busy machine) before the first item's deadline starts.

    Meant for the jailed workers' preload only: the service process imports this module for
    ``dedup_key`` and must stay light.
    """
    import reasoning_gym  # noqa: F401


def fork_warm(reference: dict[str, Any]) -> tuple[str, str] | None:
    """The entry's task and its own gold as an answer: a worker scores that once per task itself, so the
    task's lazy set-up (figlet fonts, word lists, ARC grids: up to 0.2 s) is inherited by every fork
    that scores a model's answer (verifiers.base, ``fork_warm``). The gold is data, not model output."""
    entry = reference.get("entry")
    metadata = entry.get("metadata") if isinstance(entry, dict) else None
    task = metadata.get("source_dataset") if isinstance(metadata, dict) else None
    if not isinstance(task, str) or not isinstance(entry, dict):
        return None
    gold = entry.get("answer")
    return task, f"<answer>{gold}</answer>" if isinstance(gold, str) else ""


def scorable_tasks() -> frozenset[str]:
    """Every task this verifier scores: the installed reasoning-gym registry minus :data:`NOT_SCORABLE`.

    Which of them a training mix draws from is the data builder's choice (``trainer_client/data/gym_tasks.py``);
    this is the set that choice must stay inside. Imports reasoning_gym (seconds): not for the hot path.
    """
    import reasoning_gym

    return frozenset(reasoning_gym.factory.DATASETS) - frozenset(NOT_SCORABLE)


@functools.cache
def _scorer(task: str) -> Callable[[str | None, dict[str, Any]], Any]:
    """The task's scorer, built once per worker (some tasks load data files when constructed)."""
    import reasoning_gym  # heavy, and only ever imported inside the jailed worker

    if task not in reasoning_gym.factory.DATASETS:
        raise InvalidReference(f"unknown reasoning_gym task {task!r} (reasoning-gym {reasoning_gym.__version__})")
    _install_guards()
    with contextlib.redirect_stdout(io.StringIO()):
        return reasoning_gym.get_score_answer_fn(task)


@functools.cache
def _install_guards() -> None:
    """Shadow every evaluator a scorer module could hand an answer to (module globals beat builtins)."""
    import importlib

    import sympy

    for module_name in _LITERAL_EVAL_ONLY.values():
        importlib.import_module(module_name).eval = _literal_eval_only  # type: ignore[attr-defined]
    for module_name, name in _NO_PARSE_EXPR.items():
        module = importlib.import_module(module_name)
        setattr(module, name, _refuse_to_parse if name == "parse_expr" else _SympyWithoutParsing(sympy))


def _literal_eval_only(source: str, *_: Any) -> Any:
    """Stand-in for eval(): the list literals these scorers expect parse the same, code raises."""
    return ast.literal_eval(source)


def _refuse_to_parse(*_: Any, **__: Any) -> Any:
    raise ValueError("sympy parsing of answers is disabled: verifiers.reasoning_gym.fixes scores this task")


class _SympyWithoutParsing:
    """The sympy module as a scorer module sees it, with every string-parsing entry point refusing."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    parse_expr = sympify = S = N = staticmethod(_refuse_to_parse)


def _as_tuples(value: Any) -> Any:
    return tuple(_as_tuples(v) for v in value) if isinstance(value, (list, tuple)) else value


def _restored(task: str, entry: dict[str, Any]) -> dict[str, Any]:
    """The entry with the types JSON lost put back where a scorer compares them."""
    fields = _ARC_GRID_FIELDS.get(task)
    if not fields:
        return entry
    metadata = dict(entry["metadata"])
    for name in fields:
        if name in metadata:
            metadata[name] = _as_tuples(metadata[name])
    return {**entry, "metadata": metadata}


def _run(task: str, answer: str | None, entry: dict[str, Any]) -> tuple[Any, str | None]:
    """The scorer's raw value and, for a corrected scorer, why the answer was refused (or None)."""
    fixed = FIXED_SCORERS.get(task)
    if fixed is not None:
        return fixed(answer or "", entry)
    with contextlib.redirect_stdout(io.StringIO()):  # some scorers print; keep the worker's stdout clean
        return _scorer(task)(answer, entry), None


def _clamped(raw: Any) -> tuple[float, str | None]:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return 0.0, f"scorer returned a non-number ({type(raw).__name__})"
    if not math.isfinite(value):
        return 0.0, f"scorer returned {value}"
    return min(1.0, max(0.0, value)), None


def score(answer_text: str, reference: dict[str, Any], options: ItemOptions) -> Verdict:
    """Reward = reasoning_gym's scorer for the entry's task on the extracted answer, in [0, 1]."""
    task, entry = _entry(reference)
    _scorer(task)  # unknown task -> InvalidReference before anything else
    answer, tagged = extract_answer(answer_text)
    details: dict[str, Any] = {"task": task, "extracted": answer[:500], "answer_tag": tagged}
    if task in SCORER_FIXES:
        details["scorer_fix"] = SCORER_FIXES[task]
    entry = _restored(task, entry)
    try:
        raw, refused = _run(task, answer, entry)
    except Exception as exc:  # the model's answer broke the scorer: a wrong answer, unless the gold breaks it too
        gold = entry.get("answer")
        if isinstance(gold, str):
            try:
                _run(task, gold, entry)
            except Exception as gold_exc:
                raise InvalidReference(f"the entry's own answer cannot be scored: {gold_exc!r:.200}") from exc
        return Verdict(0.0, {**details, "reason": "scorer_error", "error": f"{type(exc).__name__}: {exc}"[:300]})
    if refused:
        details["refused_to_parse"] = refused
    reward, problem = _clamped(raw)
    details["reason"] = problem or "scored"
    return Verdict(reward, details)


def dedup_key(answer_text: str, reference: dict[str, Any], options: ItemOptions) -> str:
    """The extracted answer: two responses with the same ``<answer>`` content score the same."""
    answer, tagged = extract_answer(answer_text)
    return f"{int(tagged)}|{answer}"
