"""What the audit scores junk against: items read from a file, generated reasoning_gym entries, golden sets.

Every source is reduced to :class:`AuditItem`: the reference and options a trainer would score with, plus
what a policy can see or copy (the question) and the gold answer when the domain has one (for the class
prior: another item's gold is a constant a policy can learn).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

GOLDEN_DOMAINS: tuple[str, ...] = ("math", "mcq", "code", "ifeval", "reasoning_gym")


class AuditInputError(ValueError):
    """The input cannot be audited (unreadable file, no usable rows, unknown task); exit code 2."""


@dataclass(frozen=True)
class AuditItem:
    """One reference to attack: scored as ``{"domain", "reference", "options"}`` with a junk response."""

    task: str  # the reasoning_gym source_dataset, else the domain: what the report groups by
    domain: str
    reference: dict[str, Any]
    options: dict[str, Any] = field(default_factory=dict)
    question: str | None = None  # what the policy sees, for echo answers
    gold: str | None = None  # the right answer where the domain has one, for the class prior

    def contract_item(self, response: str) -> dict[str, Any]:
        """The contract item that scores ``response`` against this reference."""
        item: dict[str, Any] = {"domain": self.domain, "response": response, "reference": self.reference}
        if self.options:
            item["options"] = self.options
        return item

    @cached_property
    def key(self) -> str:
        """Identity of the judgement: golden sets hold several responses per reference."""
        return json.dumps([self.domain, self.reference, self.options], sort_keys=True, default=str)


def _prompt_text(prompt: Any) -> str | None:
    """The last user turn of a record's chat prompt (or the prompt string)."""
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, list):
        users = [m.get("content") for m in prompt if isinstance(m, dict) and m.get("role") == "user"]
        if users and isinstance(users[-1], str):
            return users[-1]
    return None


def from_row(row: Any) -> AuditItem:
    """An item from a record of ``prorl data build``, a contract item or a golden row (``{"item": ...}``)."""
    if isinstance(row, dict) and isinstance(row.get("item"), dict):
        row = row["item"]
    if not isinstance(row, dict):
        raise AuditInputError(f"expected a JSON object, got {type(row).__name__}")
    domain, reference = row.get("domain"), row.get("reference")
    if not isinstance(domain, str) or not isinstance(reference, dict):
        raise AuditInputError("a row needs 'domain' (string) and 'reference' (object)")
    options = row.get("options") or {}
    if not isinstance(options, dict):
        raise AuditInputError("'options' must be an object")
    question = _prompt_text(row.get("prompt"))
    gold: str | None = None
    meta = row.get("meta") if isinstance(row.get("meta"), dict) else {}
    task = f"{domain}/{meta['task']}" if isinstance(meta.get("task"), str) else domain  # math from a generator
    if domain == "reasoning_gym":
        entry = reference.get("entry") if isinstance(reference.get("entry"), dict) else {}
        metadata = entry.get("metadata") if isinstance(entry.get("metadata"), dict) else {}
        task = str(metadata.get("source_dataset") or "reasoning_gym")
        if question is None and isinstance(entry.get("question"), str):
            question = entry["question"]
        if entry.get("answer") is not None:
            gold = str(entry["answer"])
    elif isinstance(reference.get("answer"), (str, int, float)) and not isinstance(reference["answer"], bool):
        gold = str(reference["answer"])  # math, mcq and plugin domains that follow the same convention
    elif domain == "ifeval" and question is None and isinstance(reference.get("prompt"), str):
        question = reference["prompt"]
    return AuditItem(task=task, domain=domain, reference=reference, options=dict(options), question=question,
                     gold=gold)


def dedup(items: Iterable[AuditItem]) -> list[AuditItem]:
    """One item per distinct (domain, reference, options), in first-seen order."""
    seen: dict[str, AuditItem] = {}
    for item in items:
        seen.setdefault(item.key, item)
    return list(seen.values())


def cap_per_task(items: Sequence[AuditItem], limit: int | None) -> list[AuditItem]:
    """At most ``limit`` items per task (the first ones), so a 100k-record file audits in minutes."""
    if not limit:
        return list(items)
    counts: dict[str, int] = {}
    kept = []
    for item in items:
        counts[item.task] = counts.get(item.task, 0) + 1
        if counts[item.task] <= limit:
            kept.append(item)
    return kept


def read_file(path: str | Path) -> list[AuditItem]:
    """Items of a JSONL file (records, contract items or golden rows); duplicates are audited once."""
    items = []
    try:
        with open(path, encoding="utf-8") as stream:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    items.append(from_row(json.loads(line)))
                except (json.JSONDecodeError, RecursionError) as exc:
                    raise AuditInputError(f"{path}:{number}: not valid JSON ({exc})") from None
                except AuditInputError as exc:
                    raise AuditInputError(f"{path}:{number}: {exc}") from None
    except OSError as exc:
        raise AuditInputError(f"cannot read {path}: {exc}") from None
    if not items:
        raise AuditInputError(f"{path}: no items")
    return dedup(items)


def golden_items(golden_dir: str | Path, domains: Sequence[str]) -> list[AuditItem]:
    """The references of the golden sets ``<golden_dir>/<domain>.jsonl`` (each reference once)."""
    items: list[AuditItem] = []
    for domain in domains:
        if domain not in GOLDEN_DOMAINS:
            raise AuditInputError(f"unknown golden domain {domain!r}; expected some of {', '.join(GOLDEN_DOMAINS)}")
        items += read_file(Path(golden_dir) / f"{domain}.jsonl")
    return dedup(items)


def mix_tasks() -> list[str]:
    """The generated tasks of the training mix: its reasoning_gym tasks and the ones it turns into math."""
    from trainer_client.data.gym_tasks import training_tasks
    from trainer_client.data.procedural_math import MATH_TASKS

    return [*training_tasks(), *sorted(MATH_TASKS)]


def task_items(tasks: Sequence[str], per_task: int, seed: int) -> list[AuditItem]:
    """``per_task`` entries of each task, drawn and turned into records the way ``prorl data build`` does.

    Tasks that the mix renders as ``math`` records (coin_flip, dice, ...) are audited as math records.
    """
    from reasoning_gym.factory import DATASETS

    from trainer_client.data.gym_entries import entries
    from trainer_client.data.mix import generate_gym
    from trainer_client.data.procedural_math import MATH_TASKS, math_record

    unknown = [t for t in tasks if t not in DATASETS]
    if unknown:
        raise AuditInputError(f"unknown reasoning_gym tasks: {', '.join(unknown)}")
    items: list[AuditItem] = []
    for task in tasks:
        if task in MATH_TASKS:
            records = [math_record(e) for e in entries((task,), per_task, seed)]
        else:
            records = generate_gym(per_task, seed, 0, tasks=(task,))
        items += [from_row(record) for record in records]
    return dedup(items)


def with_ifeval_loopholes(items: Sequence[AuditItem], loopholes: str | None) -> list[AuditItem]:
    """IFEval items that carry no ``loopholes`` option get ``loopholes`` (the ones that carry one keep it)."""
    if loopholes is None:
        return list(items)
    out = []
    for item in items:
        if item.domain == "ifeval" and "loopholes" not in item.options:
            item = replace(item, options={**item.options, "loopholes": loopholes})
        out.append(item)
    return out
