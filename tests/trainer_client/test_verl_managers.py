"""trainer_client/verl.py loaded and called as verl <= 0.6 loads and calls a custom reward function (legacy managers).

verl 0.6 (``verl/trainer/ppo/reward.py: get_custom_reward_fn``) imports the file by path as module
``custom_module`` and wraps ``custom_reward_function.name`` so that ``custom_reward_function.reward_kwargs``
are merged into every call (the config's kwargs win). Then:

- ``NaiveRewardManager`` (``verl/workers/reward_manager/naive.py``) calls, per sample,
  ``compute_score(data_source=, solution_str=, ground_truth=, extra_info=)`` after setting
  ``extra_info["num_turns"]``; a dict result gives the reward in ``score`` and every key is appended to
  ``reward_extra_info`` (so all samples must return the same keys).
- ``BatchRewardManager`` (``verl/workers/reward_manager/batch.py``) calls once
  ``compute_score(data_sources=, solution_strs=, ground_truths=, extra_infos=, **reward_kwargs)`` with
  numpy object arrays for data sources and extra infos, and reads ``score`` from each dict.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import trainer_client.verl
from tests.trainer_client.domain_samples import samples


def _load_like_verl(function_name: str, reward_kwargs: dict[str, Any]) -> Callable[..., Any]:
    """verl's get_custom_reward_fn: import by file path as ``custom_module``, merge the config's kwargs."""
    path = trainer_client.verl.__file__
    spec = importlib.util.spec_from_file_location("custom_module", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["custom_module"] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["custom_module"]
    raw_fn = getattr(module, function_name)

    def wrapped_fn(*args: Any, **kwargs: Any) -> Any:
        return raw_fn(*args, **{**kwargs, **reward_kwargs})

    return wrapped_fn


def test_naive_manager_every_domain(reward_service_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRORL_REWARD_URL", raising=False)  # the URL comes from reward_kwargs, as configured
    compute_score = _load_like_verl("compute_score_sync", {"reward_url": reward_service_url})
    reward_extra_info: dict[str, list[Any]] = defaultdict(list)
    rewards = []
    for index, sample in enumerate(samples()):
        extra_info: dict[str, Any] = {"split": "train", "index": index}
        extra_info["num_turns"] = None  # what NaiveRewardManager adds before the call
        score = compute_score(data_source=sample.data_source, solution_str=sample.response,
                              ground_truth=sample.ground_truth, extra_info=extra_info)
        assert isinstance(score, dict)
        rewards.append(score["score"])
        for key, value in score.items():
            reward_extra_info[key].append(value)
    assert rewards == [s.expected for s in samples()]
    assert {len(values) for values in reward_extra_info.values()} == {len(rewards)}  # same keys every sample
    assert reward_extra_info["usable"] == [1.0] * len(rewards)


def test_batch_manager_every_domain(reward_service_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRORL_REWARD_URL", raising=False)
    compute_score = _load_like_verl("compute_score_batch", {"reward_url": reward_service_url})
    batch = samples() * 3  # a batch with repeats, as GRPO groups have
    data_sources = np.array([s.data_source for s in batch], dtype=object)
    extras = np.array([{"index": i, "split": "train"} for i in range(len(batch))], dtype=object)
    manager_reward_kwargs: dict[str, Any] = {}  # reward_model.reward_kwargs, passed through by the manager
    scores = compute_score(data_sources=data_sources, solution_strs=[s.response for s in batch],
                           ground_truths=[s.ground_truth for s in batch], extra_infos=extras,
                           **manager_reward_kwargs)
    rewards = [score["score"] if isinstance(score, dict) else score for score in scores]
    assert rewards == [s.expected for s in batch]


def test_batch_manager_without_extra_info(reward_service_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # BatchRewardManager passes [None] * len(data) when the dataset has no extra_info column.
    monkeypatch.setenv("PRORL_REWARD_URL", reward_service_url)
    compute_score = _load_like_verl("compute_score_batch", {})
    batch = samples()
    scores = compute_score(data_sources=np.array([s.data_source for s in batch], dtype=object),
                           solution_strs=[s.response for s in batch], ground_truths=[s.ground_truth for s in batch],
                           extra_infos=[None] * len(batch))
    assert [s["score"] for s in scores] == [s.expected for s in batch]
