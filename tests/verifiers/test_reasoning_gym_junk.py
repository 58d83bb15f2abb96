"""Corrected reasoning_gym scorers (issue 14, part 3): junk earns nothing, gold still earns 1.

Entries come from reasoning_gym's own generators with fixed seeds, sent through JSON as a client
would. Each junk family here paid upstream (numbers in docs/reasoning_gym.md, "Where we depart").
"""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
import reasoning_gym

from verifiers import reasoning_gym as vrg
from verifiers.reasoning_gym.fixes import SCORER_FIXES
from verifiers.schemas import ItemOptions

N = 50
CHEAP_N = {"intermediate_integration": 15, "simple_integration": 20}  # sympy.simplify per entry


@functools.cache
def entries(task: str) -> tuple[dict[str, Any], ...]:
    dataset = reasoning_gym.create_dataset(task, size=CHEAP_N.get(task, N), seed=1234)
    return tuple(json.loads(json.dumps(dataset[i])) for i in range(len(dataset)))


def reward(entry: dict[str, Any], answer: str) -> vrg.Verdict:
    return vrg.score(f"<answer>{answer}</answer>", {"entry": entry}, ItemOptions())


def rewards(task: str, junk: Any) -> list[float]:
    """``junk(entry, index)`` -> answer, scored on every entry of ``task``."""
    items = entries(task)
    return [reward(e, junk(e, i)).reward for i, e in enumerate(items)]


def _other(task: str, i: int) -> dict[str, Any]:
    items = entries(task)
    return items[(i + 1) % len(items)]


@pytest.mark.parametrize("task", sorted(SCORER_FIXES))
def test_gold_answers_still_score_one_and_are_marked(task: str) -> None:
    for entry in entries(task):
        if "Integral(" in str(entry["answer"]):
            continue  # the generator gave up integrating; the data builder drops these entries
        verdict = reward(entry, str(entry["answer"]))
        assert verdict.reward == 1.0, (entry["answer"], verdict.details)
        assert verdict.details["scorer_fix"] == SCORER_FIXES[task]


@pytest.mark.parametrize("answer", ["nan", "NaN", "nanj", "inf", "-inf", "inf+infi", "nan + nani"])
def test_complex_arithmetic_pays_nothing_for_non_finite(answer: str) -> None:
    assert rewards("complex_arithmetic", lambda e, i: answer) == [0.0] * N


@pytest.mark.parametrize("answer", ["0", "0.1", "0.0001"])
def test_coin_flip_has_no_prefix_credit(answer: str) -> None:
    """Upstream paid '0' 1.0 on ~90% of entries: '0' is a prefix of '0.171875'."""
    assert rewards("coin_flip", lambda e, i: answer) == [0.0] * N


def test_coin_flip_is_exact_value_or_nothing() -> None:
    for entry in entries("coin_flip"):
        gold = float(entry["answer"])
        assert reward(entry, f"{gold + min(0.00005, gold / 2000):.12g}").reward == 1.0  # within tolerance
        assert reward(entry, f"{gold + 0.001}").reward == 0.0
        assert reward(entry, str(entry["metadata"]["rational"]["numerator"]) + "/"
                      + str(entry["metadata"]["rational"]["denominator"])).reward == 1.0  # fmt: skip


@pytest.mark.parametrize("junk", ["1*2*3*4", "other", "24", "4*6", "sign(pi)*24"])
def test_puzzle24_needs_the_puzzles_own_numbers(junk: str) -> None:
    """Upstream paid 1.0 for any expression equal to 24, whatever numbers it used."""

    def answer(entry: dict[str, Any], i: int) -> str:
        return str(_other("puzzle24", i)["answer"]) if junk == "other" else junk

    got = rewards("puzzle24", answer)
    for entry, r, i in zip(entries("puzzle24"), got, range(N), strict=True):
        same = sorted(_other("puzzle24", i)["metadata"]["numbers"]) == sorted(entry["metadata"]["numbers"])
        if not (junk == "other" and same):
            assert r < 0.1


def test_puzzle24_does_not_truncate_to_an_integer() -> None:
    """Upstream took int(value): 49/2 counted as 24. Here the value must be exactly 24."""
    entry = next(e for e in entries("puzzle24") if sorted(e["metadata"]["numbers"])[0] >= 1)
    a, b, c, d = entry["metadata"]["numbers"]
    from fractions import Fraction

    from verifiers.reasoning_gym.arith import arithmetic

    value, _ = arithmetic(f"{a}+{b}+{c}+{d}")
    assert reward(entry, f"{a}+{b}+{c}+{d}").reward == (1.0 if value == Fraction(24) else 0.01)


def _countdown_hack(entry: dict[str, Any], i: int) -> str:
    """The puzzle's numbers times zero, plus the target spelled with allow-listed names."""
    zero = "*".join(str(n) for n in entry["metadata"]["numbers"]) + "*(sign(pi)-sign(pi))"
    target = entry["metadata"]["target"]
    bits = [f"floor(E)**{k}" for k in range(target.bit_length()) if target >> k & 1]
    return f"{zero} + {' + '.join(bits)}"


def test_countdown_hack_from_issue_14_pays_nothing() -> None:
    assert all(r < 0.1 for r in rewards("countdown", _countdown_hack))


def test_countdown_other_entries_gold_pays_nothing() -> None:
    assert all(r < 0.1 for r in rewards("countdown", lambda e, i: str(_other("countdown", i)["answer"])))


def _names_and_roles(entry: dict[str, Any]) -> tuple[list[str], str, str]:
    terms = entry["metadata"]["knight_knave_terms"]
    return [str(n) for n in entry["metadata"]["names"]], terms["knight"], terms["knave"]


def test_knights_knaves_contradictions_and_echo_pay_nothing() -> None:
    def both_roles(entry: dict[str, Any], i: int) -> str:
        names, knight, knave = _names_and_roles(entry)
        return ", and ".join(f"{n} is a {knight}, {n} is a {knave}" for n in names)

    assert rewards("knights_knaves", both_roles) == [0.0] * N
    assert rewards("knights_knaves", lambda e, i: e["question"]) == [0.0] * N


def test_knights_knaves_full_credit_only_for_the_exact_assignment() -> None:
    for entry in entries("knights_knaves"):
        names, knight, knave = _names_and_roles(entry)
        roles = [knight if truthful else knave for truthful in entry["metadata"]["solution"]]
        right = ", and ".join(f"{n} is a {r}" for n, r in zip(names, roles, strict=True))
        assert reward(entry, right).reward == 1.0
        roles[0] = knave if roles[0] == knight else knight  # upstream paid 0.3 + 0.7 * (n-1)/n for this
        wrong = ", and ".join(f"{n} is a {r}" for n, r in zip(names, roles, strict=True))
        assert reward(entry, wrong).reward == 0.0


def _copied_back(entry: dict[str, Any], fill: int) -> str:
    return "\n".join(" ".join(str(v or fill) for v in row) for row in entry["metadata"]["puzzle"])


@pytest.mark.parametrize("task", ["sudoku", "mini_sudoku"])
@pytest.mark.parametrize("fill", [1, 2])
def test_sudoku_puzzle_copied_back_pays_nothing(task: str, fill: int) -> None:
    """Upstream averaged ~0.5: every given matches the solution."""
    assert rewards(task, lambda e, i: _copied_back(e, fill)) == [0.0] * len(entries(task))


@pytest.mark.parametrize("task", ["sudoku", "mini_sudoku"])
def test_sudoku_solution_in_another_layout_keeps_format_credit(task: str) -> None:
    entry = entries(task)[0]
    rows = entry["metadata"]["solution"]
    assert reward(entry, "\n".join("".join(map(str, r)) for r in rows)).reward == pytest.approx(0.9)


def test_game_of_life_other_boards_pay_nothing() -> None:
    """Upstream's per-cell credit paid ~0.94 for another entry's board (most cells are dead)."""
    got = rewards("game_of_life", lambda e, i: str(_other("game_of_life", i)["answer"]))
    for i, (entry, r) in enumerate(zip(entries("game_of_life"), got, strict=True)):
        same = json.loads(_other("game_of_life", i)["answer"]) == json.loads(entry["answer"])
        assert r == (1.0 if same else 0.0)
    empty = lambda e, i: json.dumps([[0] * len(r) for r in json.loads(e["answer"])])  # noqa: E731
    assert sum(rewards("game_of_life", empty)) / N < 0.5


def test_rectangle_count_has_no_near_miss_credit() -> None:
    got = rewards("rectangle_count", lambda e, i: str(_other("rectangle_count", i)["answer"]))
    for i, (entry, r) in enumerate(zip(entries("rectangle_count"), got, strict=True)):
        assert r == (1.0 if _other("rectangle_count", i)["answer"] == entry["answer"] else 0.0)
    assert sum(got) / N < 0.3


@pytest.mark.parametrize("task", ["simple_integration", "intermediate_integration"])
def test_integration_question_echoed_as_an_integral_pays_nothing(task: str) -> None:
    """``Integral(integrand, x)`` differentiates to the integrand: upstream paid 1.0 for the echo."""
    got = rewards(task, lambda e, i: f"Integral({e['metadata']['integrand']}, {e['metadata']['variable']})")
    assert got == [0.0] * len(entries(task))
