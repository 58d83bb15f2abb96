"""Truncation under thinking templates (issue #14.7): ``options.thinking: "prompted"`` and ``truncated: true``.

Unit properties of :func:`verifiers.answer_text.answer_text`, then every domain through the real jailed
pool: a sample cut while thinking or at the token budget scores 0 with status ``ok`` and says why, and a
closed think block still scores its final answer.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifiers import score_batch
from verifiers.answer_text import THINK_CLOSE, THINK_OPEN, TruncatedInThinking, answer_text

# Text with neither tag, so a property can place the tags itself.
plain = st.text(max_size=200).filter(lambda t: "<think>" not in t and "</think>" not in t)


@given(plain)
def test_prompted_without_close_is_truncated_in_thinking(text: str) -> None:
    with pytest.raises(TruncatedInThinking):
        answer_text(text, "prompted")


@given(plain)
def test_default_without_tags_scores_the_whole_text(text: str) -> None:
    assert answer_text(text) == text


@given(plain, st.lists(plain, max_size=3), plain)
def test_prompted_scores_only_after_the_last_close(thought: str, more: list[str], answer: str) -> None:
    response = thought + THINK_CLOSE + "".join(part + THINK_CLOSE for part in more) + answer
    assert answer_text(response, "prompted") == answer
    assert answer_text(response) == answer  # the same cut as without the option once thinking is closed


@given(plain, plain)
def test_prompted_reopened_thinking_is_truncated(thought: str, tail: str) -> None:
    with pytest.raises(TruncatedInThinking):
        answer_text(thought + THINK_CLOSE + THINK_OPEN + tail, "prompted")


def _rg_entry() -> dict[str, Any]:
    import reasoning_gym

    entry = reasoning_gym.create_dataset("basic_arithmetic", size=1, seed=0)[0]
    return json.loads(json.dumps(entry))  # tuples -> lists, as the entry travels in JSON


@functools.lru_cache(maxsize=1)
def right_answers() -> dict[str, tuple[str, dict[str, Any]]]:
    """Per domain (code aside: it needs Docker), a final answer that scores 1 and its reference."""
    entry = _rg_entry()
    return {
        "math": ("The answer is \\boxed{4}.", {"answer": "4"}),
        "mcq": ("Answer: B", {"answer": "B"}),
        "ifeval": ("this sentence has no commas at all and is long enough to count as a real answer here",
                   {"prompt": "Write without commas.", "instruction_id_list": ["punctuation:no_comma"],
                    "kwargs": [{}]}),
        "reasoning_gym": (f"<answer>{entry['answer']}</answer>", {"entry": entry}),
    }


CODE_REFERENCE = {"language": "python", "tests": {"inputs": ["1\n"], "outputs": ["1\n"]}}
CODE_ANSWER = "```python\nprint(input())\n```"


@pytest.fixture(scope="module")
def pool() -> Any:
    from verifiers.jail.pool import get_pool

    return get_pool()


def test_every_domain_honours_prompted_thinking_and_truncated(pool: Any) -> None:
    items: list[dict[str, Any]] = []
    expected: list[tuple[float, str | None]] = []
    for domain, (answer, reference) in right_answers().items():
        base = {"domain": domain, "reference": reference}
        items += [
            {**base, "id": f"{domain}-plain", "response": answer},
            # Cut while thinking: the right answer written mid-thought must not pay.
            {**base, "id": f"{domain}-cut", "response": f"Let me think. {answer}", "options": {"thinking": "prompted"}},
            {**base, "id": f"{domain}-closed", "response": f"hmm {THINK_CLOSE}{answer}",
             "options": {"thinking": "prompted"}},
            {**base, "id": f"{domain}-truncated", "response": answer, "truncated": True},
            {**base, "id": f"{domain}-truncated-closed", "response": f"x{THINK_CLOSE}{answer}", "truncated": True,
             "options": {"thinking": "prompted"}},
        ]
        expected += [(1.0, None), (0.0, "truncated_in_thinking"), (1.0, None), (0.0, "truncated"), (0.0, "truncated")]
    code = {"domain": "code", "reference": CODE_REFERENCE}
    items += [{**code, "id": "code-cut", "response": CODE_ANSWER, "options": {"thinking": "prompted"}},
              {**code, "id": "code-truncated", "response": CODE_ANSWER, "truncated": True}]
    expected += [(0.0, "truncated_in_thinking"), (0.0, "truncated")]

    results = score_batch(items, pool=pool, cache=None)
    for item, result, (reward, reason) in zip(items, results, expected, strict=True):
        assert result.status == "ok", (item["id"], result)
        assert result.reward == reward, (item["id"], result)
        if reason is not None:
            assert result.details.get("reason") == reason, (item["id"], result)


@settings(max_examples=25, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["math", "mcq", "ifeval", "code", "reasoning_gym"]))
def test_truncated_is_zero_whatever_the_text(text: str, domain: str) -> None:
    answer, reference = right_answers().get(domain, (CODE_ANSWER, CODE_REFERENCE))
    result = score_batch([{"domain": domain, "response": answer + text, "reference": reference, "truncated": True}],
                         cache=None)[0]
    assert (result.status, result.reward, result.details.get("reason")) == ("ok", 0.0, "truncated")


def test_unknown_thinking_mode_is_an_invalid_item() -> None:
    result = score_batch([{"domain": "math", "response": "\\boxed{4}", "reference": {"answer": "4"},
                           "options": {"thinking": "sometimes"}}], cache=None)[0]
    assert result.status == "invalid" and "thinking" in (result.error or "")


def test_item_builder_marks_truncated_samples() -> None:
    from trainer_client.item_builder import build_item

    cut = build_item("gsm8k", "\\boxed{4}", "4", truncated=True)
    whole = build_item("gsm8k", "\\boxed{4}", "4")
    assert cut["truncated"] is True and "truncated" not in whole
    results = score_batch([cut, whole], cache=None)
    assert [r.reward for r in results] == [0.0, 1.0] and results[0].details["reason"] == "truncated"
