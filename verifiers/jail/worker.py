"""The body of one jailed scoring process (runs in a child; see :mod:`verifiers.jail.pool`).

A worker imports the heavy scoring libraries once, then scores chunks of tasks on its main thread
(math-verify's SIGALRM timers only work there), streaming one message per finished task so the
parent knows exactly when the next task started and can enforce a per-task deadline by killing it.
A task whose scorer evaluates the answer runs in a throwaway fork instead (:mod:`verifiers.jail.forked`),
so the worker itself never runs an answer's code.
"""

from __future__ import annotations

import json
import os
import resource
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from verifiers.jail.forked import prepare_worker, score_in_child
from verifiers.jail.isolation import IsolationSettings, isolate_early, isolate_late
from verifiers.registry import DOMAINS, fork_warm_hook, warm_hook
from verifiers.scoring import score_task


@dataclass(frozen=True)
class WorkerLimits:
    """Resource caps applied inside every worker (the parent's deadline kill is the outer bound)."""

    address_space_mb: int = 4096  # a memory bomb in a scorer gets MemoryError, not the host's OOM killer
    cpu_seconds: int = 3600  # per task: backstop for a worker that somehow escapes the parent's budget kill
    max_tasks: int = 5000  # recycle: sympy/antlr caches grow without bound over long runs
    max_rss_mb: int = 1536  # recycle when resident memory grows past this


def _apply_rlimits(limits: WorkerLimits) -> None:
    address_space = limits.address_space_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    # RLIMIT_CPU counts the whole life of the process, so it is set per task (_arm_cpu_backstop) and has
    # no hard limit: a fixed one killed a long-lived worker mid-task, charging an innocent answer.
    # No core dumps of a process that may hold someone's eval()'d garbage.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _arm_cpu_backstop(limits: WorkerLimits) -> None:
    """SIGXCPU once the next task alone has used ``limits.cpu_seconds`` of CPU."""
    used = int(sum(os.times()[:2])) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (used + limits.cpu_seconds, resource.RLIM_INFINITY))


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def _preload() -> None:
    """Import every jailed domain once, so the first task does not pay for imports."""
    for domain in DOMAINS:
        if domain == "code":
            continue
        try:
            warm = warm_hook(domain)  # imports the domain's module
        except ImportError:
            continue  # reported per item when an item of that domain arrives
        # Heavy imports a domain keeps lazy for the parent process (reasoning_gym takes ~5 s) are paid
        # here, before "ready", so they never eat into the first task's deadline.
        if warm is not None:
            warm()


def _warm_for_fork(warmed: set[tuple[str, str]], domain: str, reference: dict[str, Any],
                   options: dict[str, Any]) -> None:
    """Score the domain's ``fork_warm`` answer (built from the reference alone) here, once per key, so that
    the fork for the model's answer inherits the scorer's lazy set-up instead of paying it every time."""
    try:
        hook = fork_warm_hook(domain)
        warm = hook(reference) if hook is not None else None
    except Exception:
        return
    if warm is None or (domain, warm[0]) in warmed or len(warmed) >= 10_000:
        return
    warmed.add((domain, warm[0]))
    score_task(domain, warm[1], reference, options)  # never raises; its verdict is not used


def _report(conn: Connection, *message: Any) -> None:
    """Send a message to the parent as JSON, never pickle: unpickling runs code, so a worker that
    untrusted input took over (the scorers eval() answers) could otherwise take over the service too."""
    conn.send_bytes(json.dumps(message, default=repr).encode())


def worker_main(conn: Connection, limits: WorkerLimits, isolation: IsolationSettings | None = None) -> None:
    """Serve chunks from the parent until told to stop or until it is time to recycle.

    Isolation (see :mod:`verifiers.jail.isolation`) comes in two halves around the preload: leaving the
    network needs a single-threaded process, dropping the uid must wait until the warm-ups have read
    what the scorers need.
    """
    isolation = isolation or IsolationSettings()
    try:
        report = isolate_early(isolation, keep_fds={conn.fileno()})
        _apply_rlimits(limits)
        _preload()
        isolate_late(isolation, report)
        if isolation.fork_tainting:
            report["fork_tainting"] = prepare_worker()
        _arm_cpu_backstop(limits)
    except BaseException:
        _report(conn, "fatal", traceback.format_exc())
        return
    try:
        _report(conn, "ready", os.getpid(), report)
    except (BrokenPipeError, OSError):
        return  # the pool shut down while this worker was starting
    done = 0
    warmed: set[tuple[str, str]] = set()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        try:
            for task_id, domain, answer, reference, options, taints in message:
                _arm_cpu_backstop(limits)
                if taints and isolation.fork_tainting:  # the answer's code dies with the fork
                    _warm_for_fork(warmed, domain, reference, options)
                    result = score_in_child({conn.fileno()}, domain, answer, reference, options)
                else:
                    result = score_task(domain, answer, reference, options)
                _report(conn, "result", task_id, result)
            done += len(message)
            if done >= limits.max_tasks or _rss_mb() > limits.max_rss_mb:
                _report(conn, "retire", done)
                return
        except (BrokenPipeError, OSError):
            return  # the parent went away: nothing left to report to
