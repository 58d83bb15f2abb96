"""The IFEval prompt generator: deterministic, conflict-free, every item satisfiable by a built response."""

from __future__ import annotations

import itertools

import pytest

import verifiers
from trainer_client.data.ifeval_prompts import Unsatisfiable, compliant_response, generate, sample_responses
from verifiers.ifeval import _corpus, score
from verifiers.ifeval._text import detect_language
from verifiers.ifeval.instructions import CONFLICTS, INSTRUCTION_IDS, bind
from verifiers.schemas import ItemOptions


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return generate(300, seed=11)


def test_items_have_the_training_shape(items: list[dict]) -> None:
    for item in items:
        assert item["domain"] == "ifeval"
        reference = item["reference"]
        assert reference["prompt"] == item["prompt"]
        assert 1 <= len(reference["instruction_id_list"]) <= 3
        assert len(reference["kwargs"]) == len(reference["instruction_id_list"])
        assert item["meta"]["base_task"] in item["prompt"]
        bind(reference)  # valid by the verifier's own rules


def test_generation_is_deterministic_and_prefix_stable(items: list[dict]) -> None:
    assert generate(300, seed=11) == items
    assert generate(20, seed=11) == items[:20]
    assert generate(20, seed=12) != items[:20]


def test_no_item_combines_conflicting_instructions(items: list[dict]) -> None:
    for item in items:
        ids = item["reference"]["instruction_id_list"]
        for first, second in itertools.combinations(ids, 2):
            assert second not in CONFLICTS[first], (first, second)


def test_every_instruction_type_is_generated(items: list[dict]) -> None:
    seen = {iid for item in items for iid in item["reference"]["instruction_id_list"]}
    assert seen == set(INSTRUCTION_IDS)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_generated_item_verifies_with_a_built_compliant_response(seed: int) -> None:
    for index, item in enumerate(generate(80, seed=seed)):
        response = compliant_response(item["reference"], seed=index)
        verdict = score(response, item["reference"], ItemOptions())
        assert verdict.reward == 1.0, (item["prompt"], response, verdict.details)


@pytest.mark.parametrize("iid", INSTRUCTION_IDS)
def test_built_responses_also_pass_with_closed_loopholes_for_every_instruction_type(iid: str, items: list[dict]) -> None:
    """Training data is scored with ``loopholes: "closed"``: its witness answers must pass there too, and
    be real answers (never near-empty, never every constrained option at once)."""
    having = [it for it in items if iid in it["reference"]["instruction_id_list"]][:15]
    assert having
    for item in having:
        response = compliant_response(item["reference"], seed=item["meta"]["index"])  # the generator's witness
        for mode in ("strict", "loose"):
            verdict = score(response, item["reference"], ItemOptions(loopholes="closed", mode=mode))
            assert verdict.reward == 1.0, (item["prompt"], response, verdict.details)
            assert verdict.details["effort_floor"]["met"]


def test_generated_items_verify_end_to_end_through_score_batch() -> None:
    items = generate(40, seed=5)
    batch = [
        {"id": i, "domain": "ifeval", "response": "<think>plan</think>" + compliant_response(it["reference"], seed=i),
         "reference": it["reference"]}
        for i, it in enumerate(items)
    ]
    results = verifiers.score_batch(batch)
    assert [(r.status, r.reward) for r in results] == [("ok", 1.0)] * len(items)


def test_restricting_instruction_types() -> None:
    allowed = ["punctuation:no_comma", "detectable_format:title", "keywords:existence"]
    items = generate(30, seed=3, instruction_ids=allowed)
    assert {iid for it in items for iid in it["reference"]["instruction_id_list"]} <= set(allowed)
    with pytest.raises(ValueError, match="unknown instruction ids"):
        generate(1, seed=0, instruction_ids=["keywords:nope"])


def test_repeat_prompt_items_repeat_everything_before_the_repeat_sentence() -> None:
    items = generate(40, seed=4, instruction_ids=["combination:repeat_prompt", "punctuation:no_comma"])
    repeats = [it for it in items if "combination:repeat_prompt" in it["reference"]["instruction_id_list"]]
    assert repeats
    for item in repeats:
        ids = item["reference"]["instruction_id_list"]
        to_repeat = item["reference"]["kwargs"][ids.index("combination:repeat_prompt")]["prompt_to_repeat"]
        assert item["prompt"].startswith(to_repeat)
        assert "First repeat the request" not in to_repeat


def test_contradictory_reference_is_unsatisfiable() -> None:
    reference = {
        "prompt": "x",
        "instruction_id_list": ["change_case:english_lowercase", "detectable_format:multiple_sections"],
        "kwargs": [{}, {"section_spliter": "SECTION", "num_sections": 2}],
    }
    with pytest.raises(Unsatisfiable):
        compliant_response(reference)


def test_sample_responses_mix_compliant_and_non_compliant(items: list[dict]) -> None:
    responses = sample_responses(items, seed=0)
    assert responses == sample_responses(items, seed=0)
    assert len(responses) == len(items)
    results = verifiers.score_batch(
        [{"domain": "ifeval", "response": r, "reference": it["reference"]} for r, it in zip(responses, items, strict=True)]
    )
    assert {r.status for r in results} == {"ok"}
    rewards = [r.reward for r in results]
    assert 0.3 < sum(rewards) / len(rewards) < 0.8
    assert any(r.startswith("<think>") for r in responses)


@pytest.mark.parametrize("language", sorted(_corpus.LANGUAGE_SENTENCES))
def test_shipped_language_filler_is_detected_as_its_language(language: str) -> None:
    sentences = _corpus.LANGUAGE_SENTENCES[language]
    assert all(detect_language(s) == language for s in sentences)
    assert set(_corpus.LANGUAGE_SENTENCES) | {"en"} == set(_corpus.LANGUAGE_NAMES)


def test_base_tasks_and_filler_are_comma_free() -> None:
    # A repeated prompt or filler with a comma would make "no commas" items unsatisfiable.
    assert len(_corpus.BASE_TASKS) >= 50
    assert not any("," in text for text in _corpus.BASE_TASKS + _corpus.ENGLISH_SENTENCES)
