"""TRL adapter: a reward function for ``GRPOTrainer(reward_funcs=[...])`` backed by the reward service.

TRL calls ``reward_func(prompts=..., completions=..., **columns)`` where every other dataset column
arrives as a list keyword. Give the dataset a ``domain`` column (or ``data_source``) and a ``reference``
column (a dict or a JSON string; ``ground_truth``/``answer``/``solution`` are read as a bare answer too)::

    from trainer_client.trl import make_reward_func
    trainer = GRPOTrainer(model=..., reward_funcs=[make_reward_func("http://127.0.0.1:8000")], ...)

Conversational completions (lists of ``{"role", "content"}`` messages) are scored on their last
assistant message. Samples the service could not judge get ``unusable_reward`` (default 0.0; pass None
to let TRL ignore them when several reward functions are combined).

With ``max_completion_length`` (the GRPOConfig value), a completion whose ``completion_ids`` fill the budget
without ending in one of ``eos_token_ids`` was cut there, TRL's own ``clipped_ratio`` test: it is sent as
``truncated: true`` (reward 0). An ``options`` column (e.g. ``{"thinking": "prompted"}``) reaches each item.
Every call reports ``prorl/unusable_fraction`` through TRL's ``log_metric`` hook and a ``prorl_status``
column of the completions table through ``log_extra`` (TRL >= 0.24 passes both; older TRL does not).
:func:`make_async_reward_func` gives the coroutine form, which TRL runs concurrently with other rewards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
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


def _truncated(ids: Any, max_len: int | None, eos: frozenset[int]) -> bool:
    """TRL's clipped-completion test: the ids fill the budget and the last one is no EOS."""
    if max_len is None or ids is None:
        return False
    ids = list(ids)
    return len(ids) >= max_len and (not ids or int(ids[-1]) not in eos)


class _Scorer:
    """Shared by the sync and async reward functions: build items, score them, report to TRL."""

    def __init__(self, base_url: str | None, api_key: str | None, unusable_reward: float | None,
                 max_completion_length: int | None, eos_token_ids: Sequence[int], client_kwargs: dict[str, Any]):
        url, key = service_from_env(base_url, api_key)
        self.client = RewardClient(url, api_key=key, **client_kwargs)
        self.unusable_reward = unusable_reward
        self.max_len = max_completion_length
        self.eos = frozenset(int(i) for i in eos_token_ids)

    def items(self, completions: Sequence[Any], kwargs: dict[str, Any]) -> list[dict[str, Any]]:
        n = len(completions)
        domains = _column(kwargs, _DOMAIN_COLUMNS, n)
        references = _column(kwargs, _REFERENCE_COLUMNS, n)
        options = _column(kwargs, ("options",), n)
        ids = kwargs.get("completion_ids") or [None] * n
        return [build_item(domain, completion_text(completion), reference,
                           {"options": option} if isinstance(option, dict) else None,
                           truncated=_truncated(completion_ids, self.max_len, self.eos))
                for domain, completion, reference, option, completion_ids
                in zip(domains, completions, references, options, ids, strict=True)]

    def rewards(self, results: list[Any], kwargs: dict[str, Any]) -> list[float | None]:
        flags = [usable(r) for r in results]
        if callable(kwargs.get("log_metric")) and results:
            kwargs["log_metric"]("prorl/unusable_fraction", 1.0 - sum(flags) / len(flags))
        if callable(kwargs.get("log_extra")):
            kwargs["log_extra"]("prorl_status", [r.status for r in results])
        return [r.reward if ok else self.unusable_reward for r, ok in zip(results, flags, strict=True)]


def make_reward_func(base_url: str | None = None, api_key: str | None = None, *,
                     unusable_reward: float | None = 0.0, max_completion_length: int | None = None,
                     eos_token_ids: Sequence[int] = (), **client_kwargs: Any) -> Callable[..., list[float | None]]:
    """Build a TRL reward function bound to one service (URL/key default to PRORL_REWARD_URL/PRORL_API_KEY)."""
    scorer = _Scorer(base_url, api_key, unusable_reward, max_completion_length, eos_token_ids, client_kwargs)

    def prorl_reward(prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (),
                     **kwargs: Any) -> list[float | None]:
        return scorer.rewards(scorer.client.score(scorer.items(completions, kwargs)), kwargs)

    return prorl_reward


def make_async_reward_func(base_url: str | None = None, api_key: str | None = None, *,
                           unusable_reward: float | None = 0.0, max_completion_length: int | None = None,
                           eos_token_ids: Sequence[int] = (),
                           **client_kwargs: Any) -> Callable[..., Awaitable[list[float | None]]]:
    """:func:`make_reward_func` as a coroutine function: TRL awaits it on its async loop, concurrently with
    other async rewards, and the client keeps its connections alive on that loop between steps."""
    scorer = _Scorer(base_url, api_key, unusable_reward, max_completion_length, eos_token_ids, client_kwargs)

    async def prorl_reward(prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (),
                           **kwargs: Any) -> list[float | None]:
        return scorer.rewards(await scorer.client.ascore(scorer.items(completions, kwargs)), kwargs)

    return prorl_reward


_default: Callable[..., list[float | None]] | None = None


def reward_func(prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (),
                **kwargs: Any) -> list[float | None]:
    """Ready-made reward function using PRORL_REWARD_URL / PRORL_API_KEY (created on first call)."""
    global _default
    if _default is None:
        _default = make_reward_func()
    return _default(prompts=prompts, completions=completions, **kwargs)
