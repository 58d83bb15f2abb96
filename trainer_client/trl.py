"""TRL adapter: a reward function for ``GRPOTrainer(reward_funcs=[...])`` backed by the reward service.

TRL calls ``reward_func(prompts=..., completions=..., **columns)`` where every other dataset column
arrives as a list keyword. Give the dataset a ``domain`` column (or ``data_source``) and a ``reference``
column (a dict or a JSON string; ``ground_truth``/``answer``/``solution`` are read as a bare answer too)::

    from trainer_client.trl import make_reward_func
    trainer = GRPOTrainer(model=..., reward_funcs=[make_reward_func("http://127.0.0.1:8000")], ...)

Conversational completions (lists of ``{"role", "content"}`` messages) are scored on their last
assistant message. Samples the service could not judge get ``unusable_reward`` (default 0.0; pass None
to let TRL ignore them when several reward functions are combined).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from trainer_client.client import RewardClient, service_from_env, usable
from trainer_client.item_builder import build_item

_REFERENCE_COLUMNS = ("reference", "ground_truth", "answer", "solution")
_DOMAIN_COLUMNS = ("domain", "data_source")


def completion_text(completion: Any) -> str:
    """The text to score: a plain string, or the last assistant message of a conversation."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        completion = [completion]
    if isinstance(completion, Sequence):
        messages = [m for m in completion if isinstance(m, dict)]
        assistant = [m for m in messages if m.get("role", "assistant") == "assistant"] or messages
        if assistant:
            content = assistant[-1].get("content", "")
            if isinstance(content, list):  # multimodal-style parts: keep the text parts
                return "".join(p.get("text", "") for p in content if isinstance(p, dict))
            return str(content)
    return str(completion)


def _column(kwargs: dict[str, Any], names: Sequence[str], n: int) -> list[Any]:
    for name in names:
        if kwargs.get(name) is not None:
            values = list(kwargs[name])
            if len(values) != n:
                raise ValueError(f"column {name!r} has {len(values)} values for {n} completions")
            return values
    return [None] * n


def make_reward_func(base_url: str | None = None, api_key: str | None = None, *,
                     unusable_reward: float | None = 0.0, **client_kwargs: Any) -> Callable[..., list[float | None]]:
    """Build a TRL reward function bound to one service (URL/key default to PRORL_REWARD_URL/PRORL_API_KEY)."""
    url, key = service_from_env(base_url, api_key)
    client = RewardClient(url, api_key=key, **client_kwargs)

    def prorl_reward(prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (),
                     **kwargs: Any) -> list[float | None]:
        n = len(completions)
        domains = _column(kwargs, _DOMAIN_COLUMNS, n)
        references = _column(kwargs, _REFERENCE_COLUMNS, n)
        options = _column(kwargs, ("options",), n)
        items = [build_item(domain, completion_text(completion), reference,
                            {"options": option} if isinstance(option, dict) else None)
                 for domain, completion, reference, option in zip(domains, completions, references, options,
                                                                  strict=True)]
        return [r.reward if usable(r) else unusable_reward for r in client.score(items)]

    return prorl_reward


_default: Callable[..., list[float | None]] | None = None


def reward_func(prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (),
                **kwargs: Any) -> list[float | None]:
    """Ready-made reward function using PRORL_REWARD_URL / PRORL_API_KEY (created on first call)."""
    global _default
    if _default is None:
        _default = make_reward_func()
    return _default(prompts=prompts, completions=completions, **kwargs)
