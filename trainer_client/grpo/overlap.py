"""Score chunk i of a rollout round while the engine is still generating chunk i + 1.

An engine that can stream its output (``generate_stream``, e.g. the Ray engine, whose actors keep
generating while the driver waits) hands back chunks in prompt order; each finished chunk goes to the
reward service from a small thread pool at once. For code and other slow domains the scoring of a round
then mostly hides behind its generation. Engines without streaming (the local HF engine, whose
generation holds the driver) score after generating, exactly as before.

Order is kept: chunk results are concatenated in prompt order whatever order the scoring finishes in.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from trainer_client.grpo.engines.base import Sample, SamplingSettings

T = TypeVar("T")

# Concurrent scoring requests in flight from one round; the reward client parallelises inside each too.
SCORING_THREADS = 4


def generate_and_score(
    engine: Any,
    prompt_ids: list[list[int]],
    settings: SamplingSettings,
    score_chunk: Callable[[int, int, list[list[Sample]]], list[T]],
) -> tuple[list[list[Sample]], list[T]]:
    """Generate ``settings.n`` samples per prompt and score them; ``score_chunk(start, end, groups)``
    scores the groups of prompts ``[start, end)`` and returns one entry per group."""
    stream = getattr(engine, "generate_stream", None)
    if stream is None:
        generated: list[list[Sample]] = engine.generate(prompt_ids, settings)
        return generated, score_chunk(0, len(generated), generated)
    samples: list[list[Sample]] = []
    futures: list[Future[list[T]]] = []
    with ThreadPoolExecutor(max_workers=SCORING_THREADS, thread_name_prefix="prorl-score") as pool:
        for start, groups in stream(prompt_ids, settings):
            samples.extend(groups)
            futures.append(pool.submit(score_chunk, start, start + len(groups), groups))
        scores = [entry for f in futures for entry in f.result()]
    if len(scores) != len(samples):
        raise RuntimeError(f"scored {len(scores)} groups for {len(samples)} generated: a chunk was lost")
    return samples, scores
