"""Sends NeMo-Gym verify requests, built with the nemo-gym package's own models, to prorl's ``/verify``.

Usage: ``python nemo_gym_driver.py SERVICE_URL`` with ``.venv-integrations/nemo_gym_deps`` and
``.venv-integrations/nemo_gym`` on PYTHONPATH. A resource server declares its task fields by subclassing
``BaseVerifyRequest`` / ``BaseVerifyResponse``, as NeMo-Gym's own servers do (``math_with_judge`` adds
``expected_answer``); the subclasses here add the contract's fields. Prints one JSON report line.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import httpx
from nemo_gym.base_resources_server import BaseVerifyRequest, BaseVerifyResponse
from nemo_gym.openai_utils import NeMoGymResponse, NeMoGymResponseCreateParamsNonStreaming

from tests.trainer_client.domain_samples import samples


class ProrlVerifyRequest(BaseVerifyRequest):
    domain: str | None = None
    reference: dict[str, Any] | None = None
    options: dict[str, Any] | None = None
    expected_answer: str | None = None


class ProrlVerifyResponse(BaseVerifyResponse):
    domain: str | None = None
    reference: dict[str, Any] | None = None
    expected_answer: str | None = None
    correct: bool
    status: str
    details: dict[str, Any]


def policy_response(text: str, incomplete: bool = False) -> NeMoGymResponse:
    """What NeMo-Gym's model server returns for one turn: a reasoning item, then the assistant message."""
    return NeMoGymResponse.model_validate({
        "id": "resp_1", "created_at": 0.0, "model": "policy", "object": "response",
        "status": "incomplete" if incomplete else "completed",
        "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
        "output": [
            {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "\\boxed{999}"}]},
            {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
             "content": [{"type": "output_text", "text": text, "annotations": []}]}],
        "parallel_tool_calls": False, "tool_choice": "auto", "tools": []})


def verify(url: str, request: ProrlVerifyRequest) -> ProrlVerifyResponse:
    body = request.model_dump(mode="json", exclude_none=True)
    answer = httpx.post(f"{url}/verify", json=body, timeout=120)
    answer.raise_for_status()
    return ProrlVerifyResponse.model_validate(answer.json())


def main(url: str) -> dict[str, Any]:
    params = NeMoGymResponseCreateParamsNonStreaming(input=[{"role": "user", "content": "Solve it."}])
    out: dict[str, Any] = {"domains": []}
    for sample in samples():
        result = verify(url, ProrlVerifyRequest(responses_create_params=params, response=policy_response(sample.response),
                                                domain=sample.domain, reference=sample.reference))
        out["domains"].append({"reward": result.reward, "expected": sample.expected, "mask": result.mask_sample,
                               "echoed": result.reference == sample.reference and result.domain == sample.domain})
    native = verify(url, ProrlVerifyRequest(responses_create_params=params, response=policy_response("\\boxed{42}"),
                                            expected_answer="42"))
    out["expected_answer"] = {"reward": native.reward, "echoed": native.expected_answer == "42"}
    cut = verify(url, ProrlVerifyRequest(responses_create_params=params, domain="math", reference={"answer": "42"},
                                         response=policy_response("\\boxed{42}", incomplete=True)))
    out["incomplete"] = {"reward": cut.reward, "reason": cut.details.get("reason"), "mask": cut.mask_sample}
    bad = verify(url, ProrlVerifyRequest(responses_create_params=params, response=policy_response("x"),
                                         domain="nope", reference={}))
    out["unjudgeable"] = {"reward": bad.reward, "mask": bad.mask_sample, "reason": bad.failure_reason}
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
