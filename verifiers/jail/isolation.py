"""The second line of defence around a jailed scoring worker: what a scorer taken over can still reach.

Scorers run model output through eval()-like code (reasoning_gym, sympy); a hole there runs arbitrary
Python in the worker. rlimits and the deadline kill bound its time and memory; this module bounds its
reach. Every step is best effort: a kernel, a container's seccomp profile or a non-root user may refuse
one, and then the worker runs without it (the refusal is recorded in the report, never fatal).

| step | stops | needs |
|---|---|---|
| close inherited fds | using a pipe or socket the parent handed down (resource tracker, spawn pipes) | nothing |
| drop secret environment variables | reading API keys, Redis URLs with passwords, tokens, and returning them in a verdict's details | nothing |
| network namespace | TCP/UDP anywhere: Redis on 127.0.0.1, the internet | root, or unprivileged user namespaces |
| mount namespace (:mod:`verifiers.jail.mounts`) | seeing /root, /home, /run (the Docker socket) at all; sharing the host's /tmp | root, or the user namespace above |
| drop to ``PRORL_POOL_UID``/``GID`` | the Docker socket (root:docker 0660), writing the service's files, other processes' /proc/<pid>/environ | root |
| drop every capability (effective, permitted, inheritable, ambient, bounding set) | reading past file modes (CAP_DAC_READ_SEARCH), everything else root may do | nothing (the bounding set: CAP_SETPCAP, i.e. root or the user namespace) |
| no_new_privs | gaining privileges through a setuid binary | nothing |
| seccomp filter | new sockets of any kind (Unix ones too: the Docker socket through a docker group), ptrace and process_vm_* on the service, io_uring, open_by_handle_at | no_new_privs; x86_64 or aarch64 |

The seccomp filter is what remains when the others are refused (a non-root container with the Docker
socket's group added, where unshare is blocked): it is allowed by Docker's default profile.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import re
import struct
import sys
from typing import Any

from verifiers.jail.mounts import enter_mount_namespace
from verifiers.jail.syscall import IsolationSettings, Refused, check, load_libc, simulated

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_PR_SET_KEEPCAPS = 8
_PR_CAPBSET_DROP = 24
_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
_PR_SET_NO_NEW_PRIVS = 38
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_CAP_DAC_READ_SEARCH = 2
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1  # every thread of the worker, not just the caller (numpy's BLAS threads)
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_X32_SYSCALL_BIT = 0x40000000

# Per architecture: (AUDIT_ARCH, seccomp syscall number, syscalls answered EPERM).
_DENIED = ("socket", "connect", "ptrace", "process_vm_readv", "process_vm_writev", "io_uring_setup",
           "open_by_handle_at")
_ARCHES: dict[str, tuple[int, int, dict[str, int]]] = {
    "x86_64": (0xC000003E, 317, {"socket": 41, "connect": 42, "ptrace": 101, "process_vm_readv": 310,
                                 "process_vm_writev": 311, "io_uring_setup": 425, "open_by_handle_at": 304}),
    "aarch64": (0xC00000B7, 277, {"socket": 198, "connect": 203, "ptrace": 117, "process_vm_readv": 270,
                                  "process_vm_writev": 271, "io_uring_setup": 425, "open_by_handle_at": 265}),
}


def close_inherited_fds(keep: set[int]) -> int:
    """Close every fd but ``keep``; return how many were open. Spawn already drops the parent's own
    sockets and files; what remains is multiprocessing's plumbing (resource tracker, the parent
    sentinel pipes), which a scorer has no use for and a taken-over one could write into."""
    keep = keep | {0, 1, 2}
    for stream in (sys.stdin, sys.stdout, sys.stderr):  # objects that own an fd and would close it later
        try:
            if stream is not None:
                keep.add(stream.fileno())
        except (OSError, ValueError):
            pass
    closed = 0
    for fd in sorted(int(name) for name in os.listdir("/proc/self/fd")):
        if fd in keep:
            continue
        try:
            os.close(fd)
            closed += 1
        except OSError:  # the listing's own directory fd, already gone
            pass
    # The resource tracker's fd is gone: a later register would write into whatever reuses its number.
    from multiprocessing import resource_tracker

    resource_tracker._resource_tracker._fd = None  # type: ignore[attr-defined]
    resource_tracker._resource_tracker._pid = None  # type: ignore[attr-defined]
    return closed


def enter_network_namespace(settings: IsolationSettings) -> str:
    """A fresh network namespace: only a loopback that is down, so every connect fails. Returns how.

    Must run while the worker is single-threaded (CLONE_NEWUSER requires it; a netns only moves the
    calling thread), so before the scorers' imports start BLAS threads.
    """
    simulated(settings, "netns")
    libc = load_libc()
    if os.geteuid() == 0:
        check(libc.unshare(_CLONE_NEWNET), "unshare(CLONE_NEWNET)")
        return "netns"
    uid, gid = os.geteuid(), os.getegid()
    check(libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET), "unshare(CLONE_NEWUSER|CLONE_NEWNET)")
    # Map the service's ids onto themselves, so file access inside reads as before. Unmapped, they
    # read as 65534 but the kernel still checks the real ids: a failure here costs nothing.
    try:
        with open("/proc/self/setgroups", "w") as f:
            f.write("deny")
        with open("/proc/self/uid_map", "w") as f:
            f.write(f"{uid} {uid} 1")
        with open("/proc/self/gid_map", "w") as f:
            f.write(f"{gid} {gid} 1")
    except OSError:
        pass
    return "userns+netns"


def _readable_as(uid: int, gid: int, paths: list[str]) -> str | None:
    """The first path that ``uid``/``gid`` cannot read (checked with those effective ids and no
    supplementary groups, as after the drop), or None."""
    paths = [path for path in paths if os.path.isdir(path)]  # as root: the dropped ids may not see them
    groups = os.getgroups()
    os.setgroups([])
    os.setegid(gid)
    os.seteuid(uid)
    try:
        for path in paths:
            if not os.access(path, os.R_OK | os.X_OK, effective_ids=True):
                return path
        return None
    finally:
        os.seteuid(0)
        os.setegid(0)
        os.setgroups(groups)


def drop_privileges(settings: IsolationSettings) -> list[str]:
    """As root, become ``settings.uid``/``gid`` with no supplementary groups and no capability; return
    the capabilities kept.

    A scorer imports lazily (sympy submodules, reasoning_gym task modules and data files, stdlib codecs)
    and must keep reading its import paths. The mount namespace exposes them again where they live in a
    masked directory (a pyenv Python under /root); only where that step was refused and that user
    cannot read them does the worker keep CAP_DAC_READ_SEARCH alone (reported, loudly, as kept).
    """
    simulated(settings, "uid")
    if os.geteuid() != 0:
        raise Refused(errno.EPERM, "not root")
    if settings.uid < 0:
        raise Refused(errno.EPERM, "PRORL_POOL_UID=-1")
    gid = settings.gid if settings.gid >= 0 else os.getegid()
    paths = [os.path.abspath(p or os.getcwd()) for p in sys.path]
    keep_read = _readable_as(settings.uid, gid, paths) is not None
    libc = load_libc()
    _drop_bounding_set(keep=_CAP_DAC_READ_SEARCH if keep_read else None)  # needs CAP_SETPCAP: before setuid
    if keep_read:
        check(libc.prctl(_PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)")
    os.setgroups([])
    os.setgid(gid)
    os.setuid(settings.uid)  # glibc applies it to every thread; capabilities stay only in this one
    if not keep_read:
        return []
    check(libc.prctl(_PR_SET_KEEPCAPS, 0, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)")
    _capset(1 << _CAP_DAC_READ_SEARCH)
    return ["CAP_DAC_READ_SEARCH"]


def _capset(mask: int) -> None:
    """Effective and permitted = ``mask`` (first 32 capabilities), inheritable empty, in this thread."""
    header = (ctypes.c_uint32 * 2)(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)(mask, mask, 0, 0, 0, 0)
    check(load_libc().capset(header, data), f"capset({mask:#x})")


def _drop_bounding_set(keep: int | None = None) -> None:
    """Empty the bounding set (but ``keep``) and the ambient set: no execve can bring a capability back."""
    libc = load_libc()
    try:
        with open("/proc/sys/kernel/cap_last_cap") as f:
            last = int(f.read())
    except (OSError, ValueError):
        last = 40
    for cap in range(last + 1):
        if cap != keep:
            check(libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0), f"prctl(PR_CAPBSET_DROP, {cap})")
    libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)  # EINVAL on kernels before 4.3: none to clear


def drop_capabilities(settings: IsolationSettings, kept: list[str]) -> dict[str, str]:
    """Clear every capability the worker still holds (a user namespace's full set, a root worker whose
    uid drop was refused) but those in ``kept``; return the sets /proc/self/status now shows."""
    simulated(settings, "caps")
    if not kept:
        try:
            _drop_bounding_set()
        except OSError:
            pass  # no CAP_SETPCAP: a non-root process whose bounding set no_new_privs makes inert
        _capset(0)
    return capabilities()


def capabilities() -> dict[str, str]:
    """This process's capability sets as /proc/self/status shows them (hex masks)."""
    with open("/proc/self/status") as status:
        return {k: v.strip() for k, _, v in (line.partition(":") for line in status) if k.startswith("Cap")}


def set_no_new_privs(settings: IsolationSettings) -> None:
    """execve() can never grant privileges again (setuid binaries, file capabilities)."""
    simulated(settings, "no_new_privs")
    check(load_libc().prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")


def _bpf(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def install_seccomp(settings: IsolationSettings) -> None:
    """Answer EPERM to the syscalls in ``_DENIED`` (and to any syscall of a foreign ABI) in every thread."""
    simulated(settings, "seccomp")
    machine = platform.machine()
    if machine not in _ARCHES or struct.calcsize("P") != 8:
        raise Refused(errno.ENOSYS, f"no seccomp filter for {machine}")
    audit_arch, seccomp_nr, numbers = _ARCHES[machine]
    ld_w_abs, jeq_k, jge_k, ret_k = 0x20, 0x15, 0x35, 0x06
    deny = _SECCOMP_RET_ERRNO | errno.EPERM
    denied = [numbers[name] for name in _DENIED]
    # Layout: arch check, load nr, [x32 check], one jump per denied syscall, allow, deny.
    body = [_bpf(jge_k, 0, 0, _X32_SYSCALL_BIT)] if machine == "x86_64" else []
    body += [_bpf(jeq_k, 0, 0, nr) for nr in denied]
    program = [_bpf(ld_w_abs, 0, 0, 4), None, _bpf(ld_w_abs, 0, 0, 0), *body,
               _bpf(ret_k, 0, 0, _SECCOMP_RET_ALLOW), _bpf(ret_k, 0, 0, deny)]
    deny_at = len(program) - 1
    program[1] = _bpf(jeq_k, 0, deny_at - 2, audit_arch)  # a foreign ABI (int 0x80, x32) gets nothing
    for index in range(3, 3 + len(body)):  # each matching test jumps straight to deny
        code, _, _, k = struct.unpack("HBBI", program[index])  # type: ignore[arg-type]
        program[index] = _bpf(code, deny_at - index - 1, 0, k)
    raw = b"".join(program)  # type: ignore[arg-type]
    filters = ctypes.create_string_buffer(raw, len(raw))

    class _SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = _SockFprog(len(program), ctypes.addressof(filters))
    libc = load_libc()
    libc.syscall.restype = ctypes.c_long
    result = libc.syscall(ctypes.c_long(seccomp_nr), ctypes.c_uint(_SECCOMP_SET_MODE_FILTER),
                          ctypes.c_uint(_SECCOMP_FILTER_FLAG_TSYNC), ctypes.byref(fprog))
    if result > 0:  # with TSYNC, the id of a thread that could not take the filter
        raise Refused(errno.EBUSY, f"seccomp: thread {result} could not take the filter")
    check(0 if result == 0 else -1, "seccomp(SECCOMP_SET_MODE_FILTER)")


_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|COOKIE|REDIS_URL|DOCKER_HOST|DATABASE_URL|DSN",
                          re.IGNORECASE)


def drop_secret_env() -> list[str]:
    """Remove environment variables that look like secrets (``PRORL_API_KEYS``, ``PRORL_REDIS_URL``, cloud
    credentials, tokens); no scorer reads them. Returns the names removed (never their values)."""
    names = sorted(name for name in os.environ if _SECRET_NAME.search(name))
    for name in names:
        del os.environ[name]
    return names


def isolate_early(settings: IsolationSettings, keep_fds: set[int]) -> dict[str, Any]:
    """Steps that must come before the scorers' imports: close fds, leave the network, mask the
    filesystem (the imports then prove that what the scorers need is still visible)."""
    report: dict[str, Any] = {"enabled": settings.enabled}
    if not settings.enabled:
        return report
    refused: dict[str, str] = {}
    report["closed_fds"] = close_inherited_fds(keep_fds)
    report["dropped_env"] = drop_secret_env()
    try:
        report["netns"] = enter_network_namespace(settings)
    except OSError as exc:
        report["netns"] = None
        refused["netns"] = str(exc)
    try:
        report["mountns"] = enter_mount_namespace(settings)
    except OSError as exc:
        report["mountns"] = None
        refused["mountns"] = str(exc)
    report["refused"] = refused
    return report


def isolate_late(settings: IsolationSettings, report: dict[str, Any]) -> dict[str, Any]:
    """Steps after the imports and warm-ups: ids, no_new_privs, seccomp; completes ``report``."""
    if not settings.enabled:
        report.update(uid=os.getuid(), gid=os.getgid())
        return report
    refused: dict[str, str] = report.setdefault("refused", {})
    report["kept_caps"] = []
    try:
        report["kept_caps"] = drop_privileges(settings)
    except OSError as exc:
        refused["uid"] = str(exc)
    report.update(uid=os.getuid(), gid=os.getgid())
    try:
        report["caps"] = drop_capabilities(settings, report["kept_caps"])
    except OSError as exc:
        refused["caps"] = str(exc)
        report["caps"] = capabilities()
    for step, apply in (("no_new_privs", set_no_new_privs), ("seccomp", install_seccomp)):
        try:
            apply(settings)
            report[step] = True
        except OSError as exc:
            report[step] = False
            refused[step] = str(exc)
    return report
