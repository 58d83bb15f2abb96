"""``options.loopholes: "closed"``: each reward hack of Google's semantics is rejected under "closed" and
still accepted under "google" (parity), the effort floor and its caps, and composition with strict/loose
and binary/fraction rewards."""

from __future__ import annotations

import json
from typing import Any

import pytest

import verifiers
from trainer_client.data.ifeval_prompts import generate, sample_responses
from verifiers.ifeval import score
from verifiers.ifeval._echo import distinct_words
from verifiers.schemas import ItemOptions

GOOGLE, CLOSED = ItemOptions(), ItemOptions(loopholes="closed")
PROMPT = "Write a short essay about your town for the local paper and keep it friendly."
# Ten plain words, no comma, no capital word, none of the keywords below.
FILLER = "the morning light came slowly over our quiet little town"


def ref(ids: list[str], kwargs: list[dict[str, Any]], prompt: str = PROMPT) -> dict[str, Any]:
    return {"prompt": prompt, "instruction_id_list": ids, "kwargs": kwargs}


REPEAT = "Write a story about a lighthouse keeper and a storm at sea."
HIGHLIGHT_PROMPT = "Describe your town. Highlight at least 1 section with markdown i.e. *highlighted section*."
TITLE_PROMPT = "Write a poem about joy. Your answer must contain a title wrapped in double angular brackets such as <<poem of joy>>."

# (name, reference, hack: Google says followed, closed says not, honest: closed says followed)
HACKS: list[tuple[str, dict[str, Any], str, str]] = [
    ("no_comma near-empty", ref(["punctuation:no_comma"], [{}]), ".", FILLER),
    ("forbidden_words near-empty", ref(["keywords:forbidden_words"], [{"forbidden_words": ["river", "bridge"]}]),
     "ok", FILLER),
    ("number_words less than near-empty",
     ref(["length_constraints:number_words"], [{"num_words": 50, "relation": "less than"}]), "ok", FILLER),
    ("number_sentences less than near-empty",
     ref(["length_constraints:number_sentences"], [{"num_sentences": 3, "relation": "less than"}]), "Fine.",
     FILLER + "."),
    ("letter_frequency less than near-empty",
     ref(["keywords:letter_frequency"], [{"letter": "z", "let_frequency": 2, "let_relation": "less than"}]),
     "ok", FILLER),
    ("capital_word_frequency less than near-empty",
     ref(["change_case:capital_word_frequency"], [{"capital_frequency": 3, "capital_relation": "less than"}]),
     "ok", FILLER),
    ("constrained_response lists every option", ref(["detectable_format:constrained_response"], [{}]),
     "My answer is yes. My answer is no. My answer is maybe.", "My answer is no."),
    ("json_format bare number", ref(["detectable_format:json_format"], [{}]), "```json\n1\n```",
     json.dumps({"answer": FILLER})),
    ("json_format bare string", ref(["detectable_format:json_format"], [{}]), json.dumps(FILLER),
     "```json\n" + json.dumps([FILLER, "and more"]) + "\n```"),
    ("postscript marker mid-sentence", ref(["detectable_content:postscript"], [{"postscript_marker": "P.S."}]),
     f"{FILLER} as the P.S. says", f"{FILLER}\n\n**P.S.** see you at the market"),
    ("postscript marker with nothing after it", ref(["detectable_content:postscript"], [{"postscript_marker": "P.P.S"}]),
     f"{FILLER}\nP.P.S", f"{FILLER}\nP.P.S thanks for reading"),
    ("response_language digits only", ref(["language:response_language"], [{"language": "fr"}]),
     "1 2 3 4 5 6 7 8 9 10 11 12", "Le temps est très agréable aujourd'hui dans la ville et nous sortons."),
    ("number_placeholders empty brackets", ref(["detectable_content:number_placeholders"], [{"num_placeholders": 2}]),
     f"{FILLER} [] [ ]", f"{FILLER} [name] [date]"),
    ("multiple_sections empty headings",
     ref(["detectable_format:multiple_sections"], [{"section_spliter": "SECTION", "num_sections": 2}]),
     f"{FILLER}\nSECTION 1\nSECTION 2", f"SECTION 1\n{FILLER}\nSECTION 2\nand then the market opened"),
    ("two_responses differ in a dot only", ref(["combination:two_responses"], [{}]),
     f"{FILLER}\n******\n{FILLER}.", f"{FILLER}\n******\nthe evening came and the lamps were lit again"),
    ("keywords in the repeated prompt only",
     ref(["combination:repeat_prompt", "keywords:existence"],
         [{"prompt_to_repeat": REPEAT}, {"keywords": ["lighthouse", "storm"]}], prompt=REPEAT + " First repeat..."),
     f"{REPEAT}\n{FILLER}", f"{REPEAT}\nthe lighthouse keeper watched the storm roll in over the grey sea"),
    ("a bare repetition of the prompt", ref(["combination:repeat_prompt"], [{"prompt_to_repeat": REPEAT}]),
     REPEAT, f"{REPEAT}\n{FILLER}"),
    ("highlight copied from the prompt", ref(["detectable_format:number_highlighted_sections"],
                                             [{"num_highlights": 1}], prompt=HIGHLIGHT_PROMPT),
     f"{HIGHLIGHT_PROMPT}\n{FILLER}", f"{FILLER} and *the market* opened"),
    # Degenerate text that counts as words to Google: the floor counts distinct words of real text.
    ("no_comma one word repeated", ref(["punctuation:no_comma"], [{}]), "a " * 12, FILLER),
    ("no_comma one CJK character repeated", ref(["punctuation:no_comma"], [{}]), "一" * 12, FILLER),
    ("no_comma numbers only", ref(["punctuation:no_comma"], [{}]), " ".join(map(str, range(1, 13))), FILLER),
    ("constrained_response two options in other cases", ref(["detectable_format:constrained_response"], [{}]),
     "My answer is yes. My answer is No.", "My answer is yes. I am sure."),
    ("constrained_response two options with other punctuation", ref(["detectable_format:constrained_response"], [{}]),
     "My answer is maybe. MY ANSWER IS - yes!", "My answer is maybe."),
    ("response_language one repeated word", ref(["language:response_language"], [{"language": "fr"}]),
     "le " * 10, "Le temps est très agréable aujourd'hui dans la ville et nous sortons."),
    ("keywords in a prompt copy with doubled spaces",
     ref(["combination:repeat_prompt", "keywords:existence"],
         [{"prompt_to_repeat": REPEAT}, {"keywords": ["lighthouse", "storm"]}], prompt=REPEAT + " First repeat..."),
     f"{REPEAT}\n{'  '.join(REPEAT.split())}\n{FILLER}", f"{REPEAT}\nthe old lighthouse keeper watched a storm roll in over grey water"),
    ("keywords in a prompt copy with homoglyphs and zero-width spaces",
     ref(["keywords:existence"], [{"keywords": ["lighthouse"]}], prompt=REPEAT),
     REPEAT.replace("Write a story", "Wr\u0456te \u0430 st\u200bory") + "\n" + FILLER,
     FILLER + " and the lighthouse"),
    ("keywords in a full-width copy of the prompt", ref(["keywords:existence"], [{"keywords": ["storm"]}], prompt=REPEAT),
     "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in "Write a story about") + REPEAT[19:] + "\n"
     + FILLER, FILLER + " and a storm"),
    ("title copied from the prompt", ref(["detectable_format:title"], [{}], prompt=TITLE_PROMPT),
     f"{TITLE_PROMPT}\n{FILLER}", f"<<morning>>\n{FILLER}"),
]


@pytest.mark.parametrize(("name", "reference", "hack", "honest"), HACKS, ids=[h[0] for h in HACKS])
def test_hack_is_closed_and_kept_for_parity(name: str, reference: dict, hack: str, honest: str) -> None:
    assert score(hack, reference, GOOGLE).reward == 1.0  # Google's semantics, unchanged by default
    assert score(hack, reference, ItemOptions(loopholes="google")).reward == 1.0
    for mode in ("strict", "loose"):
        assert score(hack, reference, ItemOptions(loopholes="closed", mode=mode)).reward == 0.0, mode
        verdict = score(honest, reference, ItemOptions(loopholes="closed", mode=mode))
        assert verdict.reward == 1.0, (mode, verdict.details)
    assert score(honest, reference, GOOGLE).reward == 1.0


def test_google_details_are_unchanged_and_closed_details_say_why() -> None:
    reference = ref(["punctuation:no_comma"], [{}])
    assert score(".", reference, GOOGLE).details == {
        "instructions": [{"id": "punctuation:no_comma", "followed": True}], "mode": "strict"}
    details = score(".", reference, CLOSED).details
    assert details["reason"] == "effort_floor"
    assert details["effort_floor"] == {"min_words": 10, "words": 0, "met": False}
    assert details["loopholes"] == "closed"
    assert details["instructions"] == [{"id": "punctuation:no_comma", "followed": True}]
    ok = score(FILLER, reference, CLOSED).details
    assert "reason" not in ok and ok["effort_floor"] == {"min_words": 10, "words": 10, "met": True}


@pytest.mark.parametrize(("num_words", "answer", "expected"), [
    (6, "my town is small and", 1.0),     # at most 5 words: the floor is capped at 3 distinct ones
    (6, "the town and the sea", 1.0),     # an honest short answer may repeat a word
    (6, "small town", 0.0),               # still an effort floor, at 3
    (6, "town town town town town", 0.0),  # one distinct word
    (4, "it is nice", 1.0),               # cap 2
    (200, "my town is small and", 0.0),   # no cap below the default 10
])
def test_effort_floor_never_exceeds_a_less_than_words_limit(num_words: int, answer: str, expected: float) -> None:
    reference = ref(["length_constraints:number_words"], [{"num_words": num_words, "relation": "less than"}])
    verdict = score(answer, reference, CLOSED)
    assert verdict.reward == expected, verdict.details
    assert verdict.details["effort_floor"]["min_words"] == min(10, num_words // 2)
    assert score(answer, reference, GOOGLE).reward == 1.0


def test_constrained_response_caps_the_floor_at_its_four_words() -> None:
    reference = ref(["detectable_format:constrained_response", "punctuation:no_comma"], [{}, {}])
    assert score("My answer is maybe.", reference, CLOSED).reward == 1.0
    assert score("My answer is maybe.", reference, CLOSED).details["effort_floor"]["min_words"] == 4


def test_min_words_option_overrides_the_default_and_applies_to_google_too() -> None:
    reference = ref(["punctuation:no_comma"], [{}])
    assert score("our town is lovely", reference, ItemOptions(loopholes="closed", min_words=4)).reward == 1.0
    assert score("our town is lovely", reference, ItemOptions(loopholes="closed", min_words=5)).reward == 0.0
    assert score(".", reference, ItemOptions(loopholes="closed", min_words=0)).reward == 1.0  # no floor
    google_floor = score("ok", reference, ItemOptions(min_words=3))
    assert google_floor.reward == 0.0 and google_floor.details["loopholes"] == "google"
    assert score("ok", reference, ItemOptions(loopholes="closed", min_words=0)).reward == 1.0


def test_fraction_reward_composes_with_closed_loopholes() -> None:
    reference = ref(["detectable_format:json_format", "keywords:existence"], [{}, {"keywords": ["town"]}])
    hedge = json.dumps(f"{FILLER} and town")  # a JSON string: Google's json_format, not closed's
    assert score(hedge, reference, ItemOptions(reward="fraction")).reward == 1.0
    assert score(hedge, reference, ItemOptions(reward="fraction", loopholes="closed")).reward == 0.5
    # under the floor the reward is 0 however many instructions are followed
    tiny = ref(["punctuation:no_comma", "keywords:forbidden_words"], [{}, {"forbidden_words": ["river"]}])
    assert score("ok", tiny, ItemOptions(reward="fraction")).reward == 1.0
    floored = score("ok", tiny, ItemOptions(reward="fraction", loopholes="closed"))
    assert floored.reward == 0.0 and [i["followed"] for i in floored.details["instructions"]] == [True, True]


def test_loose_mode_still_forgives_a_preamble_under_closed_loopholes() -> None:
    reference = ref(["detectable_format:json_format"], [{}])
    answer = "Sure, here is the JSON:\n" + json.dumps({"answer": FILLER})
    assert score(answer, reference, CLOSED).reward == 0.0
    assert score(answer, reference, ItemOptions(loopholes="closed", mode="loose")).reward == 1.0
    assert score("Sure:\n1", reference, ItemOptions(loopholes="closed", mode="loose")).reward == 0.0


def test_effort_counts_unspaced_scripts_by_character() -> None:
    japanese = "今日は町の天気がとても良いです。子供たちは友達と公園で遊んでいます。"
    assert distinct_words(japanese) >= 20  # two \w+ tokens to Google's count
    reference = ref(["language:response_language"], [{"language": "ja"}])
    assert score(japanese, reference, CLOSED).reward == 1.0
    assert distinct_words("don't stop") == 3 and distinct_words("...") == 0
    assert distinct_words("Town TOWN town ｔｏｗｎ t\u200bown") == 1


def test_a_short_prompt_is_not_stripped_as_an_echo() -> None:
    reference = ref(["keywords:existence"], [{"keywords": ["town"]}], prompt="town")
    assert score(FILLER, reference, CLOSED).reward == 1.0


def test_closed_never_rewards_more_than_google_on_a_realistic_mix() -> None:
    items = generate(150, seed=21)
    responses = sample_responses(items, seed=3)
    for item, response in zip(items, responses, strict=True):
        for mode in ("strict", "loose"):
            google = score(response, item["reference"], ItemOptions(mode=mode, reward="fraction"))
            closed = score(response, item["reference"], ItemOptions(mode=mode, reward="fraction", loopholes="closed"))
            assert closed.reward <= google.reward
            for g, c in zip(google.details["instructions"], closed.details["instructions"], strict=True):
                assert g["followed"] or not c["followed"], (item["reference"], response)


def test_options_travel_through_score_batch_and_bad_values_are_invalid() -> None:
    reference = ref(["punctuation:no_comma"], [{}])
    items = [
        {"id": "g", "domain": "ifeval", "response": "<think>x</think>.", "reference": reference},
        {"id": "c", "domain": "ifeval", "response": "<think>x</think>.", "reference": reference,
         "options": {"loopholes": "closed"}},
        {"id": "bad", "domain": "ifeval", "response": ".", "reference": reference, "options": {"loopholes": "open"}},
        {"id": "neg", "domain": "ifeval", "response": ".", "reference": reference, "options": {"min_words": -1}},
    ]
    results = verifiers.score_batch(items, cache=None)
    assert [(r.status, r.reward) for r in results[:2]] == [("ok", 1.0), ("ok", 0.0)]
    assert results[1].details["reason"] == "effort_floor"
    assert [r.status for r in results[2:]] == ["invalid", "invalid"]
    assert "loopholes" in (results[2].error or "") and "min_words" in (results[3].error or "")


def test_explicit_google_loopholes_score_the_golden_set_as_labelled() -> None:
    """``loopholes: "google"`` is the default spelled out: the labelled parity cases do not move."""
    from pathlib import Path

    golden = Path(__file__).resolve().parents[2] / "golden" / "ifeval.jsonl"
    cases = [json.loads(line) for line in golden.read_text().splitlines() if line.strip()]
    items = [dict(case["item"], options={**case["item"].get("options", {}), "loopholes": "google"}) for case in cases]
    results = verifiers.score_batch(items, cache=None)
    for case, result in zip(cases, results, strict=True):
        assert result.status == case.get("expected_status", "ok"), case["note"]
        assert result.reward == pytest.approx(float(case["expected_reward"])), case["note"]
