"""Rollouts with vLLM's offline ``LLM``, colocated with the trainer on the same GPUs.

Written against vLLM's documented API (``LLM(..., enable_sleep_mode=True)``, ``LLM.sleep(level)``,
``LLM.wake_up(tags)``, ``LLM.generate(prompts=[{"prompt_token_ids": ...}], SamplingParams)``,
``LLM.apply_model``). It has NOT been executed in this repository's CI (no GPU, vLLM not installed);
see docs/trainer.md for exactly what was and was not run.
"""

from __future__ import annotations

import os
from typing import Any

import torch

from trainer_client.engines.base import Sample, SamplingSettings


class VLLMEngine:
    def __init__(
        self,
        model_path: str,
        gpu_memory_utilization: float = 0.5,
        tensor_parallel_size: int = 1,
        dtype: str = "bfloat16",
        max_model_len: int | None = None,
        enable_sleep_mode: bool = True,
        seed: int = 0,
    ) -> None:
        # in-process engine core: lets apply_model() reach the model without pickling weights across processes
        os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
        try:
            from vllm import LLM
        except ImportError as exc:  # pragma: no cover - depends on the optional extra
            raise RuntimeError("rollout.engine=vllm needs vLLM: pip install 'prorl[vllm]'") from exc
        kwargs: dict[str, Any] = {
            "model": model_path,
            "gpu_memory_utilization": gpu_memory_utilization,
            "tensor_parallel_size": tensor_parallel_size,
            "dtype": dtype,
            "enable_sleep_mode": enable_sleep_mode,
            "seed": seed,
            # the trainer's PPO ratio uses the temperature-scaled distribution; ask vLLM for the same
            "logprobs_mode": "processed_logprobs",
        }
        if max_model_len:
            kwargs["max_model_len"] = max_model_len
        try:
            self.llm = LLM(**kwargs)
        except TypeError:  # vLLM < 0.10.2 has no logprobs_mode: logprobs are then raw (T=1) and TIS is biased
            kwargs.pop("logprobs_mode")
            self.llm = LLM(**kwargs)
        self.sleep_enabled = enable_sleep_mode
        self.asleep = False
        self._awake_tags: set[str] = set()

    def generate(self, prompts: list[list[int]], settings: SamplingSettings) -> list[list[Sample]]:
        from vllm import SamplingParams

        params = SamplingParams(
            n=settings.n,
            temperature=settings.temperature,
            top_p=settings.top_p,
            max_tokens=settings.max_tokens,
            seed=settings.seed,
            logprobs=0,  # the sampled token's log-prob only
        )
        outputs = self.llm.generate([{"prompt_token_ids": p} for p in prompts], params, use_tqdm=False)
        groups: list[list[Sample]] = []
        for req in outputs:
            group = []
            for c in req.outputs:
                lps = None
                if c.logprobs is not None:
                    lps = [float(step[tok].logprob) for step, tok in zip(c.logprobs, c.token_ids, strict=True)]
                reason = "length" if c.finish_reason == "length" else "stop"
                group.append(Sample(token_ids=list(c.token_ids), text=c.text, finish_reason=reason, logprobs=lps))
            groups.append(group)
        return groups

    def update_weights(self, state_dict: dict[str, torch.Tensor]) -> None:
        """Load the trainer's weights in place (HF parameter names; vLLM's loaders fuse qkv / gate_up)."""
        if self.asleep and "weights" not in self._awake_tags:
            self.llm.wake_up(tags=["weights"])  # weights first, KV cache after: avoids a memory peak
            self._awake_tags.add("weights")
        weights = list(state_dict.items())
        self.llm.apply_model(lambda model: model.load_weights(weights))
        self.llm.reset_prefix_cache()  # cached KV blocks were computed with the old weights

    def sleep(self) -> None:
        """Free the GPU for the update step: level 1 offloads the weights to CPU and drops the KV cache."""
        if self.sleep_enabled and not self.asleep:
            self.llm.sleep(level=1)
            self.asleep = True
            self._awake_tags = set()

    def wake_up(self) -> None:
        if self.asleep:
            missing = [t for t in ("weights", "kv_cache") if t not in self._awake_tags]
            self.llm.wake_up(tags=missing)
            self.asleep = False
