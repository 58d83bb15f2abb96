"""Pairing items with junk and scoring them through the real path: the jailed pool, or a running service."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from prorl.audit.items import AuditItem
from prorl.audit.junk import Junk, junk_answers
from verifiers.schemas import Result

Scorer = Callable[[list[dict]], list[Result]]
_CHUNK = 2000  # items per scoring call: bounds memory (pathological answers are ~100 KB each) and paces progress


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
    """Scoring in this process through ``verifiers.score_batch`` and its jailed pool, without the result cache."""
    from verifiers import score_batch

    def score(items: list[dict]) -> list[Result]:
        return score_batch(items, timeout_s=timeout_s, cache=None)

    return score


def service_scorer(url: str, api_key: str | None, timeout_s: float | None) -> Scorer:
    """Scoring through a running reward service, the way a trainer does (``trainer_client.client.RewardClient``)."""
    from trainer_client.client import RewardClient

    client = RewardClient(url, api_key=api_key, chunk_size=250, max_concurrency=4)

    def score(items: list[dict]) -> list[Result]:
        if timeout_s is not None:
            items = [{**item, "options": {"timeout_s": timeout_s, **item.get("options", {})}} for item in items]
        return client.score(items)

    return score


def score_pairs(pairs: Sequence[tuple[AuditItem, Junk]], scorer: Scorer,
                progress: Callable[[int], None] | None = None) -> list[tuple[AuditItem, Junk, Result]]:
    """Score every pair in chunks; ``progress(n)`` after each chunk of ``n``."""
    out: list[tuple[AuditItem, Junk, Result]] = []
    for start in range(0, len(pairs), _CHUNK):
        chunk = pairs[start:start + _CHUNK]
        results = scorer([item.contract_item(junk.response) for item, junk in chunk])
        if len(results) != len(chunk):
            raise RuntimeError(f"scorer returned {len(results)} results for {len(chunk)} items")
        out += [(item, junk, result) for (item, junk), result in zip(chunk, results, strict=True)]
        if progress is not None:
            progress(len(chunk))
    return out
