"""Rollouts with vLLM's offline ``LLM``: colocated with the trainer on the same GPUs, or on vLLM's CPU build.

Uses vLLM's documented API (``LLM(..., enable_sleep_mode=...)``, ``LLM.sleep(level)``, ``LLM.wake_up(tags)``,
``LLM.generate(prompts=[{"prompt_token_ids": ...}], SamplingParams)``, ``LLM.apply_model``). CI runs it for
real on vLLM's CPU build (``scripts/vllm_env.sh``, tests/vllm/): generation, the sampler's log-probs, weight
sync after PPO updates, ``prorl train``/``prorl eval``. Sleep mode and tensor parallelism exist only on GPU
platforms and have not run in CI (docs/trainer.md, "vLLM").
"""

from __future__ import annotations

import logging
import os
from typing import Any

import torch

from trainer_client.grpo.engines.base import Sample, SamplingSettings

log = logging.getLogger(__name__)


def _platform() -> Any:
    from vllm.platforms import current_platform

    return current_platform


def resolve_dtype(requested: str, platform: Any) -> str:
    """The dtype vLLM should load the model in. ``auto`` = bfloat16 on accelerators (the trainer autocasts
    to bf16 there) and float32 on CPU, where the trainer keeps float32 weights: rollout log-probs then equal
    the trainer's and the importance-sampling correction has nothing to correct. A dtype the platform does
    not support is replaced by the first one it does (and said so)."""
    supported = [str(d).removeprefix("torch.") for d in getattr(platform, "supported_dtypes", [])]
    want = requested
    if want == "auto":
        want = "float32" if platform.is_cpu() else "bfloat16"
    if supported and want not in supported:
        log.warning("vLLM on %s does not support dtype %s; using %s", platform.device_type, want, supported[0])
        want = supported[0]
    return want


def sleep_mode_available(platform: Any) -> bool:
    """Whether ``LLM(enable_sleep_mode=True)`` can start here (CUDA/ROCm builds; not CPU)."""
    check = getattr(platform, "is_sleep_mode_available", None)
    return bool(check()) if callable(check) else not platform.is_cpu()


class VLLMEngine:
    def __init__(
        self,
        model_path: str,
        gpu_memory_utilization: float = 0.5,
        tensor_parallel_size: int = 1,
        dtype: str = "auto",
        max_model_len: int | None = None,
        enable_sleep_mode: bool = True,
        seed: int = 0,
        enforce_eager: bool | None = None,
    ) -> None:
        # in-process engine core: lets apply_model() reach the model without pickling weights across processes
        os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
        try:
            from vllm import LLM
        except ImportError as exc:  # pragma: no cover - depends on the optional extra
            raise RuntimeError("rollout.engine=vllm needs vLLM: pip install 'prorl[vllm]' (GPU) or "
                               "bash scripts/vllm_env.sh (CPU build)") from exc
        platform = _platform()
        if enable_sleep_mode and not sleep_mode_available(platform):
            # a colocated trainer on CPU shares host memory anyway: there is nothing to release
            log.warning("vLLM sleep mode is not supported on %s: running without it", platform.device_type)
            enable_sleep_mode = False
        dtype = resolve_dtype(dtype, platform)
        if enforce_eager is None:  # graph capture and compilation pay off on GPUs; on CPU they cost the start
            enforce_eager = bool(platform.is_cpu())
        kwargs: dict[str, Any] = {
            "model": model_path,
            "tensor_parallel_size": tensor_parallel_size,
            "dtype": dtype,
            "enable_sleep_mode": enable_sleep_mode,
            "seed": seed,
            "enforce_eager": enforce_eager,
            # the trainer's PPO ratio uses the temperature-scaled distribution; ask vLLM for the same
            "logprobs_mode": "processed_logprobs",
        }
        if not platform.is_cpu():  # the CPU build sizes its KV cache with VLLM_CPU_KVCACHE_SPACE instead
            kwargs["gpu_memory_utilization"] = gpu_memory_utilization
        if max_model_len:
            kwargs["max_model_len"] = max_model_len
        log.info("starting vLLM on %s: dtype %s, sleep mode %s, tensor parallel %d", platform.device_type, dtype,
                 "on" if enable_sleep_mode else "off", tensor_parallel_size)
        try:
            self.llm = LLM(**kwargs)
        except TypeError:  # vLLM < 0.10.2 has no logprobs_mode: logprobs are then raw (T=1) and TIS is biased
            kwargs.pop("logprobs_mode")
            self.llm = LLM(**kwargs)
        self.dtype = dtype
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
            # Spelled out, as in the HF engine: nothing but T and top-p may shape the distribution the PPO
            # ratio assumes (a model's generation_config repetition penalty must never leak in).
            repetition_penalty=1.0,
            presence_penalty=0.0,
            frequency_penalty=0.0,
            min_p=0.0,
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

    def score_tokens(self, sequences: list[list[int]]) -> list[list[float]]:
        """Log-probs (temperature 1) of each token of each sequence after the first, under the engine's
        current weights: what a test compares with the trainer's policy after a weight sync."""
        from vllm import SamplingParams

        params = SamplingParams(max_tokens=1, temperature=1.0, prompt_logprobs=0, logprobs=0)
        outputs = self.llm.generate([{"prompt_token_ids": s} for s in sequences], params, use_tqdm=False)
        out = []
        for seq, req in zip(sequences, outputs, strict=True):
            steps = req.prompt_logprobs[1:]  # the first token has no context
            out.append([float(step[tok].logprob) for step, tok in zip(steps, seq[1:], strict=True)])
        return out

    def update_weights(self, state_dict: dict[str, torch.Tensor]) -> None:
        """Load the trainer's weights in place (HF parameter names; vLLM's loaders fuse qkv / gate_up)."""
        if self.asleep and "weights" not in self._awake_tags:
            self.llm.wake_up(tags=["weights"])  # weights first, KV cache after: avoids a memory peak
            self._awake_tags.add("weights")
        weights = [(k, v.detach()) for k, v in state_dict.items()]
        try:
            # vLLM's in-place reload: loads HF-named tensors through the model's own loaders (qkv / gate_up
            # fusion) and then redoes the kernel-specific processing; a bare ``model.load_weights`` after
            # start fails on the CPU build, whose linear layers are repacked at load time
            self.llm.collective_rpc("reload_weights", kwargs={"weights_iterator": weights,
                                                              "is_checkpoint_format": True})
        except AttributeError:  # vLLM releases before reload_weights: load through the model directly
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

    def shutdown(self) -> None:
        """Release the engine's memory now (tests run several engines one after another in one process)."""
        import gc

        engine = getattr(self.llm, "llm_engine", None)
        core = getattr(engine, "engine_core", None)
        if core is not None and hasattr(core, "shutdown"):
            core.shutdown()
        del self.llm
        gc.collect()
