"""A warm pool of pre-created sandbox containers, each serving up to ``programs_per_container`` programs.

Starting a container costs hundreds of milliseconds of engine work, and even a ``docker exec`` costs
about 50 ms. So the pool keeps ``pool_size`` containers started, with the harness already running as
their init and our connection already attached to its stdin/stdout: running a problem costs one
write and the reads of its results. With ``programs_per_container`` 1 each container is handed out
exactly once and replaced in the background. Above 1 a container whose harness reported itself clean
after a program (every process killed, the program's files gone, a fresh uid for the next program: see
deploy/sandbox/harness.py) comes back to the pool via :meth:`ContainerPool.give_back`; any doubt, a
kill or the use count destroys it instead, so nothing one program leaves behind can reach the next.

A waiting container that died (an engine restart kills them all) closes its attached stream; the pool
sees that when handing out, discards it and hands out another, so a dead one is never used.
"""

from __future__ import annotations

import logging
import os
import select
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import docker
import docker.errors
import requests

from sandboxes.limits import container_host_config
from sandboxes.settings import SandboxSettings

log = logging.getLogger(__name__)

# The image's CMD, spelled out so an image with another CMD still runs the harness.
HARNESS_COMMAND = (
    "python3", "-I", "-c", "import sys; sys.path.insert(0, '/opt/prorl'); import harness; harness.main()",
)
LABEL = "prorl.sandbox"  # every container the pool makes carries it (and an owner), for cleanup
_OWNER_LABEL = "prorl.sandbox.owner"


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot run anything right now (engine down, image missing). Retryable."""


def engine_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean "the engine did not answer", as opposed to an API-level refusal."""
    return (requests.exceptions.ConnectionError, requests.exceptions.Timeout, ConnectionError, socket.timeout)


def connect(settings: SandboxSettings) -> docker.DockerClient:
    """A client for the configured engine; raise SandboxUnavailable if it does not answer."""
    try:
        pool_size = settings.max_concurrent + 8  # one HTTP connection per concurrent exec plus the pool's
        if settings.docker_host:
            client = docker.DockerClient(base_url=settings.docker_host, timeout=30, max_pool_size=pool_size)
        else:
            client = docker.from_env(timeout=30, max_pool_size=pool_size)
        client.ping()
        return client
    except (docker.errors.DockerException, *engine_errors()) as exc:
        where = settings.docker_host or os.environ.get("DOCKER_HOST") or "the local socket"
        raise SandboxUnavailable(f"Docker engine at {where} is not reachable: {exc}") from exc


@dataclass
class WarmContainer:
    """A started container whose harness waits on ``sock`` (the attached stdin/stdout stream)."""

    id: str
    sock: socket.socket
    uses: int = 0  # programs this container has served

    def looks_alive(self) -> bool:
        """The harness writes nothing until it gets a job: a readable stream means EOF, i.e. it died."""
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable


class ContainerPool:
    """Thread-safe source of fresh, started containers. Call :meth:`start` once, :meth:`close` at exit."""

    def __init__(self, client: docker.DockerClient, settings: SandboxSettings) -> None:
        self.client = client
        self.api = client.api
        self.settings = settings
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._ready: deque[WarmContainer] = deque()
        self._creating = 0
        self._lent = 0  # handed out and expected back (reuse): counted as part of the pool
        self._last_error: BaseException | None = None
        self._closed = False
        self._cond = threading.Condition()
        # Creation and removal, plus one thread per running program to await its cleanup (reuse).
        self._workers = ThreadPoolExecutor(max_workers=2 + settings.max_concurrent,
                                           thread_name_prefix="prorl-sandbox-pool")
        self._host_config = self.api.create_host_config(**container_host_config(settings.limits))
        if settings.runtime:
            self._host_config["Runtime"] = settings.runtime
        self.created = 0  # counters for tests and metrics
        self.removed = 0
        self.dead_discarded = 0

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Check the image exists (a clear error now beats a timeout later), then fill the pool."""
        try:
            self.api.inspect_image(self.settings.image)
        except docker.errors.ImageNotFound as exc:
            raise SandboxUnavailable(
                f"sandbox image {self.settings.image!r} not found: build it with "
                f"`bash deploy/sandbox/build_local.sh` (or set PRORL_SANDBOX_IMAGE)"
            ) from exc
        except (docker.errors.DockerException, *engine_errors()) as exc:
            raise SandboxUnavailable(f"Docker engine not reachable: {exc}") from exc
        with self._cond:
            self._fill_locked()

    def close(self) -> None:
        """Remove the ready containers and stop replacing them; in-flight ones are removed on discard."""
        with self._cond:
            self._closed = True
            ready, self._ready = list(self._ready), deque()
            self._cond.notify_all()
        for warm in ready:
            self._remove(warm)
        self._workers.shutdown(wait=True)

    # -- handing out -----------------------------------------------------------------------------
    def acquire(self, timeout_s: float | None = None) -> WarmContainer:
        """A started container that nobody used before; waits for one up to ``timeout_s``."""
        wait_s = self.settings.acquire_timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + wait_s
        with self._cond:
            while True:
                if self._closed:
                    raise SandboxUnavailable("sandbox pool is closed")
                while self._ready:
                    warm = self._ready.popleft()
                    if warm.looks_alive():
                        if warm.uses + 1 < self.settings.programs_per_container:
                            self._lent += 1
                        self._fill_locked()
                        return warm
                    self._fill_locked()
                    self.dead_discarded += 1
                    self.discard(warm)  # died while waiting (engine restart): replaced, never used
                if self._last_error is not None and self._creating == 0:
                    error, self._last_error = self._last_error, None
                    self._fill_locked()  # try again for the next caller
                    raise SandboxUnavailable(f"cannot start a sandbox container: {error}") from error
                self._fill_locked()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise SandboxUnavailable(f"no sandbox container became ready within {wait_s:g}s")
                self._cond.wait(remaining)

    def ready_count(self) -> int:
        """Warm containers waiting to be handed out (a metrics gauge)."""
        with self._cond:
            return len(self._ready)

    def give_back(self, warm: WarmContainer, clean: bool) -> None:
        """Return a container after one program: ready again when ``clean`` and uses remain, else destroyed."""
        with self._cond:
            lent = warm.uses + 1 < self.settings.programs_per_container
            if lent:
                self._lent -= 1
            warm.uses += 1
            if clean and lent and not self._closed:
                self._ready.appendleft(warm)  # the warmest first: it has the runtime's pages cached
                self._cond.notify()
                return
            self._fill_locked()
        self.discard(warm)

    def submit(self, work: Callable[[], None]) -> None:
        """Run ``work`` on the pool's background threads (raises RuntimeError once the pool is closed)."""
        self._workers.submit(work)

    def discard(self, warm: WarmContainer) -> None:
        """Destroy a used (or dead) container in the background; it is never handed out again."""
        try:
            self._workers.submit(self._remove, warm)
        except RuntimeError:  # pool closed: remove inline
            self._remove(warm)

    def kill(self, cid: str) -> None:
        """Kill a container now (the hard wall-clock limit), ignoring one that is already gone."""
        try:
            self.api.kill(cid)
        except (docker.errors.DockerException, *engine_errors()):
            pass

    # -- background work ------------------------------------------------------------------------
    def _fill_locked(self) -> None:
        if self._closed:
            return
        missing = self.settings.pool_size - len(self._ready) - self._creating - self._lent
        for _ in range(max(0, missing)):
            self._creating += 1
            self._workers.submit(self._create_one)

    def _create_one(self) -> None:
        try:
            warm = self._create()
        except BaseException as exc:  # reported to the next acquire, which fails fast
            log.warning("sandbox container creation failed: %s", exc)
            with self._cond:
                self._creating -= 1
                self._last_error = exc
                self._cond.notify_all()
            return
        with self._cond:
            self._creating -= 1
            self._last_error = None
            closed = self._closed
            if not closed:
                self._ready.append(warm)
                self._cond.notify()
        if closed:
            self._remove(warm)

    def _create(self) -> WarmContainer:
        config = self.api.create_container_config(
            self.settings.image,
            command=list(HARNESS_COMMAND),
            user="0",  # only the harness is root; programs run as sandboxes.limits.SANDBOX_UID
            working_dir="/sandbox",
            stdin_open=True,
            network_disabled=True,
            labels={LABEL: "1", _OWNER_LABEL: self._owner},
            host_config=self._host_config,
        )
        # When the attached client goes away (the service crashed), the harness reads EOF and exits,
        # and auto_remove makes the engine delete the container: nothing is left behind.
        config["StdinOnce"] = True
        container: dict[str, Any] = self.api.create_container_from_config(config, None)
        cid = container["Id"]
        try:
            # Attach before start, as `docker run -i` does, so the stream sees everything the harness says.
            raw = self.api.attach_socket(cid, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
            sock: socket.socket = getattr(raw, "_sock", raw)
            try:
                self.api.start(cid)
            except BaseException:
                sock.close()
                raise
        except BaseException:
            self._remove_id(cid)
            raise
        self.created += 1
        return WarmContainer(cid, sock)

    def _remove(self, warm: WarmContainer) -> None:
        try:
            warm.sock.close()
        except OSError:
            pass
        self._remove_id(warm.id)

    def _remove_id(self, cid: str) -> None:
        try:
            self.api.remove_container(cid, force=True, v=True)
            self.removed += 1
        except docker.errors.NotFound:
            self.removed += 1
        except docker.errors.APIError as exc:
            if exc.status_code == 409:  # "removal already in progress": the engine's auto-remove won
                self.removed += 1
            else:
                log.warning("could not remove sandbox container %s: %s", cid[:12], exc)
        except (docker.errors.DockerException, *engine_errors()) as exc:
            log.warning("could not remove sandbox container %s: %s", cid[:12], exc)

    def owned_containers(self) -> list[str]:
        """Ids of every container of this pool that the engine still has (ready, busy or dying)."""
        found = self.api.containers(all=True, filters={"label": f"{_OWNER_LABEL}={self._owner}"})
        return [c["Id"] for c in found]
