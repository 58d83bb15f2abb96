"""MCQ commitments beyond "Answer: C" (issue 15), hedges, and the cost of the dedup key on repetition loops."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifiers import math as math_verifier
from verifiers import mcq
from verifiers.schemas import ItemOptions

OPTS = ItemOptions()
CHOICES = ["helium", "neon", "hydrogen", "argon"]


def reward(response: str, gold: str = "C", choices: list[str] | None = CHOICES) -> float:
    reference = {"answer": gold} if choices is None else {"answer": gold, "choices": choices}
    return mcq.score(response, reference, OPTS).reward


COMMITMENTS = ["<answer>C</answer>", "<think>x</think>\n<answer>C</answer>", "C is the answer.", "(C) is the answer",
               "Thus, C.", "Therefore C", "'C'", "Answer: 'C'", "Final: C", "答案：C", "答案是 C", "最终答案：C",
               "It is hydrogen.", "So it is hydrogen", "The answer is hydrogen."]


@pytest.mark.parametrize("response", COMMITMENTS)
def test_commitment_to_c_scores_for_c_only(response: str) -> None:
    text = response.split("</think>")[-1]
    assert reward(text) == 1.0, mcq.score(text, {"answer": "C", "choices": CHOICES}, OPTS).details
    assert [reward(text, gold) for gold in "ABD"] == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("response", ["<answer>C</answer>", "C is the answer.", "Thus, C.", "Final: C", "答案：C"])
def test_letter_commitments_hold_without_choices(response: str) -> None:
    assert reward(response, "C", None) == 1.0


@pytest.mark.parametrize("response", [
    "<answer>A or C</answer>", "<answer>A, C</answer>", "Thus, C or D.", "It is hydrogen or helium.",
    "It is not hydrogen.", "So, A good approach is to compare energies.", "'A' 'C'\n'B'", "答案：A 或 C",
])
def test_hedges_and_prose_never_pay_for_c(response: str) -> None:
    assert reward(response) == 0.0


def test_an_option_text_sentence_needs_choices_and_equality() -> None:
    assert reward("It is hydrogen.", "C", None) == 0.0  # no option texts: nothing to name
    assert reward("It is hydrogen gas, probably.") == 0.0


TEMPLATES = ["<answer>{a}</answer> or <answer>{b}</answer>", "{a} is the answer. Or {b} is the answer.",
             "Thus, {a}. Thus, {b}.", "Final: {a}\nFinal: {b}", "答案：{a} 答案：{b}", "'{a}' or '{b}'",
             "Answer: {a} or {b}", "<answer>{a}</answer>\n\\boxed{{{b}}}"]


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(template=st.sampled_from(TEMPLATES), a=st.sampled_from("ABCD"), b=st.sampled_from("ABCD"))
def test_offering_two_options_wins_for_at_most_one_gold(template: str, a: str, b: str) -> None:
    response = template.format(a=a, b=b)
    assert sum(reward(response, gold) for gold in "ABCD") <= 1.0, response


def _calls(function: Callable[[], object]) -> int:
    """Python and C function calls made while running ``function``: deterministic, unlike time."""
    count = 0

    def profiler(frame: object, event: str, arg: object) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profiler)
    try:
        function()
    finally:
        sys.setprofile(None)
    return count


def _calls_per_repetition(dedup_key: Callable[[str], object], unit: str, max_chars: int) -> tuple[float, float]:
    """Calls added per repeated unit between 200 units and half the size cap, and between half and the cap.

    Linear work adds the same number of calls per unit in both halves; quadratic work adds more in the
    second. Counting calls is load-free, unlike timing.
    """
    sizes = [200, max_chars // len(unit) // 2, max_chars // len(unit)]
    counts = [_calls(lambda n=n: dedup_key(unit * n)) for n in sizes]
    return ((counts[1] - counts[0]) / (sizes[1] - sizes[0]), (counts[2] - counts[1]) / (sizes[2] - sizes[1]))


LOOPS = ["A\n", "C is the answer. ", "Thus, C. ", "<answer>C</answer>", "It is hydrogen.\n", "\\boxed{C} ", "I ",
         "Answer: ", "\\boxed{", "(A) "]


@pytest.mark.parametrize("unit", LOOPS)
def test_mcq_dedup_key_is_linear_with_a_small_constant(unit: str) -> None:
    """The dedup key runs in the API process on untrusted text (issue 14.5).

    `"A\\n" * 25000` used to run the full line reader 25,000 times (0.4 s); each distinct line is read
    once now, and every whole-text regex starts with a first-character lookahead and cannot backtrack.
    """
    reference = {"answer": "C", "choices": CHOICES}
    first, second = _calls_per_repetition(lambda text: mcq.dedup_key(text, reference, OPTS), unit, mcq.MAX_ANSWER_CHARS)
    assert second <= 16, f"{second:.1f} calls per repeated {unit!r}"
    assert second <= max(first, 0.0) * 1.1 + 0.5, (first, second)


@pytest.mark.parametrize("unit", ["A\n", "\\boxed{", "\\boxed{5} ", "<answer>5</answer>", "The answer is $5$. ", "`5` ",
                                  "\\[", "$", "the answer "])
def test_math_dedup_key_is_linear_with_a_small_constant(unit: str) -> None:
    reference = {"answer": "5"}
    first, second = _calls_per_repetition(lambda text: math_verifier.dedup_key(text, reference, OPTS), unit,
                                          math_verifier.MAX_ANSWER_CHARS)
    assert second <= 24, f"{second:.1f} calls per repeated {unit!r}"
    assert second <= max(first, 0.0) * 1.1 + 0.5, (first, second)


WHITESPACE_RUNS = ["answer" + "\n" * 49_000 + "x", "A" + " " * 49_000 + "x", "so" + " " * 49_000 + "x",
                   "the answer" + " " * 49_000 + "x", "Answer:" + " \n" * 24_000 + "x", "answer choice" + "\t" * 49_000]


@pytest.mark.timeout(20)  # a hang guard, not a speed claim: before the fix the first text took minutes
@pytest.mark.parametrize("text", WHITESPACE_RUNS, ids=range(len(WHITESPACE_RUNS)))
def test_a_keyword_followed_by_a_whitespace_run_does_not_backtrack(text: str) -> None:
    """Adjacent whitespace quantifiers after "answer" made the statement regex polynomial (2.6 s for 5 KB)."""
    assert mcq.dedup_key(text, {"answer": "C", "choices": CHOICES}, OPTS).startswith("None|")
    math_verifier.dedup_key(text, {"answer": "5"}, OPTS)
