"""The ifeval domain interface: strict/loose, binary/fraction rewards, details and invalid references."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

import verifiers
from verifiers.base import InvalidReference
from verifiers.ifeval import DEFAULT_TIMEOUT_S, loose_variants, score
from verifiers.schemas import ItemOptions


def ref(ids: list[str], kwargs: list[Any]) -> dict[str, Any]:
    return {"prompt": "Write something.", "instruction_id_list": ids, "kwargs": kwargs}


NO_COMMA_AND_QUOTED = ref(["punctuation:no_comma", "startend:quotation"], [{}, {}])
PREAMBLE = 'Sure, here is my answer:\n"A quoted answer without any commas"'


def test_strict_binary_reward_needs_every_instruction() -> None:
    verdict = score('"All quoted and no commas"', NO_COMMA_AND_QUOTED, ItemOptions())
    assert verdict.reward == 1.0
    assert verdict.details == {
        "instructions": [
            {"id": "punctuation:no_comma", "followed": True},
            {"id": "startend:quotation", "followed": True},
        ],
        "mode": "strict",
    }
    assert score('"Quoted, with a comma"', NO_COMMA_AND_QUOTED, ItemOptions()).reward == 0.0


def test_fraction_reward_is_the_fraction_followed() -> None:
    reference = ref(
        ["punctuation:no_comma", "startend:quotation", "length_constraints:number_words"],
        [{}, {}, {"num_words": 3, "relation": "at least"}],
    )
    verdict = score("One two three four, five", reference, ItemOptions(reward="fraction"))
    assert verdict.reward == pytest.approx(1 / 3)
    assert [entry["followed"] for entry in verdict.details["instructions"]] == [False, False, True]


def test_loose_mode_rescues_a_sure_here_is_preamble() -> None:
    assert score(PREAMBLE, NO_COMMA_AND_QUOTED, ItemOptions()).reward == 0.0
    loose = score(PREAMBLE, NO_COMMA_AND_QUOTED, ItemOptions(mode="loose"))
    assert loose.reward == 1.0
    assert loose.details["mode"] == "loose"


def test_loose_mode_removes_asterisks_and_last_line() -> None:
    reference = ref(["startend:end_checker"], [{"end_phrase": "Is there anything else I can help with?"}])
    response = "Answer.\n**Is there anything else I can help with?**\nBest regards"
    assert score(response, reference, ItemOptions()).reward == 0.0
    assert score(response, reference, ItemOptions(mode="loose")).reward == 1.0


def test_loose_mode_does_not_rescue_a_real_failure() -> None:
    reference = ref(["punctuation:no_comma"], [{}])
    response = "Sure, here it is:\nOne, two, three\nand four, five\nThanks, bye"
    assert score(response, reference, ItemOptions(mode="loose")).reward == 0.0


def test_each_instruction_may_pass_on_a_different_loose_variant() -> None:
    reference = ref(
        ["startend:quotation", "startend:end_checker"],
        [{}, {"end_phrase": "Any other questions?"}],
    )
    # Quotation passes only without the last line; the end phrase only with it.
    response = '"Quoted body"\nAny other questions?'
    assert score(response, reference, ItemOptions(mode="loose")).reward == 1.0


def test_loose_variants_are_googles_eight() -> None:
    variants = loose_variants("first *a*\nmiddle\nlast")
    assert variants == [
        "first *a*\nmiddle\nlast",
        "first a\nmiddle\nlast",
        "middle\nlast",
        "first *a*\nmiddle",
        "middle",
        "middle\nlast",
        "first a\nmiddle",
        "middle",
    ]


def test_trailing_whitespace_and_fenced_json_in_a_multi_instruction_item() -> None:
    reference = ref(
        ["detectable_format:json_format", "keywords:existence"],
        [{}, {"keywords": ["LightHouse"]}],
    )
    response = '```json\n{"story": "The lighthouse keeper waved."}\n```\n\n   \t\n'
    assert score(response, reference, ItemOptions()).reward == 1.0


def test_hugging_face_null_kwargs_are_ignored() -> None:
    reference = ref(
        ["punctuation:no_comma", "length_constraints:number_words"],
        [
            {"num_words": None, "relation": None, "keywords": None},
            {"num_words": 2, "relation": "less than", "keywords": None, "language": None},
        ],
    )
    assert score("Hi", reference, ItemOptions()).reward == 1.0


def test_integral_float_kwargs_are_accepted() -> None:
    reference = ref(["length_constraints:number_words"], [{"num_words": 2.0, "relation": "less than"}])
    assert score("Hi", reference, ItemOptions()).reward == 1.0


INVALID: list[tuple[Any, str]] = [
    (ref(["keywords:nope"], [{}]), "unknown ifeval instruction id"),
    (ref([42], [{}]), "unknown ifeval instruction id"),
    (ref([], []), "non-empty list"),
    ({"prompt": "x", "kwargs": [{}]}, "instruction_id_list"),
    (ref(["punctuation:no_comma", "startend:quotation"], [{}]), "2 instruction ids but 1 kwargs"),
    (ref(["punctuation:no_comma"], {}), "'kwargs' must be a list"),
    (ref(["punctuation:no_comma"], ["x"]), "kwargs must be an object"),
    (ref(["length_constraints:number_words"], [{"relation": "at least"}]), "missing required kwarg 'num_words'"),
    (ref(["length_constraints:number_words"], [{"num_words": "100", "relation": "at least"}]), "'num_words' expected an integer"),
    (ref(["length_constraints:number_words"], [{"num_words": True, "relation": "at least"}]), "'num_words' expected an integer"),
    (ref(["length_constraints:number_words"], [{"num_words": 2.5, "relation": "at least"}]), "'num_words' expected an integer"),
    (ref(["length_constraints:number_words"], [{"num_words": -1, "relation": "at least"}]), "must be >= 0"),
    (ref(["length_constraints:number_words"], [{"num_words": 5, "relation": "at most"}]), "'relation' must be one of"),
    (ref(["length_constraints:number_words"], [{"num_words": 5, "relation": "at least", "num_word": 3}]), "unexpected kwargs ['num_word']"),
    (ref(["keywords:existence"], [{"keywords": []}]), "'keywords' expected a non-empty list"),
    (ref(["keywords:existence"], [{"keywords": "lighthouse"}]), "'keywords' expected a non-empty list"),
    (ref(["keywords:existence"], [{"keywords": ["ok", ""]}]), "must not be empty"),
    (ref(["startend:end_checker"], [{"end_phrase": "   "}]), "must not be empty"),
    (ref(["keywords:letter_frequency"], [{"letter": "ab", "let_frequency": 2, "let_relation": "at least"}]), "single non-whitespace character"),
    (ref(["keywords:letter_frequency"], [{"letter": " ", "let_frequency": 2, "let_relation": "at least"}]), "single non-whitespace character"),
    (ref(["language:response_language"], [{"language": "klingon"}]), "language code"),
    (
        ref(["length_constraints:nth_paragraph_first_word"], [{"num_paragraphs": 2, "nth_paragraph": 3, "first_word": "so"}]),
        "exceeds 'num_paragraphs'",
    ),
    (ref(["combination:repeat_prompt"], [{}]), "missing required kwarg 'prompt_to_repeat'"),
    ({"prompt": 5, "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}, "'prompt' must be a string"),
]


@pytest.mark.parametrize(("reference", "reason"), INVALID, ids=[reason for _, reason in INVALID])
def test_bad_references_are_invalid_with_a_reason(reference: Any, reason: str) -> None:
    with pytest.raises(InvalidReference) as caught:
        score("Any response at all.", reference, ItemOptions())
    assert reason in str(caught.value)


def test_default_timeout_is_declared() -> None:
    assert 0 < DEFAULT_TIMEOUT_S <= 60


def test_through_score_batch_think_is_cut_and_bad_items_stay_local() -> None:
    reference = ref(["punctuation:no_comma"], [{}])
    items = [
        # Commas inside the thoughts do not count; the answer has none.
        {"id": "a", "domain": "ifeval", "response": "<think>one, two, three</think>No commas here", "reference": reference},
        # Commas only in the answer.
        {"id": "b", "domain": "ifeval", "response": "<think>fine</think>One, two", "reference": reference},
        # Truncated while thinking: no answer, reward 0 even though it has no comma.
        {"id": "c", "domain": "ifeval", "response": "<think>no comma at all", "reference": reference},
        {"id": "d", "domain": "ifeval", "response": "x", "reference": ref(["nope:nope"], [{}])},
        {"id": "e", "domain": "ifeval", "response": "One two", "reference": reference, "options": {"mode": "loose"}},
    ]
    results = verifiers.score_batch(items)
    assert [r.id for r in results] == ["a", "b", "c", "d", "e"]
    assert [(r.status, r.reward) for r in results] == [
        ("ok", 1.0),
        ("ok", 0.0),
        (results[2].status, 0.0),
        ("invalid", 0.0),
        ("ok", 1.0),
    ]
    assert "unknown ifeval instruction id" in (results[3].error or "")
    assert results[4].details["mode"] == "loose"


def test_models_load_in_the_worker_warm_hook_not_at_import() -> None:
    """The service process imports the module only to prepare items: no langdetect profiles there."""
    script = (
        "import langdetect.detector_factory as factory\n"
        "import verifiers.ifeval as ifeval\n"
        "assert factory._factory is None, 'profiles loaded at import'\n"
        "ifeval.warm()\n"
        "assert factory._factory is not None, 'warm() did not load the profiles'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
