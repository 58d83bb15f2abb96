"""OpenRLHF's remote reward protocol: ``POST /openrlhf/reward``.

OpenRLHF (``--remote_rm_url http://host:8000/openrlhf/reward --label_key label``) posts
``{"query": [prompt+response...], "prompts": [...], "labels": [...]}`` and reads ``rewards`` (advantage),
``scores`` (dynamic filtering) and ``extra_logs`` (per-sample values it concatenates and logs). Each label
carries the item as JSON: ``{"domain": "math", "reference": {"answer": "42"}, "options": {...}}``.

OpenRLHF cannot mask a sample, so an item we could not judge gets reward 0 and ``extra_logs.usable`` 0.
OpenRLHF sends no headers, so with ``PRORL_API_KEYS`` set the key goes in the URL: ``...?api_key=<key>``.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from reward_service.admission import require_api_key_or_query
from reward_service.handoff import json_response, score_items
from reward_service.schemas import OpenRLHFRequest, OpenRLHFResponse
from verifiers.end_of_turn import END_OF_TURN, strip_end_of_turn
from verifiers.schemas import Item, Result

__all__ = ["END_OF_TURN", "router", "strip_end_of_turn"]

router = APIRouter(prefix="/openrlhf", dependencies=[Depends(require_api_key_or_query)], tags=["compatibility"])


def _response_text(query: str, prompt: str | None) -> str:
    """The generated part: OpenRLHF's query is the templated prompt followed by the response."""
    if prompt and query.startswith(prompt):
        return strip_end_of_turn(query[len(prompt):])
    return strip_end_of_turn(query)  # unknown prompt: score the whole text (the answer is still the last one)


def _item(query: str, prompt: str | None, label: Any) -> Item | str:
    """Build the item of one sample, or say why its label cannot be used."""
    if isinstance(label, str):
        try:
            label = json.loads(label)
        except ValueError:
            return "label is not JSON; expected {\"domain\": ..., \"reference\": {...}}"
        except RecursionError:  # a label string nested ~1,000 deep: this sample is bad, not the batch
            return "label JSON is nested too deeply"
    if not isinstance(label, dict):
        return "label must be a JSON object with domain and reference"
    try:
        return Item.model_validate({**label, "response": _response_text(query, prompt)})
    except ValidationError as exc:
        first = exc.errors()[0]
        return f"bad label: {'.'.join(map(str, first.get('loc', ())))}: {first.get('msg')}"


@router.post("/reward", response_model=OpenRLHFResponse, summary="OpenRLHF remote reward (--remote_rm_url)")
async def openrlhf_reward(body: OpenRLHFRequest, request: Request) -> Response:
    n = len(body.query)
    prompts: list[str | None] = list(body.prompts or [])
    labels: list[Any] = list(body.labels or [])
    results: list[Result | None] = [None] * n
    items: list[Item] = []
    positions: list[int] = []
    for index in range(n):
        built = _item(body.query[index], prompts[index] if index < len(prompts) else None,
                      labels[index] if index < len(labels) else None)
        if isinstance(built, str):
            results[index] = Result.failed("invalid", built)
        else:
            items.append(built)
            positions.append(index)
    for index, result in zip(positions, await score_items(request, items), strict=True):
        results[index] = result
    final = [r or Result.failed("infra_error", "lost") for r in results]
    rewards = [r.reward for r in final]
    return json_response(OpenRLHFResponse(
        rewards=rewards, scores=rewards,
        extra_logs={"correct": [float(r.correct) for r in final],
                    "usable": [float(r.status == "ok") for r in final]},
    ))
