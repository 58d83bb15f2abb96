"""The jailed pool: deadlines, crashes, order, dedup, recycling."""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from verifiers import score_batch
from verifiers.batch import ResultCache
from verifiers.jail.budget import WallBackstop
from verifiers.jail.isolation import IsolationSettings
from verifiers.jail.pool import JailedPool, Task
from verifiers.jail.worker import WorkerLimits


def probe(answer: str, reward: float = 1.0, **extra) -> dict:
    return {"domain": "probe", "response": answer, "reference": {"reward": reward}, **extra}


@pytest.fixture(scope="module")
def pool():
    p = JailedPool(workers=2, limits=WorkerLimits(address_space_mb=1024, max_tasks=50))
    yield p
    p.close()


def over_budget(result, reason: str = "verification_timeout") -> bool:
    """The contract's verdict on an answer too costly to verify: a judgement (ok, reward 0), not a mask."""
    return (result.status, result.reward, result.correct, result.details.get("reason")) == ("ok", 0.0, False, reason)


def test_an_answer_that_spins_its_scorer_is_ok_zero_and_stalls_nothing(pool):
    items = [probe("spin", id="hung")] + [probe(f"ok{i}", reward=0.5, id=i) for i in range(20)]
    results = score_batch(items, pool=pool, cache=None, timeout_s=1.0)
    assert over_budget(results[0]) and "CPU budget" in results[0].details["error"]
    assert results[0].details["budget_cpu_s"] == 1.0
    assert [r.status for r in results[1:]] == ["ok"] * 20
    assert [r.reward for r in results[1:]] == [0.5] * 20
    assert pool.snapshot().killed >= 1


def test_the_budget_is_cpu_time_so_waiting_is_not_an_answers_cost(pool):
    """A scorer that sleeps 3 s on a 1 s budget uses no CPU: like a worker waiting for a core on a
    saturated host, it must be judged normally, not turned into a 0."""
    results = score_batch([probe("sleep:3", reward=1.0), probe("spin")], pool=pool, cache=None, timeout_s=1.0)
    assert (results[0].status, results[0].reward) == ("ok", 1.0)
    assert over_budget(results[1])


def test_a_scorer_that_blocks_past_the_wall_backstop_is_the_services_fault():
    p = JailedPool(workers=2, wall_backstop=WallBackstop(factor=0.0, grace_s=6.0))
    try:
        results = score_batch([probe("sleep:600"), probe("fast")], pool=p, cache=None, timeout_s=1.0)
    finally:
        p.close()
    assert [r.status for r in results] == ["infra_error", "ok"]
    assert "wall time" in results[0].error


def test_a_reference_that_cannot_be_verified_in_budget_is_invalid(pool):
    items = [probe("anything"), probe("fine", reward=0.25)]
    items[0]["reference"]["spin_reference"] = True
    results = score_batch(items, pool=pool, cache=None, timeout_s=1.0)
    assert results[0].status == "invalid" and "cannot be verified within the 1s budget" in results[0].error
    assert (results[1].status, results[1].reward) == ("ok", 0.25)


def test_verifier_sees_the_deadline_the_pool_enforces(pool):
    """A domain with its own time budget (math) must stop before the kill, whoever set the deadline."""
    items = [probe("timeout"), probe("timeout", options={"timeout_s": 2.5})]
    batch_override = score_batch(items, pool=pool, cache=None, timeout_s=3.0)
    assert [r.details["timeout_s"] for r in batch_override] == [3.0, 2.5]
    domain_default = score_batch(items[:1], pool=pool, cache=None)
    assert domain_default[0].details["timeout_s"] == 2.0  # the probe domain's DEFAULT_TIMEOUT_S


def _nested(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def test_deeply_nested_items_are_invalid_and_the_pool_survives(pool):
    """600 levels pickle past the recursion limit: that killed the dispatcher and hung every later batch."""
    deep = probe("a", id="deep")
    deep["reference"]["x"] = _nested(600)
    deeper = probe("b", id="deeper", options={"x": _nested(2000)})  # past json.dumps of the cache key too
    results = score_batch([deep, deeper, probe("c", id="fine")], pool=pool, cache=None, timeout_s=5.0)
    assert [r.status for r in results] == ["invalid", "invalid", "ok"]
    assert "nest deeper" in results[0].error
    assert score_batch([probe("after")], pool=pool, cache=None)[0].status == "ok"


def test_unpicklable_task_fails_alone_without_killing_the_dispatcher(pool):
    """Unpicklable for a reason that has nothing to do with depth: a lock is not data."""
    bad = Task("probe", "a", {"x": threading.Lock()}, {}, 5.0)
    good = [Task("probe", f"ok{i}", {"reward": 0.5}, {}, 5.0) for i in range(3)]
    futures = pool.submit_many([bad, *good])
    assert futures[0].result(timeout=30)["status"] == "invalid"
    assert [f.result(timeout=30)["status"] for f in futures[1:]] == ["ok"] * 3


@pytest.mark.parametrize("recursion_limit", [200, 100_000])
def test_a_deep_task_is_refused_whatever_the_recursion_limit(pool, recursion_limit):
    """Whether 600 levels pickle used to depend on the recursion limit and the stack depth at the time
    (a full run flipped this); the pool now refuses by a fixed depth before pickling."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(recursion_limit)
    try:
        futures = pool.submit_many([Task("probe", "a", {"x": _nested(600)}, {}, 5.0),
                                    Task("probe", "b", {}, {"x": [[[]]] * 3, "y": _nested(90)}, 5.0)])
        outcomes = [f.result(timeout=30) for f in futures]
    finally:
        sys.setrecursionlimit(before)
    assert [o["status"] for o in outcomes] == ["invalid", "ok"]
    assert "nested too deeply" in outcomes[0]["error"]


def test_a_forged_worker_message_runs_nothing_in_the_parent(pool, tmp_path):
    """Workers report as JSON: a pickle from a worker that untrusted input took over would run code here."""
    marker = tmp_path / "pwned"
    results = score_batch([probe(f"forge:{marker}"), probe("fine")], pool=pool, cache=None, timeout_s=5.0)
    assert not marker.exists()
    assert over_budget(results[0], "verification_crashed") and "died" in results[0].details["error"]
    assert results[1].status == "ok"
    assert score_batch([probe("after")], pool=pool, cache=None)[0].status == "ok"


def test_killed_worker_is_replaced(pool):
    crashed_before = pool.snapshot().crashed
    results = score_batch([probe("exit:3"), probe("after")], pool=pool, cache=None)
    assert over_budget(results[0], "verification_crashed") and "died" in results[0].details["error"]
    assert results[1].status == "ok"
    assert pool.snapshot().crashed == crashed_before + 1
    # The pool is back to full strength and still scores.
    assert all(r.status == "ok" for r in score_batch([probe(f"x{i}") for i in range(8)], pool=pool, cache=None))


def test_memory_bomb_is_contained(pool):
    results = score_batch([probe("alloc:4096"), probe("fine")], pool=pool, cache=None)
    assert over_budget(results[0]) and "memory" in results[0].details["error"]
    assert results[1].status == "ok"


def test_results_keep_input_order_and_ids(pool):
    items = [probe(f"a{i}", reward=(i % 5) / 4, id=f"id-{i}") for i in range(60)]
    results = score_batch(items, pool=pool, cache=None)
    assert [r.id for r in results] == [f"id-{i}" for i in range(60)]
    assert [r.reward for r in results] == [(i % 5) / 4 for i in range(60)]


def test_dedup_gives_identical_results_to_no_dedup(pool):
    items = [probe(f"ans{i % 3}", reward=0.25 * (i % 3)) for i in range(30)]
    deduped = score_batch(items, pool=pool, cache=ResultCache(1000))
    one_by_one = [score_batch([it], pool=pool, cache=None)[0] for it in items]
    strip = lambda rs: [(r.reward, r.status, r.details) for r in rs]  # noqa: E731
    assert strip(deduped) == strip(one_by_one)


def test_duplicates_are_scored_once(pool):
    seen: list[tuple[int, int]] = []
    items = [probe("pid")] * 16
    score_batch(items, pool=pool, cache=None, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 1)]


def test_cache_hits_on_repeat():
    cache = ResultCache(10)
    p = JailedPool(workers=1)
    try:
        first = score_batch([probe("same", reward=0.5)], pool=p, cache=cache)
        second = score_batch([probe("same", reward=0.5)], pool=p, cache=cache)
    finally:
        p.close()
    assert cache.hits == 1 and first[0].reward == second[0].reward == 0.5


def test_bad_items_get_invalid_results_and_never_fail_the_batch(pool):
    items = [
        {"domain": "probe", "reference": {}},  # no response
        {"domain": "nonsense", "response": "x", "reference": {}},
        "not even a dict",
        probe("invalid"),
        probe("boom"),
        probe("good", id=7),
    ]
    results = score_batch(items, pool=pool, cache=None)
    assert [r.status for r in results] == ["invalid", "invalid", "invalid", "invalid", "infra_error", "ok"]
    assert "response" in results[0].error and "unknown domain" in results[1].error
    assert results[5].id == 7 and results[5].correct


def test_unclosed_think_scores_zero_without_scoring(pool):
    results = score_batch([probe("<think>spin"), probe("<think>x</think>good")], pool=pool, cache=None)
    assert results[0].details == {"reason": "truncated_in_thinking"} and results[0].reward == 0
    assert results[1].details["answer"] == "good"


def test_workers_recycle_after_max_tasks():
    p = JailedPool(workers=1, limits=WorkerLimits(max_tasks=5), chunk_size=1)
    try:
        pids = {score_batch([probe("pid", reward=i)], pool=p, cache=None)[0].details["pid"] for i in range(12)}
    finally:
        p.close()
    assert len(pids) >= 2 and os.getpid() not in pids


def _running(pid: int) -> bool:
    """The process exists and has not exited (a zombie has exited but still has a /proc entry)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def _wait_gone(pid: int, timeout_s: float = 120) -> bool:
    """True once ``pid`` has exited and been reaped: no /proc entry, so no zombie left behind."""
    deadline = time.monotonic() + timeout_s
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not Path(f"/proc/{pid}").exists()


def _release(pid: int, name: str) -> None:
    """Create /tmp/<name> as worker ``pid`` sees it: a worker has its own private /tmp (verifiers.jail.mounts)."""
    Path(f"/proc/{pid}/root/tmp/{name}").touch()


def test_a_lingering_recycled_worker_does_not_hold_up_deadline_kills():
    """The dispatcher used to join a recycled worker for up to 5 s, delaying every deadline kill by as long."""
    name = f"prorl-release-{uuid.uuid4().hex}"
    p = JailedPool(workers=2, limits=WorkerLimits(max_tasks=1), chunk_size=1, retire_grace_s=3600)
    pid = None
    try:
        # After this task the worker announces it retires (max_tasks=1), yet it does not exit.
        lingering = p.submit(Task("probe", f"linger:/tmp/{name}", {}, {}, 60.0)).result(timeout=120)
        pid = lingering["details"]["pid"]
        spin = p.submit(Task("probe", "spin", {}, {}, 0.5)).result(timeout=120)
        assert spin["details"]["reason"] == "verification_timeout" and "CPU budget" in spin["details"]["error"]
        served = [f.result(timeout=120) for f in p.submit_many([Task("probe", f"ok{i}", {}, {}, 30.0)
                                                                 for i in range(3)])]
        assert [r["status"] for r in served] == ["ok"] * 3
        # All of that happened while the recycled worker was still running, tracked as exiting.
        assert _running(pid) and p.snapshot().exiting >= 1
        _release(pid, name)
        assert _wait_gone(pid), "the recycled worker exited but was never reaped"
    finally:
        if pid is not None and _running(pid):
            _release(pid, name)
        p.close()


def test_a_recycled_worker_that_never_exits_is_killed_after_its_grace_and_reaped():
    p = JailedPool(workers=1, limits=WorkerLimits(max_tasks=1), chunk_size=1, retire_grace_s=0.5)
    try:
        pid = p.submit(Task("probe", "linger:/tmp/never-created", {}, {}, 60.0)).result(timeout=120)["details"]["pid"]
        assert _wait_gone(pid), "a recycled worker outstayed its grace and was left running"
        assert p.submit(Task("probe", "after", {}, {}, 30.0)).result(timeout=120)["status"] == "ok"
        deadline = time.monotonic() + 120  # that worker retires too, and exits by itself this time
        while p.snapshot().exiting and time.monotonic() < deadline:
            time.sleep(0.05)
        assert p.snapshot().exiting == 0
    finally:
        p.close()


def test_without_forks_a_taken_over_workers_verdicts_never_enter_the_cache():
    """Issue 14: an answer took over a worker and replaced its scorers (math and this domain); that
    worker's later verdicts of other items were wrong and were cached for good. With the per-task fork
    switched off (PRORL_POOL_FORK_TAINTING=off) the forgery still works, but its verdicts are not cached,
    so the same items scored again get a real verdict. (With the fork, test_forked.py: no forgery at all.)"""
    cache = ResultCache(100)
    wrong_math = {"domain": "math", "response": "\\boxed{300}", "reference": {"answer": "7"}}
    victims = [wrong_math, probe("victim", reward=0.0)]
    tampered = JailedPool(workers=1, chunk_size=1, isolation=IsolationSettings(fork_tainting=False))
    try:
        takeover = probe("takeover", reward=0.0)
        takeover["reference"]["taints"] = True  # its domain says its scorer evaluates answers
        hostile = score_batch([takeover], pool=tampered, cache=cache)
        assert hostile[0].status == "ok"
        forged = score_batch(victims, pool=tampered, cache=cache)
    finally:
        tampered.close()
    assert [r.reward for r in forged] == [1.0, 1.0] and forged[1].details == {"forged": True}  # taken over
    assert cache.hits == 0
    clean = JailedPool(workers=1)
    try:
        rescored = score_batch(victims, pool=clean, cache=cache)
    finally:
        clean.close()
    assert [(r.status, r.reward) for r in rescored] == [("ok", 0.0), ("ok", 0.0)]
    assert cache.hits == 0  # nothing the tampered worker said was remembered


def test_a_long_lived_worker_is_not_killed_by_its_lifetime_cpu():
    """RLIMIT_CPU counts a process's whole life: a fixed limit killed a busy worker mid-task after an hour,
    and an innocent answer was charged with the crash. The backstop is now per task."""
    p = JailedPool(workers=1, limits=WorkerLimits(cpu_seconds=2), chunk_size=1)
    try:
        results = [p.submit(Task("probe", "burn:0.8", {}, {}, 30.0)).result(timeout=300) for _ in range(4)]
        pid = p.submit(Task("probe", "pid", {}, {}, 30.0)).result(timeout=300)["details"]["pid"]
        assert p.snapshot().crashed == 0
    finally:
        p.close()
    assert [r["status"] for r in results] == ["ok"] * 4 and pid > 0
