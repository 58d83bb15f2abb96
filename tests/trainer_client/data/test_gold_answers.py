"""Every generated record's own gold answer, written the way its system prompt asks, scores 1.0
through the real verifiers (``verifiers.score_batch``): a record whose gold the verifier cannot read
would teach the policy that correct answers earn nothing."""

from __future__ import annotations

from trainer_client.data.mix import generate_gym, generate_ifeval
from trainer_client.data.procedural_math import generate_math
from trainer_client.data.procedural_mcq import generate_mcq
from verifiers import score_batch


def _failures(records: list[dict], responses: list[str]) -> list[tuple]:
    items = [{"id": i, "domain": r["domain"], "reference": r["reference"], "response": resp,
              "options": r.get("options") or {}}
             for i, (r, resp) in enumerate(zip(records, responses, strict=True))]
    results = score_batch(items, cache=None)
    return [(records[r.id]["meta"].get("task") or records[r.id]["meta"].get("topic"), r.reward, r.status, r.error,
             responses[r.id][-200:]) for r in results if r.reward != 1.0]


def test_math_golds_score_one() -> None:
    records = generate_math(210, seed=11)
    responses = [f"Working it out.\n\nThe answer is $\\boxed{{{r['reference']['answer']}}}$." for r in records]
    assert _failures(records, responses) == []


def test_plain_math_answers_score_one_too() -> None:
    """The task's own plain answer (``593/1368``, ``0.2346``) is what a model would often write."""
    records = [r for r in generate_math(70, seed=12) if r["meta"]["task"] != "coin_flip"]
    responses = [f"\\boxed{{{r['meta']['plain_answer']}}}" for r in records]
    assert _failures(records, responses) == []


def test_mcq_golds_score_one() -> None:
    records = generate_mcq(200, seed=11)
    responses = [f"Computing...\nAnswer: {r['reference']['answer']}" for r in records]
    assert _failures(records, responses) == []


def test_reasoning_gym_golds_score_one() -> None:
    records = [r for r in generate_gym(300, seed=11) if r["reference"]["entry"].get("answer") is not None]
    assert len(records) > 250  # only a few tasks (graph_color, rush_hour, ...) have no single gold answer
    responses = [f"Let me think.\n<answer>{r['reference']['entry']['answer']}</answer>" for r in records]
    assert _failures(records, responses) == []


def test_ifeval_records_have_a_compliant_response() -> None:
    from trainer_client.data.ifeval_prompts import compliant_response

    records = generate_ifeval(60, seed=11)
    assert all(r["options"] == {"loopholes": "closed"} for r in records)  # scored as training data is
    responses = [compliant_response(r["reference"], seed=i) for i, r in enumerate(records)]
    assert _failures(records, responses) == []
