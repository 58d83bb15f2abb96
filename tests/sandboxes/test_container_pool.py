"""The warm pool: never reused, dead containers never handed out, thread-safe, clear engine errors."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docker
import pytest

from sandboxes import DockerSandbox, SandboxSettings, SandboxUnavailable

ECHO = "import sys\nprint(sys.stdin.read().strip())\n"
WHO = "import socket\nprint(socket.gethostname())\n"  # the container id prefix: which container ran it


def _wait_ready(box: DockerSandbox, n: int, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while len(box.pool._ready) < n:
        assert time.monotonic() < deadline, "pool did not fill"
        time.sleep(0.05)


def test_each_problem_gets_a_fresh_container_that_is_then_removed(sandbox_image: str) -> None:
    box = DockerSandbox(SandboxSettings(image=sandbox_image, pool_size=2, max_concurrent=2, programs_per_container=1))
    try:
        hosts = [box.run(WHO, [""]).tests[0].stdout.strip() for _ in range(4)]
        assert len(set(hosts)) == 4  # never reused
        engine = docker.from_env()
        deadline = time.monotonic() + 20
        while any(_exists(engine, h) for h in hosts):  # destroyed in the background
            assert time.monotonic() < deadline, "used containers were not removed"
            time.sleep(0.1)
    finally:
        box.close()
    assert box.pool.owned_containers() == []  # close() leaves nothing behind


def _exists(engine: docker.DockerClient, short_id: str) -> bool:
    return bool(engine.api.containers(all=True, filters={"id": short_id}))


def test_dead_warm_containers_are_replaced_not_handed_out(sandbox_image: str) -> None:
    """What an engine restart does to the pool: every waiting container dies."""
    box = DockerSandbox(SandboxSettings(image=sandbox_image, pool_size=2, max_concurrent=2))
    try:
        _wait_ready(box, 2)
        engine = docker.from_env()
        for warm in list(box.pool._ready):
            engine.api.kill(warm.id)
        time.sleep(0.5)
        report = box.run(ECHO, ["alive"])
        assert report.tests[0].stdout == "alive\n"
        assert box.pool.dead_discarded >= 1
    finally:
        box.close()


def test_many_threads_share_the_pool(sandbox: DockerSandbox) -> None:
    with ThreadPoolExecutor(max_workers=6) as threads:
        reports = list(threads.map(lambda i: sandbox.run(ECHO, [f"job {i}", f"again {i}"]), range(12)))
    for i, report in enumerate(reports):
        assert [t.stdout for t in report.tests] == [f"job {i}\n", f"again {i}\n"]


def test_missing_image_is_a_clear_error() -> None:
    with pytest.raises(SandboxUnavailable, match="build_local.sh"):
        DockerSandbox(SandboxSettings(image="prorl-no-such-image:nope"))


def test_unreachable_engine_is_a_clear_error() -> None:
    with pytest.raises(SandboxUnavailable, match="not reachable"):
        DockerSandbox(SandboxSettings(docker_host="tcp://127.0.0.1:9"))


CRASHING_SERVICE = """
import os, sys, time
from sandboxes import DockerSandbox, SandboxSettings
box = DockerSandbox(SandboxSettings(image=sys.argv[1], pool_size=2))
deadline = time.monotonic() + 30
while len(box.pool._ready) < 2 and time.monotonic() < deadline:
    time.sleep(0.05)
print(box.pool._owner, len(box.pool._ready), flush=True)
os._exit(1)  # no close(): a crashed service
"""


def test_a_crashed_service_leaves_no_containers(sandbox_image: str) -> None:
    proc = subprocess.run([sys.executable, "-c", CRASHING_SERVICE, sandbox_image], capture_output=True, text=True,
                          timeout=60, cwd=str(Path(__file__).resolve().parents[2]))
    owner, ready = proc.stdout.split()
    assert ready == "2", proc.stderr
    engine = docker.from_env()
    deadline = time.monotonic() + 20
    while engine.api.containers(all=True, filters={"label": f"prorl.sandbox.owner={owner}"}):
        assert time.monotonic() < deadline, "containers of a dead service were left behind"
        time.sleep(0.2)
