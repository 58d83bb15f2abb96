"""trainer_client.verl called exactly as verl's reward managers call compute_score, against a real service."""

from __future__ import annotations

import asyncio
import json

import pytest

from trainer_client import verl


@pytest.fixture(autouse=True)
def _service_url(reward_service_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRORL_REWARD_URL", reward_service_url)


def test_naive_manager_keywords_with_bare_answers() -> None:
    # NaiveRewardManager: compute_score(data_source=, solution_str=, ground_truth=, extra_info=)
    right = verl.compute_score_sync(data_source="openai/gsm8k", solution_str="... so \\boxed{72}", ground_truth="72",
                               extra_info={"split": "train", "index": 0})
    wrong = verl.compute_score_sync(data_source="math", solution_str="\\boxed{71}", ground_truth="72", extra_info=None)
    mcq = verl.compute_score_sync(data_source="Idavidrein/gpqa", solution_str="The answer is (C)", ground_truth="C")
    assert right == {"score": 1.0, "reward": 1.0, "acc": 1.0, "usable": 1.0}
    assert wrong["score"] == 0.0 and wrong["usable"] == 1.0
    assert mcq["score"] == 1.0


def test_structured_ground_truth_and_unknown_sources() -> None:
    gt = json.dumps({"domain": "mcq", "reference": {"answer": "B", "choices": ["1", "2", "3"]}})
    assert verl.compute_score_sync("my_private_set", "Answer: B", gt)["score"] == 1.0
    by_extra = verl.compute_score_sync("my_private_set", "\\boxed{4}", {"answer": "4"}, extra_info={"domain": "math"})
    assert by_extra["score"] == 1.0
    unknown = verl.compute_score_sync("some/unknown_source", "\\boxed{4}", "4")
    assert unknown["score"] == 0.0 and unknown["usable"] == 0.0  # invalid: masked, not learned from


def test_batch_manager_keywords_keep_order() -> None:
    # BatchRewardManager: compute_score(data_sources=, solution_strs=, ground_truths=, extra_infos=)
    n = 9
    out = verl.compute_score_batch(
        data_sources=["math"] * n,
        solution_strs=[f"\\boxed{{{i if i % 2 == 0 else -i}}}" for i in range(1, n + 1)],
        ground_truths=[str(i) for i in range(1, n + 1)],
        extra_infos=[{"index": i} for i in range(n)],
    )
    assert [o["score"] for o in out] == [0.0 if i % 2 else 1.0 for i in range(1, n + 1)]


def test_async_compute_score_shares_one_connection_pool_per_loop() -> None:
    # verl >= 0.7's reward loop awaits compute_score once per sample, all at once on one event loop: every
    # call must reuse the loop's kept-alive client (a new one per call cost ~60 ms per sample).
    async def run() -> tuple[list[dict], bool]:
        client = verl._client(None, None)
        http = client._loop_http()
        calls = [verl.compute_score(data_source="math", solution_str=f"\\boxed{{{i % 3}}}", ground_truth="1",
                                    extra_info={"index": i}) for i in range(24)]
        scores = await asyncio.gather(*calls)
        return scores, client._loop_http() is http and not http.is_closed

    scores, same_client = asyncio.run(run())
    assert [s["score"] for s in scores] == [1.0 if i % 3 == 1 else 0.0 for i in range(24)]
    assert same_client


def test_truncated_and_thinking_reach_the_item() -> None:
    # A right box in a response cut at the length budget is still not an answer (contract: `truncated`).
    cut = verl.compute_score_sync("math", "\\boxed{72}", "72", extra_info={"truncated": True})
    assert cut["score"] == 0.0 and cut["usable"] == 1.0
    thinking = verl.compute_score_sync("math", "let me think... \\boxed{72}", "72",
                                       extra_info={"options": {"thinking": "prompted"}})
    assert thinking["score"] == 0.0 and thinking["usable"] == 1.0
