"""HTTP bodies of the reward service: the contract of shared/CONTRACT.md in code.

Item and Result are the library's own models (``verifiers.schemas``), so the HTTP schema and the
library schema cannot drift apart.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any, Literal

from pydantic import BaseModel, Field

from verifiers.schemas import Item, Result

__all__ = [
    "ErrorBody", "Item", "JobCreated", "JobProgress", "JobStatus", "OpenRLHFRequest", "OpenRLHFResponse",
    "Result", "ScoreRequest", "ScoreResponse", "versions",
]

_VERSIONED = ("prorl", "math-verify", "sympy", "reasoning-gym", "langdetect")


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


_VERSIONS: dict[str, str] = {name: _version(name) for name in _VERSIONED}


def versions() -> dict[str, str]:
    """prorl and scoring-library versions, so a stored reward can be reproduced."""
    return dict(_VERSIONS)


class ScoreRequest(BaseModel):
    items: list[Item] = Field(description="Rollouts to score; results come back in this order.")


class ScoreResponse(BaseModel):
    results: list[Result]
    versions: dict[str, str]


class JobCreated(BaseModel):
    job_id: str


class JobProgress(BaseModel):
    done: int
    total: int


class JobStatus(BaseModel):
    job_id: str
    status: Literal["queued", "running", "finished", "failed"]
    progress: JobProgress
    results: list[Result] | None = None
    error: str | None = None
    versions: dict[str, str] = Field(default_factory=versions)


class ErrorBody(BaseModel):
    error: str
    detail: Any = None


class OpenRLHFRequest(BaseModel):
    """What OpenRLHF's ``remote_rm_fn`` posts: ``query`` = prompt + response, labels from ``--label_key``."""

    query: list[str]
    prompts: list[str] | None = None
    labels: list[Any] | None = Field(
        default=None,
        description='Per sample: a JSON string or object {"domain": ..., "reference": {...}, "options": {...}}.',
    )


class OpenRLHFResponse(BaseModel):
    rewards: list[float]
    scores: list[float]
    extra_logs: dict[str, list[float]]
