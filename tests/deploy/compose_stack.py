"""Drive the real docker-compose.yml stack from tests: build, bring up, inspect, kill, tear down.

Works with ``docker compose`` (v2) or Debian's ``docker-compose`` 1.29, whichever is installed.
Containers are found by compose's labels rather than by name, because the two tools name them
differently (``proj-api-1`` vs ``proj_api_1``).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
SANDBOX_OWNER_LABEL = "prorl.sandbox.owner"  # sandboxes.container_pool: "<hostname>:<pid>:<nonce>"


def compose_command() -> list[str]:
    """``docker compose`` when the v2 plugin answers, else ``docker-compose``; fail loudly if neither."""
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    raise RuntimeError("neither `docker compose` nor `docker-compose` is installed "
                       "(Debian: apt-get install docker-compose)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_images(timeout_s: float = 1200) -> None:
    """Run deploy/build_images.sh (incremental: cached layers and wheels make a rebuild cheap)."""
    proc = subprocess.run(["bash", str(REPO_ROOT / "deploy" / "build_images.sh")], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout_s)
    if proc.returncode != 0:
        raise RuntimeError(f"deploy/build_images.sh failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n"
                           f"{proc.stderr[-5000:]}")


@dataclass
class ComposeStack:
    """One compose project of docker-compose.yml with its own name, port and settings file."""

    settings: dict[str, str]
    project: str = field(default_factory=lambda: f"prorltest{os.getpid()}{uuid.uuid4().hex[:6]}")
    port: int = field(default_factory=free_port)
    prometheus_port: int = field(default_factory=free_port)
    profiles: tuple[str, ...] = ("monitoring",)
    env_file: Path | None = None
    sandbox_owners: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def prometheus_url(self) -> str:
        return f"http://127.0.0.1:{self.prometheus_port}"

    def prometheus_query(self, query: str) -> list[dict]:
        response = httpx.get(self.prometheus_url + "/api/v1/query", params={"query": query}, timeout=10)
        response.raise_for_status()
        return response.json()["data"]["result"]

    def _env(self) -> dict[str, str]:
        assert self.env_file is not None
        return {**os.environ, "PRORL_HTTP_PORT": str(self.port), "PRORL_ENV_FILE": str(self.env_file),
                "PRORL_PROMETHEUS_PORT": str(self.prometheus_port),
                "DOCKER_GID": str(os.stat("/var/run/docker.sock").st_gid)}

    def compose(self, *args: str, timeout_s: float = 300, check: bool = True) -> subprocess.CompletedProcess:
        profiles = [arg for profile in self.profiles for arg in ("--profile", profile)]
        cmd = [*compose_command(), "-f", str(REPO_ROOT / "docker-compose.yml"), "-p", self.project, *profiles, *args]
        proc = subprocess.run(cmd, cwd=REPO_ROOT, env=self._env(), capture_output=True, text=True,
                              timeout=timeout_s)
        if check and proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def up(self, api: int, workers: int, tmp_dir: Path) -> None:
        self.env_file = tmp_dir / "prorl.env"
        self.env_file.write_text("".join(f"{key}={value}\n" for key, value in self.settings.items()))
        self.compose("up", "-d", "--scale", f"api={api}", "--scale", f"worker={workers}")

    def containers(self, service: str, running_only: bool = True) -> list[str]:
        """Ids of this project's containers of one service."""
        args = ["docker", "ps", "-q", "--no-trunc", "--filter", f"label=com.docker.compose.project={self.project}",
                "--filter", f"label=com.docker.compose.service={service}"]
        if not running_only:
            args.insert(2, "-a")
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout.split()

    def inspect(self, container: str) -> dict:
        out = subprocess.run(["docker", "inspect", container], capture_output=True, text=True, check=True).stdout
        return json.loads(out)[0]

    def remember_worker_sandboxes(self) -> None:
        """Record the workers' hostnames: their sandbox containers carry them in the owner label."""
        for cid in self.containers("worker", running_only=False):
            self.sandbox_owners.add(self.inspect(cid)["Config"]["Hostname"])

    def redis_cli(self, *args: str) -> str:
        redis = self.containers("redis")[0]
        return subprocess.run(["docker", "exec", redis, "redis-cli", *args], capture_output=True, text=True,
                              check=True, timeout=30).stdout

    def busy_worker_container(self) -> str | None:
        """The container of an RQ worker that is working on a chunk right now, if any."""
        by_hostname = {self.inspect(cid)["Config"]["Hostname"]: cid for cid in self.containers("worker")}
        for key in self.redis_cli("SMEMBERS", "rq:workers").split():
            if self.redis_cli("HGET", key, "state").strip() == "busy":
                hostname = key.removeprefix("rq:worker:").split("-")[0]  # prorl worker names: <host>-<pid>-<id>
                if hostname in by_hostname:
                    return by_hostname[hostname]
        return None

    def kill(self, container: str) -> None:
        subprocess.run(["docker", "kill", container], capture_output=True, check=True)

    def wait_ready(self, workers: int, timeout_s: float = 180) -> dict:
        """Poll /readyz through nginx until it is ready with at least ``workers`` RQ workers."""
        deadline = time.monotonic() + timeout_s
        last = "no answer"
        while time.monotonic() < deadline:
            try:
                response = httpx.get(self.url + "/readyz", timeout=5)
                if response.status_code == 200 and response.json().get("workers", 0) >= workers:
                    return response.json()
                last = f"{response.status_code} {response.text[:300]}"
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(1)
        raise RuntimeError(f"stack {self.project} not ready after {timeout_s}s: {last}\n{self.logs()}")

    def logs(self, tail: int = 30) -> str:
        try:
            proc = self.compose("logs", "--no-color", "--tail", str(tail), timeout_s=60, check=False)
            return proc.stdout[-8000:] + proc.stderr[-2000:]
        except Exception as exc:  # noqa: BLE001 - logs are a diagnostic, never the failure itself
            return f"(no logs: {exc})"

    def down(self) -> None:
        """Remove the project (containers, network) and the sandboxes its workers left behind."""
        try:
            self.remember_worker_sandboxes()
        except Exception:  # noqa: BLE001 - best effort: the project may never have started
            pass
        if self.env_file is not None:
            self.compose("down", "-v", "--remove-orphans", "-t", "5", timeout_s=180, check=False)
        self._remove_orphan_sandboxes()

    def _remove_orphan_sandboxes(self) -> None:
        # A SIGKILLed worker cannot remove its warm sandbox containers; they carry its hostname.
        out = subprocess.run(["docker", "ps", "-aq", "--filter", "label=prorl.sandbox",
                              "--format", '{{.ID}} {{.Label "' + SANDBOX_OWNER_LABEL + '"}}'],
                             capture_output=True, text=True).stdout
        leftovers = [line.split()[0] for line in out.splitlines()
                     if len(line.split()) == 2 and line.split()[1].split(":")[0] in self.sandbox_owners]
        if leftovers:
            subprocess.run(["docker", "rm", "-f", *leftovers], capture_output=True)
