"""docker-compose.yml, statically: the compose tool accepts it, and its security properties hold.

Fast (no containers): the slow end-to-end run is test_compose.py. ``config`` is run with every compose
tool installed here (`docker compose` v2 and/or Debian's `docker-compose` 1.29, which validates against
its copy of the Compose Specification schema).
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import yaml

from tests.deploy.compose_stack import REPO_ROOT

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"


def _tools() -> list[list[str]]:
    tools = []
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        tools.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        tools.append(["docker-compose"])
    return tools


def _resolved(tool: list[str]) -> dict:
    env = {**os.environ, "DOCKER_GID": "999"}
    proc = subprocess.run([*tool, "-f", str(COMPOSE_FILE), "--profile", "monitoring", "config"], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"{' '.join(tool)} rejects docker-compose.yml:\n{proc.stderr}"
    return yaml.safe_load(proc.stdout)


def test_a_compose_tool_is_installed() -> None:
    assert _tools(), "install Debian's docker-compose (or the docker compose plugin): CI installs it"


@pytest.mark.parametrize("tool", _tools(), ids=lambda t: " ".join(t))
def test_compose_tool_accepts_the_file_and_it_is_locked_down(tool: list[str]) -> None:
    services = _resolved(tool)["services"]
    assert {"nginx", "api", "worker", "redis", "prometheus"} <= set(services)
    for name, service in services.items():
        assert service.get("pull_policy") == "never", f"{name} could pull from a registry"
        for port in service.get("ports", []):
            host_ip = port.get("host_ip") if isinstance(port, dict) else str(port).split(":")[0]
            assert host_ip == "127.0.0.1", f"{name} publishes {port} beyond loopback"
        mounts = [str(v.get("source") if isinstance(v, dict) else v) for v in service.get("volumes", [])]
        has_socket = any("/var/run/docker.sock" in m for m in mounts)
        assert has_socket == (name == "worker"), f"{name}: only the worker may reach the Docker engine"
    assert not services["api"].get("ports") and not services["redis"].get("ports")
    assert services["api"].get("read_only") and services["worker"].get("read_only")
    assert services["worker"]["environment"]["PRORL_REDIS_URL"] == services["api"]["environment"]["PRORL_REDIS_URL"]
    assert [str(g) for g in services["worker"]["group_add"]] == ["999"]  # the socket's group, from DOCKER_GID
    # Workers serve /metrics on the stack's network only, where the Prometheus config looks for them.
    port = int(services["worker"]["environment"]["PRORL_WORKER_METRICS_PORT"])
    assert not services["worker"].get("ports") and port in {int(p) for p in services["worker"]["expose"]}
    scrape = yaml.safe_load((REPO_ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())["scrape_configs"]
    targets = {(name, sd["port"]) for job in scrape for sd in job.get("dns_sd_configs", []) for name in sd["names"]}
    assert {("api", 8000), ("worker", port)} <= targets
