"""VLLMEngine's adapter logic against a stand-in ``vllm`` module (vLLM needs a GPU; it cannot run here).

The stand-in mimics only the documented shapes (LLM kwargs, RequestOutput.outputs[].token_ids/text/
finish_reason/logprobs, sleep/wake_up tags, apply_model); it checks our mapping and call order, not vLLM.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field

import pytest
import torch

from trainer_client.engines.base import SamplingSettings


@dataclass
class _Logprob:
    logprob: float


@dataclass
class _Completion:
    token_ids: list[int]
    text: str
    finish_reason: str
    logprobs: list[dict[int, _Logprob]]


@dataclass
class _FakeLLM:
    kwargs: dict
    calls: list = field(default_factory=list)
    loaded: list = field(default_factory=list)

    def generate(self, prompts, params, use_tqdm=True):
        self.calls.append(("generate", params.n, params.max_tokens))
        outs = []
        for p in prompts:
            comps = [_Completion([7, 8, 2], "ab", "stop", [{7: _Logprob(-0.1)}, {8: _Logprob(-0.2)}, {2: _Logprob(-0.3)}]),
                     _Completion([9] * params.max_tokens, "c" * params.max_tokens, "length",
                                 [{9: _Logprob(-1.0)}] * params.max_tokens)]
            outs.append(types.SimpleNamespace(prompt_token_ids=p["prompt_token_ids"], outputs=comps[: params.n]))
        return outs

    def sleep(self, level):
        self.calls.append(("sleep", level))

    def wake_up(self, tags=None):
        self.calls.append(("wake_up", tuple(tags) if tags else None))

    def apply_model(self, fn):
        self.calls.append(("apply_model",))
        fn(types.SimpleNamespace(load_weights=lambda w: self.loaded.extend(w)))

    def reset_prefix_cache(self):
        self.calls.append(("reset_prefix_cache",))


@pytest.fixture
def fake_vllm(monkeypatch):
    made: list[_FakeLLM] = []
    mod = types.ModuleType("vllm")

    def llm(**kwargs):
        made.append(_FakeLLM(kwargs))
        return made[-1]

    mod.LLM = llm
    mod.SamplingParams = lambda **kw: types.SimpleNamespace(**kw)
    monkeypatch.setitem(sys.modules, "vllm", mod)
    return made


def test_generate_maps_outputs_and_logprobs(fake_vllm) -> None:
    from trainer_client.engines.vllm import VLLMEngine

    eng = VLLMEngine("/models/x", gpu_memory_utilization=0.3)
    kwargs = fake_vllm[0].kwargs
    assert kwargs["enable_sleep_mode"] and kwargs["logprobs_mode"] == "processed_logprobs"
    out = eng.generate([[1, 2], [3]], SamplingSettings(n=2, temperature=1.2, max_tokens=4))
    assert len(out) == 2 and [len(g) for g in out] == [2, 2]
    stop, cut = out[0]
    assert (stop.token_ids, stop.finish_reason, stop.logprobs) == ([7, 8, 2], "stop", [-0.1, -0.2, -0.3])
    assert cut.truncated and cut.length == 4 and cut.logprobs == [-1.0] * 4


def test_sleep_update_wake_order(fake_vllm) -> None:
    from trainer_client.engines.vllm import VLLMEngine

    eng = VLLMEngine("/models/x")
    llm = fake_vllm[0]
    eng.sleep()
    eng.update_weights({"w": torch.ones(2)})
    eng.wake_up()
    assert llm.calls == [("sleep", 1), ("wake_up", ("weights",)), ("apply_model",), ("reset_prefix_cache",),
                         ("wake_up", ("kv_cache",))]
    assert [name for name, _ in llm.loaded] == ["w"]
