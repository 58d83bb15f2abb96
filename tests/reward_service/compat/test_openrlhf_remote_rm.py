"""/openrlhf/reward as OpenRLHF's own remote reward code calls it and reads it, for every domain.

Request (``openrlhf/utils/remote_rm_utils.py``): ``requests.post(url, json={"query", "prompts", "labels"},
headers={"Content-Type": "application/json"}, timeout=180)``, then ``raise_for_status`` and ``.json()``.
``query`` is prompt + response decoded with ``skip_special_tokens=False`` (chat template tokens and
the end-of-turn token included); ``labels`` is the ``--label_key`` column.

Answer: older OpenRLHF reads ``response["rewards"]`` of a batch (``remote_rm_fn``, ``score_key="rewards"``,
then ``torch.tensor``); current OpenRLHF sends one sample at a time and reads ``rewards``,
``scores or rewards`` and ``extra_logs``, taking the first element of each list (``_extract_scalar``).
"""

from __future__ import annotations

from typing import Any

import requests
import torch

from tests.trainer_client.domain_samples import Sample, samples

TEMPLATE = "<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"


def _request_api_wrapper(url: str, data: dict[str, Any]) -> dict[str, Any]:
    """OpenRLHF's request_api_wrapper (first attempt; it retries the same call on errors)."""
    response = requests.post(url=url, json=data, headers={"Content-Type": "application/json"}, timeout=180)
    response.raise_for_status()
    return response.json()


def _extract_scalar(value: Any) -> float | None:
    """OpenRLHF's _extract_scalar: the first element of a list, as a float."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return _extract_scalar(value[0]) if value else None
    return float(value)


def _query_and_prompt(index: int, sample: Sample) -> tuple[str, str]:
    prompt = TEMPLATE.format(question=f"question {index} ({sample.domain})")
    return prompt + sample.response + "<|im_end|>", prompt


def test_batched_request_every_domain(reward_service_url: str) -> None:
    batch = samples()
    queries, prompts = zip(*(_query_and_prompt(i, s) for i, s in enumerate(batch)), strict=True)
    body = {"query": list(queries), "prompts": list(prompts), "labels": [s.label for s in batch]}
    info = _request_api_wrapper(f"{reward_service_url}/openrlhf/reward", body)
    rewards = torch.tensor(info["rewards"])  # remote_rm_fn(..., score_key="rewards")
    assert rewards.tolist() == [s.expected for s in batch]
    assert info["scores"] == info["rewards"]
    assert info["extra_logs"]["usable"] == [1.0] * len(batch)
    assert all(len(values) == len(batch) for values in info["extra_logs"].values())


def test_per_sample_requests_every_domain(reward_service_url: str) -> None:
    for index, sample in enumerate(samples()):
        query, prompt = _query_and_prompt(index, sample)
        info = _request_api_wrapper(f"{reward_service_url}/openrlhf/reward",
                                    {"query": [query], "prompts": [prompt], "labels": [sample.label]})
        reward = _extract_scalar(info.get("rewards"))
        score = _extract_scalar(info.get("scores")) or reward
        extra_logs = {k: _extract_scalar(v) for k, v in (info.get("extra_logs") or {}).items()}
        assert reward == sample.expected, sample
        assert score == sample.expected
        assert extra_logs["correct"] == sample.expected and extra_logs["usable"] == 1.0


def test_unusable_label_is_reward_zero_and_flagged(reward_service_url: str) -> None:
    # OpenRLHF cannot drop a sample: a label we cannot judge is reward 0 with extra_logs.usable 0.
    query, prompt = _query_and_prompt(0, samples()[0])
    info = _request_api_wrapper(f"{reward_service_url}/openrlhf/reward",
                                {"query": [query, query], "prompts": [prompt, prompt],
                                 "labels": ["not json", samples()[0].label]})
    assert info["rewards"] == [0.0, 1.0] and info["extra_logs"]["usable"] == [0.0, 1.0]
