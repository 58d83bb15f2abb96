"""Tasks of answer-evaluating domains run in a throwaway fork of their worker (verifiers/jail/forked.py).

Each test is an attack by an answer that took over its scorer (the probe domain's commands stand for
the code such an answer would run), tried on a real pool with one worker so that every later item is
scored by the same process the attack ran in.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from verifiers import score_batch
from verifiers.batch import ResultCache
from verifiers.jail.pool import JailedPool


def probe(answer: str, reward: float = 1.0, taints: bool = False) -> dict:
    reference: dict = {"reward": reward}
    if taints:
        reference["taints"] = True  # the domain says its scorer evaluates this answer (reasoning_gym's do)
    return {"domain": "probe", "response": answer, "reference": reference}


@pytest.fixture
def pool():
    p = JailedPool(workers=1, chunk_size=1)
    yield p
    p.close()


def _gone(pid: int) -> bool:
    """The process no longer runs: absent, or a zombie whose parent (init, after the kill) reaps it."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def _wait_gone(pid: int, bound_s: float = 30.0) -> bool:
    deadline = time.monotonic() + bound_s
    while not _gone(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_takeover_cannot_forge_any_later_verdict_of_its_worker(pool):
    """Issue 14's exploit (replace the math and probe scorers in the process's memory), now in a fork:
    the same worker then judges other items truthfully, and those verdicts are cached as trusted."""
    worker = score_batch([probe("pid")], pool=pool, cache=None)[0].details["pid"]
    hostile = score_batch([probe("takeover", reward=0.0, taints=True)], pool=pool, cache=None)
    assert (hostile[0].status, hostile[0].reward) == ("ok", 0.0)

    cache = ResultCache(100)
    wrong_math = {"domain": "math", "response": "\\boxed{300}", "reference": {"answer": "7"}}
    victims = [wrong_math, probe("victim", reward=0.0)]
    after = score_batch(victims, pool=pool, cache=cache)
    assert [(r.status, r.reward) for r in after] == [("ok", 0.0), ("ok", 0.0)]
    assert "forged" not in after[1].details
    assert score_batch([probe("pid")], pool=pool, cache=None)[0].details["pid"] == worker  # same process
    assert pool.snapshot().crashed == 0
    score_batch(victims, pool=pool, cache=cache)
    assert cache.hits == 2  # trusted: the worker never ran the answer's code


def test_each_tainting_task_runs_in_its_own_child_and_others_in_the_worker(pool):
    worker = score_batch([probe("pid")], pool=pool, cache=None)[0].details["pid"]
    forked = [r.details["pid"] for r in score_batch([probe("pid", taints=True), probe("pid", 0.5, taints=True)],
                                                     pool=pool, cache=None)]
    assert worker not in forked and len(set(forked)) == 2
    assert all(_gone(pid) for pid in forked)  # reaped before the worker reported


def test_a_child_cannot_write_to_the_pool(pool, tmp_path: Path):
    """The forge probe writes a pickled Connection message into every fd it holds. In the worker that
    reaches the pool, which takes it for a broken worker (test_pool.py); in the fork the pool's
    connection is already closed, so only the fork's own answer is garbled (its verdict: crashed, 0) and
    the worker lives on."""
    marker = tmp_path / "pwned"
    results = score_batch([probe(f"forge:{marker}", taints=True), probe("fine", 0.25)], pool=pool, cache=None)
    assert not marker.exists()
    assert (results[0].status, results[0].reward, results[0].details["reason"]) == ("ok", 0.0, "verification_crashed")
    assert (results[1].status, results[1].reward) == ("ok", 0.25)
    assert pool.snapshot().crashed == 0


def test_what_a_child_forks_is_killed_before_the_next_task(pool):
    results = score_batch([probe("orphan", taints=True)], pool=pool, cache=None)
    assert results[0].status == "ok"
    assert _gone(results[0].details["orphan"])  # killed and reaped by the worker (a subreaper)


def test_a_spinning_child_is_charged_its_cpu_and_its_orphans_die_with_the_worker(pool):
    """The budget counts the worker's live children: a fork that spins is over budget (ok/0), and the
    process it left behind in its own session is killed with the worker."""
    before = set(_session_sleepers())
    results = score_batch([probe("orphan_spin", taints=True), probe("after", 0.5)], pool=pool, cache=None,
                          timeout_s=1.0)
    assert (results[0].status, results[0].reward, results[0].details.get("reason")) == (
        "ok", 0.0, "verification_timeout")
    assert (results[1].status, results[1].reward) == ("ok", 0.5)
    left = set(_session_sleepers()) - before
    assert all(_wait_gone(pid) for pid in left), left


def _session_sleepers() -> list[int]:
    """Processes that lead their own session and whose parent is init or gone: candidates for the
    orphan the probe leaves (it calls setsid)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == int(name) and fields[0] not in ("Z", "X"):  # session id == pid
            found.append(int(name))
    return found


def test_a_child_that_dies_without_answering_is_charged_and_the_worker_lives(pool):
    worker = score_batch([probe("pid")], pool=pool, cache=None)[0].details["pid"]
    results = score_batch([probe("exit:3", taints=True), probe("after", 0.5)], pool=pool, cache=None)
    assert (results[0].status, results[0].reward, results[0].details["reason"]) == (
        "ok", 0.0, "verification_crashed")
    assert "exit code 3" in results[0].details["error"]
    assert (results[1].status, results[1].reward) == ("ok", 0.5)
    assert score_batch([probe("pid")], pool=pool, cache=None)[0].details["pid"] == worker
    assert pool.snapshot().crashed == 0  # the worker never died: no respawn, no preload to pay again


def test_a_memory_bomb_in_a_child_is_over_budget(pool):
    results = score_batch([probe("alloc:8192", taints=True), probe("fine")], pool=pool, cache=None)
    assert (results[0].status, results[0].reward, results[0].details["reason"]) == (
        "ok", 0.0, "verification_timeout")
    assert "memory" in results[0].details["error"]
    assert results[1].status == "ok"


def test_the_worker_warms_a_scorer_once_and_every_fork_inherits_it(pool):
    """fork_warm: the worker scores an answer built from the reference itself, once per key, so lazy
    set-up is not repaid in every fork (reasoning_gym's figlet_font: 0.2 s cold, 20 ms warm)."""
    worker = score_batch([probe("pid")], pool=pool, cache=None)[0].details["pid"]
    warm = {"domain": "probe", "response": "warm:read", "reference": {"taints": True, "fork_warm": True}}
    first, second = (score_batch([dict(warm, id=i)], pool=pool, cache=None)[0].details for i in range(2))
    assert first["warmed_in"] == second["warmed_in"] == [worker]  # warmed once, in the worker itself
    assert worker != first["pid"] != second["pid"]  # and read in two forks


def test_reasoning_gym_warms_with_the_entrys_own_gold():
    """The warm answer is the gold, so it runs the whole scoring path (reward 1), and the task is the key."""
    import json

    from verifiers.reasoning_gym import fork_warm
    from verifiers.scoring import score_task

    golden = Path(__file__).resolve().parents[2] / "golden" / "reasoning_gym.jsonl"
    rows = [json.loads(line)["item"] for line in golden.read_text().splitlines() if line.strip()][:40]
    rewarded = 0
    for item in rows:
        warm = fork_warm(item["reference"])
        assert warm is not None and warm[0] == item["reference"]["entry"]["metadata"]["source_dataset"]
        result = score_task("reasoning_gym", warm[1], item["reference"], {})
        rewarded += result["status"] == "ok" and result["reward"] == 1.0
    assert rewarded >= 0.9 * len(rows), rewarded  # open-answer tasks have no single gold string
    assert fork_warm({"entry": "not a dict"}) is None and fork_warm({}) is None
