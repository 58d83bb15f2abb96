"""NeMo-Gym resource-server protocol: ``POST /verify``.

NeMo-Gym (NeMo-RL's environment library) posts each finished rollout to a resource server's ``/verify``:
the task row it started from (``responses_create_params`` plus the task's verification fields) and
``response``, the policy's output as an OpenAI Responses API object. The server answers the same fields
plus ``reward`` (``nemo_gym.base_resources_server.BaseVerifyRequest`` / ``BaseVerifyResponse``).

The verification fields of a prorl task are the contract's: ``domain``, ``reference`` and optionally
``options``. NeMo-Gym's own math rows (``expected_answer``, as in its ``math_with_judge`` server) are read
as ``domain: math`` with that answer. The text scored is the concatenated ``output_text`` parts of the
response's ``message`` items (reasoning items are not the answer); a response whose ``status`` is
``incomplete`` because of ``max_output_tokens`` is scored as ``truncated`` (reward 0).

The answer also carries ``correct``, ``status``, ``details`` and NeMo-Gym's ``mask_sample``: true when the
service could not judge the sample (``invalid`` or ``infra_error``), with ``failure_reason`` saying why.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reward_service.admission import require_api_key_or_query
from verifiers.schemas import Item, Result

router = APIRouter(dependencies=[Depends(require_api_key_or_query)], tags=["compatibility"])


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


def response_text(response: dict[str, Any]) -> str:
    """The answer text of a Responses API object: every ``output_text`` of its ``message`` items, in order."""
    parts: list[str] = []
    for output in response.get("output") or []:
        if not isinstance(output, dict) or output.get("type") != "message":
            continue
        for content in output.get("content") or []:
            if isinstance(content, dict) and content.get("type") == "output_text":
                parts.append(str(content.get("text") or ""))
    return "".join(parts)


def _truncated(response: dict[str, Any]) -> bool:
    details = response.get("incomplete_details")
    return response.get("status") == "incomplete" and isinstance(details, dict) and \
        details.get("reason") == "max_output_tokens"


def _item(body: NeMoGymVerifyRequest) -> Item | str:
    domain = body.domain or ("math" if body.expected_answer is not None else None)
    reference = body.reference if body.reference is not None else (
        {"answer": body.expected_answer} if body.expected_answer is not None else None)
    if domain is None or reference is None:
        return "the task row needs `domain` and `reference` (or NeMo-Gym's `expected_answer` for math)"
    try:
        return Item.model_validate({"domain": domain, "reference": reference, "options": body.options or {},
                                    "response": response_text(body.response), "truncated": _truncated(body.response)})
    except ValidationError as exc:
        first = exc.errors()[0]
        return f"bad task row: {'.'.join(map(str, first.get('loc', ())))}: {first.get('msg')}"


@router.post("/verify", response_model=NeMoGymVerifyResponse, summary="NeMo-Gym resource server verify")
async def verify(body: NeMoGymVerifyRequest, request: Request) -> Response:
    from reward_service.app import json_response, score_items

    built = _item(body)
    result = Result.failed("invalid", built) if isinstance(built, str) else (await score_items(request, [built]))[0]
    return json_response(NeMoGymVerifyResponse(
        **body.model_dump(), reward=result.reward, correct=result.correct, status=result.status,
        mask_sample=result.status != "ok", failure_reason=result.error, details=result.details))
