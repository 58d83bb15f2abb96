"""The limits a container really runs under (read back from the engine), and their settings."""

from __future__ import annotations

import docker
import pytest

from sandboxes import DockerSandbox, SandboxLimits, SandboxSettings
from sandboxes.limits import MIB


def test_settings_from_env_reads_prefixed_variables() -> None:
    settings = SandboxSettings.from_env(
        {"PRORL_SANDBOX_IMAGE": "img:1", "PRORL_SANDBOX_POOL_SIZE": "3", "PRORL_SANDBOX_MEMORY_MB": "256",
         "PRORL_SANDBOX_RUNTIME": "runsc", "PRORL_SANDBOX_CPUS": "0.5"}
    )
    assert settings.image == "img:1"
    assert settings.pool_size == 3
    assert settings.runtime == "runsc"
    assert settings.limits.memory_mb == 256
    assert settings.limits.cpus == 0.5
    assert settings.limits.pids == SandboxLimits().pids


@pytest.mark.parametrize("name,value", [("PRORL_SANDBOX_PIDS", "lots"), ("PRORL_SANDBOX_MEMORY_MB", "0"),
                                        ("PRORL_SANDBOX_POOL_SIZE", "-1"),
                                        ("PRORL_SANDBOX_MAX_TIME_LIMIT_S", "inf"), ("PRORL_SANDBOX_CPUS", "nan")])
def test_malformed_setting_is_an_error_not_a_looser_limit(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        SandboxSettings.from_env({name: value})


def test_reference_limits_are_clamped_to_the_container() -> None:
    limits = SandboxLimits(memory_mb=512, max_time_limit_s=10)
    assert limits.child_memory_bytes(4096) == 512 * MIB
    assert limits.child_memory_bytes(128) == 128 * MIB
    assert limits.time_limit_s(1000) == 10
    assert limits.time_limit_s(None) == limits.default_time_limit_s


def test_warm_container_runs_hardened(sandbox: DockerSandbox) -> None:
    warm = sandbox.pool.acquire()
    try:
        host = docker.from_env().api.inspect_container(warm.id)["HostConfig"]
    finally:
        sandbox.pool.discard(warm)
    limits = sandbox.settings.limits
    assert host["NetworkMode"] == "none"
    assert host["ReadonlyRootfs"] is True
    assert host["Memory"] == host["MemorySwap"] > 0
    assert host["PidsLimit"] == limits.pids
    assert host["NanoCpus"] == int(limits.cpus * 1e9)
    assert host["CapDrop"] == ["ALL"]
    assert sorted(host["CapAdd"]) == ["KILL", "SETGID", "SETUID"]
    assert "no-new-privileges:true" in host["SecurityOpt"]
    assert set(host["Tmpfs"]) == {"/tmp", "/sandbox", "/build"}
    assert all(f"size={limits.tmpfs_mb}m" in opts for opts in host["Tmpfs"].values())
    assert all("nosuid" in opts and "nodev" in opts for opts in host["Tmpfs"].values())
    # only the C++ build dir allows exec
    assert [path for path, opts in host["Tmpfs"].items() if "noexec" not in opts] == ["/build"]
    ulimits = {u["Name"]: u["Hard"] for u in host["Ulimits"]}
    assert ulimits["nofile"] == limits.nofile
    assert ulimits["fsize"] == limits.fsize_mb * MIB


PROBE = r"""
import os, socket
status = open('/proc/self/status').read()
caps = [l.split()[1] for l in status.splitlines() if l.startswith(('CapEff', 'CapPrm', 'CapBnd'))]
print(os.getuid(), os.getgid(), *caps)
try:
    open('/opt/prorl/harness.py', 'a')
    print('root-writable')
except OSError:
    print('root-readonly')
try:
    socket.create_connection(('1.1.1.1', 53), timeout=1)
    print('network')
except OSError:
    print('no-network')
harness = [p for p in os.listdir('/proc') if p.isdigit() and int(p) != os.getpid()
           and open(f'/proc/{p}/cmdline', 'rb').read().find(b'harness') >= 0]
try:
    os.listdir(f'/proc/{harness[0]}/fd')
    print('harness-fds-visible')
except (OSError, IndexError):
    print('harness-fds-hidden')
"""


def test_program_is_unprivileged_offline_and_cannot_touch_the_harness(sandbox: DockerSandbox) -> None:
    report = sandbox.run(PROBE, [""])
    out = report.tests[0].stdout.split("\n")
    uid, gid, eff, prm, _bnd = out[0].split()
    assert uid == gid and int(uid) >= 10001  # the program's own uid (a new one per program in a reused container)
    assert int(eff, 16) == 0 and int(prm, 16) == 0  # no capabilities at all
    assert out[1:4] == ["root-readonly", "no-network", "harness-fds-hidden"]
