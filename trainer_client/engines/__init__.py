"""Rollout engines behind one interface: generate n samples per prompt, take new weights."""

from trainer_client.engines.base import RolloutEngine, Sample, SamplingSettings
from trainer_client.engines.hf import HFEngine

__all__ = ["HFEngine", "RolloutEngine", "Sample", "SamplingSettings", "make_vllm_engine"]


def make_vllm_engine(*args, **kwargs):  # type: ignore[no-untyped-def]
    """Build a :class:`~trainer_client.engines.vllm.VLLMEngine` (imports vLLM only now)."""
    from trainer_client.engines.vllm import VLLMEngine

    return VLLMEngine(*args, **kwargs)
