"""Pairing items with junk and scoring them through the real path: the jailed pool, or a running service."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from prorl.audit.items import AuditItem
from prorl.audit.junk import Junk, junk_answers
from verifiers.schemas import Result

Progress = Callable[[int, int], None]  # (done, total)
Scorer = Callable[[list[dict], Progress], list[Result]]
_SERVICE_CHUNK = 2000  # items per RewardClient call: paces the progress bar


def plan(items: Sequence[AuditItem], pathological_items: int = 2,
         families: frozenset[str] | None = None) -> list[tuple[AuditItem, Junk]]:
    """Every (item, junk answer) pair to score; the costly pathological family on the first items of each task."""
    pairs: list[tuple[AuditItem, Junk]] = []
    seen_per_task: dict[str, int] = {}
    by_task: dict[str, list[AuditItem]] = {}
    for item in items:
        by_task.setdefault(item.task, []).append(item)
    for item in items:
        seen_per_task[item.task] = seen_per_task.get(item.task, 0) + 1
        costly = seen_per_task[item.task] <= pathological_items
        pairs += [(item, junk) for junk in junk_answers(item, by_task[item.task], costly, families)]
    return pairs


def local_scorer(timeout_s: float | None) -> Scorer:
    """Scoring in this process through ``verifiers.score_batch`` and its jailed pool, without the result cache.

    One batch for everything: chunks would leave the pool idle behind each chunk's slowest answer.
    """
    from verifiers import score_batch

    def score(items: list[dict], progress: Progress) -> list[Result]:
        return score_batch(items, timeout_s=timeout_s, cache=None, progress=progress)

    return score


def service_scorer(url: str, api_key: str | None, timeout_s: float | None) -> Scorer:
    """Scoring through a running reward service, the way a trainer does (``trainer_client.client.RewardClient``)."""
    from trainer_client.client import RewardClient

    client = RewardClient(url, api_key=api_key, chunk_size=250, max_concurrency=4)

    def score(items: list[dict], progress: Progress) -> list[Result]:
        if timeout_s is not None:
            items = [{**item, "options": {"timeout_s": timeout_s, **item.get("options", {})}} for item in items]
        results: list[Result] = []
        for start in range(0, len(items), _SERVICE_CHUNK):
            results += client.score(items[start:start + _SERVICE_CHUNK])
            progress(len(results), len(items))
        return results

    return score


def score_pairs(pairs: Sequence[tuple[AuditItem, Junk]], scorer: Scorer,
                progress: Progress | None = None) -> list[tuple[AuditItem, Junk, Result]]:
    """Score every pair; ``progress(done, total)`` as answers finish."""
    results = scorer([item.contract_item(junk.response) for item, junk in pairs], progress or (lambda d, t: None))
    if len(results) != len(pairs):
        raise RuntimeError(f"scorer returned {len(results)} results for {len(pairs)} answers")
    return [(item, junk, result) for (item, junk), result in zip(pairs, results, strict=True)]
