"""The in-container harness: runs one untrusted Python or C++ program against a list of test inputs.

Shipped in the sandbox image (``/opt/prorl/harness.py``). It is the container's init process: the pool
starts it (as root, with only the SETUID, SETGID and KILL capabilities) in a fresh container attached
to its stdin/stdout, and it waits there until a problem arrives, so running a problem costs neither a
container start nor an exec. One problem per container; the container ends with the harness.
Protocol, over stdin/stdout:

- A line with the byte length N of the job, then N bytes of JSON:
  ``{"code", "mode": "stdin"|"call", "fn_name", "inputs": [...], "time_limit_s", "memory_bytes",
  "output_limit_bytes", "fsize_bytes"}``. Only inputs come in: expected outputs never enter the
  container, so there is nothing here for a program to find or forge towards.
- ``"language": "cpp"``: before the first test the program is compiled once (``g++ -O2 -std=c++17``) by
  a child that is the program's uid, under its own CPU, memory and file-size limits
  (``compile_time_limit_s``, ``compile_memory_bytes``), in ``/build`` (the only tmpfs that allows exec).
  The harness emits ``{"compile": {"ok", "status", "stderr"}}``; after a failed compile only
  ``{"done": true}`` follows. Each test's child then execs the binary instead of running Python.
- For each test the harness forks a child that drops to uid 10001, runs the program with the input
  (stdin mode: as its stdin; call mode: as the argument list of ``fn_name``) and exits. The harness
  writes one JSON line per test to its stdout and goes straight on to the next test. The comparison
  happens outside: when the caller has seen enough (a binary reward's first failure) it writes ``q``
  (or closes stdin), and the harness kills the test in flight and stops. No round trip per test.
- The child's stdout/stderr are pipes to the harness; its return value (call mode) travels over a
  separate pipe as JSON. The harness's own stdout is never inherited, and the child, being another
  uid without capabilities, cannot signal, trace or open the harness's file descriptors.

Stdlib only; runs on Python 3.10+ (Debian bookworm's 3.11 and python:3.12-slim).
"""

import ctypes
import json
import math
import os
import resource
import selectors
import signal
import sys
import time

SANDBOX_UID = 10001
SANDBOX_GID = 10001
STDERR_KEEP = 2048  # bytes of the program's stderr reported back (tracebacks), the rest is drained
PR_SET_CHILD_SUBREAPER = 36
CPU_POLL_S = 0.05  # how often a running test's CPU time is checked against its limit
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CHILD_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "TMPDIR": "/tmp"}
BUILD_DIR = "/build"  # tmpfs mounted with exec (the working dir and /tmp are noexec)
CPP_SOURCE, CPP_BINARY = BUILD_DIR + "/main.cpp", BUILD_DIR + "/main"
CPP_COMPILE = ("g++", "-O2", "-std=c++17", "-pipe", "-o", CPP_BINARY, CPP_SOURCE)


def _read_exact(fd, n):
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(1 << 20, n - got))
        if not chunk:
            raise EOFError(f"job truncated: {got} of {n} bytes")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _emit(record):
    data = (json.dumps(record, separators=(",", ":")) + "\n").encode()
    view = memoryview(data)
    while view:
        view = view[os.write(1, view):]


def _kill_all_but_me():
    """SIGKILL every process this harness may signal (all of the program's), then reap orphans."""
    try:
        os.kill(-1, signal.SIGKILL)  # never signals the caller itself (nor init, which is the harness)
    except ProcessLookupError:
        pass
    give_up = time.monotonic() + 2.0  # a process stuck in uninterruptible sleep is left to the container kill
    while time.monotonic() < give_up:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.001)


def _child(job, test_input, fds):
    """Runs in the forked child: drop privileges, apply limits, run the program. Never returns."""
    code = 1
    try:
        stdin_fd, out_w, err_w, res_w = fds
        try:
            with open("/proc/self/oom_score_adj", "w") as f:
                f.write("1000")  # the OOM killer takes the program, never the harness
        except OSError:
            pass
        os.dup2(stdin_fd, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.dup2(res_w, 3)
        os.closerange(4, 1 << 16)
        limit = float(job["time_limit_s"])
        cpu = int(math.ceil(limit)) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        mem = int(job.get("memory_bytes") or 0)
        if mem > 0:
            resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        fsize = int(job.get("fsize_bytes") or 0)
        if fsize > 0:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.setgroups([])
        uid = int(job.get("_uid") or SANDBOX_UID)
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)  # from here on: no capabilities at all
        os.chdir("/sandbox")
        os.environ.clear()
        os.environ.update(CHILD_ENV)
        if job["mode"] == "compile":
            _write_source(job["code"])
            os.execve("/usr/bin/g++", list(CPP_COMPILE), CHILD_ENV)
        if job.get("language") == "cpp":
            os.execve(CPP_BINARY, ["main"], CHILD_ENV)
        sys.stdin = sys.__stdin__ = open(0, closefd=False)
        sys.stdout = sys.__stdout__ = open(1, "w", closefd=False)
        sys.stderr = sys.__stderr__ = open(2, "w", closefd=False, buffering=1)
        sys.argv = ["main.py"]
        code = _run_program(job, test_input)
    except SystemExit as exc:
        code = _exit_code(exc)
    except BaseException:
        code = 1
        try:
            import traceback

            traceback.print_exc()  # a harness-side failure in the child: reported as the test's stderr
        except BaseException:
            pass
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        os._exit(code)


def _write_source(code):
    """The C++ source, written by the compile child itself (the program's uid, under its file-size limit)."""
    os.chdir(BUILD_DIR)
    fd = os.open(CPP_SOURCE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    data = code.encode("utf-8", "replace")
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.close(fd)


def _compile(job):
    """Compile a C++ program once: {"ok", "status", "stderr"}; a compiler that fails or runs out of its
    limits (``#include </dev/zero>``, template bombs) is a failed compile, never a hung harness."""
    compile_job = dict(job, mode="compile", time_limit_s=float(job.get("compile_time_limit_s") or 10.0),
                       memory_bytes=int(job.get("compile_memory_bytes") or 0))
    record = _run_test(compile_job, None)
    if record is None:
        return None
    ok = record["status"] == "exited" and record.get("exit_code") == 0
    return {"ok": ok, "status": record["status"], "stderr": record["stderr"]}


def _exit_code(exc):
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code & 0xFF
    try:
        sys.stderr.write(str(exc.code) + "\n")
    except BaseException:
        pass
    return 1


def _exit_like_python():
    """What the interpreter does at exit: wait for non-daemon threads, then run atexit callbacks.

    Competitive-programming code often solves in a thread with a big stack, or writes its output
    from an atexit hook; skipping either would lose a correct answer.
    """
    threading = sys.modules.get("threading")
    if threading is not None:
        try:
            threading._shutdown()
        except BaseException:
            pass
    try:
        import atexit

        atexit._run_exitfuncs()
    except BaseException:
        pass


def _run_program(job, test_input):
    import traceback
    import types

    dumps, write = json.dumps, os.write  # taken before the program can monkeypatch them
    module = types.ModuleType("__main__")
    module.__file__ = "/sandbox/main.py"
    module.__builtins__ = __builtins__
    sys.modules["__main__"] = module
    stdin_mode = job["mode"] != "call"
    try:
        exec(compile(job["code"], "main.py", "exec"), module.__dict__)
        if stdin_mode:
            _exit_like_python()
            return 0
        fn_name = job["fn_name"]
        cls = module.__dict__.get("Solution")
        if isinstance(cls, type) and hasattr(cls, fn_name):
            fn = getattr(cls(), fn_name)
        else:
            fn = module.__dict__[fn_name]
        args = test_input if isinstance(test_input, list) else [test_input]
        value = fn(*args)
        payload = dumps({"value": value}, separators=(",", ":")).encode()
    except SystemExit as exc:
        if stdin_mode:
            _exit_like_python()
        return _exit_code(exc)
    except BaseException:
        etype, value, tb = sys.exc_info()
        traceback.print_exception(etype, value, tb.tb_next)  # from the program's frame on, not ours
        if stdin_mode:
            _exit_like_python()
        return 1
    view = memoryview(payload)
    while view:
        view = view[write(3, view):]
    return 0


def _stdin_bytes(test_input):
    """UTF-8 bytes of a stdin input; a lone surrogate (valid JSON, not valid UTF-8) becomes U+FFFD
    instead of crashing the harness, which the caller would see as an infrastructure failure."""
    if not isinstance(test_input, str):
        return b""
    try:
        return test_input.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return test_input.encode("utf-8", "replace")


def _run_test(job, test_input):
    """Fork one child for one test and collect its outputs under the time and output limits."""
    limit = float(job["time_limit_s"])
    # CPU time judges, so a loaded host does not turn a correct program into a timeout. The wall limit
    # catches programs that sleep or block; one that is runnable but starved of CPU gets until the hard
    # wall limit for its CPU time to reach the limit.
    wall_limit = 2 * limit + 0.5
    hard_wall_limit = 5 * limit + 5
    out_cap = int(job["output_limit_bytes"])
    stdin_fd = os.memfd_create("stdin")
    if job["mode"] != "call":
        data = _stdin_bytes(test_input)
        view = memoryview(data)
        while view:
            view = view[os.write(stdin_fd, view):]
        os.lseek(stdin_fd, 0, os.SEEK_SET)
    pipes = [os.pipe() for _ in range(3)]
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(job, test_input, (stdin_fd, pipes[0][1], pipes[1][1], pipes[2][1]))
    os.close(stdin_fd)
    for _, w in pipes:
        os.close(w)
    reader = _Reader([r for r, _ in pipes], out_cap)
    try:
        pidfd = os.pidfd_open(pid)  # wakes the loop the moment the child exits
        reader.sel.register(pidfd, selectors.EVENT_READ)
    except (AttributeError, OSError):  # old kernel or a runtime without pidfd (gVisor): poll instead
        pidfd = None
    reader.sel.register(0, selectors.EVENT_READ)
    status, exited = None, None
    while exited is None and status is None:
        elapsed = time.monotonic() - start
        cpu, state = _cpu_and_state(pid)
        # A compiler driver sleeps while its cc1plus works (each has its own RLIMIT_CPU): only the hard
        # wall limit applies to it, so a loaded host does not turn a slow compile into a failed one.
        sleeping = state != b"R" and job["mode"] != "compile"
        if cpu > limit or elapsed > hard_wall_limit or (elapsed > wall_limit and sleeping):
            status = "timeout"
            break
        events = reader.sel.select(timeout=CPU_POLL_S if pidfd is not None else 0.005)
        for key, _ in events:
            if key.fd == 0:
                if _stop_requested():
                    status = "stopped"
                else:
                    continue
            elif key.fd != pidfd and reader.read(key.fd):
                status = "output_limit"
        if pidfd is None or any(key.fd == pidfd for key, _ in events):
            # The child's exit ends the test even if a grandchild keeps the pipes open.
            done, wstatus, usage = os.wait4(pid, os.WNOHANG)
            if done == pid:
                exited = (wstatus, usage)
    if exited is None:
        os.kill(pid, signal.SIGKILL)
        _, wstatus, usage = os.wait4(pid, 0)
        exited = (wstatus, usage)
    wall = time.monotonic() - start
    reader.sel.unregister(0)
    if pidfd is not None:
        reader.sel.unregister(pidfd)
        os.close(pidfd)
    _kill_all_but_me()  # whatever the program left behind (daemons, fork bombs) dies before the next test
    if status == "stopped":
        reader.close()
        return None
    if status is None and reader.drain():
        status = "output_limit"
    reader.close()
    return _record(job, status, exited[0], exited[1], wall, limit, reader)


def _cpu_and_state(pid):
    """CPU seconds (user + system) and scheduler state (b"R" runnable, b"S" sleeping...) of a child."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS, fields[0]
    except (OSError, IndexError, ValueError):
        return 0.0, b"?"


class _Reader:
    """Non-blocking reader of the child's stdout, stderr and result pipes with a byte cap."""

    def __init__(self, fds, cap):
        self.fds, self.cap = fds, cap
        self.bufs = {fd: [] for fd in fds}
        self.sizes = dict.fromkeys(fds, 0)
        self.sel = selectors.DefaultSelector()
        for fd in fds:
            os.set_blocking(fd, False)
            self.sel.register(fd, selectors.EVENT_READ)

    def read(self, fd):
        """Read what is there; True when the program went past the output cap."""
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            return False
        return self._take(fd, chunk)

    def _take(self, fd, chunk):
        if not chunk:
            self.sel.unregister(fd)
            return False
        self.sizes[fd] += len(chunk)
        if fd != self.fds[1] or self.sizes[fd] - len(chunk) < STDERR_KEEP:
            self.bufs[fd].append(chunk)
        return self.sizes[fd] > self.cap

    def drain(self):
        """After every writer is dead: read the rest. True when that went past the cap."""
        for fd in self.fds:
            while fd in self.sel.get_map():
                try:
                    chunk = os.read(fd, 1 << 16)
                except (BlockingIOError, OSError):
                    break  # a writer survived the kill (uninterruptible): take what we have
                if self._take(fd, chunk):
                    return True
        return False

    def data(self, index):
        return b"".join(self.bufs[self.fds[index]])

    def close(self):
        self.sel.close()
        for fd in self.fds:
            os.close(fd)


def _record(job, status, wstatus, usage, wall, limit, reader):
    cpu = usage.ru_utime + usage.ru_stime
    record = {"wall_s": round(wall, 4), "cpu_s": round(cpu, 4)}
    if os.WIFSIGNALED(wstatus):
        record["signal"] = os.WTERMSIG(wstatus)
    else:
        record["exit_code"] = os.WEXITSTATUS(wstatus)
    if status is None:
        if cpu > limit or record.get("signal") == signal.SIGXCPU:
            status = "timeout"
        elif "signal" in record:
            status = "signal"
        else:
            status = "exited"
    record["status"] = status
    record["stderr"] = reader.data(1)[:STDERR_KEEP].decode("utf-8", "replace")
    record["stdout_bytes"] = reader.sizes[reader.fds[0]]
    if job["mode"] == "call":
        try:
            record["result"] = json.loads(reader.data(2).decode("utf-8"))
        except ValueError:
            record["result"] = None  # no (or no valid) return value: the call did not complete
    else:
        record["stdout"] = reader.data(0)[: int(job["output_limit_bytes"])].decode("utf-8", "replace")
    return record


def _read_header(fd):
    line = b""
    while not line.endswith(b"\n"):
        byte = os.read(fd, 1)
        if not byte or len(line) > 20:
            raise EOFError("no job header")
        line += byte
    return int(line)


def main():
    """Serve problems until one is not marked ``reuse`` (or the caller goes away).

    A problem marked ``"reuse": true`` is followed by a cleanup and ``{"clean": bool}``; only after a
    clean one does the harness read the next problem. Each problem runs as a uid no earlier problem of
    this container had (SANDBOX_UID + its index), so nothing one program left could be opened by the next.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans come back here to be reaped (when not init)
    for index in range(MAX_PROGRAMS):
        os.set_blocking(0, True)
        try:
            size = _read_header(0)
        except EOFError:
            return  # the caller went away between problems
        job = json.loads(_read_exact(0, size).decode("utf-8"))
        job["_uid"] = SANDBOX_UID + index
        del _STOP[:]
        os.set_blocking(0, False)  # from now on, until the next problem, stdin only carries the caller's "q"
        completed = _serve(job)
        if not job.get("reuse"):
            return
        if not completed:
            _emit({"stopped": True})
        clean = _stop_requested_eof() is False and _clean_after(job["_uid"])
        _emit({"clean": clean})
        if not clean:
            return


def _serve(job):
    """Run one problem's tests; False when the caller said stop (the test in flight was killed)."""
    inputs = job["inputs"]
    _emit({"ready": len(inputs)})
    if job.get("language") == "cpp":
        compiled = _compile(job)
        if compiled is None:
            return False  # stopped while compiling
        _emit({"compile": compiled})
        if not compiled["ok"]:
            _emit({"done": True})
            return True
    for index, test_input in enumerate(inputs):
        if _stop_requested():
            return False
        record = _run_test(job, test_input)
        if record is None:
            return False  # stopped mid-test
        record["i"] = index
        _emit(record)
    _emit({"done": True})
    return True


# -- reuse: between two programs of one container ---------------------------------------------------
MAX_PROGRAMS = 1 << 16  # uids SANDBOX_UID .. SANDBOX_UID + MAX_PROGRAMS - 1; the caller recycles far sooner
SCRATCH_DIRS = ("/tmp", "/dev/shm", "/build", "/sandbox")  # every place a program can write
IPC_TABLES = ("/proc/sysvipc/shm", "/proc/sysvipc/msg", "/proc/sysvipc/sem")


def _clean_after(uid):
    """Remove what ``uid`` left and check the container is as new; False means: do not reuse it.

    Processes: every one was killed after each test (``_kill_all_but_me``). Files: a child that is
    ``uid`` deletes what it owns in the writable places (root here has no CAP_FOWNER to do it). Then the
    harness checks, as root, that no process but itself is left, that the writable places hold nothing
    but root's entries, and that no System V IPC object or POSIX message queue survived; any doubt ends
    the container instead.
    """
    _kill_all_but_me()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            for top in SCRATCH_DIRS:
                _remove_owned(top, uid)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        return False
    for top in SCRATCH_DIRS:
        try:
            if any(entry.stat(follow_symlinks=False).st_uid != 0 for entry in os.scandir(top)):
                return False
        except OSError:
            return False
    return _only_me_left() and _no_ipc_left()


def _remove_owned(top, uid):
    import shutil

    try:
        entries = list(os.scandir(top))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.stat(follow_symlinks=False).st_uid != uid:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


def _only_me_left():
    me = os.getpid()
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != me:
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    state = f.read().rsplit(b")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue  # gone meanwhile
            if state != b"Z":
                return False
            try:
                os.waitpid(int(name), os.WNOHANG)
            except ChildProcessError:
                return False
    return True


def _no_ipc_left():
    for table in IPC_TABLES:
        try:
            with open(table) as f:
                if len(f.read().splitlines()) > 1:  # a header line, then one line per object
                    return False
        except OSError:
            pass  # not mounted: nothing can be there
    try:
        return not os.listdir("/dev/mqueue")
    except OSError:
        return True


_STOP = []


def _stop_requested_eof():
    """True when the caller closed stdin (it went away): nothing more will come."""
    _stop_requested()
    return bool(_STOP) and _STOP[-1] == "eof"


def _stop_requested():
    """True once the caller wrote "q" or closed stdin (it has seen enough, or it went away)."""
    if not _STOP:
        try:
            data = os.read(0, 1)  # one byte: the next problem's header may follow the "q"
            if not data:
                _STOP.append("eof")
            elif data == b"q":
                _STOP.append(True)
        except BlockingIOError:
            pass
        except OSError:
            _STOP.append("eof")
    return bool(_STOP)


if __name__ == "__main__":
    main()
