"""A scoring worker's own view of the filesystem: home directories, runtime sockets and temp dirs masked.

Why: a worker that untrusted input took over runs as nobody with no capability, so file modes already
keep it out of root's files. This is the layer underneath: what it cannot see, it cannot read even
where a mode is too generous (a world-readable key in /root, a 0666 socket under /run), and it gets an
empty, private, size-capped /tmp instead of the host's shared one (no planting files for the service).

How: a private mount namespace (root, or root of a fresh user namespace), an empty tmpfs over each
masked directory, and the directories the interpreter needs (its prefix, the import path, the project
and the working directory) bind-mounted back, read-only, at the same paths. That is what lets the
interpreter live under /root (pyenv) while the worker holds no CAP_DAC_READ_SEARCH.
"""

from __future__ import annotations

import ctypes
import os
import sys
import tempfile
from typing import Any

from verifiers.jail.syscall import IsolationSettings, check, load_libc, simulated

_CLONE_NEWNS = 0x00020000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 32, 4096, 16384, 1 << 18

# Masked with an empty read-only tmpfs: home directories (keys, tokens, shell history, the Docker CLI's
# config) and runtime state (the Docker socket, pid files, other services' sockets).
MASKED = ("/root", "/home", "/run")
# Masked with an empty writable tmpfs: the worker's private temp dirs (size-capped: they count as memory).
PRIVATE_TMP = ("/tmp", "/var/tmp", "/dev/shm")
_TMP_SIZE = "64m"


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    lib = load_libc()
    lib.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    encode = lambda text: text.encode() if text is not None else None  # noqa: E731
    check(lib.mount(encode(source), encode(target), encode(fstype), flags, encode(data)), f"mount {target}")


def _umount(target: str) -> None:
    """Detach ``target`` and everything mounted under it (MNT_DETACH)."""
    lib = load_libc()
    lib.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
    check(lib.umount2(target.encode(), 2), f"umount {target}")


def _needed_paths() -> list[str]:
    """Directories the worker must keep reading: the interpreter, the import path, the project, the cwd."""
    import verifiers

    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable)),
                  os.path.dirname(os.path.dirname(os.path.abspath(verifiers.__file__))), os.getcwd()]
    candidates += [os.path.abspath(entry or os.getcwd()) for entry in sys.path]
    paths = {os.path.realpath(path) for path in candidates if os.path.isdir(path)}
    return sorted(paths)


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def enter_mount_namespace(settings: IsolationSettings) -> dict[str, Any]:
    """Mask ``MASKED`` and ``PRIVATE_TMP`` in a private mount namespace; return what was masked and
    what was exposed again. Needs CAP_SYS_ADMIN (root, or after entering a user namespace)."""
    simulated(settings, "mountns")
    cwd = os.getcwd()
    check(load_libc().unshare(_CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)  # nothing here propagates back to the service's mounts
    needed = _needed_paths()
    masked: list[str] = []
    exposed: list[str] = []
    failed: dict[str, str] = {}
    for folder in (*MASKED, *PRIVATE_TMP):
        if os.path.islink(folder) or not os.path.isdir(folder):
            continue  # /var/run is a link to /run on most systems
        private = folder in PRIVATE_TMP
        # Outermost needed paths under this folder, never the folder itself (that would undo the mask).
        keep = [p for p in needed if _under(p, folder) and p != folder]
        keep = [p for p in keep if not any(q != p and _under(p, q) for q in keep)]
        # A remount must keep the flags a user namespace locked on the source (noexec, nosuid, nodev).
        locked = {path: os.statvfs(path).f_flag & (_MS_NOSUID | _MS_NODEV | _MS_NOEXEC) for path in keep}
        handles = [os.open(path, os.O_PATH | os.O_DIRECTORY) for path in keep]  # still reachable once masked
        try:
            mode = "1777" if private else "0755"
            size = _TMP_SIZE if private else "1m"
            _mount("tmpfs", folder, "tmpfs", _MS_NOSUID | _MS_NODEV, f"mode={mode},size={size}")
            try:
                for path, handle in zip(keep, handles, strict=True):
                    os.makedirs(path, mode=0o755, exist_ok=True)
                    _mount(f"/proc/self/fd/{handle}", path, None, _MS_BIND | _MS_REC)
                    _mount(None, path, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | _MS_NODEV | locked[path])
                    exposed.append(path)
                if not private:
                    _mount(None, folder, None, _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV, "mode=0755,size=1m")
            except OSError as exc:  # half masked would hide what the scorers import: undo this folder
                _umount(folder)
                exposed[:] = [path for path in exposed if not _under(path, folder)]
                failed[folder] = str(exc)
                continue
        finally:
            for handle in handles:
                os.close(handle)
        masked.append(folder)
    # The old cwd may be a directory now hidden: re-enter it through the new mounts (or leave for /).
    os.chdir(cwd if os.path.isdir(cwd) else "/")
    os.environ["TMPDIR"] = "/tmp"
    if "/root" in masked or "/home" in masked:  # matplotlib (imported by scorers) wants a writable config dir
        os.makedirs("/tmp/matplotlib", mode=0o755, exist_ok=True)
        os.environ["MPLCONFIGDIR"] = "/tmp/matplotlib"
    tempfile.tempdir = None
    report: dict[str, Any] = {"masked": masked, "exposed": exposed}
    if failed:
        report["failed"] = failed
    return report
