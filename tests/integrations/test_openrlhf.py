"""OpenRLHF 0.11 (the real wheel) calling /openrlhf/reward with its own remote-reward code.

``openrlhf.utils.agent.SingleTurnAgentExecutor`` is what OpenRLHF's vLLM engines run per rollout with
``--reward.remote_url``: it decodes prompt + response with ``skip_special_tokens=False`` (so the query ends
in the template's end-of-turn token), posts ``{"query", "prompts", "labels"}`` with aiohttp
(``_fetch_rewards_via_http``) and reads ``rewards``, ``scores`` and ``extra_logs``. OpenRLHF has no
hydra, so it imports into the test process (its directory appended to sys.path, never ahead of .venv).
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import pytest

from tests.integrations.conftest import ENVS, env_path
from tests.trainer_client.domain_samples import samples

TEMPLATE = "<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def executor_cls() -> Any:
    env_path("openrlhf")
    sys.path.append(str(ENVS / "openrlhf"))
    from openrlhf.utils.agent import SingleTurnAgentExecutor

    return SingleTurnAgentExecutor


def _fetch(executor_cls: Any, url: str, queries: list[str], prompts: list[str], labels: list[str]) -> dict:
    executor = executor_cls(remote_rm_url=f"{url}/openrlhf/reward")
    (info,) = asyncio.run(executor._fetch_rewards_via_http(queries, prompts, labels))
    return info


def test_every_domain_with_end_of_turn_tokens(executor_cls: Any, reward_service_url: str) -> None:
    batch = samples()
    prompts = [TEMPLATE.format(question=f"q{i}") for i in range(len(batch))]
    ends = ["<|im_end|>", "<|endoftext|>", "</s>", "<|eot_id|>", "<|im_end|>\n"]
    queries = [p + s.response + ends[i % len(ends)] for i, (p, s) in enumerate(zip(prompts, batch, strict=True))]
    info = _fetch(executor_cls, reward_service_url, queries, prompts, [s.label for s in batch])
    assert info["rewards"] == [s.expected for s in batch]
    assert info["extra_logs"]["usable"] == [1.0] * len(batch)


def test_ifeval_end_checker_passes_despite_im_end(executor_cls: Any, reward_service_url: str) -> None:
    # The response ends with the phrase; OpenRLHF's query ends with <|im_end|> after it (failed before).
    phrase = "Is there anything else I can help with?"
    label = json.dumps({"domain": "ifeval", "reference": {
        "prompt": "Say hi.", "instruction_id_list": ["startend:end_checker"], "kwargs": [{"end_phrase": phrase}]}})
    prompt = TEMPLATE.format(question="Say hi.")
    right, wrong = f"Hi there. {phrase}", f"{phrase} Hi there."
    info = _fetch(executor_cls, reward_service_url, [prompt + right + "<|im_end|>", prompt + wrong + "<|im_end|>"],
                  [prompt, prompt], [label, label])
    assert info["rewards"] == [1.0, 0.0]


def test_deeply_nested_label_costs_only_its_sample(executor_cls: Any, reward_service_url: str) -> None:
    good = samples()[0]
    prompt = TEMPLATE.format(question="q")
    nested = "[" * 100_000 + "]" * 100_000  # a JSON label past the parser's recursion limit
    info = _fetch(executor_cls, reward_service_url, [prompt + good.response + "<|im_end|>"] * 2, [prompt] * 2,
                  [nested, good.label])
    assert info["rewards"] == [0.0, 1.0] and info["extra_logs"]["usable"] == [0.0, 1.0]
