"""Start ``prorl serve`` (embedded executor) as a child process on a free loopback port, for scripts.

The experiments need a real reward service next to the trainer, as a user would run one; this is the
same command the README's quickstart starts, with Docker checks off where no engine exists (the
experiments score reasoning_gym and math, which need no sandbox).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from trainer_client.client import service_problem


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def reward_service(log_path: str | Path, timeout_s: float = 120.0) -> Iterator[str]:
    """Yield the URL of a ready service; stop it (and keep its log) on exit."""
    port = free_port()
    env = dict(os.environ, PRORL_CHECK_DOCKER=os.environ.get("PRORL_CHECK_DOCKER", "false"))
    log = open(log_path, "w")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen([sys.executable, "-m", "prorl.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while (problem := service_problem(url, None)) is not None:
            if proc.poll() is not None:
                raise RuntimeError(f"prorl serve exited ({proc.returncode}); see {log_path}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"service not ready after {timeout_s}s: {problem}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
