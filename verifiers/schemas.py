"""The item/result contract of ``shared/CONTRACT.md`` as pydantic models.

The reward service reuses these models for its request and response bodies, so
the HTTP schema and the library schema can never drift apart.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Domain = str  # validated against the registry at scoring time, so an unknown domain is a per-item `invalid`
Status = Literal["ok", "timeout", "invalid", "infra_error"]


class ItemOptions(BaseModel):
    """Per-item overrides. Unknown keys are kept so domains can add their own."""

    model_config = ConfigDict(extra="allow")

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
    min_words: int | None = Field(
        default=None, ge=0, le=100_000,
        description="IFEval effort floor: fewer words score 0 (default 10 under `loopholes: closed`, else none); "
        "capped by what the item's own instructions allow.",
    )


class Item(BaseModel):
    """One rollout to score."""

    model_config = ConfigDict(extra="ignore")

    id: str | int | None = Field(default=None, description="Echoed back in the result.")
    domain: Domain = Field(description="math | code | mcq | reasoning_gym | ifeval")
    response: str = Field(description="The model's full output text.")
    reference: dict[str, Any] = Field(description="Domain-specific ground truth.")
    options: ItemOptions = Field(default_factory=ItemOptions)


class Result(BaseModel):
    """One result per item, in the order of the items."""

    id: str | int | None = None
    reward: float = Field(ge=0.0, le=1.0)
    correct: bool
    status: Status
    error: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    elapsed_ms: float = 0.0

    @classmethod
    def failed(cls, status: Status, error: str, item_id: str | int | None = None, **details: Any) -> Result:
        """A result that carries no judgement (reward 0) and says why."""
        return cls(id=item_id, reward=0.0, correct=False, status=status, error=error, details=dict(details))
