"""HTTP bodies of the reward service: the contract of shared/CONTRACT.md in code.

Item and Result are the library's own models (``verifiers.schemas``), so the HTTP schema and the
library schema cannot drift apart. The bodies of the compatibility routes (OpenRLHF's remote reward,
NeMo-Gym's ``/verify``, SandboxFusion's ``/run_code``) live here too, so ``reward_service/compat/`` holds only translation.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.config import JsonDict

from verifiers.schemas import Item, Result, clean_text

__all__ = [
    "CPP_LANGUAGES", "PYTHON_LANGUAGES", "SANDBOX_FUSION_LANGUAGES", "CommandRunResult", "ErrorBody", "Item",
    "JobCreated", "JobProgress", "JobStatus", "NeMoGymVerifyRequest", "NeMoGymVerifyResponse", "OpenRLHFRequest",
    "OpenRLHFResponse", "Result", "RunCodeRequest", "RunCodeResponse", "ScoreRequest", "ScoreResponse", "versions",
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


# NeMo-Gym's resource-server /verify (reward_service/compat/nemo_gym.py).
class NeMoGymVerifyRequest(BaseModel):
    """A NeMo-Gym verify request: the task row (any extra fields are kept and echoed) and the response."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "responses_create_params": {"input": [{"role": "user", "content": "What is 6*7? Box the answer."}]},
        "response": {"id": "resp_1", "object": "response", "created_at": 0, "model": "policy",
                     "status": "completed", "output": [{"type": "message", "role": "assistant", "id": "msg_1",
                                                        "status": "completed", "content": [
                                                            {"type": "output_text", "text": "\\boxed{42}",
                                                             "annotations": []}]}],
                     "parallel_tool_calls": False, "tool_choice": "auto", "tools": []},
        "domain": "math", "reference": {"answer": "42"}}]})

    responses_create_params: dict[str, Any] = Field(description="The request that produced the response.")
    response: dict[str, Any] = Field(description="The policy's output, an OpenAI Responses API object.")
    domain: str | None = Field(default=None, description="Contract domain; `math` when only `expected_answer`.")
    reference: dict[str, Any] | None = Field(default=None, description="Contract reference of the domain.")
    options: dict[str, Any] | None = Field(default=None, description="Contract item options.")
    expected_answer: str | None = Field(default=None, description="NeMo-Gym math rows: the gold answer.")


class NeMoGymVerifyResponse(NeMoGymVerifyRequest):
    """The request's fields echoed, plus the verdict."""

    reward: float = Field(description="In [0, 1]; 0 when the sample could not be judged (see mask_sample).")
    correct: bool = Field(description="True when the reward is 1.")
    status: str = Field(description="The contract's status: ok | timeout | invalid | infra_error.")
    mask_sample: bool = Field(description="True when the reward is not a judgement (invalid, infra_error, or an "
                              "older service's timeout): drop the sample rather than learn from it.")
    failure_reason: str | None = Field(default=None, description="Why the sample could not be judged, when masked.")
    details: dict[str, Any] = Field(default_factory=dict, description="Domain-specific details of the verdict "
                                    "(extracted answer, per-test or per-instruction results, reason).")


# SandboxFusion's /run_code (reward_service/compat/sandbox_fusion.py).
# Every language SandboxFusion's API accepts (its `Language` literal), plus "python3".
SANDBOX_FUSION_LANGUAGES = (
    "python", "python2", "cpp", "nodejs", "go", "go_test", "java", "php", "csharp", "bash", "typescript", "sql",
    "rust", "cuda", "lua", "R", "perl", "D_ut", "ruby", "scala", "julia", "pytest", "junit", "kotlin_script", "jest",
    "verilog", "python_gpu", "lean", "swift", "racket", "gtest", "react",
)
PYTHON_LANGUAGES = ("python", "python3")
CPP_LANGUAGES = ("cpp",)


class RunCodeRequest(BaseModel):
    """SandboxFusion's ``RunCodeRequest`` (``args`` is pytest-only there and ignored here)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "code": "print(sum(map(int, input().split())))", "stdin": "1 2\n", "language": "python", "run_timeout": 5}]})

    compile_timeout: float = Field(10, description="Ignored: C++ compiles under PRORL_SANDBOX_COMPILE_TIME_LIMIT_S "
                                   "(CPU seconds per compiler process); Python has nothing to compile.")
    run_timeout: float = Field(10, gt=0, description="Seconds the program may run: its CPU-time limit, with "
                               "wall-clock backstops; clamped to PRORL_SANDBOX_MAX_TIME_LIMIT_S.")
    memory_limit_MB: int | None = Field(-1, description="Memory cap in MB; -1 or null = the sandbox default "
                                        "(PRORL_SANDBOX_MEMORY_MB), never above it (verl sends null when "
                                        "reward.sandbox_fusion.memory_limit_mb is unset).")
    code: str = Field(description="The program.")
    stdin: str | None = Field(None, description="Standard input of the program.")
    language: str = Field(description="python / python3 / cpp; other SandboxFusion languages answer SandboxError.")
    files: dict[str, str | None] = Field(default_factory=dict,
                                         description="Path (relative to the working dir) -> base64 content, "
                                         "written before the program starts.")
    fetch_files: list[str] = Field(default_factory=list, description="Paths to return (base64) after the run.")
    args: list[str] = Field(default_factory=list, description="SandboxFusion pytest arguments; ignored.")

    @model_validator(mode="before")
    @classmethod
    def _clean_surrogates(cls, data: object) -> object:
        # Lone surrogate escapes are valid JSON but not UTF-8: replaced at intake, as for scoring items.
        return clean_text(data) if isinstance(data, dict) else data

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in SANDBOX_FUSION_LANGUAGES and value not in PYTHON_LANGUAGES:
            raise ValueError(f"unknown language {value!r}; SandboxFusion languages: {', '.join(SANDBOX_FUSION_LANGUAGES)}")
        return value


class CommandRunResult(BaseModel):
    """One command's outcome, as SandboxFusion reports it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "status": "Finished", "execution_time": 0.031, "cpu_time": 0.02, "return_code": 0, "stdout": "3\n",
        "stderr": ""}]})

    status: Literal["Finished", "Error", "TimeLimitExceeded"] = Field(
        description="`Finished`: the command ran to its end (any exit code); `TimeLimitExceeded`: killed at its limit.")
    execution_time: float | None = Field(default=None, description="Wall-clock seconds.")
    cpu_time: float | None = Field(default=None, description="CPU seconds.")
    return_code: int | None = Field(default=None, description="Exit code; negative = killed by that signal.")
    stdout: str | None = Field(default=None, description="Standard output (capped).")
    stderr: str | None = Field(default=None, description="Standard error (capped).")


class RunCodeResponse(BaseModel):
    """SandboxFusion's ``RunCodeResponse``."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "status": "Success", "message": "", "compile_result": None,
        "run_result": {"status": "Finished", "execution_time": 0.031, "cpu_time": 0.02, "return_code": 0,
                       "stdout": "3\n", "stderr": ""}, "executor_pod_name": None, "files": {}}]})

    status: Literal["Success", "Failed", "SandboxError"] = Field(
        description="`Success`: ran and exited 0; `Failed`: non-zero exit or time limit (a wrong program); "
        "`SandboxError`: the sandbox itself failed (retry; never learn from it).")
    message: str = Field(default="", description="Why, for SandboxError.")
    compile_result: CommandRunResult | None = Field(default=None, description="The compile step, for compiled "
                                                    "languages.")
    run_result: CommandRunResult | None = Field(default=None, description="The program's run.")
    executor_pod_name: str | None = Field(default=None, description="Always null here (SandboxFusion's pod name).")
    files: dict[str, str] = Field(default_factory=dict, description="Requested `fetch_files`: path -> base64 content.")
