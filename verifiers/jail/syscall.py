"""What every isolation step shares: the settings, libc calls that raise OSError, and simulated refusals.

Its own module so that :mod:`verifiers.jail.isolation` (the steps and their order) and
:mod:`verifiers.jail.mounts` (the mount namespace step) both build on it without importing each other.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class IsolationSettings:
    """What the pool asks of each worker; ``from_env`` reads the ``PRORL_POOL_*`` switches."""

    enabled: bool = True
    uid: int = 65534  # nobody; -1 keeps the service's uid
    gid: int = 65534  # nogroup; -1 keeps the service's gid
    simulate_refused: tuple[str, ...] = ()  # tests only: steps that fail as if the kernel said EPERM
    # Score each task of a domain that evaluates answers in a throwaway fork (verifiers.jail.forked), so
    # an answer that takes over its scorer cannot touch any other item's verdict.
    fork_tainting: bool = True

    @classmethod
    def from_env(cls) -> IsolationSettings:
        env = os.environ
        return cls(
            enabled=_switch("PRORL_POOL_ISOLATION"),
            uid=int(env.get("PRORL_POOL_UID", cls.uid)),
            gid=int(env.get("PRORL_POOL_GID", cls.gid)),
            fork_tainting=_switch("PRORL_POOL_FORK_TAINTING"),
        )


def _switch(name: str) -> bool:
    """An on-by-default ``PRORL_POOL_*`` switch: off only when set to off, 0, false or no."""
    return os.environ.get(name, "on").strip().lower() not in ("off", "0", "false", "no")


class Refused(OSError):
    """A step the kernel (or a test's ``simulate_refused``) did not allow."""


@functools.cache
def load_libc() -> ctypes.CDLL:
    """The C library, with errno kept for :func:`check`. Loaded once per process and inherited by forks:
    ``find_library`` runs ``ldconfig -p`` in a subprocess (about 1 ms), which a per-task fork
    (:mod:`verifiers.jail.forked`) would otherwise pay for every item."""
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def check(result: int, what: str) -> None:
    """Raise OSError with errno's message when a libc call returned non-zero."""
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def simulated(settings: IsolationSettings, step: str) -> None:
    """Refuse ``step`` as the kernel would (EPERM) when the settings ask for it (tests only)."""
    if step in settings.simulate_refused:
        raise Refused(errno.EPERM, f"{step}: {os.strerror(errno.EPERM)} (simulated)")
