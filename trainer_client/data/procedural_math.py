"""Procedural math from reasoning_gym's arithmetic/algebra generators, gold answers rendered in LaTeX.

Only generators whose question cannot simply be copied into the box are used. The math verifier
checks symbolic equivalence, so for "Calculate 5 - 3 - 6" the response ``\\boxed{5 - 3 - 6}`` scores 1
(we checked: so do ``\\boxed{18271 \\times 43432}``, ``\\boxed{\\gcd(780, 461)}`` and an unreduced
fraction for "simplify 13524/57134"). Those tasks (basic_arithmetic, chain_sum, products, gcd, lcm,
complex_arithmetic, fraction_simplification, polynomial_multiplication, decimal_arithmetic) stay in the
reasoning_gym domain, whose scorers want the literal value (a copied expression scores 0 there). Word problems, equations to solve and
probabilities need the work to be done.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from trainer_client.data.gym_entries import entries
from trainer_client.data.prompts import build_prompt
from trainer_client.data.records import Record, RecordError, make_record


def _number(answer: str) -> str:
    """An integer or terminating decimal, as LaTeX (``12``, ``-3``, ``2.5``)."""
    value = Fraction(str(answer).strip())
    return str(value.numerator) if value.denominator == 1 else str(answer).strip()


def _latex_fraction(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    sign = "-" if value < 0 else ""
    return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def _fraction(answer: str) -> str:
    """``a/b`` as ``\\frac{a}{b}``."""
    return _latex_fraction(Fraction(str(answer).strip()))


def _coin_flip(entry: dict[str, Any]) -> str:
    # the text answer is rounded to 10 significant digits; the metadata keeps the exact rational
    rational = entry["metadata"]["rational"]
    return _latex_fraction(Fraction(int(rational["numerator"]), int(rational["denominator"])))


# task -> gold renderer (from the entry)
MATH_TASKS: dict[str, Callable[[dict[str, Any]], str]] = {
    "simple_equations": lambda e: _number(e["answer"]),
    "gsm_symbolic": lambda e: _number(e["answer"]),
    "leg_counting": lambda e: _number(e["answer"]),
    "count_bits": lambda e: _number(e["answer"]),
    "simple_geometry": lambda e: _number(e["answer"]),
    "dice": lambda e: _fraction(e["answer"]),
    "coin_flip": _coin_flip,
}


def math_record(entry: dict[str, Any]) -> Record:
    """A math record from a reasoning_gym entry of one of :data:`MATH_TASKS`."""
    task = entry["metadata"]["source_dataset"]
    if task not in MATH_TASKS:
        raise RecordError(f"{task} is not a procedural math task")
    gold = MATH_TASKS[task](entry)
    meta = {"source": "reasoning_gym", "task": task, "plain_answer": str(entry["answer"])}
    return make_record(build_prompt("math", entry["question"]), "math", {"answer": gold}, meta)


def generate_math(n: int, seed: int, round_: int = 0) -> list[Record]:
    """About ``n`` procedural math records, spread evenly over :data:`MATH_TASKS`."""
    return [math_record(e) for e in entries(sorted(MATH_TASKS), n, seed, round_)]
