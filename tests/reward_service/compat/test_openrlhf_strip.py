"""strip_end_of_turn: removes exactly the trailing end-of-turn tokens OpenRLHF leaves on a decoded response."""

from __future__ import annotations

import httpx
from hypothesis import given
from hypothesis import strategies as st

from reward_service.compat.openrlhf import END_OF_TURN, strip_end_of_turn

tails = st.lists(st.sampled_from([*END_OF_TURN, " ", "\n", "\t"]), max_size=6).map("".join)
texts = st.lists(st.sampled_from(["a", " ", "\n", "<", "|", ">", "/", "s", *END_OF_TURN]), max_size=20).map("".join)


@given(texts, tails)
def test_any_trailing_tokens_and_whitespace_go_and_nothing_else(text: str, tail: str) -> None:
    core = strip_end_of_turn(text)
    assert strip_end_of_turn(core + tail) == core  # whatever trails, the same core
    assert strip_end_of_turn(core) == core  # idempotent
    assert text.startswith(core)  # only a suffix is ever removed


def test_tokens_inside_the_text_stay() -> None:
    assert strip_end_of_turn("say <|im_end|> here<|im_end|>\n") == "say <|im_end|> here"
    assert strip_end_of_turn("x</s></s> <|eot_id|>") == "x"


def test_a_repetition_loop_of_tokens_is_stripped_in_one_linear_pass() -> None:
    # Each step moves an index back by a whole token; 200k tokens would be quadratic if each step copied.
    assert strip_end_of_turn("answer" + "</s>\n" * 200_000) == "answer"


def test_strip_eos_option_for_other_clients(reward_service_url: str) -> None:
    # Same response, decoded with special tokens: IFEval's end checker passes only when asked to strip.
    phrase = "Is there anything else I can help with?"
    reference = {"prompt": "Say hi.", "instruction_id_list": ["startend:end_checker"], "kwargs": [{"end_phrase": phrase}]}
    item = {"domain": "ifeval", "response": f"Hi. {phrase}<|im_end|>", "reference": reference}
    body = {"items": [item, {**item, "options": {"strip_eos": True}}]}
    results = httpx.post(f"{reward_service_url}/v1/score", json=body, timeout=120).json()["results"]
    assert [r["reward"] for r in results] == [0.0, 1.0]
