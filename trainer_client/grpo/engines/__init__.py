"""Rollout engines behind one interface: generate n samples per prompt, take new weights."""

from trainer_client.grpo.engines.base import RolloutEngine, Sample, SamplingSettings
from trainer_client.grpo.engines.hf import HFEngine

__all__ = ["HFEngine", "RolloutEngine", "Sample", "SamplingSettings", "make_vllm_engine"]


def make_vllm_engine(*args, **kwargs):  # type: ignore[no-untyped-def]
    """Build a :class:`~trainer_client.grpo.engines.vllm.VLLMEngine` (imports vLLM only now)."""
    from trainer_client.grpo.engines.vllm import VLLMEngine

    return VLLMEngine(*args, **kwargs)
