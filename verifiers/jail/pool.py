"""A pool of pre-forked, rlimited scoring processes with per-task CPU budgets.

Why not ``multiprocessing.Pool`` or ``ProcessPoolExecutor``: neither can kill one hung task without
losing the others, and neither knows when a queued task actually *started*. Scorers run model output
through third-party code and sympy can spin in C on ``9^{9^{9^{9}}}``; the only reliable stop is
SIGKILL of the process. The budget counts the worker's own CPU time from when it starts the task, so
an overloaded host never flips verdicts (shared/PITFALLS.md); what running over means is
:mod:`verifiers.scoring`'s business.

One dispatcher thread owns all workers. It hands each idle worker a small chunk, reads one message
per finished task (so it knows when the next one started), kills a worker whose current task is past
its budget, requeues the unstarted rest of that chunk, and starts a replacement. Workers answer in
JSON, never pickle: the parent must not run code a worker that untrusted input took over sends it.
Such a task (its scorer evaluates answers) runs in a throwaway fork of its worker
(:mod:`verifiers.jail.forked`), so an answer that takes over its scorer cannot touch any other verdict.
With that switched off (``PRORL_POOL_FORK_TAINTING=off``), a worker that ran one is tainted instead: its
later tasks are not ``trusted``, and the batch does not cache their verdicts.

The dispatcher never waits for a process to exit: a killed or recycled worker leaves service at once and
its exit sentinel joins the dispatcher's wait set, so it is reaped (no zombie) when it ends. A recycled
worker that has not exited after ``retire_grace_s`` is killed. Blocking on a lingering worker here
would delay every other worker's deadline kill by as long.

Each worker also isolates itself (:mod:`verifiers.jail.isolation`: no network, no inherited fds, its own
mounts, an unprivileged uid, no capability, a seccomp filter); ``PoolStats.isolation`` says what the
latest one applied.
"""

from __future__ import annotations

import atexit
import collections
import json
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from concurrent.futures import Future
from multiprocessing.connection import wait
from typing import Any

from verifiers.jail.budget import WallBackstop, cpu_seconds
from verifiers.jail.isolation import IsolationSettings
from verifiers.jail.messages import MAX_MESSAGE_BYTES, Task, decode_message, encodable_chunk
from verifiers.jail.proc_tree import descendants
from verifiers.jail.state import ExitingProcess, PoolStats, WorkerState
from verifiers.jail.worker import WorkerLimits, worker_main
from verifiers.scoring import VERIFICATION_CRASHED, VERIFICATION_TIMEOUT, over_budget, resolve_over_budget

_log = logging.getLogger(__name__)
_MAX_FAILED_STARTS = 5
_RETIRE_GRACE_S = 5.0  # a recycled worker's time to exit by itself before it is killed


class JailedPool:
    """Pre-forked scoring processes; thread-safe ``submit``; see the module docstring."""

    def __init__(self, workers: int | None = None, limits: WorkerLimits | None = None, chunk_size: int = 8,
                 retire_grace_s: float = _RETIRE_GRACE_S, isolation: IsolationSettings | None = None,
                 wall_backstop: WallBackstop | None = None) -> None:
        self.n_workers = max(1, workers or os.cpu_count() or 1)
        self.limits = limits or WorkerLimits()
        self.isolation = isolation or IsolationSettings.from_env()
        self.chunk_size = max(1, chunk_size)
        self.retire_grace_s = retire_grace_s
        self.wall_backstop = wall_backstop or WallBackstop.from_env()
        self._ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server process
        self._lock = threading.Lock()
        self._queue: collections.deque[tuple[int, Task]] = collections.deque()
        self._workers: list[WorkerState] = []
        self._exiting: list[ExitingProcess] = []
        self._next_id = 0
        self._failed_starts = 0
        self._fatal: str | None = None
        self._fatal_reason: str | None = None  # the traceback a worker sent when its start-up failed
        self._closed = False
        self.stats = PoolStats()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        for _ in range(self.n_workers):
            self._spawn()
        self._thread = threading.Thread(target=self._dispatch_loop, name="prorl-jailed-pool", daemon=True)
        self._thread.start()

    # ----------------------------------------------------------------- public
    def submit(self, task: Task) -> Future:
        """Queue a task; its future resolves to a dict with ``status`` and ``reward``/``error``."""
        return self.submit_many([task])[0]

    def submit_many(self, tasks: list[Task]) -> list[Future]:
        """Queue many tasks with one wake-up of the dispatcher (a per-task wake costs a syscall each)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("pool is closed")
            for task in tasks:
                if self._fatal:
                    task.future.set_result({"status": "infra_error", "error": self._fatal})
                    continue
                self._next_id += 1
                self._queue.append((self._next_id, task))
        self._wake()
        return [task.future for task in tasks]

    def close(self) -> None:
        """Stop the dispatcher and all workers; queued tasks resolve as ``infra_error``."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._wake()
        self._thread.join(timeout=10)

    def snapshot(self) -> PoolStats:
        """Current counters (a copy)."""
        with self._lock:
            self.stats.size = sum(1 for w in self._workers if w.ready)
            self.stats.busy = sum(1 for w in self._workers if w.pending)
            self.stats.queued = len(self._queue)
            self.stats.exiting = len(self._exiting)
            return PoolStats(**{**vars(self.stats), "isolation": dict(self.stats.isolation)})

    # --------------------------------------------------------------- internals
    def _wake(self) -> None:
        try:
            self._wake_w.send(b"x")
        except (BlockingIOError, OSError):
            pass  # a wake-up is already pending

    def _spawn(self) -> None:
        parent_conn, child_conn = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(target=worker_main, args=(child_conn, self.limits, self.isolation),
                                    daemon=True)
        process.start()
        child_conn.close()
        self._workers.append(WorkerState(process=process, conn=parent_conn))

    def _retire(self, worker: WorkerState, kill: bool) -> None:
        """Take a worker out of service without waiting for its exit (see the module docstring)."""
        exiting = ExitingProcess(worker.process, time.monotonic() + (0.0 if kill else self.retire_grace_s))
        if kill:
            self._kill(exiting)
        worker.conn.close()
        self._workers.remove(worker)
        with self._lock:
            self._exiting.append(exiting)

    @staticmethod
    def _kill(exiting: ExitingProcess) -> None:
        """SIGKILL a worker and what it forked (a task's fork dies with it anyway: PR_SET_PDEATHSIG; what
        that fork forked would be re-parented away from the dead worker and live on)."""
        if exiting.process.is_alive() and exiting.process.pid is not None:
            forked = descendants(exiting.process.pid)
            exiting.process.kill()
            for pid in forked:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        exiting.killed = True

    def _reap(self) -> float:
        """Reap exited processes, kill those past their grace; return seconds until the next kill."""
        now = time.monotonic()
        next_kill = 1.0
        for exiting in list(self._exiting):
            if not exiting.process.is_alive():  # is_alive() waits for the exit status: no zombie is left
                exiting.process.join(timeout=0)
                exiting.process.close()  # the sentinel fd
                with self._lock:
                    self._exiting.remove(exiting)
            elif not exiting.killed:
                if now >= exiting.kill_at:
                    self._kill(exiting)
                else:
                    next_kill = min(next_kill, exiting.kill_at - now)
        return next_kill

    def _assign(self) -> None:
        with self._lock:
            idle = [w for w in self._workers if w.ready and not w.pending]
            for worker in idle:
                if not self._queue:
                    break
                # Spread a short queue over all idle workers instead of giving it all to the first.
                share = -(-len(self._queue) // len(idle))
                chunk = [self._queue.popleft() for _ in range(min(self.chunk_size, share, len(self._queue)))]
                chunk, message = encodable_chunk(chunk)
                if message is None:
                    continue
                try:
                    worker.conn.send_bytes(message)
                except (OSError, ValueError):
                    self._queue.extendleft(reversed(chunk))
                    continue
                for _, task in chunk:  # in the order the worker runs them
                    task.trusted = not worker.tainted
                    worker.tainted = worker.tainted or (task.taints and not self.isolation.fork_tainting)
                worker.pending.extend(chunk)
                self._start_clock(worker)

    def _handle_message(self, worker: WorkerState, message: list[Any]) -> None:
        kind = message[0]
        if kind == "ready":
            if not worker.ready:  # only a starting worker's report: later it may be one that input took over
                self._record_isolation(message[2] if len(message) > 2 else None)
            worker.ready = True
            self._failed_starts = 0
        elif kind == "result":
            task_id, result = message[1], message[2]
            if worker.pending and worker.pending[0][0] == task_id:
                _, task = worker.pending.popleft()
                if result["status"] == "timeout":
                    self._charge(task, result)
                elif not task.future.done():
                    task.future.set_result(result)
            self._start_clock(worker)
        elif kind == "retire":
            self.stats.recycled += 1
            self._requeue(worker)
            self._retire(worker, kill=False)
            self._spawn()
        elif kind == "fatal":
            self._fatal_reason = message[1]  # the worker exits next; _on_death counts the failed start

    def _record_isolation(self, report: Any) -> None:
        """Keep what a new worker applied (see verifiers.jail.isolation); log it when it changes."""
        report = report if isinstance(report, dict) else {}
        text = json.dumps(report)
        if len(text) > 4096 or text == json.dumps(self.stats.isolation):
            return
        _log.log(logging.WARNING if report.get("refused") else logging.INFO, "scoring worker isolation: %s", text)
        with self._lock:
            self.stats.isolation = json.loads(text)

    def _requeue(self, worker: WorkerState) -> None:
        with self._lock:
            self._queue.extendleft(reversed(worker.pending))
        worker.pending.clear()

    def _start_clock(self, worker: WorkerState) -> None:
        """The worker's next pending task starts now: note the wall clock and the worker's CPU seconds."""
        worker.started_at = time.monotonic()
        worker.cpu_start = cpu_seconds(worker.process.pid, live_children=False) or 0.0  # none live between tasks

    def _charge(self, task: Task, outcome: dict[str, Any]) -> None:
        """A task ran over its budget: check its reference with an empty answer under the same budget
        before deciding whose cost it was (see :mod:`verifiers.scoring`)."""
        if task.reference_check:
            if not task.future.done():
                task.future.set_result(outcome)
            return
        check = Task(task.domain, "", task.reference, task.options, task.timeout_s, reference_check=True)

        def resolve(done: Future) -> None:
            task.trusted = task.trusted and check.trusted
            if not task.future.done():
                task.future.set_result(resolve_over_budget(outcome, done.result(), task.timeout_s))

        check.future.add_done_callback(resolve)
        with self._lock:
            if self._closed or self._fatal:
                check.future.set_result({"status": "infra_error", "error": self._fatal or "scoring pool shut down"})
                return
            self._next_id += 1
            self._queue.appendleft((self._next_id, check))

    def _on_death(self, worker: WorkerState) -> None:
        """A worker died (segfault, rlimit signal, a protocol violation by a worker the answer took over)
        while verifying: its current task is charged like one over budget, the rest requeued. Even a
        SIGKILL is charged: a worker that untrusted input controls can send it to itself, and a status
        a trainer masks must not be one that an answer can choose."""
        if worker.pending:
            _, task = worker.pending.popleft()
            self._charge(task, over_budget(VERIFICATION_CRASHED, f"scorer process died (exit code "
                                           f"{worker.process.exitcode}) while verifying this item"))
            self.stats.crashed += 1
        elif not worker.ready:
            self._failed_starts += 1
        self._requeue(worker)
        self._retire(worker, kill=True)
        if self._failed_starts >= _MAX_FAILED_STARTS:
            reason = self._fatal_reason or "workers die during start-up"
            self._fatal = f"scoring pool cannot start: {reason.strip().splitlines()[-1]}"
            self._fail_queue(self._fatal)
        else:
            self._spawn()

    def _check_deadlines(self) -> float:
        """Kill workers past their current task's CPU budget or wall backstop; return seconds until the
        next check (CPU time cannot grow faster than wall time per thread, so a budget is not missed by
        much)."""
        now = time.monotonic()
        next_deadline = 1.0
        for worker in list(self._workers):
            if not worker.pending:
                continue
            _, task = worker.pending[0]
            untouched = worker.started_at + task.timeout_s - now
            if untouched > 0:  # CPU time cannot outrun the wall clock on one thread: no /proc read needed yet
                next_deadline = min(next_deadline, untouched)
                continue
            cpu = cpu_seconds(worker.process.pid)
            cpu_left = task.timeout_s - ((cpu - worker.cpu_start) if cpu is not None else 0.0)
            wall_left = worker.started_at + self.wall_backstop.limit_s(task.timeout_s) - now
            if cpu_left > 0 and wall_left > 0:
                next_deadline = min(next_deadline, cpu_left, wall_left)
                continue
            worker.pending.popleft()
            if cpu_left <= 0:
                self._charge(task, over_budget(VERIFICATION_TIMEOUT, f"verification used its {task.timeout_s:g}s "
                                               "CPU budget"))
            elif not task.future.done():
                task.future.set_result({"status": "infra_error", "error": "scorer made too little progress: "
                                        f"{task.timeout_s - cpu_left:.2f}s of CPU in "
                                        f"{self.wall_backstop.limit_s(task.timeout_s):g}s of wall time (blocked or "
                                        "starved of CPU)"})
            self.stats.killed += 1
            self._requeue(worker)
            self._retire(worker, kill=True)
            self._spawn()
        return max(next_deadline, 0.01)

    def _fail_queue(self, reason: str) -> None:
        with self._lock:
            while self._queue:
                _, task = self._queue.popleft()
                if not task.future.done():
                    task.future.set_result({"status": "infra_error", "error": reason})

    def _dispatch_loop(self) -> None:
        while True:
            with self._lock:
                closed = self._closed
            if closed:
                break
            self._assign()
            timeout = min(self._check_deadlines(), self._reap())
            conns: dict[Any, WorkerState] = {w.conn: w for w in self._workers}
            # A sentinel becomes readable when its process ends; it is reaped at the top of the next turn.
            sentinels = {e.process.sentinel: e for e in self._exiting if e.watch}
            try:
                ready = wait([*conns, *sentinels, self._wake_r], timeout=max(timeout, 0.001))
            except OSError:
                ready = []
            for obj in ready:
                if obj in sentinels:
                    # Readable while alive means the worker closed its end: poll it instead of spinning.
                    sentinels[obj].watch = not sentinels[obj].process.is_alive()
                    continue
                if obj is self._wake_r:
                    try:
                        while self._wake_r.recv(4096):
                            pass
                    except (BlockingIOError, OSError):
                        pass
                    continue
                worker = conns[obj]
                if worker not in self._workers:
                    continue
                try:
                    while worker.conn.poll():
                        self._handle_message(worker, decode_message(worker.conn.recv_bytes(MAX_MESSAGE_BYTES)))
                        if worker not in self._workers:
                            break
                except (EOFError, OSError, ValueError):  # ValueError: not the JSON a worker sends
                    self._on_death(worker)
        self._shutdown()

    def _shutdown(self) -> None:
        for worker in list(self._workers):
            for _, task in worker.pending:
                if not task.future.done():
                    task.future.set_result({"status": "infra_error", "error": "scoring pool shut down"})
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
            self._retire(worker, kill=True)
        self._fail_queue("scoring pool shut down")
        for exiting in list(self._exiting):  # shutting down: now waiting is fine, and leaves no zombie
            self._kill(exiting)
            exiting.process.join(timeout=1)
        self._reap()


_default_pool: JailedPool | None = None
_default_lock = threading.Lock()


def get_pool() -> JailedPool:
    """The process-wide pool, created on first use and sized by ``PRORL_POOL_*`` environment variables."""
    global _default_pool
    with _default_lock:
        if _default_pool is None:
            env = os.environ
            limits = WorkerLimits(
                address_space_mb=int(env.get("PRORL_POOL_ADDRESS_SPACE_MB", WorkerLimits.address_space_mb)),
                max_tasks=int(env.get("PRORL_POOL_MAX_TASKS", WorkerLimits.max_tasks)),
                max_rss_mb=int(env.get("PRORL_POOL_MAX_RSS_MB", WorkerLimits.max_rss_mb)),
            )
            workers = int(env["PRORL_POOL_WORKERS"]) if env.get("PRORL_POOL_WORKERS") else None
            _default_pool = JailedPool(workers=workers, limits=limits)
        return _default_pool


def shutdown_default_pool() -> None:
    """Close the process-wide pool (tests and graceful service shutdown)."""
    global _default_pool
    with _default_lock:
        if _default_pool is not None:
            _default_pool.close()
            _default_pool = None


atexit.register(shutdown_default_pool)
