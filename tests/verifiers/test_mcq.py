"""verifiers/mcq.py called directly: extraction, hedging, reference validation, hostile inputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from verifiers import mcq
from verifiers.answer_text import TruncatedInThinking, answer_text
from verifiers.base import InvalidReference
from verifiers.schemas import ItemOptions

GOLDEN = Path(__file__).parents[1] / "golden" / "mcq.jsonl"
CASES = [json.loads(line) for line in GOLDEN.read_text().splitlines() if line.strip()]
CHOICES = ["1.5 m/s", "3.0 m/s", "4.5 m/s", "6.0 m/s"]
OPTS = ItemOptions()


def _score(response: str, reference: dict[str, Any]) -> mcq.Verdict:
    try:
        text = answer_text(response)
    except TruncatedInThinking:
        return mcq.Verdict(0.0, {"reason": "truncated_in_thinking"})
    return mcq.score(text, reference, OPTS)


def test_golden_set_is_big_enough_and_labelled() -> None:
    assert len(CASES) >= 40
    assert {c["expected_reward"] for c in CASES} == {0.0, 1.0}
    assert all(c["item"]["domain"] == "mcq" and c["note"] for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["item"]["id"] for c in CASES])
def test_golden_case(case: dict[str, Any]) -> None:
    verdict = _score(case["item"]["response"], case["item"]["reference"])
    assert verdict.reward == case["expected_reward"], (case["note"], verdict.details)


@pytest.mark.parametrize(
    ("response", "letters"),
    [("Answer: A or C", "A,C"), ("\\boxed{B, D}", "B,D"), ("The answer is either A or D.", "A,D")],
)
def test_hedging_is_reported_with_the_letters(response: str, letters: str) -> None:
    verdict = mcq.score(response, {"answer": "A", "choices": CHOICES}, OPTS)
    assert verdict.reward == 0.0
    assert verdict.details["reason"] == "hedging"
    assert verdict.details["extracted"] is None
    assert verdict.details["letters"] == letters


def test_details_name_the_extracted_letter() -> None:
    verdict = mcq.score("Answer: (B)", {"answer": "C", "choices": CHOICES}, OPTS)
    assert verdict.details == {"extracted": "B", "reason": "wrong_letter", "matched_by": "answer_statement"}


@pytest.mark.parametrize("gold", ["C", "c", "(C)", " C. "])
def test_gold_letter_spellings(gold: str) -> None:
    assert mcq.score("Answer: C", {"answer": gold, "choices": CHOICES}, OPTS).reward == 1.0


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ({}, "needs 'answer'"),
        ({"answer": ""}, "needs 'answer'"),
        ({"answer": 2}, "needs 'answer'"),
        ({"answer": "BC"}, "not an option letter"),
        ({"answer": "1"}, "not an option letter"),
        ({"answer": "E", "choices": CHOICES}, "outside the options"),
        ({"answer": "K"}, "outside the options"),
        ({"answer": "A", "choices": "A) x B) y"}, "non-empty list"),
        ({"answer": "A", "choices": []}, "non-empty list"),
        ({"answer": "A", "choices": [["x"], ["y"]]}, "must hold strings"),
        ({"answer": "A", "choices": [str(i) for i in range(27)]}, "at most 26"),
    ],
)
def test_invalid_reference(reference: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidReference, match=message):
        mcq.score("Answer: A", reference, OPTS)


def test_numeric_choices_are_option_texts() -> None:
    assert mcq.score("The answer is 12.", {"answer": "B", "choices": [10, 12, 14]}, OPTS).reward == 1.0


def test_duplicate_option_texts_name_no_option() -> None:
    reference = {"answer": "A", "choices": ["yes", "Yes", "no"]}
    assert mcq.score("yes", reference, OPTS).details["reason"] == "no_answer"


def test_too_long_answer_scores_zero() -> None:
    verdict = mcq.score("x" * (mcq.MAX_ANSWER_CHARS + 1) + "\nAnswer: C", {"answer": "C"}, OPTS)
    assert (verdict.reward, verdict.details["reason"]) == (0.0, "too_long")


def test_dedup_key_groups_equal_commitments() -> None:
    reference = {"answer": "C", "choices": CHOICES}
    key = mcq.dedup_key("Answer: C", reference, OPTS)
    assert key == mcq.dedup_key("Some reasoning first.\nAnswer: C.", reference, OPTS)
    assert key != mcq.dedup_key("Answer: B", reference, OPTS)
    assert mcq.dedup_key("Answer: A or C", reference, OPTS) != key
    assert mcq.dedup_key("Answer: C", {"answer": "Z"}, OPTS) == "invalid-reference"


def test_equal_dedup_keys_mean_equal_verdicts() -> None:
    """The pool scores one item per key: a key must never merge items with different verdicts."""
    seen: dict[tuple[str, str], tuple[float, Any]] = {}
    for case in CASES:
        try:
            text = answer_text(case["item"]["response"])
        except TruncatedInThinking:
            continue
        reference = case["item"]["reference"]
        verdict = mcq.score(text, reference, OPTS)
        key = (json.dumps(reference, sort_keys=True), mcq.dedup_key(text, reference, OPTS))
        got = (verdict.reward, verdict.details)
        assert seen.setdefault(key, got) == got, case["note"]


HOSTILE = {
    "spaces": " " * 49_000 + "x",
    "unclosed boxes": "\\boxed{" * 7_000,
    "nested boxes": "\\boxed{" * 6_000 + "}" * 6_000,
    "answer statements": "Answer: " * 6_000,
    "pronouns": "I " * 24_000,
    "letter soup": "A or " * 9_000,
    "parentheses": "(" * 49_000,
    "text wrappers": "\\text{" * 8_000,
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_answer_texts_never_score(name: str) -> None:
    """Regex-heavy inputs come back with a 0 (the suite's timeout catches a quadratic blow-up)."""
    assert mcq.score(HOSTILE[name], {"answer": "C", "choices": CHOICES}, OPTS).reward == 0.0


# Adversarial review: responses that offer several options in ways not listed in the golden set. Whatever
# each one extracts, it may win for at most one gold letter (offering more never buys more reward).
MULTI_OPTION_ATTACKS = [
    "ABCD", "Answer: ABCD", "Answer: C|D", "Answer: C\\D", "Answer: C>D", "Answer: (C)(D)", "Answer: [C, D]",
    "Answer: C, maybe D", "Answer: C, possibly D", "Answer: C else D", "Answer: C vs D", "Answer: C—D",
    "Answer: C、D", "Answer: C，D", "Answer: C\u200bD", "Answer: C\u00a0or\u00a0D", "Answer: C·D", "Answer: CorD",
    "Answer: Option C or Option D", "Answer: C (4.5 m/s) / D (6.0 m/s)", "The answer is A ... actually B",
    "Answer: A\n\\boxed{B}", "C is correct. D is correct.", "C is correct, and so is D.", "(A) no (B) no (C) yes (D) yes",
    "The answer is C.\n\n**D**", "The answer is 4.5 m/s or 6.0 m/s", "4.5 m/s\n6.0 m/s", "Answer: C or\nD",
    "Respuesta: C", "答案：C", "Answer: С", "Answer: 3", "1.5 m/s 3.0 m/s 4.5 m/s 6.0 m/s",
    "Answer: C" + " " * 10_000 + "Answer: D",
]


@pytest.mark.parametrize("response", MULTI_OPTION_ATTACKS)
def test_offering_several_options_wins_for_at_most_one_gold(response: str) -> None:
    winners = [g for g in "ABCD" if _score(response, {"answer": g, "choices": CHOICES}).reward == 1.0]
    assert len(winners) <= 1, winners
