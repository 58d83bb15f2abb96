"""verifiers/math/__init__.py and its extraction helper, called in-process (fast, no pool).

Every equivalence class the contract promises is tested in both directions: an equal form passes and
a near-miss fails, so a test cannot pass by a verifier that says 1 (or 0) to everything.
"""

from __future__ import annotations

import pytest

from verifiers import math as math_verifier
from verifiers.base import InvalidReference
from verifiers.math.extract import extract
from verifiers.schemas import ItemOptions

OPTIONS = ItemOptions()


def reward(gold: str, answer: str) -> float:
    return math_verifier.score(answer, {"answer": gold}, OPTIONS).reward


def reason(gold: str, answer: str) -> str:
    return math_verifier.score(answer, {"answer": gold}, OPTIONS).details["reason"]


def boxed(value: str) -> str:
    return f"Working through the algebra carefully, we get\n\\[\n\\boxed{{{value}}}\n\\]"


# (gold, a prediction that must pass, a prediction that must fail)
EQUIVALENCES = [
    pytest.param(r"\frac{1}{2}", "0.5", "0.6", id="fraction-decimal"),
    pytest.param("0.75", r"\frac{3}{4}", r"\frac{4}{3}", id="decimal-fraction"),
    pytest.param(r"\dfrac{3}{4}", r"\frac34", r"\dfrac{3}{5}", id="dfrac"),
    pytest.param(r"\frac{1}{3}", "0.333333", "0.33", id="repeating-decimal-precision"),
    pytest.param(r"3\sqrt{6}", r"\sqrt{54}", "3", id="radical-not-coefficient"),
    pytest.param(r"2\sqrt{3}", r"\sqrt{12}", r"\sqrt{3}", id="radical-simplified"),
    pytest.param(r"\frac{\sqrt{3}}{2}", r"\frac{1}{2}\sqrt{3}", r"\frac{\sqrt{2}}{2}", id="radical-fraction"),
    pytest.param("(x+7)(x+1)", "x^2+8x+7", "x^2+8x+8", id="factored-vs-expanded"),
    pytest.param("x^2 + 2*x + 1", "(x+1)^2", "1", id="plain-polynomial-gold"),
    pytest.param("x=3", "3", "4", id="equation-gold"),
    pytest.param("3", "x=3", "x=4", id="equation-prediction"),
    pytest.param("(1,2)", "(1, 2)", "(2,1)", id="tuple-order-matters"),
    pytest.param("(1,2,3)", r"\left(1,2,3\right)", "(3,2,1)", id="triple-order-matters"),
    pytest.param("[33, 36)", "[33,36)", "[33,36]", id="interval-brackets-matter"),
    pytest.param(r"(-\infty, 3]", r"(-\infty,3]", r"(-\infty,3)", id="half-infinite-interval"),
    pytest.param(r"\{1,2,3\}", r"\{3,1,2\}", r"\{1,2\}", id="set-order-free"),
    pytest.param(r"\left( 1, 2 \right)", "(1,2)", "(1,3)", id="left-right"),
    pytest.param(r"10\text{ cm}", "10", "11", id="text-unit-in-gold"),
    pytest.param("10", r"10\text{ cm}", r"12\text{ cm}", id="text-unit-in-prediction"),
    pytest.param(r"30^\circ", "30", "60", id="degrees-gold"),
    pytest.param("30", r"30^\circ", r"45^\circ", id="degrees-prediction"),
    pytest.param(r"\textbf{(B) } 12", "12", "13", id="amc-value"),
    pytest.param(r"\textbf{(B) } 12", r"\textbf{(B) }12", r"\textbf{(C) }12", id="amc-label"),
    pytest.param(r"\textbf{(B) } 12", "B", "C", id="amc-letter-only"),
    pytest.param(
        r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}",
        r"\begin{bmatrix}1&2\\3&4\end{bmatrix}",
        r"\begin{pmatrix}1&3\\2&4\end{pmatrix}",
        id="matrix",
    ),
    pytest.param(r"\begin{pmatrix} 1 \\ -2 \end{pmatrix}", r"\begin{pmatrix}1\\-2\end{pmatrix}",
                 r"\begin{pmatrix}-2\\1\end{pmatrix}", id="vector"),
    pytest.param(r"\$10", "10", "100", id="escaped-dollar-gold"),
    pytest.param("10", r"\$10", r"\$11", id="escaped-dollar-prediction"),
    pytest.param("1,22", "1.22", "1.2", id="decimal-comma-gold"),
    pytest.param("1,000", "1000", "1", id="thousands-separator"),
    pytest.param(r"$\frac{1}{3}.$", r"\frac13", r"\frac14", id="gold-sentence-period"),
    pytest.param(r"$2^{10}.$", "1024", "2", id="gold-period-not-fallback-to-base"),
    pytest.param(r"\text{Monday}", r"\text{monday}", r"\text{Tuesday}", id="text-answer"),
    pytest.param("yes", r"\text{Yes}", "sey", id="word-answer-not-product-of-symbols"),
    pytest.param(r"\sqrt{11}", r"\sqrt{11}", r"\sqrt 11", id="sqrt-without-braces-is-sqrt1-times-1"),
    pytest.param(r"\pi/2", r"\frac{\pi}{2}", r"\pi", id="pi"),
    pytest.param("5", "5.0", "5.0000001", id="integer-vs-float"),
    pytest.param("10^{20}", "100000000000000000000", "100000000000000000001", id="big-integers-exact"),
    pytest.param("-3", "-3", "3", id="sign"),
    pytest.param(r"\pm 2", r"\{2, -2\}", "2", id="plus-minus-gold"),
]


@pytest.mark.parametrize(("gold", "good", "bad"), EQUIVALENCES)
def test_equivalence_passes_and_near_miss_fails(gold: str, good: str, bad: str) -> None:
    assert reward(gold, boxed(good)) == 1.0, f"{good!r} should equal {gold!r}"
    assert reward(gold, boxed(bad)) == 0.0, f"{bad!r} should not equal {gold!r}"


def test_details_carry_extracted_gold_and_reason() -> None:
    verdict = math_verifier.score(boxed("0.5"), {"answer": r"\frac12"}, OPTIONS)
    assert verdict.details == {"extracted": "0.5", "gold": r"\frac12", "reason": "correct"}
    wrong = math_verifier.score(boxed("7"), {"answer": "8"}, OPTIONS)
    assert (wrong.reward, wrong.details["reason"], wrong.details["extracted"]) == (0.0, "wrong_answer", "7")


def test_last_box_wins_over_earlier_work() -> None:
    text = r"First guess: the value might be 7. Then $x = 5$, so the answer is \boxed{12}."
    assert reward("12", text) == 1.0
    assert reward("5", text) == 0.0


def test_different_boxes_are_hedging() -> None:
    text = r"It is either \boxed{2} or \boxed{3}."
    assert reward("3", text) == 0.0
    assert reason("3", text) == "hedging"
    assert reward("2", r"\boxed{2}, \boxed{3}, \boxed{4}, \boxed{5}, \boxed{6}, \boxed{7}") == 0.0


def test_same_value_boxed_twice_is_not_hedging() -> None:
    assert reward("2", r"So \boxed{2}. Checking again: \boxed{2}") == 1.0
    assert reward(r"\frac12", r"We get \boxed{0.5}, i.e. \boxed{\frac{1}{2}}") == 1.0


def test_several_values_in_one_box_fail_a_scalar_gold() -> None:
    for text in (r"\boxed{2, 3}", r"\boxed{2 \text{ or } 3}", r"\boxed{\pm 2}", r"\boxed{x = 2, x = 3}"):
        assert reward("2", text) == 0.0, text
    assert reason("2", r"\boxed{2, 3}") == "multiple_candidates"
    assert reward(r"\{2, 3\}", r"\boxed{3, 2}") == 1.0  # a set gold does take several values


def test_decimal_comma_prediction_follows_the_gold_shape() -> None:
    assert reward("1.22", r"\boxed{1,22}") == 1.0
    assert reward(r"\{1, 22\}", r"\boxed{1,22}") == 1.0
    assert reward("1,22", r"\boxed{\{1, 22\}}") == 0.0


def test_stated_answer_without_box() -> None:
    assert reward("42", "Final Answer: The final answer is $42$. I hope it is correct.") == 1.0
    assert reward("42", "Adding up, the answer is 42 apples.") == 1.0
    assert reward("42", "**Answer:** 42") == 1.0
    assert reward(r"\frac{1}{3}", "Thus the probability is $\\frac{1}{3}$.") == 1.0  # last math env
    assert reward("2", "The answer is 2 or 3.") == 0.0
    assert reward("2", "The final answer is $2$ or $3$.") == 0.0
    assert reward(r"\{2, 3\}", "The final answer is $2$ and $3$.") == 1.0
    assert reward("41", "Final answer: 42") == 0.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The final answer is $12$. I hope it is correct.", "12"),
        ("**Final Answer:** 12", "12"),
        ("Answer: 12", "12"),
        ("so the answer is 12.", "12"),
        ("Final answer\n$$12$$", "12"),
        ("I answered 7 earlier. Later we find $x = 12$", "x = 12"),
        ("The answers vary; we get $12$", "12"),
        ("Answer: 3. Wait, no. Final answer: 12", "12"),
        ("The final answer is $2$ or $3$.", "2, 3"),
        ("The final answer is $x = 2$, since $2 + 2 = 4$.", "x = 2"),
    ],
)
def test_stated_answer_anchors(text: str, expected: str) -> None:
    assert extract(text).prediction == expected


def test_no_answer_scores_zero_with_reason() -> None:
    verdict = math_verifier.score("I could not solve it, but 42 is my favourite number", {"answer": "42"}, OPTIONS)
    assert (verdict.reward, verdict.details["reason"], verdict.details["extracted"]) == (0.0, "no_answer", None)
    assert reason("3", r"the result is \boxed{3") == "no_answer"  # an unclosed box is not an answer


def test_answer_length_cap() -> None:
    text = "blah " * 10_001 + r"\boxed{3}"
    verdict = math_verifier.score(text, {"answer": "3"}, OPTIONS)
    assert (verdict.reward, verdict.details["reason"]) == (0.0, "answer_too_long")
    assert reward("3", "blah " * 9_000 + r"\boxed{3}") == 1.0


ADVERSARIAL_TEXTS = {
    "unclosed boxes": "\\boxed{" * 7_000,
    "unclosed display maths": "\\[" * 24_000,
    "unclosed inline maths": "\\(" * 24_000,
    "nested boxes": "\\boxed{" * 3_000 + "1" + "}" * 3_000,
    "answer spam": "the answer " * 4_400,
    "dollar spam": "$" * 49_000,
}


@pytest.mark.timeout(20)  # a hang guard, not a speed claim: quadratic scans took 5-18 s per text here
@pytest.mark.parametrize("name", list(ADVERSARIAL_TEXTS))
def test_adversarial_texts_are_scanned_in_linear_time(name: str) -> None:
    """dedup_key runs in the service process on untrusted text: no regex or loop may go quadratic."""
    text = ADVERSARIAL_TEXTS[name]
    math_verifier.dedup_key(text, {"answer": "1"}, OPTIONS)
    verdict = math_verifier.score(text, {"answer": "1"}, OPTIONS)
    assert verdict.reward == 0.0
    assert verdict.details["reason"] in ("no_answer", "answer_too_long", "unparsable_answer")


def test_box_variants() -> None:
    assert reward("3", r"\fbox{3}") == 1.0
    assert reward("3", r"\boxed 3") == 1.0
    assert reward("3", r"\boxed{\boxed{3}}") == 1.0
    assert reward(r"\{1,2\}", r"\boxed{\{1,2\}}") == 1.0  # escaped braces do not end the box


@pytest.mark.parametrize("reference", [{}, {"answer": ""}, {"answer": None}, {"answer": True}, {"answer": r"\frac{"}])
def test_unjudgeable_gold_is_invalid_reference(reference: dict) -> None:
    with pytest.raises(InvalidReference):
        math_verifier.score(boxed("1"), reference, OPTIONS)


def test_numeric_gold_from_json_numbers() -> None:
    assert math_verifier.score(boxed("42"), {"answer": 42}, OPTIONS).reward == 1.0
    assert math_verifier.score(boxed(r"\frac12"), {"answer": 0.5}, OPTIONS).reward == 1.0


def test_gold_is_parsed_once_per_distinct_string() -> None:
    math_verifier._gold.cache_clear()
    for _ in range(5):
        reward(r"\frac{7}{9}", boxed("7/9"))
    info = math_verifier._gold.cache_info()
    assert (info.misses, info.hits) == (1, 4)


def test_dedup_key_ignores_prose_but_not_hedging() -> None:
    ref = {"answer": "3"}
    key = math_verifier.dedup_key
    assert key("Long reasoning A... \\boxed{3}", ref, OPTIONS) == key("Other words B \\boxed{3}", ref, OPTIONS)
    assert key("\\boxed{3}", ref, OPTIONS) != key("\\boxed{4}", ref, OPTIONS)
    assert key("\\boxed{2} \\boxed{3}", ref, OPTIONS) != key("\\boxed{3}", ref, OPTIONS)


def test_extraction_sources() -> None:
    assert extract(r"a \boxed{1} b").source == "boxed"
    assert extract("The answer is 7.").prediction == "7"
    assert extract(r"we get $y = 2$ and so $x = 4$ finally").prediction == "x = 4"
    assert extract(r"no maths here").source == "none"
    assert extract(r"\boxed{1} then \boxed{2} then \boxed{1}").others == ("2",)


def test_slow_comparison_times_out_as_timeout_error() -> None:
    """A timer fires (CPU budget or math-verify's own); the pool reports TimeoutError as `timeout`."""
    with pytest.raises(TimeoutError):
        # a symbolic gold, so the numeric-gold rule (answers must be written-out numbers) does not decide it
        math_verifier.score(boxed("10^{10^{10}}"), {"answer": "x + 5"}, OPTIONS)


@pytest.mark.parametrize("answer", [r"9^{9^{9^{9^{9}}}}", "(" * 300 + "1" + ")" * 300, r"2^{(3^{4^{5}})}"])
def test_pathological_shapes_are_refused_before_sympy(answer: str) -> None:
    with pytest.raises(TimeoutError, match="too complex"):
        math_verifier.score(boxed(answer), {"answer": "5"}, OPTIONS)
    with pytest.raises(InvalidReference, match="too complex"):
        math_verifier.score(boxed("5"), {"answer": answer}, OPTIONS)


def test_ordinary_powers_are_not_refused() -> None:
    assert reward("2^{16}", boxed("2^{2^{4}}")) == 1.0
    assert reward("65536", boxed("2^{2^{4}}")) == 0.0  # a numeric gold wants the number written out
    assert reward("e^{x^{2}}", boxed("e^{x^{2}}")) == 1.0
    assert reward("1", boxed("((((((((1))))))))")) == 1.0


def test_warm_leaves_verdicts_unchanged() -> None:
    before = [reward(g, boxed(p)) for g, p in math_verifier._WARM_UP_PAIRS]
    math_verifier.warm()
    assert [reward(g, boxed(p)) for g, p in math_verifier._WARM_UP_PAIRS] == before
    assert before.count(1.0) >= 10  # the pairs are mostly equal spellings: they prime the equality paths


# --- through the real jailed pool --------------------------------------------------------------

PATHOLOGICAL = [
    pytest.param("5", r"\boxed{9^{9^{9^{9^{9}}}}}", id="power-tower"),
    pytest.param("5", r"\boxed{(10^{100})!}", id="huge-factorial"),
    pytest.param("1", r"\boxed{" + "(" * 300 + "1" + ")" * 300 + "}", id="300-nested-parentheses"),
]


@pytest.fixture(scope="module")
def pool():
    """The process-wide pool, shared with the golden-set tests so CI starts its workers once."""
    from verifiers.jail.pool import get_pool

    return get_pool()


def test_pathological_items_score_zero_without_stalling_the_batch(pool) -> None:
    from verifiers import score_batch

    normal = [{"id": f"n{i}", "domain": "math", "response": boxed(str(i)), "reference": {"answer": str(i)}}
              for i in range(12)]
    bad = [{"id": f"p{i}", "domain": "math", "response": p.values[1], "reference": {"answer": p.values[0]}}
           for i, p in enumerate(PATHOLOGICAL)]
    results = score_batch(bad + normal, pool=pool, cache=None)
    for result in results[: len(bad)]:
        assert result.reward == 0.0 and not result.correct
        assert result.status == "ok", (result.id, result.status, result.error)
    # The power tower and the parenthesis nest are refused as too costly to verify: a judgement (CONTRACT.md),
    # reward 0 with status ok, so a policy cannot escape reward 0 by writing them.
    assert results[0].details["reason"] == "verification_timeout"
    assert results[2].details["reason"] == "verification_timeout"
    assert [(r.reward, r.status) for r in results[len(bad):]] == [(1.0, "ok")] * len(normal)


def test_unclosed_think_with_a_box_scores_zero(pool) -> None:
    from verifiers import score_batch

    item = {"domain": "math", "response": "<think>maybe \\boxed{4}", "reference": {"answer": "4"}}
    closed = {"domain": "math", "response": "<think>maybe \\boxed{5}</think> so \\boxed{4}", "reference": {"answer": "4"}}
    got = score_batch([item, closed], pool=pool, cache=None)
    assert [(r.reward, r.status) for r in got] == [(0.0, "ok"), (1.0, "ok")]


@pytest.mark.parametrize(("response", "reward"), [
    ("<think></think><think>\\boxed{4}", 0.0),  # a second think block, opened after the last close, never closed
    ("<think>a</think> So <think> maybe \\boxed{4}", 0.0),
    ("<think>a <think> b</think> so \\boxed{4}", 1.0),  # nested opens inside a closed block are fine
    ("</think> \\boxed{4}", 1.0),  # the template opened the block in the prompt
])
def test_a_think_block_reopened_after_the_last_close_is_truncated(pool, response: str, reward: float) -> None:
    from verifiers import score_batch

    got = score_batch([{"domain": "math", "response": response, "reference": {"answer": "4"}}], pool=pool, cache=None)
    assert (got[0].reward, got[0].status) == (reward, "ok"), got[0].details


def test_bad_gold_is_invalid_through_the_pool(pool) -> None:
    from verifiers import score_batch

    got = score_batch([{"domain": "math", "response": boxed("1"), "reference": {"answer": r"\frac{"}},
                       {"domain": "math", "response": boxed("1"), "reference": {}}], pool=pool, cache=None)
    assert [r.status for r in got] == ["invalid", "invalid"]
    assert all(r.error for r in got)


@pytest.mark.parametrize("boxed", [r"5 - 3 - 6", r"18271 \times 43432", r"\gcd(780, 461)", r"10^2 - 104", r"2 \cdot (-2)"])
def test_copying_the_question_arithmetic_is_not_an_answer(boxed: str) -> None:
    # sympy evaluates each of these to the gold; a numeric gold asks for the number itself.
    gold = {"5 - 3 - 6": "-4", r"18271 \times 43432": "793546072", r"\gcd(780, 461)": "1"}.get(boxed, "-4")
    verdict = math_verifier.score(f"So the result is \\boxed{{{boxed}}}.", {"answer": gold}, ItemOptions())
    assert verdict.reward == 0.0 and verdict.details["reason"] == "unevaluated_expression"


@pytest.mark.parametrize("boxed", ["-4", "(-4)", "x = -4", r"-4\text{ apples}", r"\dfrac{-8}{2}", "-4.0"])
def test_written_out_numbers_still_count(boxed: str) -> None:
    assert math_verifier.score(f"\\boxed{{{boxed}}}", {"answer": "-4"}, ItemOptions()).reward == 1.0


@pytest.mark.parametrize("text,expected", [("-4", 1.0), ("  -4.\n", 1.0), ("-8/2", 1.0), ("3", 0.0)])
def test_an_answer_text_that_is_one_number_states_it(text: str, expected: float) -> None:
    assert math_verifier.score(text, {"answer": "-4"}, ItemOptions()).reward == expected


@pytest.mark.parametrize("text", ["1 2 3 -4", "The numbers 3 and -4", "-4 or 3"])
def test_numbers_in_prose_without_a_statement_are_not_an_answer(text: str) -> None:
    assert math_verifier.score(text, {"answer": "-4"}, ItemOptions()).details["reason"] == "no_answer"


# Adversarial review: ways of offering both 3 and 4 that the hedging rules above do not name. Each may
# extract one of them, or nothing, but never wins for both golds.
BOTH_3_AND_4 = [
    "Answer: $3$ / $4$", "Answer: $3$; $4$", "Answer: $3$ (or $4$)", "The answer is $3$ or maybe $4$.",
    "The answer is $3$, or possibly $4$.", "The answer is $3$ \\text{ or } $4$.", "The final answer is $3$ $4$.",
    "We get $4$ or $3$", "Answer: 4\nAnswer: 3", "Final answer: 3 (or 4)", "Final answer: 3; 4",
    r"\boxed{3 \lor 4}", r"\boxed{3; 4}", r"\boxed{3 \quad 4}", r"\boxed{3 \; 4}", r"\boxed{[3,4]}",
    r"\boxed{2 < x < 5}", r"\boxed{x \in \{3,4\}}", r"\boxed{(x-3)(x-4)=0}", r"\boxed{x^2-7x+12=0}",
    r"\boxed{\begin{cases}3\\4\end{cases}}", r"\boxed{3\\4}", r"\boxed{\text{3 or 4}}", r"\boxed{3}\text{ or }\boxed{4}",
    r"\boxed{\boxed{3}\boxed{4}}", r"\boxed{3 \ne 4}", r"\boxed{3.5 \pm 0.5}", r"\boxed{\phantom{4}3}",
    r"\renewcommand{\boxed}[1]{}\boxed{3}\boxed{4}", r"\boxed{3}\boxed{\frac{12}{4}}\boxed{4}", r"\fbox{4}\boxed{3}",
    r"\boxed{\frac{0}{0}}", r"\boxed{\infty - \infty}", r"\boxed{nan}", r"\boxed{zoo}", r"\def\x{3}\boxed{\x}",
]


@pytest.mark.parametrize("text", BOTH_3_AND_4)
def test_offering_both_values_wins_for_at_most_one_gold(text: str) -> None:
    assert reward("3", text) + reward("4", text) <= 1.0


@pytest.mark.parametrize(("gold", "near_miss"), [
    ("1000000", "1000000.1"), ("123456789", "123456780"), (r"\pi", "3.1416"), (r"\pi", r"\frac{355}{113}"),
    (r"\sqrt{2}", "1.414"), ("e^{10}", "22026"), ("2^{100}", "1267650600228229401496703205377"),
    ("2^{100}", r"1.2676506 \times 10^{30}"), (r"\frac{1}{7}", "0.1429"), ("10^{20}", r"1.00000001 \times 10^{20}"),
    ("3", "2.9999999"), ("x+1", "x"),
])
def test_float_tolerance_does_not_stretch_to_near_misses(gold: str, near_miss: str) -> None:
    assert reward(gold, boxed(near_miss)) == 0.0
