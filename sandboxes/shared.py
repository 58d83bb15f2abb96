"""The process-wide sandbox: one warm container pool per process, shared by every caller.

The code verifier (``verifiers.code``) and the service's SandboxFusion-compatible ``/run_code`` both run
programs on it, so a process keeps one set of warm containers and one concurrency limit whichever way a
program arrives. It lives here, not with either caller, because it knows only programs and settings.
"""

from __future__ import annotations

import atexit
import threading
import time

from sandboxes.container_pool import SandboxUnavailable
from sandboxes.docker_sandbox import DockerSandbox
from sandboxes.settings import SandboxSettings

_sandbox: DockerSandbox | None = None
_sandbox_lock = threading.Lock()
_last_failure: tuple[float, str] | None = None  # (when, why) the shared sandbox last failed to start
_RETRY_AFTER_S = 5.0


def get_sandbox() -> DockerSandbox:
    """The process-wide sandbox, created on first use from ``PRORL_SANDBOX_*``.

    Raises :class:`SandboxUnavailable` when it cannot be made (engine down, image missing, a malformed
    setting). Creation is retried on the next call after a failure, but not within ``_RETRY_AFTER_S``,
    so a whole batch does not wait on a dead engine item by item, and a service that started before the
    engine or the image was ready recovers by itself.
    """
    global _sandbox, _last_failure
    with _sandbox_lock:
        if _sandbox is None:
            if _last_failure is not None and time.monotonic() - _last_failure[0] < _RETRY_AFTER_S:
                raise SandboxUnavailable(_last_failure[1])
            try:
                _sandbox = DockerSandbox(SandboxSettings.from_env())
            except (SandboxUnavailable, ValueError) as exc:  # ValueError: a malformed PRORL_SANDBOX_* setting
                kind = "unavailable" if isinstance(exc, SandboxUnavailable) else "misconfigured"
                _last_failure = (time.monotonic(), f"code sandbox {kind}: {exc}")
                raise SandboxUnavailable(_last_failure[1]) from exc
            _last_failure = None
            atexit.register(_sandbox.close)
        return _sandbox


def current_settings() -> SandboxSettings:
    """The shared sandbox's settings, or those it would be made with (read from the environment)."""
    sandbox = _sandbox
    return sandbox.settings if sandbox is not None else SandboxSettings.from_env()


def container_counts() -> dict[str, int] | None:
    """Ready/busy containers of this process's sandbox, or None when nothing has started it yet."""
    sandbox = _sandbox
    return sandbox.container_counts() if sandbox is not None else None


def reset_sandbox() -> None:
    """Close the shared sandbox; the next caller makes a new one (re-reads the settings)."""
    global _sandbox, _last_failure
    with _sandbox_lock:
        _last_failure = None
        if _sandbox is not None:
            _sandbox.close()
            _sandbox = None
