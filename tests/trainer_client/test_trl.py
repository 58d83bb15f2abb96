"""trainer_client.trl reward functions called the way TRL's GRPOTrainer calls them, against a real service."""

from __future__ import annotations

import json

from trainer_client.trl import completion_text, make_reward_func


def test_standard_and_conversational_completions(reward_service_url: str) -> None:
    reward = make_reward_func(reward_service_url)
    # GRPOTrainer passes every dataset column as a list keyword, plus its own extras.
    rewards = reward(
        prompts=["What is 2+2?", [{"role": "user", "content": "Pick one"}], "2+2?"],
        completions=["\\boxed{4}", [{"role": "assistant", "content": "<think>B? no</think>Answer: C"}], "\\boxed{5}"],
        domain=["math", "mcq", "math"],
        reference=[{"answer": "4"}, json.dumps({"answer": "C"}), "4"],
        completion_ids=[[1], [2], [3]],
        trainer_state=None,
    )
    assert rewards == [1.0, 1.0, 0.0]


def test_unjudgeable_samples_get_the_configured_value(reward_service_url: str) -> None:
    completions = ["\\boxed{4}", "\\boxed{4}"]
    kwargs = {"domain": ["math", "astrology"], "reference": [{"answer": "4"}, {"answer": "4"}]}
    assert make_reward_func(reward_service_url)(prompts=["a", "b"], completions=completions, **kwargs) == [1.0, 0.0]
    assert make_reward_func(reward_service_url, unusable_reward=None)(
        prompts=["a", "b"], completions=completions, **kwargs) == [1.0, None]


def test_completion_text_shapes() -> None:
    assert completion_text("plain") == "plain"
    conversation = [{"role": "assistant", "content": "first"}, {"role": "tool", "content": "x"},
                    {"role": "assistant", "content": [{"type": "text", "text": "fin"}, {"type": "text", "text": "al"}]}]
    assert completion_text(conversation) == "final"
