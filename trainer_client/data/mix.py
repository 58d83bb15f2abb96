"""The offline training mix: procedural records from every domain, in set proportions, de-duplicated,
shuffled, and split into train and validation.

Each domain has a generator ``(n, seed, round_) -> records``. A domain that cannot supply its share of
unique records (the shipped code set is ~100 problems, biology facts are a fixed pool) is topped up with
fresh rounds, and what it still lacks is handed to the other domains in proportion to their weights, so
``--size`` is honoured whenever the generators can honour it at all.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections.abc import Callable
from typing import Any

from trainer_client.data.code_problems import load_code_problems
from trainer_client.data.convert_text import from_ifeval, from_reasoning_gym
from trainer_client.data.gym_entries import entries
from trainer_client.data.gym_tasks import ood_held_out, training_tasks
from trainer_client.data.procedural_math import generate_math
from trainer_client.data.procedural_mcq import generate_mcq
from trainer_client.data.records import DOMAINS, Record

Generator = Callable[[int, int, int], list[Record]]

# ProRL's 136k mix leaned on math and logic puzzles; these defaults follow that shape.
DEFAULT_MIX: dict[str, float] = {"math": 0.25, "code": 0.15, "mcq": 0.15, "reasoning_gym": 0.35, "ifeval": 0.10}
_MAX_ROUNDS = 8


def generate_code(n: int, seed: int, round_: int = 0) -> list[Record]:
    """Up to ``n`` of the shipped code problems, in a seed-dependent order (the set is finite)."""
    problems = load_code_problems()
    random.Random(f"code:{seed}").shuffle(problems)
    return problems[:n]


def generate_gym(n: int, seed: int, round_: int = 0, tasks: tuple[str, ...] | None = None) -> list[Record]:
    """About ``n`` reasoning_gym puzzles spread evenly over the training tasks (held-out tasks excluded)."""
    return [from_reasoning_gym(e) for e in entries(tasks or training_tasks(), n, seed, round_)]


def generate_ood(n: int, seed: int, round_: int = 0) -> list[Record]:
    """About ``n`` puzzles from the held-out OOD tasks only, for evaluation."""
    return generate_gym(n, seed, round_, tasks=ood_held_out())


def generate_ifeval(n: int, seed: int, round_: int = 0) -> list[Record]:
    """``n`` IFEval-style prompts from :mod:`trainer_client.data.ifeval_prompts`, as records.

    They are training data, so they ask to be scored with Google's loopholes closed
    (``options.loopholes: "closed"``): a policy must not learn that "." follows "no commas".
    """
    from trainer_client.data.ifeval_prompts import generate  # loads the IFEval checkers only when asked

    records = []
    for row in generate(n, seed * 1009 + round_):
        record = from_ifeval(dict(row["reference"], source=row.get("meta", {}).get("source", "ifeval")),
                             loopholes="closed")
        record["meta"].update({k: v for k, v in row.get("meta", {}).items() if k != "source"})
        records.append(record)
    return records


GENERATORS: dict[str, Generator] = {
    "math": generate_math,
    "code": generate_code,
    "mcq": generate_mcq,
    "reasoning_gym": generate_gym,
    "ifeval": generate_ifeval,
}


def parse_mix(text: str | None) -> dict[str, float]:
    """``"math=0.3,code=0.2"`` -> weights normalised to sum 1; unnamed domains get 0. None -> defaults."""
    if not text:
        return dict(DEFAULT_MIX)
    weights: dict[str, float] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in DOMAINS:
            raise ValueError(f"bad --mix entry {part!r}: expected DOMAIN=WEIGHT with DOMAIN in {', '.join(DOMAINS)}")
        weight = float(value)
        if weight < 0:
            raise ValueError(f"--mix weight for {name} is negative")
        weights[name] = weight
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("--mix weights sum to zero")
    return {d: weights.get(d, 0.0) / total for d in DOMAINS if weights.get(d, 0.0) > 0}


def allocate(size: int, weights: dict[str, float]) -> dict[str, int]:
    """Split ``size`` by weight with the largest-remainder method (counts sum exactly to ``size``)."""
    total = sum(weights.values())
    exact = {d: size * w / total for d, w in weights.items()}
    counts = {d: int(x) for d, x in exact.items()}
    leftover = size - sum(counts.values())
    for d in sorted(exact, key=lambda d: (counts[d] - exact[d], d))[:leftover]:
        counts[d] += 1
    return counts


def dedup_key(record: Record) -> str:
    """Two records are the same problem when their domain and user-visible question match; for multiple
    choice the option order does not matter (a reshuffled question is still the same question)."""
    prompt = record["prompt"]
    text = prompt if isinstance(prompt, str) else "\n".join(m["content"] for m in prompt if m["role"] != "system")
    if record["domain"] == "mcq" and isinstance(record["reference"].get("choices"), list):
        choices = record["reference"]["choices"]
        stem = text.split("\n\nA) ")[0]
        text = stem + "\n" + "\n".join(sorted(choices))
    return hashlib.sha256(f"{record['domain']}\n{' '.join(text.split())}".encode()).hexdigest()


def _fill(domain: str, want: int, seed: int, seen: set[str], progress: Any) -> list[Record]:
    """Up to ``want`` records of ``domain`` whose keys are not in ``seen`` (which is updated)."""
    got: list[Record] = []
    for round_ in range(_MAX_ROUNDS):
        missing = want - len(got)
        if missing <= 0:
            break
        # ask for more than is missing: some will be duplicates (more so in later rounds)
        for record in GENERATORS[domain](missing + missing // 10 + 1 if round_ == 0 else 2 * missing + 8, seed, round_):
            key = dedup_key(record)
            if key in seen:
                continue
            seen.add(key)
            record["meta"]["uid"] = key[:16]
            got.append(record)
            progress.update(1)
            if len(got) == want:
                break
    return got


def build_mix(size: int, seed: int, weights: dict[str, float] | None = None, progress: bool = True) -> list[Record]:
    """``size`` unique records in the given domain proportions, shuffled deterministically by ``seed``.

    Deterministic within one interpreter; across processes only under a fixed ``PYTHONHASHSEED``, because
    some reasoning_gym generators draw by set order (``prorl data build`` fixes it: see prorl/cli.py).
    """
    from tqdm import tqdm

    weights = dict(weights or DEFAULT_MIX)
    counts = allocate(size, weights)
    records: dict[str, list[Record]] = {d: [] for d in counts}
    seen: set[str] = set()
    active = dict(weights)
    with tqdm(total=size, desc="prorl data build", unit="rec", disable=not progress, file=sys.stderr) as bar:
        while True:
            short = 0
            for domain, want in counts.items():
                have = len(records[domain])
                if want > have and domain in active:
                    records[domain] += _fill(domain, want - have, seed, seen, bar)
                    if len(records[domain]) < want:
                        short += want - len(records[domain])
                        print(f"prorl data build: {domain} supplies only {len(records[domain])} unique records "
                              f"(asked for {want}); giving the rest to the other domains", file=sys.stderr)
                        active.pop(domain)
                        counts[domain] = len(records[domain])
            if short == 0 or not active:
                break
            for domain, extra in allocate(short, active).items():
                counts[domain] += extra
    mixed = [r for d in DOMAINS if d in records for r in records[d]]
    random.Random(f"mix:{seed}").shuffle(mixed)
    return mixed


def split_train_val(records: list[Record], val_fraction: float, seed: int) -> tuple[list[Record], list[Record]]:
    """Stratified split: each domain gives ``round(val_fraction * its count)`` records to validation.

    Records are unique before the split, so no validation problem also appears in training."""
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError("--val-fraction must be in [0, 1)")
    rng = random.Random(f"split:{seed}")
    by_domain: dict[str, list[int]] = {}
    for i, record in enumerate(records):
        by_domain.setdefault(record["domain"], []).append(i)
    val_idx: set[int] = set()
    for idx in by_domain.values():
        val_idx.update(rng.sample(idx, round(val_fraction * len(idx))))
    train = [r for i, r in enumerate(records) if i not in val_idx]
    val = [r for i, r in enumerate(records) if i in val_idx]
    return train, val


def mix_summary(records: list[Record]) -> dict[str, Any]:
    """Counts per domain (and per reasoning_gym task count) for the build log."""
    per_domain: dict[str, int] = {}
    tasks: set[str] = set()
    for r in records:
        per_domain[r["domain"]] = per_domain.get(r["domain"], 0) + 1
        if r["domain"] == "reasoning_gym":
            tasks.add(r["meta"].get("task", ""))
    return {"total": len(records), "per_domain": per_domain, "reasoning_gym_tasks": len(tasks)}


def summary_line(records: list[Record]) -> str:
    """One JSON line describing a built file."""
    return json.dumps(mix_summary(records), sort_keys=True)
