"""Prompt records and a resumable, mix-weighted sampler over them.

Records are the data helper's format: ``{"prompt", "domain", "reference", "meta"}`` per JSONL line.
The sampler's whole position (per-domain epoch and offset, plus its RNG) is a small dict saved in every
checkpoint, so a resumed run draws exactly the prompts the uninterrupted run would have drawn.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class PromptRecord:
    prompt: str | list[dict[str, str]]  # an already-rendered string, or chat messages rendered at encode time
    domain: str
    reference: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)  # the contract's per-item scoring options

    @property
    def key(self) -> str:
        """Stable identity for per-prompt statistics (pass rates)."""
        ident = self.meta.get("id") or self.meta.get("uid")
        return str(ident or f"{self.domain}:{json.dumps(self.prompt, sort_keys=True)}")


def load_records(path: str | Path, limit: int = 0) -> list[PromptRecord]:
    """Read the data format of ``trainer_client.data`` (JSONL or Parquet); a malformed record is an
    error naming it. Chat-message prompts stay messages: the trainer renders them with the tokenizer's
    chat template (``trainer_client.data.prompts.render_prompt``)."""
    from trainer_client.data.records import RecordError, read_records

    try:
        rows = read_records(path)
    except RecordError as exc:
        raise ValueError(f"not a prompt record: {exc}") from None
    records = [PromptRecord(r["prompt"], str(r["domain"]), dict(r["reference"]), dict(r.get("meta") or {}),
                            dict(r.get("options") or {}))
               for r in (rows[:limit] if limit else rows)]
    if not records:
        raise ValueError(f"{path}: no prompt records")
    return records


def encode_prompt(tokenizer: Any, prompt: str | list[dict[str, str]], chat_template: bool = False) -> list[int]:
    """Token ids the policy is sampled from. Chat messages are rendered in the one place that renders
    prompts (``render_prompt``: the tokenizer's chat template when it has one, else plain text); a bare
    string is used as is, or wrapped as one user turn when ``chat_template`` is on."""
    from trainer_client.data.prompts import render_prompt

    if isinstance(prompt, str) and chat_template:
        prompt = [{"role": "user", "content": prompt}]
    if isinstance(prompt, list):
        text = render_prompt(prompt, tokenizer)
        # a chat template writes its own special tokens: the tokenizer must not add them again
        templated = bool(getattr(tokenizer, "chat_template", None))
        return list(tokenizer(text, add_special_tokens=not templated)["input_ids"])
    return list(tokenizer(prompt)["input_ids"])


class PromptSampler:
    """Endless shuffled streams, one per domain; each draw picks a domain by the mix weights.

    An empty mix means one stream over all records (the file's own proportions).
    """

    def __init__(self, records: list[PromptRecord], seed: int, mix: dict[str, float] | None = None) -> None:
        self.records = records
        self.seed = seed
        self.by_domain: dict[str, list[int]] = {}
        for i, r in enumerate(records):
            self.by_domain.setdefault(r.domain, []).append(i)
        self.rng = random.Random(seed)
        self.pos: dict[str, list[int]] = {}  # stream -> [epoch, offset]
        self._orders: dict[str, tuple[int, list[int]]] = {}  # stream -> (epoch, its order): derived, not saved
        self.set_mix(mix or {})

    def set_mix(self, mix: dict[str, float]) -> None:
        """Change the domain weights (a stage change); unknown domains are an error, not a silent no-op."""
        unknown = set(mix) - set(self.by_domain)
        if unknown:
            raise ValueError(f"data mix names domains with no records: {sorted(unknown)}")
        self.mix = {d: w for d, w in mix.items() if w > 0}

    def _order(self, stream: str, epoch: int) -> list[int]:
        """The stream's shuffled order in ``epoch``: a pure function of (seed, stream, epoch), cached per
        stream so a draw costs O(1) instead of a reshuffle of the whole dataset."""
        cached = self._orders.get(stream)
        if cached is None or cached[0] != epoch:
            idx = list(range(len(self.records))) if stream == "*" else list(self.by_domain[stream])
            random.Random(f"{self.seed}:{stream}:{epoch}").shuffle(idx)
            cached = self._orders[stream] = (epoch, idx)
        return cached[1]

    def _next_from(self, stream: str) -> PromptRecord:
        epoch, off = self.pos.setdefault(stream, [0, 0])
        order = self._order(stream, epoch)
        rec = self.records[order[off]]
        off += 1
        if off == len(order):
            epoch, off = epoch + 1, 0
        self.pos[stream] = [epoch, off]
        return rec

    def sample(self, k: int) -> list[PromptRecord]:
        out = []
        for _ in range(k):
            if self.mix:
                domains = sorted(self.mix)
                stream = self.rng.choices(domains, weights=[self.mix[d] for d in domains])[0]
            else:
                stream = "*"
            out.append(self._next_from(stream))
        return out

    def state_dict(self) -> dict[str, Any]:
        return {"pos": {k: list(v) for k, v in self.pos.items()}, "rng": self.rng.getstate(), "mix": dict(self.mix)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.pos = {k: list(v) for k, v in state["pos"].items()}
        rng = state["rng"]
        self.rng.setstate((rng[0], tuple(rng[1]), rng[2]))
        self.mix = dict(state["mix"])
