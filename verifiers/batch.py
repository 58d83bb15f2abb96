"""``score`` and ``score_batch``: validation, think-cutting, dedup, caching and dispatch.

A GRPO group of 16 samples often repeats the same final answer, and a trainer re-sends the same
(reference, answer) pairs across epochs, so identical work is scored once per batch and remembered in
a bounded LRU. Everything that touches untrusted text beyond cheap string slicing runs in the jailed
pool (:mod:`verifiers.jail.pool`), or for code in Docker via a thread here.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from verifiers import registry
from verifiers.answer_text import TruncatedInThinking, answer_text
from verifiers.end_of_turn import strip_end_of_turn
from verifiers.jail.messages import MAX_NESTING, nested_deeper_than
from verifiers.jail.pool import JailedPool, Task, get_pool
from verifiers.schemas import Item, Result, clean_text
from verifiers.scoring import resolve_over_budget, score_task

ProgressCallback = Callable[[int, int], None]

# A thread-domain verifier (code) enforces its own hard kills; this grace covers container start-up
# and teardown before the batch gives up on it.
_THREAD_GRACE_S = 10.0
_MAX_OPTION_TIMEOUT_S = 600.0  # ItemOptions.timeout_s's upper bound: a longer derived deadline is not passed on
_SUBMIT_EVERY = 64  # jailed tasks handed to the pool per wake-up while a batch is still being prepared


@dataclass
class _Prepared:
    """An item that needs real scoring, reduced to what the verifier sees."""

    domain: str
    answer: str
    reference: dict[str, Any]
    options: dict[str, Any]
    timeout_s: float
    key: str
    item_id: str | int | None = None


class ResultCache:
    """A bounded, thread-safe LRU of verdicts keyed by (domain, reference, options, extracted answer)."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        # Only real judgements are worth remembering; timeouts and infra errors must be retried.
        if value.get("status") not in ("ok", "invalid") or self.max_entries <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


CACHE = ResultCache(int(os.environ.get("PRORL_CACHE_SIZE", "100000")))
_thread_executor: ThreadPoolExecutor | None = None
_thread_lock = threading.Lock()


def _threads() -> ThreadPoolExecutor:
    global _thread_executor
    with _thread_lock:
        if _thread_executor is None:
            _thread_executor = ThreadPoolExecutor(
                max_workers=registry.thread_concurrency(), thread_name_prefix="prorl-code"
            )
        return _thread_executor


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _prepare(raw: Item | dict[str, Any], default_timeout_s: float | None) -> _Prepared | Result:
    """Validate one item and cut its answer text; a final Result when no scoring is needed."""
    item_id = raw.get("id") if isinstance(raw, dict) else getattr(raw, "id", None)
    if not isinstance(item_id, (str, int)) or isinstance(item_id, bool):
        item_id = None
    item_id = clean_text(item_id)  # echoed even when the item is malformed: no lone surrogate may reach JSON
    try:
        item = raw if isinstance(raw, Item) else Item.model_validate(raw)
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'item'}: {e['msg']}" for e in exc.errors()[:5])
        return Result.failed("invalid", f"malformed item: {reasons}", item_id)
    # A reference a few hundred levels deep broke pickling on the way to a worker (the dispatcher thread
    # died and every later batch hung); one about a thousand deep broke the cache key's json.dumps here.
    if nested_deeper_than(item.reference, MAX_NESTING) or nested_deeper_than(item.options.model_extra, MAX_NESTING):
        return Result.failed("invalid", f"item reference or options nest deeper than {MAX_NESTING} levels", item.id)
    if item.domain not in registry.DOMAINS:
        return Result.failed(
            "invalid", f"unknown domain {item.domain!r}; expected one of {sorted(registry.DOMAINS)}", item.id
        )
    if item.truncated:  # cut at the trainer's token budget: a judgement (reward 0), whatever the text holds
        return Result(id=item.id, reward=0.0, correct=False, status="ok", details={"reason": "truncated"})
    try:
        answer = answer_text(item.response, item.options.thinking)
    except TruncatedInThinking:
        return Result(id=item.id, reward=0.0, correct=False, status="ok",
                      details={"reason": "truncated_in_thinking"})
    if item.options.strip_eos:  # decoded with special tokens: the template's end-of-turn tokens are no answer
        answer = strip_end_of_turn(answer)
    options = item.options.model_dump(exclude_none=True)
    try:
        key_fn = registry.dedup_key_hook(item.domain)  # the first use imports the domain's module
    except ImportError as exc:
        return Result.failed("infra_error", f"verifier for {item.domain!r} unavailable: {exc}", item.id)
    timeout_s = item.options.timeout_s or default_timeout_s
    if timeout_s is None:
        timeout_s = _deadline_s(item)
    try:
        answer_key = key_fn(answer, item.reference, item.options) if key_fn else answer
    except Exception:  # the key is an optimisation; a reference it cannot read is judged by score()
        answer_key = answer
    digest = hashlib.sha256(
        "\x00".join((item.domain, _canonical(item.reference), _canonical(options), str(answer_key))).encode()
    ).hexdigest()
    if "timeout_s" not in options and 0 < timeout_s <= _MAX_OPTION_TIMEOUT_S:
        # The verifier sees the deadline the pool enforces, so a domain with its own time budget (math)
        # stops just before the kill also when the deadline came from the batch's ``timeout_s``.
        options = {**options, "timeout_s": float(timeout_s)}
    return _Prepared(item.domain, answer, item.reference, options, float(timeout_s), digest, item.id)


def _evaluates_answers(domain: str, reference: dict[str, Any]) -> bool:
    """Whether the domain's scorers run code on the answer (its ``EVALUATES_ANSWERS``; reasoning_gym's do).

    A hostile answer may then take over what scores it: the pool scores such a task in a throwaway fork
    of its worker, or (fork off) taints the worker so that its later verdicts never enter the cache.
    """
    flag = registry.evaluates_answers_hook(domain)
    try:
        return bool(flag(reference) if callable(flag) else flag)
    except Exception:
        return True  # cannot tell: assume the worst


def _deadline_s(item: Item) -> float:
    """The module's item-specific deadline, else its default.

    ``deadline_s`` runs here, in the caller, on client input: a reference or a setting it cannot read
    falls back to the default deadline, and ``score()`` then reports the real reason as a status.
    """
    deadline_fn = registry.deadline_hook(item.domain)
    if deadline_fn is not None:
        try:
            return float(deadline_fn(item.reference, item.options))
        except Exception:
            pass
    return registry.default_timeout_s(item.domain)


def _run_in_thread(prep: _Prepared, started: dict[str, float]) -> dict[str, Any]:
    started[prep.key] = time.monotonic()
    outcome = score_task(prep.domain, prep.answer, prep.reference, prep.options)
    if outcome["status"] == "timeout":  # over budget: whose cost was it? (as the pool does; verifiers.scoring)
        check = score_task(prep.domain, "", prep.reference, prep.options)
        outcome = resolve_over_budget(outcome, check, prep.timeout_s)
    return outcome


def _to_result(item_id: Any, outcome: dict[str, Any], elapsed_ms: float) -> Result:
    reward = float(outcome.get("reward", 0.0)) if outcome.get("status") == "ok" else 0.0
    return Result(
        id=item_id,
        reward=reward,
        correct=outcome.get("status") == "ok" and reward == 1.0,
        status=outcome.get("status", "infra_error"),
        error=outcome.get("error"),
        details=outcome.get("details") or {},
        elapsed_ms=round(elapsed_ms, 3),
    )


def score_batch(
    items: Sequence[Item | dict[str, Any]],
    *,
    timeout_s: float | None = None,
    pool: JailedPool | None = None,
    cache: ResultCache | None = CACHE,
    progress: ProgressCallback | None = None,
) -> list[Result]:
    """Score many items; one Result per item, in order. Never raises for a bad item.

    ``timeout_s`` overrides every domain's default deadline (an item's own ``options.timeout_s``
    wins over both). ``cache=None`` disables the LRU (identical work within the batch is still
    scored once). ``progress(done, total)`` is called as unique items finish.
    """
    results: list[Result | None] = [None] * len(items)
    ids: list[Any] = [None] * len(items)
    groups: dict[str, list[int]] = {}
    futures: dict[Future, _Prepared] = {}
    tasks: dict[Future, Task] = {}  # jailed ones: whether their verdict may be cached (Task.trusted)
    thread_started: dict[str, float] = {}
    # A completion queue instead of wait(FIRST_COMPLETED) in a loop, which re-registers a waiter on
    # every pending future per call: quadratic in the batch size.
    finished: queue.SimpleQueue[Future] = queue.SimpleQueue()
    submitted_at = time.monotonic()
    jailed: list[Task] = []

    def flush() -> None:
        if jailed:
            for future in (pool or get_pool()).submit_many(jailed):
                future.add_done_callback(finished.put)
            jailed.clear()

    for index, raw in enumerate(items):
        prepared = _prepare(raw, timeout_s)
        if isinstance(prepared, Result):
            results[index] = prepared
            continue
        ids[index] = prepared.item_id
        cached = cache.get(prepared.key) if cache is not None else None
        if cached is not None:
            results[index] = _to_result(ids[index], cached, 0.0)
            continue
        if prepared.key in groups:
            groups[prepared.key].append(index)
            continue
        groups[prepared.key] = [index]
        # Submit as we go, so workers score the first items while the rest are still being prepared.
        if registry.runs_in_thread(prepared.domain):
            future = _threads().submit(_run_in_thread, prepared, thread_started)
            futures[future] = prepared
            future.add_done_callback(finished.put)
        else:
            task = Task(prepared.domain, prepared.answer, prepared.reference, prepared.options, prepared.timeout_s,
                        taints=_evaluates_answers(prepared.domain, prepared.reference))
            futures[task.future] = prepared
            tasks[task.future] = task
            jailed.append(task)
            if len(jailed) >= _SUBMIT_EVERY:
                flush()
    flush()
    total, done = len(futures), 0

    def finish(prep: _Prepared, outcome: dict[str, Any], trusted: bool = True) -> None:
        nonlocal done
        if cache is not None and trusted:  # a verdict of a worker that an answer may have taken over is not
            cache.put(prep.key, outcome)  # remembered: it would be served for this item again and again
        elapsed = (time.monotonic() - submitted_at) * 1000
        for index in groups[prep.key]:
            results[index] = _to_result(ids[index], outcome, elapsed)
        done += 1
        if progress is not None:
            progress(done, total)

    pending = set(futures)
    while pending:
        done_future: Future | None
        try:
            done_future = finished.get(timeout=0.5)
        except queue.Empty:
            done_future = None
        if done_future is not None and done_future in pending:
            pending.discard(done_future)
            jailed_task = tasks.get(done_future)
            finish(futures[done_future], done_future.result(), jailed_task is None or jailed_task.trusted)
            continue
        now = time.monotonic()
        for future in list(pending):
            prep = futures[future]
            begun = thread_started.get(prep.key)
            if begun is not None and now - begun > prep.timeout_s + _THREAD_GRACE_S:
                # The thread is abandoned. Its sandbox kills the program at the test's hard limit (a slow
                # program is a wrong answer, judged there), so a verdict this late is the service's fault.
                pending.discard(future)
                finish(prep, {"status": "infra_error",
                              "error": f"verification did not finish within {prep.timeout_s + _THREAD_GRACE_S:g}s"})

    return [r if r is not None else Result.failed("infra_error", "internal: item lost") for r in results]


def score(item: Item | dict[str, Any], **kwargs: Any) -> Result:
    """Score one item (a batch of one); same keyword arguments as :func:`score_batch`."""
    return score_batch([item], **kwargs)[0]
