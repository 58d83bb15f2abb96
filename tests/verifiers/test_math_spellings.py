"""Fair spellings of right answers score 1, in every answer container; near misses and hedges score 0.

Regression tests for issue 15: each spelling below scored 0 (or, for the mixed-number gold, a wrong
answer scored 1) before verifiers/math/number.py and verifiers/math/spelling.py.
"""

from __future__ import annotations

import pytest

from verifiers import math as math_verifier
from verifiers.answer_text import answer_text
from verifiers.math.extract import extract
from verifiers.math.number import is_unevaluated, read_number
from verifiers.schemas import ItemOptions

OPTIONS = ItemOptions()

CONTAINERS = {
    "box": "We simplify and get \\boxed{{{x}}}.",
    "box_after_think": "<think>Let me try 7, no.</think>\nSo the result is $\\boxed{{{x}}}$",
    "minerva": "Final Answer: The final answer is ${x}$. I hope it is correct.",
    "answer_tag": "<think>work</think>\n<answer>{x}</answer>",
}


def score(gold: str, response: str) -> tuple[float, str]:
    verdict = math_verifier.score(answer_text(response), {"answer": gold}, OPTIONS)
    return verdict.reward, verdict.details["reason"]


FAIR = [
    ("2025", "2{,}025"), ("1000000", "1{,}000{,}000"), ("2025", "n = 2{,}025"), ("1000", "1,\\!000"),
    ("1000000", "1\\,000\\,000"), ("7", "+7"), ("7", "\\text{7}"), ("7", "\\textbf{7}"), ("2025", "\\mathbf{2{,}025}"),
    ("2025", "\\$2{,}025"), ("2025", "2{,}025\\text{ dollars}"), ("\\frac{1}{3}", "\\frac{1}{3}\\textbf{ meters}"),
    ("10", "10\\,\\text{m}^2"), ("0.25", ".25"), ("\\frac{2}{3}", "0.\\overline{6}"), ("\\frac{7}{12}", "0.58\\overline{3}"),
    ("\\frac{1}{3}", "\\cfrac{1}{3}"), ("0.75", "\\frac3{4}"), ("0.75", "\\frac34"), ("\\frac{13}{4}", "3\\frac{1}{4}"),
    ("-2.5", "-2\\tfrac{1}{2}"), ("7", "x \\approx 7"), ("5", "x = 2+3 = 5"), ("30", "30°"), ("30", "30\\degree"),
    ("30", "30^\\circ"), ("-3", "\u22123"), ("1500", "1.5 \\times 10^{3}"), ("1500", "1.5e3"), ("1000000", "10^{6}"),
    ("0.002", "2 \\times 10^{-3}"), ("25", "25\\%"), ("0.25", "25\\%"), ("25\\%", "0.25"), ("3\\frac{1}{2}", "\\frac72"),
    ("3\\frac{1}{2}", "3.5"), ("3\\frac{1}{2}", "3\\tfrac12"), ("1\\frac12", "\\frac{3}{2}"), ("[1,5)", "1 \\le x < 5"),
    ("[1,5)", "x \\in [1, 5)"), ("(1,5]", "5 \\ge x > 1"), ("1 - \\frac{1}{\\mathrm{e}}", "1 - e^{-1}"),
    ("\\frac{1}{3}", "0.333333"), ("-4", "((-4))"),
]


@pytest.mark.parametrize("container", list(CONTAINERS))
@pytest.mark.parametrize(("gold", "spelling"), FAIR)
def test_fair_spelling_scores_one_in_every_container(gold: str, spelling: str, container: str) -> None:
    assert score(gold, CONTAINERS[container].format(x=spelling)) == (1.0, "correct")


NEAR_MISSES = [
    ("3\\frac{1}{2}", "1.5"), ("3\\frac{1}{2}", "\\frac32"), ("1\\frac12", "0.5"), ("-2\\tfrac{1}{2}", "-1"),
    ("\\frac{13}{4}", "3\\frac{1}{5}"), ("2025", "2{,}026"), ("2025", "20{,}25"), ("1500", "1.5 \\times 10^{4}"),
    ("1500", "1.6e3"), ("0.25", ".26"), ("\\frac{2}{3}", "0.\\overline{7}"), ("\\frac{2}{3}", "0.6"),
    ("0.5", "0.5000001"), ("1, 2, 3", "1, 2, 3, \\ldots"), ("[1,5)", "1 \\le x \\le 5"), ("[1,5)", "1 < x < 5"),
    ("7", "x \\approx 8"), ("5", "x = 4, y = 5"), ("5", "2 \\text{ or } 5"), ("5", "x = 2+3 = 6"), ("30", "31°"),
    ("-3", "3"), ("25", "26\\%"), ("\\frac{1}{3}", "0.33"), ("1000000", "10^{7}"),
]


@pytest.mark.parametrize("container", list(CONTAINERS))
@pytest.mark.parametrize(("gold", "spelling"), NEAR_MISSES)
def test_near_miss_scores_zero_in_every_container(gold: str, spelling: str, container: str) -> None:
    assert score(gold, CONTAINERS[container].format(x=spelling))[0] == 0.0


@pytest.mark.parametrize(("gold", "spelling"), [
    ("793546072", "18271 \\times 43432"), ("-4", "5-3-6"), ("1", "\\gcd(780, 461)"), ("10", "\\binom{5}{2}"),
    ("1024", "2^{10}"), ("1500", "15 \\times 10^{2}"), ("4", "\\sqrt{16}"), ("2025", "2{,}000 + 25"),
])
def test_arithmetic_on_numeric_literals_is_unevaluated(gold: str, spelling: str) -> None:
    """A numeric gold asks for the number; `2^{10}` is a power, `10^{6}` and `1.5 \\times 10^3` are numbers."""
    assert score(gold, f"\\boxed{{{spelling}}}") == (0.0, "unevaluated_expression")
    assert is_unevaluated(spelling)


@pytest.mark.parametrize("spelling", ["2{,}025", "\\$2{,}025", "+7", "10^{6}", "1.5 \\times 10^{3}", "3\\frac{1}{4}",
                                      "30^\\circ", "25\\%", "n = 2{,}025", "\\textbf{7}", "x^2 + 1", "\\pi"])
def test_formatted_numbers_and_symbols_are_not_arithmetic(spelling: str) -> None:
    assert not is_unevaluated(spelling)


def test_mixed_numbers_are_sums_everywhere() -> None:
    assert read_number("3\\frac{1}{2}").value * 2 == 7
    assert read_number("-2\\tfrac{1}{2}").value * 2 == -5
    for gold, good, bad in [("(3\\frac{1}{2}, 1)", "(3.5, 1)", "(1.5, 1)"), ("3\\frac{1}{2}x", "\\frac{7}{2}x", "\\frac{3}{2}x"),
                            ("\\{1\\frac12, 2\\}", "\\{2, 1.5\\}", "\\{2, 0.5\\}")]:
        assert score(gold, f"\\boxed{{{good}}}")[0] == 1.0, (gold, good)
        assert score(gold, f"\\boxed{{{bad}}}")[0] == 0.0, (gold, bad)


def test_e_written_upright_in_the_gold_parses() -> None:
    assert score("1 - \\frac{1}{\\mathrm{e}}", "\\boxed{1-\\frac{1}{e}}") == (1.0, "correct")
    assert score("1 - \\frac{1}{\\mathrm{e}}", "\\boxed{1-\\frac{1}{\\pi}}")[0] == 0.0
    assert score("\\mathrm{e}^{2}", "\\boxed{e^2}")[0] == 1.0


@pytest.mark.parametrize(("text", "expected"), [
    ("<answer>5</answer>", "5"),
    ("<answer>\\frac{1}{2}</answer>", "\\frac{1}{2}"),
    ("<answer>The answer is $7$.</answer>", "7"),
    ("<answer>\\boxed{9}</answer>", "9"),
    ("The answer is `5`.", "5"),
    ("The answer is:\n```\n5\n```", "5"),
    ("Final Answer: The largest $n$ is $34$.", "34"),
    ("Final Answer: $n$ is $34$.", "34"),
    ("Final answer: the largest n is 34.", "34"),
    ("The final answer is $x = 2$, since $2 + 2 = 4$.", "x = 2"),
    ("So we get $5$, checked with `numpy`", "5"),  # a code span counts only when there is no maths
    ("Checked it in code: `5`", "5"),
])
def test_answer_containers_and_stated_values(text: str, expected: str) -> None:
    assert extract(text).prediction == expected


def test_answer_tags_follow_the_box_hedging_rules() -> None:
    assert score("4", "\\boxed{3} ... <answer>4</answer>") == (0.0, "hedging")
    assert score("4", "<answer>3</answer> no wait <answer>4</answer>") == (0.0, "hedging")
    assert score("4", "\\boxed{4} so <answer>4</answer>") == (1.0, "correct")
    assert score("4", "<answer>3 or 4</answer>")[0] == 0.0
    assert score("4", "<answer>4")[1] == "no_answer"  # an unclosed tag is not an answer


# Adversarial review of the new paths (chains, units, separators, tags, code spans, stated values,
# scientific notation): each offers both 3 and 4, and may win for one gold at most.
BOTH_3_AND_4 = [r"\boxed{3 = 4}", r"\boxed{x = 3 = 4}", r"\boxed{3\text{ or four}}", r"\boxed{3 \approx 4}", r"\boxed{3\frac{1}{4}}", r"\boxed{3 \le x \le 4}",
    r"<answer>3</answer><answer>4</answer>", r"<answer>3, 4</answer>", r"<answer>The answer is $3$ or $4$</answer>", "The answer is `3` or `4`.",
    "Final Answer: $n$ is $3$ and $m$ is $4$.", r"\boxed{3}\n<answer>4</answer>", r"\boxed{+3 +4}", r"\boxed{3,\!4}", r"\boxed{3{,}4}", r"\boxed{3\,4}",
    r"\boxed{3.\overline{9}}", r"\boxed{4e0}", r"\boxed{3\%}", r"\boxed{\textbf{3}\textbf{4}}", r"\boxed{\$3 \text{ to } \$4}", r"\boxed{3^\circ 4}",
    r"\boxed{(3)(4)}", r"\boxed{3 \times 10^{0}}", r"\boxed{\frac{3}{1}4}", r"\boxed{3\frac44}", "Final Answer: the value is 3 or 4.", r"\boxed{x \in [3,4]}",
    r"\boxed{3\text{ m}^4}", r"\boxed{3 \mathrm{ or } 4}", r"\boxed{\text{3}\text{ or 4}}", "<answer>\n3\n4\n</answer>", r"\boxed{3.0 \times 10^{0} = 4}"]


@pytest.mark.parametrize("text", BOTH_3_AND_4)
def test_offering_both_values_through_new_paths_wins_for_at_most_one_gold(text: str) -> None:
    rewards = []
    for gold in ("3", "4"):
        try:
            rewards.append(math_verifier.score(text, {"answer": gold}, OPTIONS).reward)
        except TimeoutError:
            rewards.append(0.0)
    assert sum(rewards) <= 1.0


@pytest.mark.timeout(20)  # a hang guard, not a speed claim: a unit regex with nested quantifiers was exponential
def test_many_units_in_a_row_do_not_backtrack() -> None:
    answer = "1" + "\\text{a}      " * 13 + "x"
    assert score("1", f"\\boxed{{{answer}}}")[0] == 0.0
    assert read_number("5\\text{ km}/\\text{h}") == read_number("5")
