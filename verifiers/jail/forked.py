"""One task in a throwaway child of the worker: for scorers that evaluate answers (``EVALUATES_ANSWERS``).

Why: such a scorer (reasoning_gym's upstream code) may be taken over by the answer it scores. In the
worker itself, a takeover would last: it could patch the scorers in memory and forge the verdicts of every
later item the worker scores, in this batch and the next. Forked, the answer's code runs in a copy that
is killed as soon as it has answered, so the most it can change is its own item's verdict.

What the child cannot do, and why:

- write to the pool: it closes its copy of the worker's connection before scoring, and reports on a pipe
  of its own that the worker reads one length-prefixed message from;
- outlive its task: the worker is a child subreaper, so whatever the child forks is re-parented to the
  worker when the child dies, and the worker SIGKILLs every child it has before the next task; a child
  whose worker dies gets SIGKILL too (``PR_SET_PDEATHSIG``);
- reach into the worker: ptrace and process_vm_* are refused by the worker's seccomp filter (inherited),
  and the worker is not dumpable, so its ``/proc/<pid>/mem`` is not the child's to open;
- hide its CPU: the pool's budget counts the worker's live children (:func:`verifiers.jail.budget.cpu_seconds`).

A fork costs 6-8 ms of a warm 215 MB worker on the 2-core VM (``bench/bench_fork_tainting.py``), paid only
by the tasks of answer-evaluating domains.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import struct
from typing import Any

from verifiers.jail.proc_tree import children
from verifiers.jail.syscall import load_libc
from verifiers.scoring import VERIFICATION_CRASHED, over_budget, score_task

_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
_PR_SET_CHILD_SUBREAPER = 36
_HEADER = struct.Struct("!Q")
_MAX_RESULT_BYTES = 16 * 1024 * 1024  # far above any verdict; a larger claim is a broken or hostile child
_MAX_KILL_ROUNDS = 1000


def prepare_worker() -> dict[str, bool]:
    """Make this worker a subreaper and not dumpable (see the module docstring); what took effect."""
    gc.freeze()  # what the preload built stays out of the collector: forks copy fewer pages
    libc = load_libc()
    return {"subreaper": libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0,
            "not_dumpable": libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) == 0}


def score_in_child(keep_out_fds: set[int], domain: str, answer: str, reference: dict[str, Any],
                   options: dict[str, Any]) -> dict[str, Any]:
    """``score_task`` in a forked child that never outlives the call; ``keep_out_fds`` are closed in it.

    A child that dies without a whole answer is charged like a worker that died (``verification_crashed``,
    decided by the pool against the reference); a failed fork is the host's fault (``infra_error``).
    """
    parent = os.getpid()
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError as exc:
        os.close(read_fd)
        os.close(write_fd)
        return {"status": "infra_error", "error": f"could not fork an isolated scorer: {exc}"}
    if pid == 0:  # the child: never returns
        _child(parent, read_fd, write_fd, keep_out_fds, domain, answer, reference, options)
    os.close(write_fd)
    try:
        raw = _read_message(read_fd)
    finally:
        os.close(read_fd)
        status = kill_children(pid)
    if raw is not None:
        try:
            result = json.loads(raw)
        except ValueError:
            result = None
        if isinstance(result, dict):
            return result
    return over_budget(VERIFICATION_CRASHED, f"scorer process died ({_describe(status)}) while verifying this item")


def _child(parent: int, read_fd: int, write_fd: int, keep_out_fds: set[int], domain: str, answer: str,
           reference: dict[str, Any], options: dict[str, Any]) -> None:
    code = 1
    try:
        gc.disable()  # a collection would write to every object's header: page copies for a one-task life
        os.close(read_fd)
        for fd in keep_out_fds:
            os.close(fd)
        load_libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the worker died before the line above took effect
            os._exit(1)
        data = json.dumps(score_task(domain, answer, reference, options), default=repr).encode()
        message = _HEADER.pack(len(data)) + data
        view = memoryview(message)
        while view:
            view = view[os.write(write_fd, view):]
        code = 0
    finally:
        os._exit(code)


def _read_message(fd: int) -> bytes | None:
    """One length-prefixed message, or None when the child ends first or claims too much. Never reads to
    EOF: something the child forked may hold the pipe open."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    return None if size > _MAX_RESULT_BYTES else _read_exactly(fd, size)


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def kill_children(child: int) -> int:
    """SIGKILL ``child`` and every other child of this process until none is left (what the child forked
    is re-parented here as its parents die); reap them all. Returns ``child``'s wait status (-1 unknown)."""
    status, child_reaped = -1, False
    for _ in range(_MAX_KILL_ROUNDS):
        pids = set(children())
        if not child_reaped:
            pids.add(child)
        if not pids:
            return status
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in pids:
            try:
                _, wait_status = os.waitpid(pid, 0)
            except ChildProcessError:
                wait_status = -1
            if pid == child:
                status, child_reaped = wait_status, True
    os._exit(70)  # a fork bomb outran the kills: leave, and let the pool kill what is left with the worker


def _describe(status: int) -> str:
    if status == -1:
        return "exit status unknown"
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit code {os.WEXITSTATUS(status)}"
