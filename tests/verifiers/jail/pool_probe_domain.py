"""A test-only domain whose behaviour is chosen by the answer text, to exercise the jailed pool.

Registered for tests through ``PRORL_EXTRA_DOMAINS=probe=tests.verifiers.jail.pool_probe_domain``.
"""

from __future__ import annotations

import os
import time

from verifiers.base import InvalidReference, Verdict

DEFAULT_TIMEOUT_S = 2.0


def EVALUATES_ANSWERS(reference: dict) -> bool:  # noqa: N802 (the module attribute verifiers.registry reads)
    """Items marked ``taints`` stand for a scorer that evaluates the answer (like reasoning_gym's)."""
    return bool(reference.get("taints"))


_WARMED_IN: list[int] = []  # pids of the processes that scored the fork_warm answer


def fork_warm(reference: dict) -> tuple[str, str] | None:
    """Items marked ``fork_warm`` ask their worker to score ``warm:mark`` itself before forking."""
    return ("probe", "warm:mark") if reference.get("fork_warm") else None


def score(answer_text: str, reference: dict, options: object) -> Verdict:
    command, _, arg = answer_text.partition(":")
    if reference.get("spin_reference"):  # a reference that no answer, not even an empty one, verifies in budget
        command = "spin"
    if command == "sleep":
        time.sleep(float(arg))
    elif command == "burn":  # use `arg` seconds of CPU, then answer
        until = time.process_time() + float(arg)
        while time.process_time() < until:
            pass
    elif command == "spin":
        while True:
            pass
    elif command == "exit":
        os._exit(int(arg or 1))
    elif command == "alloc":
        blob = bytearray(int(arg) * 1024 * 1024)  # MemoryError under the worker's address-space cap
        del blob
    elif command == "invalid":
        raise InvalidReference("probe says invalid")
    elif command == "boom":
        raise RuntimeError("probe bug")
    elif command == "timeout":
        return Verdict(reward=1.0, details={"timeout_s": options.timeout_s})  # type: ignore[attr-defined]
    elif command == "forge":  # a process taken over writes a pickle that would run code in the parent
        import pickle
        import struct

        class _Evil:
            def __reduce__(self) -> tuple:
                return (open, (arg, "w"))

        payload = pickle.dumps(_Evil())
        frame = struct.pack("!i", len(payload)) + payload  # a multiprocessing Connection message
        for fd in os.listdir("/proc/self/fd"):  # every fd it holds, the pool's connection among them
            if int(fd) > 2:
                try:
                    os.write(int(fd), frame)
                except OSError:
                    pass
    elif command == "takeover":  # what issue 14's exploit did: replace scorers in this worker's memory
        import sys

        import verifiers.math

        def forged(*_: object, **__: object) -> Verdict:
            return Verdict(reward=1.0, details={"forged": True})

        verifiers.math.score = forged  # type: ignore[assignment]
        sys.modules[__name__].score = forged  # type: ignore[attr-defined]
        return Verdict(reward=0.0, details={"answer": answer_text})
    elif command == "pid":
        return Verdict(reward=1.0, details={"pid": os.getpid()})
    elif command == "warm":  # warm:mark records who warmed this module; warm:read reports it
        if arg == "mark":
            _WARMED_IN.append(os.getpid())
        return Verdict(reward=1.0, details={"warmed_in": list(_WARMED_IN), "pid": os.getpid()})
    elif command in ("orphan", "orphan_spin"):  # leave a process behind (its own session), then answer or spin
        child = os.fork()
        if child == 0:
            os.setsid()
            time.sleep(600)
            os._exit(0)
        if command == "orphan_spin":
            while True:
                pass
        return Verdict(reward=1.0, details={"orphan": child, "pid": os.getpid()})
    elif command == "linger":  # this process will not exit until the file `arg` exists (or 10 minutes pass)
        import threading
        from pathlib import Path

        def wait_for_release() -> None:
            deadline = time.monotonic() + 600
            while not Path(arg).exists() and time.monotonic() < deadline:
                time.sleep(0.05)

        threading.Thread(target=wait_for_release, daemon=False).start()  # interpreter exit joins it
        return Verdict(reward=1.0, details={"pid": os.getpid()})
    elif command in ("connect", "connect_unix"):  # what a taken-over worker would try (test_pool_isolation)
        return Verdict(reward=1.0, details=_try_connect(command, arg))
    elif command == "attack":  # what a taken-over worker would read (test_pool_isolation); arg: JSON targets
        from tests.verifiers.jail.pool_attacker import attack

        return Verdict(reward=1.0, details=attack(arg))
    elif command == "fds":  # every open fd and what it points at
        fds = {}
        for fd in os.listdir("/proc/self/fd"):
            try:
                fds[fd] = os.readlink(f"/proc/self/fd/{fd}")
            except OSError:
                pass  # the listing's own directory fd
        return Verdict(reward=1.0, details={"fds": fds, "uid": os.getuid(), "gid": os.getgid(),
                                            "groups": os.getgroups(), "env": sorted(os.environ)})
    return Verdict(reward=float(reference.get("reward", 1.0)), details={"answer": answer_text})


def _try_connect(command: str, target: str) -> dict:
    import socket

    try:
        if command == "connect":
            host, _, port = target.rpartition(":")
            sock = socket.create_connection((host, int(port)), timeout=1.0)
        else:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(1.0)
            sock.connect(target)
    except OSError as exc:
        return {"connected": False, "error": f"{type(exc).__name__}: {exc}"}
    sock.close()
    return {"connected": True}
