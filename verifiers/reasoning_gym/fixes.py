"""Corrected reasoning_gym scorers: where upstream's scorer runs the answer as code or pays for junk.

Each scorer here takes ``(answer, entry)`` and returns ``(reward, note)``; ``note`` says why an answer
was refused (``details.refused_to_parse``) or is None. :data:`SCORER_FIXES` is what ``details.scorer_fix``
reports; docs/reasoning_gym.md ("Where we depart") gives the measurements behind each one.

Two kinds of fix:

- No answer reaches ``parse_expr``/``sympify``/``eval``: countdown, puzzle24, the two integration tasks
  and polynomial_multiplication are re-implemented on values built by :mod:`verifiers.reasoning_gym.arith`.
- Scorers that paid for junk (``nan``, a constant, another entry's board, the puzzle copied back) give
  credit only for a real solution.
"""

from __future__ import annotations

import cmath
import json
import math
from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from verifiers.reasoning_gym.arith import Refused, arithmetic, sympy_expression

Fixed = Callable[[str, dict[str, Any]], tuple[float, str | None]]

SCORER_FIXES: dict[str, str] = {
    "game_of_life_halting": "upstream scores bool(answer) == bool(gold), so any non-empty answer gets 1; "
    "scored as an exact, case-insensitive True/False instead",
    "countdown": "parsed by a whitelisting arithmetic parser, never sympy: only the puzzle's numbers, each "
    "exactly once, with + - * /, signs and parentheses; the value must equal the target exactly",
    "puzzle24": "parsed by a whitelisting arithmetic parser, never sympy: the four numbers must be the "
    "puzzle's, each exactly once, and the value exactly 24 (upstream checked neither and truncated to int)",
    "simple_integration": "answer parsed by a whitelisting parser into a sympy expression built here "
    "(numbers, + - * / **, variables, maths functions; no Integral), never parse_expr",
    "intermediate_integration": "answer parsed by a whitelisting parser into a sympy expression built "
    "here (numbers, + - * / **, variables, maths functions; no Integral), never parse_expr",
    "polynomial_multiplication": "answer parsed by a whitelisting parser into a sympy expression built "
    "here, never parse_expr",
    "complex_arithmetic": "a non-finite answer (nan, inf, nanj) scores 0; upstream's min(1, exp(-nan)) gave 1",
    "coin_flip": "the value within min(1e-4, 0.1% of it) or 0; upstream's prefix credit paid '0' about 0.9",
    "knights_knaves": "1 for the exact assignment (each person one role), else 0; upstream paid 0.65 for a "
    "person named with both roles, the question copied back, or a coin-flip guess",
    "sudoku": "credit only for a grid equal to the solution (upstream's 1.0 / 0.9 format credit kept); "
    "upstream paid ~0.5 for the puzzle copied back with blanks filled by 1",
    "mini_sudoku": "credit only for a grid equal to the solution (upstream's 1.0 / 0.9 format credit "
    "kept); upstream paid ~0.5 for the puzzle copied back with blanks filled by 1",
    "rectangle_count": "exact count or 0; upstream's near-miss credit (0.8 * (1 - distance/5)) paid about "
    "0.5 for another entry's count",
    "game_of_life": "exact board or 0; upstream's per-cell credit paid ~0.94 for another entry's mostly "
    "empty board",
}


def _game_of_life_halting(answer: str, entry: dict[str, Any]) -> tuple[float, str | None]:
    gold = str(entry["answer"]).strip().lower()
    return (1.0 if answer.strip().lower() == gold else 0.0), None


def _countdown(answer: str, entry: dict[str, Any]) -> tuple[float, str | None]:
    # upstream's values kept: 0.01 unparseable, 0.05 parseable but wrong, 1.0 solved
    if not answer.strip():
        return 0.01, None
    try:
        value, used = arithmetic(answer, allow_unary=True)
    except Refused as exc:
        return 0.01, str(exc)
    if Counter(used) != Counter(int(n) for n in entry["metadata"]["numbers"]):
        return 0.05, None
    return (1.0 if value == Fraction(entry["metadata"]["target"]) else 0.05), None


def _puzzle24(answer: str, entry: dict[str, Any]) -> tuple[float, str | None]:
    try:
        value, used = arithmetic(answer, allow_unary=True)
    except Refused as exc:
        return 0.01, str(exc)
    solved = value == 24 and Counter(used) == Counter(int(n) for n in entry["metadata"]["numbers"])
    return (1.0 if solved else 0.01), None


def _integration(answer: str, entry: dict[str, Any]) -> tuple[float, str | None]:
    import sympy

    metadata = entry["metadata"]
    x = sympy.Symbol(metadata["variable"])
    names = {metadata["variable"]: x, "C": sympy.Symbol("C")}
    integrand = sympy_expression(metadata["integrand"], names)  # refusing the reference makes it invalid
    try:
        user = sympy_expression(answer, names)
    except Refused as exc:
        return 0.0, str(exc)
    return (1.0 if sympy.simplify(sympy.diff(user, x) - integrand) == 0 else 0.0), None


def _polynomial_multiplication(answer: str, entry: dict[str, Any]) -> tuple[float, str | None]:
    target = sympy_expression(entry["answer"])
    try:
        predicted = sympy_expression(answer)
    except Refused as exc:
        return 0.0, str(exc)
    return (1.0 if predicted == target else 0.0), None  # upstream's structural equality, kept


def _complex_arithmetic(answer: str, entry: dict[str, Any]) -> tuple[float, str | None]:
    from reasoning_gym.algebra.complex_arithmetic import ComplexArithmeticDataset

    try:
        value = ComplexArithmeticDataset.parse_string_to_complex(answer)
    except (ValueError, TypeError):
        return 0.0, None
    if value is None or not cmath.isfinite(value):
        return 0.0, "not a finite number"
    distance = abs(value - complex(*entry["metadata"]["result"]))
    return min(1.0, math.exp(-distance)), None


def _coin_flip(answer: str, entry: dict[str, Any]) -> tuple[float, str | None]:
    try:
        value = Fraction(answer.replace(",", "").strip())
        gold = Fraction(str(entry["answer"]).replace(",", "").strip())
    except (ValueError, ZeroDivisionError):
        return 0.0, None
    # upstream's absolute 1e-4 alone would pay '0' for the small probabilities (1/16384 for 14 flips)
    close = value == gold or abs(value - gold) <= min(Fraction(1, 10_000), abs(gold) / 1000)
    return (1.0 if close else 0.0), None


def _role_pairs(text: str) -> list[tuple[str, str]] | None:
    """The ``(name, role)`` pairs stated, in order, as upstream's normaliser reads them; None when a
    name has no role or the text holds anything else."""
    from reasoning_gym.logic.knights_knaves import VALID_ROLES

    words = text.lower().replace(".", " ").replace(",", " ").replace(")", " ").replace("(", " ").split()
    pairs: list[tuple[str, str]] = []
    name: str | None = None
    for word in words:
        if word in ("is", "a", "an", "and"):
            continue
        if word in VALID_ROLES:
            if name is None:
                return None
            pairs.append((name, word))
            name = None
        elif name is not None:
            return None  # two names in a row: not an assignment
        else:
            name = word
    return pairs if name is None else None


def _knights_knaves(answer: str, entry: dict[str, Any]) -> tuple[float, str | None]:
    gold = _role_pairs(str(entry["answer"]))
    if gold is None:
        raise ValueError("the entry's answer is not a list of 'NAME is a ROLE'")
    pairs = _role_pairs(answer)
    if pairs is None:
        return 0.0, None
    roles: dict[str, set[str]] = {}
    for name, role in pairs:
        roles.setdefault(name, set()).add(role)
    if any(len(r) != 1 for r in roles.values()):
        return 0.0, "a person is given more than one role"
    return (1.0 if set(pairs) == set(gold) else 0.0), None


def _sudoku(answer: str, entry: dict[str, Any]) -> tuple[float, str | None]:
    from reasoning_gym.games.sudoku import SudokuDataset

    solution: list[list[int]] = entry["metadata"]["solution"]
    size = len(solution[0])
    rows = [[int(c) for c in line if c in "123456789"] for line in answer.split("\n")]
    grid = [r for r in rows if len(r) == size][:size]
    if grid != solution:
        return 0.0, None
    # The grid is the solution: upstream's value is its format credit (1.0 exact, 0.9 other layout,
    # less for extra text); both sudoku scorers are the same function.
    return float(SudokuDataset.score_answer(None, answer, entry)), None  # type: ignore[arg-type]


def _game_of_life(answer: str, entry: dict[str, Any]) -> tuple[float, str | None]:
    try:
        board = json.loads(answer)
    except ValueError:
        return 0.0, None
    return (1.0 if board == json.loads(entry["answer"]) else 0.0), None


def _rectangle_count(answer: str, entry: dict[str, Any]) -> tuple[float, str | None]:
    try:
        return (1.0 if int(answer.strip()) == int(str(entry["answer"]).strip()) else 0.0), None
    except ValueError:
        return 0.0, None


FIXED_SCORERS: dict[str, Fixed] = {
    "rectangle_count": _rectangle_count,
    "game_of_life_halting": _game_of_life_halting,
    "countdown": _countdown,
    "puzzle24": _puzzle24,
    "simple_integration": _integration,
    "intermediate_integration": _integration,
    "polynomial_multiplication": _polynomial_multiplication,
    "complex_arithmetic": _complex_arithmetic,
    "coin_flip": _coin_flip,
    "knights_knaves": _knights_knaves,
    "sudoku": _sudoku,
    "mini_sudoku": _sudoku,
    "game_of_life": _game_of_life,
}
assert set(FIXED_SCORERS) == set(SCORER_FIXES)
