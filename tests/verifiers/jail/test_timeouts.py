"""CONTRACT `status`: an answer too costly to verify is a judgement (ok, reward 0), never a masked status.

Issue 14 part 4: answers whose own size or depth blew the verification budget came back `timeout`,
which trainers mask, so a policy unsure of an answer could trade reward 0 for no gradient at all. Real
domains, the real pool (and, for code, the real Docker sandbox); the probe-domain cases (CPU budget,
wall backstop, unverifiable reference) are in test_pool.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandboxes import DockerSandbox
from tests.fixtures.docker import code_sandbox, sandbox_image  # noqa: F401
from trainer_client.client import usable_mask
from verifiers import score_batch
from verifiers.batch import ResultCache
from verifiers.jail.pool import JailedPool
from verifiers.schemas import Result

COUNTDOWN = {"entry": {"question": "Make 3 from 1 and 2.", "answer": "1 + 2",
                       "metadata": {"source_dataset": "countdown", "numbers": [1, 2], "target": 3}}}
NESTED = "```python\ndef f(n):\n    v = []\n    for _ in range(n):\n        v = [v]\n    return v\n```"
SQUARE = "```python\ndef f(n):\n    return n * n\n```"


def call_ref(n: int, want: object) -> dict:
    return {"language": "python", "tests": {"fn_name": "f", "inputs": [[n]], "outputs": [want]}}


@pytest.fixture(scope="module")
def pool() -> Iterator[JailedPool]:
    p = JailedPool(workers=2)
    yield p
    p.close()


@pytest.fixture(scope="module")
def sandbox(code_sandbox: DockerSandbox) -> DockerSandbox:  # noqa: F811
    return code_sandbox


def test_pathological_answers_are_ok_zero_and_the_rest_of_the_batch_scores(pool):
    items = [
        {"id": "tower", "domain": "math", "response": "\\boxed{9^{9^{9^{9}}}}", "reference": {"answer": "7"}},
        {"id": "right", "domain": "math", "response": "so \\boxed{7}", "reference": {"answer": "7"}},
        {"id": "pow", "domain": "reasoning_gym", "response": "<answer>9**9**9**9</answer>", "reference": COUNTDOWN},
        {"id": "solved", "domain": "reasoning_gym", "response": "<answer>1 + 2</answer>", "reference": COUNTDOWN},
        {"id": "wrong", "domain": "math", "response": "\\boxed{8}", "reference": {"answer": "7"}},
    ]
    results = {r.id: r for r in score_batch(items, pool=pool, cache=ResultCache(100))}
    assert all(r.status == "ok" for r in results.values()), {k: r.error for k, r in results.items()}
    tower = results["tower"]
    assert (tower.reward, tower.correct, tower.details["reason"]) == (0.0, False, "verification_timeout")
    assert results["pow"].correct is False and results["pow"].reward < 0.5
    assert (results["right"].reward, results["solved"].reward, results["wrong"].reward) == (1.0, 1.0, 0.0)


def test_a_gold_that_cannot_be_verified_is_invalid_not_the_answers_zero(pool):
    items = [{"domain": "math", "response": "\\boxed{7}", "reference": {"answer": "9^{9^{9^{9}}}"}},
             {"domain": "math", "response": "\\boxed{9^{9^{9^{9}}}}", "reference": {"answer": "9^{9^{9^{9}}}"}}]
    results = score_batch(items, pool=pool, cache=None)
    assert [r.status for r in results] == ["invalid", "invalid"]


def test_a_deeply_nested_return_value_is_a_wrong_answer(sandbox):
    """A function returning a list nested ~1,000 deep: ok/0 (not timeout), its neighbours judged."""
    items = [{"id": depth, "domain": "code", "response": NESTED, "reference": call_ref(depth, [1])}
             for depth in (900, 1000, 5000)]
    items.append({"id": "square", "domain": "code", "response": SQUARE, "reference": call_ref(12, 144)})
    results = score_batch(items, cache=None)
    assert [(r.status, r.reward) for r in results] == [("ok", 0.0)] * 3 + [("ok", 1.0)], [r.error for r in results]


def test_the_clients_mask_learns_from_an_answer_over_budget_but_not_from_an_old_timeout():
    over = Result(reward=0.0, correct=False, status="ok", details={"reason": "verification_timeout"})
    old = Result.failed("timeout", "verification exceeded its 5s deadline")  # an older service's answer
    assert usable_mask([over, old]) == [True, False]
