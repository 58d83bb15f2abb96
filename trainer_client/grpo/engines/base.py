"""The rollout-engine interface shared by the transformers and vLLM back ends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import torch

FinishReason = Literal["stop", "length"]


@dataclass
class SamplingSettings:
    n: int
    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int = 256
    seed: int | None = None


@dataclass
class Sample:
    """One generated response. ``token_ids`` include the EOS token when the model stopped on its own,
    so the policy is trained to stop; ``text`` is decoded without special tokens."""

    token_ids: list[int]
    text: str
    finish_reason: FinishReason
    logprobs: list[float] | None = None  # the sampler's own log-probs (vLLM), for the mismatch correction

    @property
    def length(self) -> int:
        return len(self.token_ids)

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"


class RolloutEngine(Protocol):
    """Generates ``n`` samples per prompt; ``result[i]`` holds the samples of ``prompts[i]``."""

    def generate(self, prompts: list[list[int]], settings: SamplingSettings) -> list[list[Sample]]: ...

    def update_weights(self, state_dict: dict[str, torch.Tensor]) -> None: ...

    def sleep(self) -> None: ...

    def wake_up(self) -> None: ...
