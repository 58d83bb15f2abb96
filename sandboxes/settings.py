"""Sandbox settings from ``PRORL_SANDBOX_*`` environment variables (documented in docs/sandbox.md).

A plain dataclass rather than pydantic-settings: the sandbox is a core dependency of the verifiers,
which must not need the service extra.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, fields
from typing import Any

from sandboxes.limits import SandboxLimits

_PREFIX = "PRORL_SANDBOX_"


@dataclass(frozen=True)
class SandboxSettings:
    """Where and how containers run; the resource caps live in :class:`SandboxLimits`."""

    image: str = "prorl-sandbox:latest"
    # Docker Engine URL; empty means the SDK's default (DOCKER_HOST, else the local unix socket).
    docker_host: str = ""
    # OCI runtime: empty for the engine's default (runc); "runsc" runs every container under gVisor.
    runtime: str = ""
    # Warm, started, never-used containers kept ready; each serves one problem and is destroyed.
    pool_size: int = 4
    # Problems running at once (each in its own container). CPU time judges, but more programs than
    # cores only queue in the kernel, so the default is the core count.
    max_concurrent: int = field(default_factory=lambda: os.cpu_count() or 1)
    # Programs one container serves before it is destroyed. Above 1 the harness cleans up between
    # programs (a fresh uid each, every process killed, the program's files removed, then checked) and
    # any doubt destroys the container instead; 1 is a fresh container per program (slower: dockerd and
    # runc then spend a core creating containers).
    programs_per_container: int = 64
    # How long a problem may wait for a warm container before the engine counts as unavailable.
    acquire_timeout_s: float = 60.0
    limits: SandboxLimits = field(default_factory=SandboxLimits)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> SandboxSettings:
        """Read every ``PRORL_SANDBOX_<FIELD>`` that is set; the rest keep their defaults.

        Limits use the same prefix: ``PRORL_SANDBOX_MEMORY_MB``, ``PRORL_SANDBOX_PIDS``, ...
        A malformed value raises ValueError naming the variable, so a typo never silently loosens a limit.
        """
        env = dict(os.environ if env is None else env)
        limit_values = _read(SandboxLimits, env)
        values = _read(cls, env, skip={"limits"})
        return cls(**values, limits=SandboxLimits(**limit_values))


def _read(kind: type, env: dict[str, str], skip: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
    values: dict[str, Any] = {}
    defaults = kind()
    for f in fields(kind):
        if f.name in skip:
            continue
        name = _PREFIX + f.name.upper()
        raw = env.get(name)
        if raw is None or raw == "":
            continue
        default = getattr(defaults, f.name)
        try:
            value: object = type(default)(raw)
        except ValueError:
            raise ValueError(f"{name}={raw!r} is not a valid {type(default).__name__}") from None
        if isinstance(value, (int, float)) and not 0 < value < math.inf:  # "nan" and "inf" parse as floats
            raise ValueError(f"{name}={raw!r} must be a positive finite number")
        values[f.name] = value
    return values
