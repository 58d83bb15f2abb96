"""Stand-in tests: VLLMEngine's GPU-only logic against a stand-in ``vllm`` module.

vLLM itself runs for real in tests/vllm/ (its CPU build, under ``.venv-vllm``). What the CPU build cannot
exercise stays here: sleep mode (the sleep / wake-up / weight-reload order a colocated GPU trainer relies
on), the GPU engine arguments (bf16, ``gpu_memory_utilization``, tensor parallelism, CUDA graphs) and the
dtype fallback. The stand-in mimics only the documented shapes (LLM kwargs, RequestOutput.outputs[]
.token_ids/text/finish_reason/logprobs, sleep/wake_up tags, collective_rpc, ``current_platform``); it checks
our mapping and call order, not vLLM.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field

import pytest
import torch

from trainer_client.grpo.engines.base import SamplingSettings


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

    def collective_rpc(self, method, kwargs=None):
        self.calls.append(("collective_rpc", method, kwargs["is_checkpoint_format"]))
        self.loaded.extend(kwargs["weights_iterator"])

    def reset_prefix_cache(self):
        self.calls.append(("reset_prefix_cache",))


@dataclass
class _Platform:
    device_type: str = "cuda"
    supported_dtypes: tuple = (torch.bfloat16, torch.float16, torch.float32)

    def is_cpu(self) -> bool:
        return self.device_type == "cpu"

    def is_sleep_mode_available(self) -> bool:
        return self.device_type == "cuda"


@pytest.fixture
def platform(monkeypatch):
    plat = _Platform()
    mod = types.ModuleType("vllm.platforms")
    mod.current_platform = plat
    monkeypatch.setitem(sys.modules, "vllm.platforms", mod)
    return plat


@pytest.fixture
def fake_vllm(monkeypatch, platform):
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
    from trainer_client.grpo.engines.vllm import VLLMEngine

    eng = VLLMEngine("/models/x", gpu_memory_utilization=0.3, tensor_parallel_size=2)
    kwargs = fake_vllm[0].kwargs
    assert kwargs["enable_sleep_mode"] and kwargs["logprobs_mode"] == "processed_logprobs"
    assert (kwargs["dtype"], kwargs["gpu_memory_utilization"], kwargs["tensor_parallel_size"]) == ("bfloat16", 0.3, 2)
    assert kwargs["enforce_eager"] is False  # CUDA graphs on GPU
    out = eng.generate([[1, 2], [3]], SamplingSettings(n=2, temperature=1.2, max_tokens=4))
    assert len(out) == 2 and [len(g) for g in out] == [2, 2]
    stop, cut = out[0]
    assert (stop.token_ids, stop.finish_reason, stop.logprobs) == ([7, 8, 2], "stop", [-0.1, -0.2, -0.3])
    assert cut.truncated and cut.length == 4 and cut.logprobs == [-1.0] * 4


def test_sleep_update_wake_order(fake_vllm) -> None:
    from trainer_client.grpo.engines.vllm import VLLMEngine

    eng = VLLMEngine("/models/x")
    llm = fake_vllm[0]
    eng.sleep()
    eng.update_weights({"w": torch.ones(2)})
    eng.wake_up()
    assert llm.calls == [("sleep", 1), ("wake_up", ("weights",)), ("collective_rpc", "reload_weights", True),
                         ("reset_prefix_cache",), ("wake_up", ("kv_cache",))]
    assert [name for name, _ in llm.loaded] == ["w"]


def test_cpu_platform_turns_sleep_off_and_loads_float32(fake_vllm, platform) -> None:
    from trainer_client.grpo.engines.vllm import VLLMEngine

    platform.device_type = "cpu"
    eng = VLLMEngine("/models/x")
    kwargs = fake_vllm[0].kwargs
    assert not kwargs["enable_sleep_mode"] and not eng.sleep_enabled
    assert kwargs["dtype"] == "float32" and kwargs["enforce_eager"] is True
    assert "gpu_memory_utilization" not in kwargs  # the CPU build sizes its KV cache from VLLM_CPU_KVCACHE_SPACE
    eng.sleep()
    eng.wake_up()
    assert fake_vllm[0].calls == []  # no sleep/wake calls reach a platform without sleep mode


def test_unsupported_dtype_falls_back_to_a_supported_one(platform) -> None:
    from trainer_client.grpo.engines.vllm import resolve_dtype

    platform.supported_dtypes = (torch.float16, torch.float32)  # e.g. a GPU without bf16
    assert resolve_dtype("auto", platform) == "float16"
    assert resolve_dtype("float32", platform) == "float32"
