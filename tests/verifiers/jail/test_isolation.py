"""What a scoring worker that untrusted input took over can still reach (verifiers/jail/isolation.py).

The probe domain's ``connect``/``connect_unix``/``fds`` commands do, inside a real worker, what such a
worker would try; every test opens the target itself so that the parent provably can reach it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from verifiers.jail.isolation import IsolationSettings
from verifiers.jail.pool import JailedPool, Task

IS_ROOT = os.geteuid() == 0
ALL_STEPS = ("netns", "mountns", "uid", "caps", "no_new_privs", "seccomp")


def run(pool: JailedPool, answer: str) -> dict:
    result = pool.submit(Task("probe", answer, {}, {}, 30.0)).result(timeout=120)
    assert result["status"] == "ok", result
    return result["details"]


@pytest.fixture
def tcp_listener() -> Iterator[int]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        port = server.getsockname()[1]
        socket.create_connection(("127.0.0.1", port), timeout=5).close()  # the parent gets through
        yield port


@pytest.fixture
def unix_listener() -> Iterator[str]:
    """A Unix socket like Docker's: owned by the service user, 0660, in a directory anyone may enter."""
    folder = tempfile.mkdtemp(prefix="prorl-sock-")  # under /tmp: pytest's own folders are 0700
    os.chmod(folder, 0o755)
    path = os.path.join(folder, "engine.sock")
    try:
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(path)
            os.chmod(path, 0o660)
            server.listen(8)
            with socket.socket(socket.AF_UNIX) as client:
                client.connect(path)
            yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def isolated() -> Iterator[JailedPool]:
    pool = JailedPool(workers=1, isolation=IsolationSettings())
    yield pool
    pool.close()


def test_a_worker_cannot_connect_to_a_local_tcp_listener_or_redis(isolated, tcp_listener):
    assert run(isolated, f"connect:127.0.0.1:{tcp_listener}")["connected"] is False
    assert run(isolated, "connect:127.0.0.1:6379")["connected"] is False
    assert run(isolated, "connect:localhost:6379")["connected"] is False


def test_a_worker_cannot_connect_to_a_unix_socket(isolated, unix_listener):
    outcome = run(isolated, f"connect_unix:{unix_listener}")
    assert outcome["connected"] is False and "PermissionError" in outcome["error"]


def test_the_pool_reports_what_its_workers_applied(isolated):
    run(isolated, "pid")
    report = isolated.snapshot().isolation
    assert report["enabled"] is True and report["closed_fds"] >= 1
    assert report["no_new_privs"] is True and report["seccomp"] is True
    if IS_ROOT:
        assert report["netns"] == "netns" and report["uid"] == 65534 and "uid" not in report["refused"]


@pytest.mark.skipif(not IS_ROOT, reason="the uid drop applies when the service runs as root")
def test_as_root_a_worker_runs_as_nobody_with_no_groups(isolated):
    seen = run(isolated, "fds")
    assert (seen["uid"], seen["gid"], seen["groups"]) == (65534, 65534, [])


def test_a_worker_holds_no_fd_but_its_pipe_and_standard_streams(tmp_path):
    """Opened before the pool starts: a socket and a file of the parent; none may reach a worker."""
    with socket.socket() as server, open(tmp_path / "secret", "w") as secret:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        os.set_inheritable(server.fileno(), True)
        os.set_inheritable(secret.fileno(), True)
        server_target = os.readlink(f"/proc/self/fd/{server.fileno()}")
        pool = JailedPool(workers=1, isolation=IsolationSettings())
        try:
            fds = run(pool, "fds")["fds"]
        finally:
            pool.close()
    targets = {fd: target for fd, target in fds.items() if not target.startswith("/proc/")}  # the listing's
    assert server_target not in targets.values() and str(tmp_path / "secret") not in targets.values()
    stdio = {os.readlink(f"/proc/self/fd/{fd}") for fd in (1, 2)}
    others = {fd: t for fd, t in targets.items() if fd not in ("0", "1", "2") and t != "/dev/null"}
    assert [t.split(":")[0] for t in others.values()] == ["socket"], others  # the pipe to the pool only
    assert all(targets[fd] in stdio | {"/dev/null"} for fd in ("1", "2") if fd in targets)


def test_a_worker_does_not_see_the_services_secrets(monkeypatch):
    """API keys and a Redis URL with its password stay in the service: a scorer taken over could return
    them in a verdict's details."""
    for name in ("PRORL_API_KEYS", "PRORL_REDIS_URL", "AWS_SECRET_ACCESS_KEY", "HF_TOKEN", "PRORL_PROBE_HARMLESS"):
        monkeypatch.setenv(name, "s3cret")
    pool = JailedPool(workers=1, isolation=IsolationSettings())
    try:
        env = run(pool, "fds")["env"]
        report = pool.snapshot().isolation
    finally:
        pool.close()
    assert "PRORL_PROBE_HARMLESS" in env and "PATH" in env
    assert not {"PRORL_API_KEYS", "PRORL_REDIS_URL", "AWS_SECRET_ACCESS_KEY", "HF_TOKEN"} & set(env)
    assert "PRORL_API_KEYS" in report["dropped_env"] and "s3cret" not in str(report)


def test_isolation_off_restores_the_old_worker(monkeypatch, tcp_listener, unix_listener):
    monkeypatch.setenv("PRORL_POOL_ISOLATION", "off")
    pool = JailedPool(workers=1)
    try:
        assert run(pool, f"connect:127.0.0.1:{tcp_listener}")["connected"] is True
        assert run(pool, f"connect_unix:{unix_listener}")["connected"] is True
        assert run(pool, "fds")["uid"] == os.getuid()
        assert pool.snapshot().isolation["enabled"] is False
    finally:
        pool.close()


def test_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("PRORL_POOL_ISOLATION", "OFF")
    monkeypatch.setenv("PRORL_POOL_UID", "-1")
    monkeypatch.setenv("PRORL_POOL_GID", "1234")
    assert IsolationSettings.from_env() == IsolationSettings(enabled=False, uid=-1, gid=1234)
    monkeypatch.delenv("PRORL_POOL_ISOLATION")
    assert IsolationSettings.from_env().enabled is True


def test_every_step_refused_leaves_a_working_pool_as_before(tcp_listener):
    """A kernel or container that permits nothing: the worker scores, reports why, and is as before."""
    pool = JailedPool(workers=1, isolation=IsolationSettings(simulate_refused=ALL_STEPS))
    try:
        assert run(pool, "scored")["answer"] == "scored"
        assert run(pool, f"connect:127.0.0.1:{tcp_listener}")["connected"] is True
        report = pool.snapshot().isolation
    finally:
        pool.close()
    assert set(report["refused"]) == set(ALL_STEPS) and report["netns"] is None
    assert report["seccomp"] is False and report["uid"] == os.getuid()


def test_a_non_root_container_without_unshare_still_gets_no_sockets(tcp_listener, unix_listener):
    """deploy/api: non-root, Docker's seccomp profile blocks unshare, the socket's group is added.
    The seccomp filter alone must keep a worker off the network and off the Docker socket."""
    pool = JailedPool(workers=1, isolation=IsolationSettings(simulate_refused=("netns", "mountns", "uid")))
    try:
        assert run(pool, "scored")["answer"] == "scored"
        tcp = run(pool, f"connect:127.0.0.1:{tcp_listener}")
        unix = run(pool, f"connect_unix:{unix_listener}")
        report = pool.snapshot().isolation
    finally:
        pool.close()
    assert tcp["connected"] is False and "Operation not permitted" in tcp["error"]
    assert unix["connected"] is False and "Operation not permitted" in unix["error"]
    assert set(report["refused"]) == {"netns", "mountns", "uid"} and report["seccomp"] is True


@pytest.mark.skipif(not IS_ROOT, reason="a network namespace without a user namespace needs root")
def test_the_network_namespace_alone_blocks_tcp(tcp_listener):
    """Without the seccomp filter (a kernel that refuses it), the fresh namespace still has no route."""
    pool = JailedPool(workers=1, isolation=IsolationSettings(simulate_refused=("seccomp",), uid=-1))
    try:
        outcome = run(pool, f"connect:127.0.0.1:{tcp_listener}")
        assert pool.snapshot().isolation["netns"] == "netns"
    finally:
        pool.close()
    assert outcome["connected"] is False and "unreachable" in outcome["error"]


@pytest.mark.skipif(not IS_ROOT, reason="the uid drop applies when the service runs as root")
def test_the_uid_drop_alone_keeps_a_worker_off_a_root_only_socket(unix_listener):
    """Without seccomp, nobody still may not connect to a 0660 root socket (Docker's is root:docker)."""
    pool = JailedPool(workers=1, isolation=IsolationSettings(simulate_refused=("seccomp", "netns", "mountns")))
    try:
        outcome = run(pool, f"connect_unix:{unix_listener}")
    finally:
        pool.close()
    assert outcome["connected"] is False and "Permission denied" in outcome["error"]


@pytest.fixture
def secrets(tmp_path) -> Iterator[dict]:
    """Root-only 0600 files where a worker could otherwise reach them: a world-traversable folder of the
    project (only the file's mode protects it), /root, the test's temp dir; and a process with a secret
    in its environment."""
    visible = Path(tempfile.mkdtemp(prefix=".prorl-secret-", dir=Path(__file__).resolve().parents[3]))
    visible.chmod(0o755)
    files = [visible / "key", tmp_path / "key"]
    if IS_ROOT:
        files.append(Path("/root") / f".prorl-secret-{uuid.uuid4().hex}")
    for path in files:
        path.write_text("s3cret-file")
        path.chmod(0o600)
        assert path.read_text() == "s3cret-file"  # the parent can read it
    holder = subprocess.Popen(["sleep", "300"], env={"PRORL_HELD_SECRET": "s3cret-env"})
    try:
        yield {"secret_files": [str(p) for p in files], "pids": [holder.pid]}
    finally:
        holder.kill()
        holder.wait()
        shutil.rmtree(visible, ignore_errors=True)
        for path in files:
            path.unlink(missing_ok=True)


def test_a_taken_over_worker_reaches_nothing_and_keeps_no_capability(isolated, secrets, tcp_listener):
    """Issue 14 part 2: as a scorer that an answer took over, try the host's secrets, sockets and other
    processes from inside a real worker. Every attempt fails, and not one capability is kept."""
    docker_socket = "/var/run/docker.sock"
    targets = {**secrets, "tcp_ports": [tcp_listener, 6379], "unix_sockets": [docker_socket]}
    seen = run(isolated, "attack:" + json.dumps(targets))
    assert not any(f["ok"] for f in seen["files"].values()), seen["files"]
    assert "s3cret" not in json.dumps(seen)
    assert not seen["list_root"]["ok"] or not [n for n in seen["list_root"]["got"] if n.startswith(".prorl")]
    assert not any(c["ok"] for c in seen["tcp"].values()) and not any(c["ok"] for c in seen["unix"].values())
    assert not any(e["ok"] for e in seen["environ"].values()), seen["environ"]
    caps = seen["caps"]
    assert {k: int(caps[k], 16) for k in ("CapEff", "CapPrm", "CapInh", "CapBnd", "CapAmb")} == dict.fromkeys(
        ("CapEff", "CapPrm", "CapInh", "CapBnd", "CapAmb"), 0), caps
    report = isolated.snapshot().isolation
    assert report["kept_caps"] == [] and int(report["caps"]["CapBnd"], 16) == 0
    if IS_ROOT:
        assert seen["docker_socket_visible"] is False
        # Its own /tmp: none of the host's entries. The jail itself puts there only its matplotlib config dir
        # and, read-only, the project or import paths that happen to live under /tmp (a clone in /tmp/x).
        own = {"matplotlib"} | {p.split("/")[2] for p in report["mountns"]["exposed"] if p.startswith("/tmp/")}
        hosts = set(os.listdir("/tmp")) - own
        assert hosts  # pytest's own tmp_path lives there, so the check below has something to miss
        assert seen["tmp"]["ok"] and not set(seen["tmp"]["got"]) & hosts, (seen["tmp"], own)
        assert {"/root", "/run", "/tmp"} <= set(report["mountns"]["masked"])
