"""Every limit an untrusted program runs under, in one place, each with the attack it stops.

Two layers: the container (``container_host_config``: what Docker enforces for the whole container)
and the per-test child process (``child_limits``: what the in-container harness applies with
``setrlimit`` before it drops to uid 10001). The third layer is time: a per-test CPU and wall limit in
the harness, and a hard wall-clock kill of the whole container from outside (``outer_deadline_s``).
Settings come from ``PRORL_SANDBOX_*`` environment variables (see :mod:`sandboxes.settings`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MIB = 1024 * 1024

# uid/gid the program runs as (created in deploy/sandbox/Dockerfile). Not root: no file, process or
# capability of root is reachable, and the harness (root, few capabilities) cannot be signalled,
# ptraced or have its file descriptors opened through /proc by a different uid.
SANDBOX_UID = 10001

# The harness starts as root with only these: SETUID/SETGID to drop to SANDBOX_UID in each test's
# child, KILL to kill whatever the program forked once a test ends. Everything else is dropped.
HARNESS_CAPABILITIES = ("SETUID", "SETGID", "KILL")


@dataclass(frozen=True)
class SandboxLimits:
    """Resource caps. Defaults suit competitive-programming Python; every one can be set by env."""

    # Container memory; swap equal to it, so a program cannot escape the cap into swap. An 8 GiB
    # allocation gets MemoryError (child RLIMIT_AS) long before the cgroup OOM-kills anything.
    memory_mb: int = 1024
    # Process count of the container: stops fork bombs from exhausting the host's pid space.
    pids: int = 64
    # CPU share of one container (CFS quota): a busy loop cannot starve other sandboxes or the service.
    cpus: float = 1.0
    # Size of the tmpfs at /tmp and at the working dir: filling the disk fills a small RAM disk
    # (charged to the container's memory) instead of the host's disk; the root filesystem is read-only.
    tmpfs_mb: int = 64
    # Largest file a program may write (RLIMIT_FSIZE): a single huge file fails with EFBIG.
    fsize_mb: int = 64
    # Open files per process (RLIMIT_NOFILE): stops fd exhaustion games.
    nofile: int = 256
    # Bytes of stdout (and of stderr) one test may produce: past it the program is killed and the
    # test fails, so a 512 MiB print neither fills the service's memory nor its network.
    output_limit_mb: int = 8
    # Per-test time limit when the reference gives none, and the largest one a reference may ask for.
    default_time_limit_s: float = 2.0
    max_time_limit_s: float = 30.0
    # CPU seconds each compiler process (g++ driver, cc1plus, as, ld) may use for one C++ program, under
    # the container's memory cap: `#include </dev/zero>` or a template bomb ends as a failed compile.
    compile_time_limit_s: float = 10.0

    def child_memory_bytes(self, requested_mb: float | None) -> int:
        """RLIMIT_AS of a test's child: the reference's memory_mb, never above the container's cap."""
        mb = self.memory_mb if requested_mb is None else min(float(requested_mb), float(self.memory_mb))
        return int(mb * MIB)

    def time_limit_s(self, requested_s: float | None) -> float:
        """The per-test CPU time limit: the reference's, clamped to (0, max_time_limit_s]."""
        if requested_s is None or requested_s <= 0:
            return self.default_time_limit_s
        return min(float(requested_s), self.max_time_limit_s)

    @staticmethod
    def test_wall_limits_s(time_limit_s: float) -> tuple[float, float]:
        """(soft, hard) wall-clock limits of one test (same formulas as deploy/sandbox/harness.py).

        CPU time judges, so a loaded host does not flip verdicts. Past the soft wall limit a program
        that is not runnable (sleeping or blocked, e.g. ``time.sleep(3600)``) is killed; one that is
        runnable but starved of CPU may go on until the hard limit.
        """
        return 2 * time_limit_s + 0.5, 5 * time_limit_s + 5

    def outer_deadline_s(self, time_limit_s: float, n_tests: int, compiled: bool = False) -> float:
        """Hard wall-clock budget of one problem; past it the container is killed from outside.

        Covers every test's hard wall limit (and the compile's, for a compiled language) plus the
        harness's start and the kill-and-reap between tests; only a harness that hangs (it should not)
        or a stalled engine ever reaches it.
        """
        compile_s = self.test_wall_limits_s(self.compile_time_limit_s)[1] + 0.5 if compiled else 0.0
        return n_tests * (self.test_wall_limits_s(time_limit_s)[1] + 0.5) + compile_s + 5.0


def container_host_config(limits: SandboxLimits) -> dict[str, Any]:
    """Keyword arguments for ``docker.APIClient.create_host_config``: the container-level limits."""
    tmpfs_opts = f"rw,nosuid,nodev,noexec,size={limits.tmpfs_mb}m,mode=1777"
    # A compiled program must be executable somewhere: only /build allows exec (still nosuid, nodev, capped).
    # It adds nothing a Python program lacks (it can already run any code of its own through ctypes).
    build_opts = f"rw,nosuid,nodev,exec,size={limits.tmpfs_mb}m,mode=1777"
    return {
        "network_mode": "none",  # no network at all: no exfiltration, no downloads, no attacks on the host
        "read_only": True,  # root filesystem read-only: the harness and runtime cannot be tampered with
        "tmpfs": {"/tmp": tmpfs_opts, "/sandbox": tmpfs_opts, "/build": build_opts},  # the only writable places
        "shm_size": 16 * MIB,  # /dev/shm is another tmpfs: keep it small too
        "mem_limit": limits.memory_mb * MIB + 128 * MIB,  # headroom for the harness and the tmpfs
        "memswap_limit": limits.memory_mb * MIB + 128 * MIB,  # equal to memory: no swap escape
        "pids_limit": limits.pids,  # fork bombs
        "nano_cpus": int(limits.cpus * 1e9),  # busy loops take at most this CPU share
        "cap_drop": ["ALL"],  # no capabilities beyond the harness's three (never the program's)
        "cap_add": list(HARNESS_CAPABILITIES),
        "security_opt": ["no-new-privileges:true"],  # setuid binaries cannot raise privileges again
        "ulimits": [
            {"Name": "nofile", "Soft": limits.nofile, "Hard": limits.nofile},  # fd exhaustion
            {"Name": "fsize", "Soft": limits.fsize_mb * MIB, "Hard": limits.fsize_mb * MIB},  # huge files
            {"Name": "core", "Soft": 0, "Hard": 0},  # no core dumps filling the tmpfs
        ],
        "auto_remove": True,  # a container that ends (harness done, killed, client gone) is deleted
        "init": False,  # the image's `sleep infinity` is init; the harness reaps the program's orphans
    }


def child_limits(limits: SandboxLimits, time_limit_s: float, memory_mb: float | None) -> dict[str, Any]:
    """The per-test limits the harness applies in each test's child (part of the job it receives)."""
    return {
        "time_limit_s": time_limit_s,  # RLIMIT_CPU + measured CPU time: infinite loops
        "memory_bytes": limits.child_memory_bytes(memory_mb),  # RLIMIT_AS: memory bombs fail fast
        "fsize_bytes": limits.fsize_mb * MIB,  # RLIMIT_FSIZE
        "output_limit_bytes": limits.output_limit_mb * MIB,  # stdout/stderr byte cap, killed past it
        "compile_time_limit_s": limits.compile_time_limit_s,  # RLIMIT_CPU of each compiler process
        "compile_memory_bytes": limits.memory_mb * MIB,  # RLIMIT_AS of each compiler process
    }
