"""generate_and_score keeps prompt order when chunks are scored concurrently and finish out of order."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from trainer_client.grpo.engines.base import Sample, SamplingSettings
from trainer_client.grpo.overlap import generate_and_score


def _groups(prompts: list[list[int]], n: int) -> list[list[Sample]]:
    return [[Sample(token_ids=p, text=f"{p[0]}-{k}", finish_reason="stop") for k in range(n)] for p in prompts]


class ChunkedEngine:
    """Streams two-prompt chunks; records which chunks were already scored when each one is yielded."""

    def __init__(self) -> None:
        self.scored: set[int] = set()
        self.yielded_after_scoring_started = False

    def generate_stream(self, prompts: list[list[int]], s: SamplingSettings) -> Iterator[tuple[int, list[list[Sample]]]]:
        for a in range(0, len(prompts), 2):
            if a and self.scored:
                self.yielded_after_scoring_started = True
            yield a, _groups(prompts[a : a + 2], s.n)
            time.sleep(0.05)  # "the actors are still generating the next chunk"


def test_chunks_are_scored_during_generation_and_come_back_in_order() -> None:
    engine = ChunkedEngine()
    lock = threading.Lock()

    def score(a: int, b: int, groups: list[list[Sample]]) -> list[str]:
        time.sleep(0.03 if a == 0 else 0.0)  # the first chunk finishes scoring last
        with lock:
            engine.scored.add(a)
        return [g[0].text for g in groups]

    prompts = [[i] for i in range(7)]
    samples, scores = generate_and_score(engine, prompts, SamplingSettings(n=2), score)
    assert [g[0].text for g in samples] == [f"{i}-0" for i in range(7)]
    assert scores == [f"{i}-0" for i in range(7)]
    assert engine.yielded_after_scoring_started  # scoring overlapped the generation of later chunks


def test_a_scoring_failure_is_raised_not_swallowed() -> None:
    def score(a: int, b: int, groups: list[list[Sample]]) -> list[str]:
        if a == 2:
            raise RuntimeError("service down")
        return ["x"] * len(groups)

    with pytest.raises(RuntimeError, match="service down"):
        generate_and_score(ChunkedEngine(), [[i] for i in range(6)], SamplingSettings(n=1), score)
