"""verl adapter: ``compute_score`` for verl's reward loop, scoring through the reward service.

verl >= 0.7 (0.9 current) imports ``reward.custom_reward_function.path`` and its reward loop awaits
``compute_score(data_source=..., solution_str=..., ground_truth=..., extra_info=...)`` once per sample
when it is a coroutine function (``NaiveRewardManager.run_single``)::

    reward.custom_reward_function.path=$(python -c 'import trainer_client.verl as m; print(m.__file__)')
    reward.custom_reward_function.name=compute_score
    +reward.custom_reward_function.reward_kwargs.reward_url=http://127.0.0.1:8000

verl <= 0.6 calls the function synchronously (``custom_reward_function.name=compute_score_sync``) or per
batch (``compute_score_batch`` with ``reward_model.reward_manager=batch``); docs/ecosystem.md has the table.

Every call shares one kept-alive connection pool per event loop (``RewardClient``): a per-sample call costs
a few milliseconds, not the ~60 ms of a fresh HTTP client. The service URL and key come from ``reward_url``
/ ``api_key`` kwargs or ``PRORL_REWARD_URL`` / ``PRORL_API_KEY``. The returned dict has ``score`` (what verl
uses as the reward), ``acc`` and ``usable`` (0 when the service could not judge the sample: mask or drop it).
``extra_info["truncated"]`` (set by :mod:`trainer_client.verl_manager` for responses cut at the length
budget) and ``extra_info["options"]`` (e.g. ``{"thinking": "prompted"}``) reach the item.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from trainer_client.client import RewardClient, service_from_env, usable
from trainer_client.item_builder import build_item
from verifiers.schemas import Result

_clients: dict[tuple[str, str | None], RewardClient] = {}
_lock = threading.Lock()


def _client(reward_url: str | None, api_key: str | None) -> RewardClient:
    url, key = service_from_env(reward_url, api_key)
    with _lock:
        if (url, key) not in _clients:
            _clients[(url, key)] = RewardClient(url, api_key=key)
        return _clients[(url, key)]


def _as_dict(result: Result) -> dict[str, Any]:
    return {"score": result.reward, "reward": result.reward, "acc": float(result.correct),
            "usable": float(usable(result))}


def _item(data_source: Any, solution_str: str, ground_truth: Any, extra_info: Any) -> dict[str, Any]:
    return build_item(data_source, solution_str, ground_truth, extra_info if isinstance(extra_info, dict) else None)


async def compute_score(data_source: Any, solution_str: str, ground_truth: Any, extra_info: dict | None = None,
                        reward_url: str | None = None, api_key: str | None = None, **kwargs: Any) -> dict[str, Any]:
    """Score one sample (verl >= 0.7 reward loop, awaited); returns ``{"score": ..., "acc", "usable"}``."""
    item = _item(data_source, solution_str, ground_truth, extra_info)
    return _as_dict((await _client(reward_url, api_key).ascore([item]))[0])


def compute_score_sync(data_source: Any, solution_str: str, ground_truth: Any, extra_info: dict | None = None,
                       reward_url: str | None = None, api_key: str | None = None, **kwargs: Any) -> dict[str, Any]:
    """Blocking :func:`compute_score`, for verl <= 0.6's ``naive`` manager and other sync callers."""
    item = _item(data_source, solution_str, ground_truth, extra_info)
    return _as_dict(_client(reward_url, api_key).score([item])[0])


def compute_score_batch(data_sources: Sequence[Any], solution_strs: Sequence[str], ground_truths: Sequence[Any],
                        extra_infos: Sequence[dict | None] | None = None, reward_url: str | None = None,
                        api_key: str | None = None, **kwargs: Any) -> list[dict[str, Any]]:
    """Score a batch in one round trip (verl <= 0.6 ``batch`` reward manager signature); results in order."""
    extras = list(extra_infos) if extra_infos is not None else [None] * len(solution_strs)
    items = [_item(source, text, truth, extra)
             for source, text, truth, extra in zip(data_sources, solution_strs, ground_truths, extras, strict=True)]
    return [_as_dict(result) for result in _client(reward_url, api_key).score(items)]
