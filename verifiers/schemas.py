"""The item/result contract of ``shared/CONTRACT.md`` as pydantic models.

The reward service reuses these models for its request and response bodies, so
the HTTP schema and the library schema can never drift apart.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Domain = str  # validated against the registry at scoring time, so an unknown domain is a per-item `invalid`
# The contract's built-in domains, the one list of them: the registry maps each to ``verifiers.<name>``
# (plugins, PRORL_EXTRA_DOMAINS, add to the registry only) and the trainer's records accept exactly these.
# The order is the data builder's (a mix lists its records domain by domain in this order before shuffling).
BUILTIN_DOMAINS: tuple[str, ...] = ("math", "code", "mcq", "reasoning_gym", "ifeval")
Status = Literal["ok", "timeout", "invalid", "infra_error"]

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
# Deeper than this, clean_text stops descending: batch validation refuses references and options nested past
# 100 levels anyway, and a part it never reads is never encoded or echoed.
_CLEAN_DEPTH = 128


def clean_text(value: Any) -> Any:
    """``value`` with every lone surrogate (``"\\ud800"``, valid JSON, not encodable as UTF-8) replaced by U+FFFD.

    JSON may carry lone surrogate escapes, and one in a response, id or reference used to fail the whole
    batch (hashing the cache key, serialising the results, storing a job). Replacing them at intake, once,
    keeps the item scorable: an item made unjudgeable by its own response would be masked by trainers,
    an escape from reward 0 that a policy could learn. Strings, dict keys, lists and tuples are walked;
    untouched data is returned as is (no copy).
    """
    return _clean(value, 0)


def _clean(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return value if value.isascii() or not _SURROGATE.search(value) else _SURROGATE.sub(REPLACEMENT, value)
    if depth > _CLEAN_DEPTH:
        return value
    if isinstance(value, dict):
        changed = False
        out: dict[Any, Any] = {}
        for key, child in value.items():
            new_key, new_child = _clean(key, depth + 1), _clean(child, depth + 1)
            changed = changed or new_key is not key or new_child is not child
            out[new_key] = new_child
        return out if changed else value
    if isinstance(value, (list, tuple)):
        items = [_clean(child, depth + 1) for child in value]
        if any(new is not old for new, old in zip(items, value, strict=True)):
            return items if isinstance(value, list) else tuple(items)
    return value


class ItemOptions(BaseModel):
    """Per-item overrides. Unknown keys are kept so domains can add their own."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [
        {"timeout_s": 10, "reward": "fraction", "thinking": "prompted"}]})

    timeout_s: float | None = Field(default=None, gt=0, le=600, description="Verification deadline for this item.")
    reward: Literal["binary", "fraction"] | None = Field(
        default=None, description="`fraction`: partial credit (ifeval instructions, code tests)."
    )
    mode: Literal["strict", "loose"] | None = Field(default=None, description="IFEval strict (default) or loose.")
    loopholes: Literal["google", "closed"] | None = Field(
        default=None,
        description="IFEval: `google` (default) keeps Google's semantics exactly; `closed` closes the reward "
        "hacks they allow (near-empty answers, all options listed, any JSON value, ...) for training.",
    )
    thinking: Literal["prompted"] | None = Field(
        default=None,
        description="`prompted`: the chat template ended the prompt with `<think>`, so the response starts inside "
        "a think block. Without a `</think>` it was truncated while thinking (reward 0, reason "
        "`truncated_in_thinking`); with one, only the text after the last `</think>` is scored. Default: a "
        "response is thinking only from an explicit `<think>`.",
    )
    strip_eos: bool | None = Field(
        default=None,
        description="`true`: the response was decoded with special tokens (OpenRLHF does), so trailing end-of-turn "
        "tokens (`<|im_end|>`, `<|endoftext|>`, `</s>`, `<|eot_id|>`, ...) are removed before scoring. "
        "`/openrlhf/reward` always does this.",
    )
    min_words: int | None = Field(
        default=None, ge=0, le=100_000,
        description="IFEval effort floor: fewer words score 0 (default 10 under `loopholes: closed`, else none); "
        "capped by what the item's own instructions allow.",
    )


class Item(BaseModel):
    """One rollout to score (see shared/CONTRACT.md). Lone surrogates in any string become U+FFFD."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [{
        "id": "step12-sample3", "domain": "math", "response": "<think>2+2...</think> The answer is \\boxed{4}.",
        "reference": {"answer": "4"}, "options": {"thinking": "prompted"}, "truncated": False,
    }]})

    id: str | int | None = Field(default=None, description="Any string or integer; echoed back in the result.")
    domain: Domain = Field(description="math | code | mcq | reasoning_gym | ifeval (anything else: `invalid`).")
    response: str = Field(description="The model's full output text; only the text after the last `</think>` "
                          "is scored.")
    reference: dict[str, Any] = Field(description="Domain-specific ground truth (see the contract per domain).")
    options: ItemOptions = Field(default_factory=ItemOptions, description="Optional per-item overrides.")
    truncated: bool = Field(default=False, description="The trainer cut this sample at its token budget: "
                            "reward 0, status `ok`, `details.reason: truncated`, whatever the text contains.")

    @model_validator(mode="before")
    @classmethod
    def _clean_surrogates(cls, data: Any) -> Any:
        # The one intake step for every path (HTTP bodies, `prorl score` lines, RQ chunks, library calls).
        return clean_text(data) if isinstance(data, dict) else data


class Result(BaseModel):
    """One result per item, in the order of the items.

    ``status``: ``ok`` = a real judgement (a wrong answer is ``ok`` with reward 0, as is an answer too costly to
    verify, ``details.reason: verification_timeout``, and a truncated one); ``invalid`` = the item cannot be
    judged (unknown domain, malformed reference): drop it; ``infra_error`` = the service failed: retryable, never
    learn from it; ``timeout`` = kept for compatibility, no longer produced for an answer's own cost.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "step12-sample3", "reward": 1.0, "correct": True, "status": "ok", "error": None,
        "details": {"extracted": "4"}, "elapsed_ms": 12.5,
    }]})

    id: str | int | None = Field(default=None, description="The item's id, echoed.")
    reward: float = Field(ge=0.0, le=1.0, description="Always a number in [0, 1]; 0 unless status is `ok`.")
    correct: bool = Field(description="True when the reward is 1.")
    status: Status = Field(description="`ok`: a real judgement (a wrong answer is `ok` with reward 0). `invalid`: "
                           "the item cannot be judged (drop it). `infra_error`: the service failed (retry, never "
                           "learn from it). `timeout`: legacy, no longer produced for an answer's own cost.")
    error: str | None = Field(default=None, description="Why, in words, whenever status is not `ok`.")
    details: dict[str, Any] = Field(default_factory=dict, description="Domain-specific: extracted answer, per-test "
                                    "or per-instruction results, `reason` (truncated, truncated_in_thinking, "
                                    "verification_timeout, ...).")
    elapsed_ms: float = Field(default=0.0, description="Time from the batch's submission to this verdict.")

    @classmethod
    def failed(cls, status: Status, error: str, item_id: str | int | None = None, **details: Any) -> Result:
        """A result that carries no judgement (reward 0) and says why."""
        return cls(id=item_id, reward=0.0, correct=False, status=status, error=error, details=dict(details))
