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
from pydantic import ValidationError

from reward_service.admission import require_api_key_or_query
from reward_service.handoff import json_response, score_items
from reward_service.schemas import NeMoGymVerifyRequest, NeMoGymVerifyResponse
from verifiers.schemas import Item, Result

router = APIRouter(dependencies=[Depends(require_api_key_or_query)], tags=["compatibility"])


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
    built = _item(body)
    result = Result.failed("invalid", built) if isinstance(built, str) else (await score_items(request, [built]))[0]
    return json_response(NeMoGymVerifyResponse(
        **body.model_dump(), reward=result.reward, correct=result.correct, status=result.status,
        mask_sample=result.status != "ok", failure_reason=result.error, details=result.details))
