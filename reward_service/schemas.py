"""HTTP bodies of the reward service: the contract of shared/CONTRACT.md in code.

Item and Result are the library's own models (``verifiers.schemas``), so the HTTP schema and the
library schema cannot drift apart.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

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


_ITEM_EXAMPLE: JsonDict = {"id": "s1", "domain": "math", "response": "<think>...</think> \\boxed{4}", "reference": {"answer": "4"}}
_RESULT_EXAMPLE: JsonDict = {"id": "s1", "reward": 1.0, "correct": True, "status": "ok", "error": None,
                   "details": {"extracted": "4"}, "elapsed_ms": 12.5}
_VERSIONS_EXAMPLE: JsonDict = {"prorl": "0.1.0", "math-verify": "0.9.0", "sympy": "1.13.3", "reasoning-gym": "0.1.23",
                     "langdetect": "1.0.9"}


class ScoreRequest(BaseModel):
    """A batch of rollouts to score (``POST /v1/score``, ``POST /v1/jobs``)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [_ITEM_EXAMPLE]}]})

    items: list[Item] = Field(description="Rollouts to score; results come back in this order. A bad item (unknown "
                              "domain, malformed reference) gets its own `invalid` result and never fails the others.")


class ScoreResponse(BaseModel):
    """One result per item, in order, with the versions that produced them."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"results": [_RESULT_EXAMPLE],
                                                               "versions": _VERSIONS_EXAMPLE}]})

    results: list[Result] = Field(description="One result per item, in the order of the items.")
    versions: dict[str, str] = Field(description="prorl and scoring-library versions, to reproduce a stored reward.")


class JobCreated(BaseModel):
    """A background job was accepted; poll ``GET /v1/jobs/{job_id}``."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"job_id": "3f2c9d0e8b7a4c1d9e6f5a4b3c2d1e0f"}]})

    job_id: str = Field(description="32 hex digits; valid for PRORL_JOB_TTL_S after the job finishes.")


class JobProgress(BaseModel):
    """How many of a job's items have been answered."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"done": 48, "total": 64}]})

    done: int = Field(description="Items answered so far.")
    total: int = Field(description="Items in the job.")


class JobStatus(BaseModel):
    """A background job: its state, progress and, once finished, its results."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "job_id": "3f2c9d0e8b7a4c1d9e6f5a4b3c2d1e0f", "status": "finished", "progress": {"done": 1, "total": 1},
        "results": [_RESULT_EXAMPLE], "error": None, "versions": _VERSIONS_EXAMPLE}]})

    job_id: str = Field(description="The job's id.")
    status: Literal["queued", "running", "finished", "failed"] = Field(
        description="`queued`: waiting for a worker; `running`: being scored; `finished`: `results` holds one "
        "result per item; `failed`: a service bug, said in `error` (bad items never fail a job).")
    progress: JobProgress = Field(description="Items answered so far, of the total.")
    results: list[Result] | None = Field(default=None, description="One result per item, in order, when finished.")
    error: str | None = Field(default=None, description="Why the job failed, when it did.")
    versions: dict[str, str] = Field(default_factory=versions, description="prorl and scoring-library versions.")


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer: what went wrong, in words."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"error": "9000 items in one request; at most 8192 "
                                                                        "(PRORL_MAX_ITEMS)", "detail": None}]})

    error: str = Field(description="What went wrong, in words.")
    detail: Any = Field(default=None, description="For 422: the first validation errors (location, message, type).")


class OpenRLHFRequest(BaseModel):
    """What OpenRLHF's ``remote_rm_fn`` posts: ``query`` = prompt + response, labels from ``--label_key``."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "query": ["<|user|>2+2?<|assistant|>It is \\boxed{4}."], "prompts": ["<|user|>2+2?<|assistant|>"],
        "labels": ['{"domain": "math", "reference": {"answer": "4"}}']}]})

    query: list[str] = Field(description="Per sample: the templated prompt followed by the response.")
    prompts: list[str] | None = Field(default=None, description="Per sample: the prompt, cut off `query` to "
                                      "leave the response (without it the whole query is scored).")
    labels: list[Any] | None = Field(
        default=None,
        description='Per sample: a JSON string or object {"domain": ..., "reference": {...}, "options": {...}}.',
    )


class OpenRLHFResponse(BaseModel):
    """What OpenRLHF reads back: one reward per sample (0 for a sample that could not be judged)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "rewards": [1.0], "scores": [1.0], "extra_logs": {"correct": [1.0], "usable": [1.0]}}]})

    rewards: list[float] = Field(description="Per sample, in [0, 1]: the reward used for advantages.")
    scores: list[float] = Field(description="Same as rewards (OpenRLHF's dynamic filtering reads this).")
    extra_logs: dict[str, list[float]] = Field(description="Per-sample values OpenRLHF logs: `correct` (reward 1) "
                                               "and `usable` (status ok: 0 marks a sample that was not judged).")
