"""Prompts render with a real tokenizer's chat template when it has one, plainly otherwise."""

from __future__ import annotations

from tokenizers import Tokenizer, models
from transformers import PreTrainedTokenizerFast

from trainer_client.data.prompts import SYSTEM_PROMPTS, build_prompt, merge_system_into_user, render_prompt

CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
          "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
NO_SYSTEM = ("{% for m in messages %}{% if m['role'] == 'system' %}"
             "{{ raise_exception('System role not supported') }}{% endif %}"
             "<start_of_turn>{{ m['role'] }}\n{{ m['content'] }}<end_of_turn>\n{% endfor %}"
             "{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}")


def _tokenizer(template: str | None) -> PreTrainedTokenizerFast:
    tok = PreTrainedTokenizerFast(tokenizer_object=Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]")))
    tok.chat_template = template
    return tok


def test_each_domain_asks_for_what_its_verifier_extracts() -> None:
    assert "\\boxed{}" in SYSTEM_PROMPTS["math"]
    assert "<answer>" in SYSTEM_PROMPTS["reasoning_gym"]
    assert "Answer: X" in SYSTEM_PROMPTS["mcq"]
    assert "```python" in SYSTEM_PROMPTS["code"]
    assert build_prompt("ifeval", "Write a haiku.") == [{"role": "user", "content": "Write a haiku."}]


def test_render_with_chat_template() -> None:
    text = render_prompt(build_prompt("math", "1+1?"), _tokenizer(CHATML))
    assert text.startswith("<|im_start|>system\nSolve the problem.")
    assert text.endswith("<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n")


def test_template_without_system_role_gets_it_merged() -> None:
    text = render_prompt(build_prompt("mcq", "Q?"), _tokenizer(NO_SYSTEM))
    assert text.count("<start_of_turn>") == 2
    assert text.startswith(f"<start_of_turn>user\n{SYSTEM_PROMPTS['mcq']}\n\nQ?")
    assert text.endswith("<start_of_turn>model\n")


def test_plain_fallback_and_string_prompts() -> None:
    messages = build_prompt("code", "Print 1.")
    assert render_prompt(messages, _tokenizer(None)) == render_prompt(messages)
    assert render_prompt(messages).endswith("User: Print 1.\n\nAssistant:")
    assert render_prompt("already rendered") == "already rendered"
    assert merge_system_into_user([{"role": "system", "content": "S"}]) == [{"role": "user", "content": "S"}]


def test_flat_prompt_merges_system_into_the_user_text() -> None:
    from trainer_client.data.prompts import flat_prompt

    assert flat_prompt(build_prompt("math", "1+1?")) == f"{SYSTEM_PROMPTS['math']}\n\n1+1?"
    assert flat_prompt(build_prompt("ifeval", "Write.")) == "Write."
    assert flat_prompt("s") == "s"
