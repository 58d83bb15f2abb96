"""Chat templating in one place: per-domain system prompts and rendering with a tokenizer's template.

Each system prompt asks for exactly the answer format its verifier extracts (``verifiers/*``): the last
``\\boxed{}`` for math, the last ``<answer>`` tag for reasoning_gym, a committed letter for mcq, the last
fenced code block for code. IFEval prompts carry their own instructions, so they get none: an extra
instruction could contradict the ones being graded.
"""

from __future__ import annotations

from typing import Any

Messages = list[dict[str, str]]

SYSTEM_PROMPTS: dict[str, str] = {
    "math": (
        "Solve the problem. Reason step by step, then give only the final answer inside \\boxed{}, "
        "for example \\boxed{\\frac{3}{4}}. Give exactly one boxed answer."
    ),
    "reasoning_gym": (
        "Solve the puzzle. Think it through, then write only the final answer inside "
        "<answer> </answer> tags, for example <answer>42</answer>, in the format the question asks for."
    ),
    "mcq": (
        "Answer the multiple-choice question. Reason step by step, then finish with a line of the form "
        "\"Answer: X\" where X is the letter of the single correct option."
    ),
    "code": (
        "Solve the programming problem in Python 3. Reason about the approach, then give the complete "
        "program in one fenced ```python code block at the end of your answer."
    ),
    "ifeval": "",
}


def build_prompt(domain: str, question: str, system: bool = True) -> Messages:
    """Chat messages for ``question``: the domain's system prompt (if any) followed by the user turn."""
    if domain not in SYSTEM_PROMPTS:
        raise KeyError(f"no prompt template for domain {domain!r}")
    messages: Messages = []
    if system and SYSTEM_PROMPTS[domain]:
        messages.append({"role": "system", "content": SYSTEM_PROMPTS[domain]})
    messages.append({"role": "user", "content": question})
    return messages


def merge_system_into_user(messages: Messages) -> Messages:
    """Fold system messages into the first user turn.

    Some chat templates reject a system role (Gemma) and some reasoning models are trained without one
    (DeepSeek-R1 recommends putting every instruction in the user turn).
    """
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    rest = [dict(m) for m in messages if m["role"] != "system"]
    if system:
        for message in rest:
            if message["role"] == "user":
                message["content"] = f"{system}\n\n{message['content']}"
                break
        else:
            rest.insert(0, {"role": "user", "content": system})
    return rest


def flat_prompt(prompt: Messages | str) -> str:
    """The prompt as one user-turn string (system text first), for consumers that take a plain string
    prompt and wrap it in a single user message themselves."""
    if isinstance(prompt, str):
        return prompt
    return "\n\n".join(m["content"] for m in merge_system_into_user(prompt))


def render_prompt(prompt: Messages | str, tokenizer: Any = None, merge_system: bool = False) -> str:
    """The text a policy is sampled from.

    With a tokenizer that has a chat template, this is ``apply_chat_template(..., tokenize=False,
    add_generation_prompt=True)``; a template that rejects the system role gets it merged into the user
    turn. Without a template (base models, no tokenizer) a plain ``System:/User:/Assistant:`` layout is
    used. A string prompt is already rendered and is returned as is.
    """
    if isinstance(prompt, str):
        return prompt
    messages = merge_system_into_user(prompt) if merge_system else [dict(m) for m in prompt]
    if tokenizer is not None and getattr(tokenizer, "chat_template", None):
        try:
            return str(tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))
        except Exception as exc:  # jinja raises TemplateError for "System role not supported"
            if merge_system or not any(m["role"] == "system" for m in messages):
                raise
            if "system" not in str(exc).lower():
                raise
            return render_prompt(prompt, tokenizer, merge_system=True)
    return _plain(messages)


def _plain(messages: Messages) -> str:
    parts = [f"{m['role'].capitalize()}: {m['content']}" for m in messages]
    parts.append("Assistant:")
    return "\n\n".join(parts)
