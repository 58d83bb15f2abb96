"""A verl reward manager that tells prorl which responses were cut at the length budget.

verl's ``naive`` manager decodes the response and calls ``compute_score`` with the dataset row's
``extra_info``; nothing says whether the model stopped or ran out of tokens, so a response cut mid-answer
is scored as if it were final. This manager is verl's own ``NaiveRewardManager`` plus one fact: a response
that fills the whole ``responses`` tensor without ending in an EOS token was truncated, and
``extra_info["truncated"] = True`` makes :func:`trainer_client.verl.compute_score` send ``truncated: true``
(reward 0, reason ``truncated``). Select it with (verl >= 0.7)::

    reward.reward_manager.source=importlib
    reward.reward_manager.name=ProrlRewardManager
    reward.reward_manager.module.path=$(python -c 'import trainer_client.verl_manager as m; print(m.__file__)')

This module imports verl, so it is only loaded inside verl's environment.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from verl import DataProto
from verl.experimental.reward_loop.reward_manager.naive import NaiveRewardManager


def _eos_ids(tokenizer: Any) -> set[int]:
    ids = getattr(tokenizer, "eos_token_id", None)
    if ids is None:
        return set()
    return {int(i) for i in ids} if isinstance(ids, (list, tuple)) else {int(ids)}


def response_truncated(data_item: Any, eos_ids: set[int]) -> bool:
    """True when the sample's response used every position of its tensor and its last token is not EOS."""
    responses = data_item.batch["responses"]
    width = responses.shape[-1]
    valid = int(data_item.batch["attention_mask"][-width:].sum())
    return valid >= width and int(responses[valid - 1]) not in eos_ids


class ProrlRewardManager(NaiveRewardManager):
    """verl's naive manager, with ``extra_info["truncated"]`` set from the response length and its last token."""

    async def run_single(self, data: DataProto) -> dict:
        extras = data.non_tensor_batch.get("extra_info")
        if extras is None:
            extras = np.array([{} for _ in range(len(data))], dtype=object)
            data.non_tensor_batch["extra_info"] = extras
        if not isinstance(extras[-1], dict):
            extras[-1] = {}
        # The naive manager reads this same dict object (the last row) and passes it on as extra_info.
        extras[-1]["truncated"] = response_truncated(data[-1], _eos_ids(self.tokenizer))
        return await super().run_single(data)
