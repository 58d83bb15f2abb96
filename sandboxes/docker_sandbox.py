"""Run one program against a list of test inputs in one fresh container.

The sandbox knows nothing about what it judges: it carries a program and test *inputs* in, and each
test's outputs back (stdout, or the JSON return value of a call), one test at a time. After each test
the caller's ``should_continue`` decides whether the rest run, so a binary reward stops at the first
failure while the comparison itself stays outside the container.

Protocol with the in-container harness (deploy/sandbox/harness.py), over the container's attached
stdin/stdout: a line with the job's byte length, the job JSON; one JSON line per test back, without
waiting for us; ``q`` from us stops it (the test in flight is killed).
"""

from __future__ import annotations

import json
import logging
import socket
import struct
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NoReturn

import docker
import docker.errors

from sandboxes.container_pool import ContainerPool, SandboxUnavailable, WarmContainer, connect, engine_errors
from sandboxes.limits import MIB, child_limits
from sandboxes.settings import SandboxSettings

log = logging.getLogger(__name__)

Language = Literal["python", "cpp"]
_CLEANUP_TIMEOUT_S = 10.0  # a harness that takes longer to vouch for a container loses it
LANGUAGES: tuple[str, ...] = ("python", "cpp")


@dataclass
class TestRun:
    """What one test did. ``status``: exited | timeout | signal | output_limit (set by the harness)."""

    index: int
    status: str
    exit_code: int | None = None
    signal: int | None = None
    stdout: str | None = None  # stdin mode
    result: Any = None  # call mode: {"value": <return value>} or None when the call did not return
    stderr: str = ""
    wall_s: float = 0.0
    cpu_s: float = 0.0

    @property
    def clean_exit(self) -> bool:
        """The program finished within its limits with exit code 0."""
        return self.status == "exited" and self.exit_code == 0


@dataclass
class RunReport:
    """The tests that ran (in order) and why the run ended."""

    tests: list[TestRun] = field(default_factory=list)
    # completed: the harness finished; stopped: should_continue said stop; killed: the outer deadline
    # killed the container (only a hung harness or a stalled engine gets there).
    ended: Literal["completed", "stopped", "killed"] = "completed"
    wait_s: float = 0.0  # waiting for a free slot and a warm container
    wall_s: float = 0.0  # from acquiring a container to the last result
    program_s: float = 0.0  # sum of the tests' own wall time: wall_s minus this is the sandbox overhead
    # Compiled languages: {"ok", "status", "stderr"} of the one compile before the tests (None for Python).
    # After a failed compile no test ran.
    compile: dict[str, Any] | None = None


class DockerSandbox:
    """Thread-safe runner of untrusted programs on a warm :class:`ContainerPool`.

    Construct it, call :meth:`run` from any number of threads, :meth:`close` at exit. Every failure of
    the engine or the image raises :class:`SandboxUnavailable`; what the program does never raises.
    """

    def __init__(self, settings: SandboxSettings | None = None) -> None:
        self.settings = settings or SandboxSettings.from_env()
        self._client = connect(self.settings)
        self.pool = ContainerPool(self._client, self.settings)
        self.pool.start()
        self._slots = threading.BoundedSemaphore(self.settings.max_concurrent)
        self._running = 0  # problems inside a container right now (a metrics gauge)
        self._running_lock = threading.Lock()

    def close(self) -> None:
        """Remove every ready container; call once at shutdown."""
        self.pool.close()
        self._client.close()

    def run(
        self,
        code: str,
        inputs: Sequence[Any],
        *,
        fn_name: str | None = None,
        time_limit_s: float | None = None,
        memory_mb: float | None = None,
        language: Language = "python",
        should_continue: Callable[[TestRun], bool] = lambda test: True,
    ) -> RunReport:
        """Run ``code`` once per input in one fresh container, tests in order.

        Without ``fn_name`` each input (a string) is the program's stdin; with it each input is the
        argument list of ``fn_name`` (or ``Solution().fn_name``) and the JSON return value comes back.
        ``language="cpp"`` compiles the program once first (stdin mode only); ``report.compile`` says how.
        """
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}; the sandbox runs {', '.join(LANGUAGES)}")
        if language == "cpp" and fn_name:
            raise ValueError("C++ programs run in stdin mode only (no fn_name)")
        limits = self.settings.limits
        limit_s = limits.time_limit_s(time_limit_s)
        tests = list(inputs)
        job = {"code": code, "mode": "call" if fn_name else "stdin", "fn_name": fn_name, "inputs": tests,
               "language": language}
        job.update(child_limits(limits, limit_s, memory_mb))
        budget = limits.outer_deadline_s(limit_s, len(tests), compiled=language != "python")
        asked = time.monotonic()
        with self._slots:
            with self._running_lock:
                self._running += 1
            try:
                return self._run_job(job, budget, should_continue, asked)
            finally:
                with self._running_lock:
                    self._running -= 1

    def container_counts(self) -> dict[str, int]:
        """Containers by state: ``ready`` (warm, waiting) and ``busy`` (running a problem)."""
        return {"ready": self.pool.ready_count(), "busy": self._running}

    # -- one problem -------------------------------------------------------------------------------
    def _run_job(
        self, job: dict[str, Any], budget: float, should_continue: Callable[[TestRun], bool], asked: float
    ) -> RunReport:
        for _attempt in range(4):
            warm = self.pool.acquire()
            started = time.monotonic()
            # Ask for a cleanup and another program only while this container has uses left.
            reuse = warm.uses + 1 < self.settings.programs_per_container
            payload = json.dumps({**job, "reuse": reuse}, separators=(",", ":")).encode()
            cleanup: _FrameReader | None = None
            try:
                report, cleanup = self._converse(warm, str(len(payload)).encode() + b"\n" + payload,
                                                 started + budget, should_continue, reuse)
            except _DeadContainer:
                continue  # died before it took the job (engine restart): destroyed below, try another
            finally:
                self._give_back(warm, cleanup)
            report.wait_s = started - asked
            report.wall_s = time.monotonic() - started
            report.program_s = sum(t.wall_s for t in report.tests)
            return report
        raise SandboxUnavailable("sandbox containers keep dying before use; is the Docker engine restarting?")

    def _converse(
        self, warm: WarmContainer, message: bytes, deadline: float, should_continue: Callable[[TestRun], bool],
        reuse: bool,
    ) -> tuple[RunReport, _FrameReader | None]:
        """The report, and the stream to read the harness's cleanup verdict from (None: destroy it)."""
        report = RunReport()
        sock = warm.sock
        # A line carries one test's capped stdout; JSON escaping grows a byte to at most 6 ("\u0001").
        stream = _FrameReader(sock, deadline, 6 * self.settings.limits.output_limit_mb * MIB + MIB)
        try:
            try:
                sock.sendall(message)
                ready = stream.next_record()
            except OSError as exc:
                raise _DeadContainer() from exc
            if ready is None or "ready" not in ready:
                raise _DeadContainer()
            total = int(ready["ready"])
            while True:
                record = stream.next_record()
                if record is None:
                    self._raise_crash(warm.id, stream)
                if record.get("done"):
                    return report, stream if reuse else None
                if "compile" in record:
                    report.compile = dict(record["compile"])
                    continue
                test = _test_run(record)
                report.tests.append(test)
                if len(report.tests) >= total:
                    continue  # the harness says done next
                if not should_continue(test):
                    sock.sendall(b"q")  # the harness kills the test it already started and stops
                    report.ended = "stopped"
                    return report, stream if reuse else None
        except _Deadline:
            self.pool.kill(warm.id)  # the hard wall-clock kill, from outside
            report.ended = "killed"
            return report, None
        except (OSError, ValueError) as exc:
            log.warning("sandbox stream of %s broke: %s", warm.id[:12], exc)
            self._raise_crash(warm.id, stream)

    def _give_back(self, warm: WarmContainer, cleanup: _FrameReader | None) -> None:
        """Return the container to the pool once its harness says it is clean, off the caller's path: the
        verdict is known, the cleanup only delays the container's next program."""
        if cleanup is None:
            self.pool.give_back(warm, clean=False)
            return
        try:
            self.pool.submit(lambda: self.pool.give_back(warm, self._clean(cleanup)))
        except RuntimeError:  # the pool is closing
            self.pool.give_back(warm, clean=False)

    @staticmethod
    def _clean(stream: _FrameReader) -> bool:
        """After a problem: skip what was in flight until the harness's cleanup verdict (False if none)."""
        stream.deadline = time.monotonic() + _CLEANUP_TIMEOUT_S
        try:
            while True:
                record = stream.next_record()
                if record is None:
                    return False
                if "clean" in record:
                    return record["clean"] is True
        except (_Deadline, OSError, ValueError):
            return False

    def _raise_crash(self, cid: str, stream: _FrameReader) -> NoReturn:
        """The harness vanished mid-problem: that is the engine's or the harness's failure, never a verdict.

        The program cannot end the harness: it is init and root, the program is neither, and the
        OOM killer prefers the program. So this is an engine restart or a harness bug: retryable.
        """
        try:
            state = self._client.api.inspect_container(cid)["State"]
            detail = f"container {state.get('Status')}, exit code {state.get('ExitCode')}, oom {state.get('OOMKilled')}"
        except (docker.errors.DockerException, *engine_errors()) as exc:
            detail = f"engine not answering: {exc}"
        tail = stream.err.decode("utf-8", "replace")[-300:]
        raise SandboxUnavailable(f"sandbox harness ended mid-problem ({detail}) {tail}".strip())


class _DeadContainer(Exception):
    pass


class _Deadline(Exception):
    pass


class _FrameReader:
    """Reads Docker's multiplexed exec stream (8-byte frame headers) and yields stdout JSON lines."""

    def __init__(self, sock: socket.socket, deadline: float, max_line: int) -> None:
        self.sock, self.deadline, self.max_line = sock, deadline, max_line
        self.buf = bytearray()  # undecoded frames
        self.out = bytearray()  # harness stdout not yet split into lines
        self.scanned = 0  # bytes of self.out known to hold no newline
        self.err = bytearray()

    def _recv(self) -> bool:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _Deadline()
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(1 << 20)
        except TimeoutError:
            raise _Deadline() from None
        if not chunk:
            return False
        self.buf += chunk
        while len(self.buf) >= 8:
            kind, size = struct.unpack(">BxxxL", self.buf[:8])
            if len(self.buf) < 8 + size:
                break
            data = bytes(self.buf[8 : 8 + size])
            del self.buf[: 8 + size]
            if kind == 2:
                self.err += data[-4096:]
                del self.err[:-4096]
            else:
                self.out += data
        return True

    def next_record(self) -> dict[str, Any] | None:
        """The next JSON line of the harness, or None at end of stream."""
        while True:
            newline = self.out.find(b"\n", self.scanned)  # never rescan: a line can be ~100 MB
            if newline >= 0:
                line = bytes(self.out[:newline])
                del self.out[: newline + 1]
                self.scanned = 0
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("harness sent a non-object line")
                return record
            self.scanned = len(self.out)
            if len(self.out) > self.max_line:
                raise ValueError("harness line too long")
            if not self._recv():
                if self.err:
                    log.info("sandbox harness stderr: %s", self.err.decode("utf-8", "replace")[-1000:])
                return None


def _test_run(record: dict[str, Any]) -> TestRun:
    return TestRun(
        index=int(record.get("i", 0)),
        status=str(record.get("status", "crashed")),
        exit_code=record.get("exit_code"),
        signal=record.get("signal"),
        stdout=record.get("stdout"),
        result=record.get("result"),
        stderr=str(record.get("stderr", "")),
        wall_s=float(record.get("wall_s") or 0.0),
        cpu_s=float(record.get("cpu_s") or 0.0),
    )
