"""Container reuse (``programs_per_container`` > 1): consecutive programs in one container cannot touch
each other. Each hostile program is followed by an honest probe that must see a container as new: no
process, file, IPC object or disk use of the first, another uid, and the same verdicts as in a fresh
container. Where the harness cannot vouch for that (a System V IPC object, a message queue), the container
is destroyed instead of reused."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from sandboxes import DockerSandbox, SandboxSettings

# What a later program could observe of an earlier one. Prints one JSON line.
PROBE = r"""
import json, os
mine = os.getpid()
others = []
for name in os.listdir('/proc'):
    if name.isdigit() and int(name) not in (1, mine):
        try:
            others.append(open(f'/proc/{name}/cmdline', 'rb').read().decode(errors='replace'))
        except OSError:
            pass
def listing(path):
    try:
        return sorted(os.listdir(path))
    except OSError as exc:
        return [type(exc).__name__]
print(json.dumps({
    'uid': os.getuid(), 'others': others, 'env': sorted(os.environ),
    'tmp': listing('/tmp'), 'shm': listing('/dev/shm'), 'build': listing('/build'),
    'tmp_free': os.statvfs('/tmp').f_bavail * os.statvfs('/tmp').f_frsize,
    'ipc': [len(open(p).read().splitlines()) - 1 for p in ('/proc/sysvipc/shm', '/proc/sysvipc/msg', '/proc/sysvipc/sem')],
}))
"""

HOSTILE = {
    "a background process left running": (
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(3600)\nprint('bye')\n"),
    "files in /tmp, /dev/shm and /build, readable by all": (
        "import os\nfor d in ('/tmp', '/dev/shm', '/build'):\n"
        "    p = os.path.join(d, 'answer')\n    open(p, 'w').write('42')\n    os.chmod(p, 0o777)\n"
        "os.makedirs('/tmp/deep/er', exist_ok=True)\nopen('/tmp/deep/er/x', 'w').write('x')\n"
        "os.symlink('/etc/passwd', '/tmp/link')\n"),
    "a full disk": "f = open('/tmp/fill', 'wb')\ntry:\n    while True: f.write(b'x' * 1048576)\nexcept OSError:\n    pass\n",
    "a changed environment": "import os\nos.environ['LEAK'] = '1'\nos.putenv('LEAK2', '1')\nprint('set')\n",
    "a daemon that writes after the test": (
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(0.5)\n"
        "    open('/tmp/late', 'w').write('late')\n    time.sleep(3600)\n"),
}


@pytest.fixture(scope="module")
def reusing(sandbox_image: str) -> Iterator[DockerSandbox]:
    box = DockerSandbox(SandboxSettings(image=sandbox_image, pool_size=1, max_concurrent=1,
                                        programs_per_container=1000))
    yield box
    box.close()


def _probe(box: DockerSandbox) -> dict:
    report = box.run(PROBE, [""])
    assert report.tests[0].clean_exit, report.tests[0].stderr
    return json.loads(report.tests[0].stdout or "{}")


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_program_leaves_nothing_for_the_next(reusing: DockerSandbox, name: str) -> None:
    before = _probe(reusing)
    created = reusing.pool.created
    reusing.run(HOSTILE[name], [""], time_limit_s=1)
    after = _probe(reusing)
    assert reusing.pool.created == created  # the same container served all three: this is reuse
    assert after["others"] == [] and after["tmp"] == [] and after["shm"] == [] and after["build"] == []
    assert after["env"] == before["env"] and after["ipc"] == [0, 0, 0]
    assert after["tmp_free"] == before["tmp_free"]  # the filled disk is empty again
    assert after["uid"] > before["uid"]  # a uid no earlier program had


def test_honest_programs_are_judged_as_in_a_fresh_container(reusing: DockerSandbox, sandbox: DockerSandbox) -> None:
    honest = "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n"
    for hostile in HOSTILE.values():
        reusing.run(hostile, [""], time_limit_s=1)
        reused = reusing.run(honest, ["1 2\n", "3 4\n"])
        fresh = sandbox.run(honest, ["1 2\n", "3 4\n"])
        assert [(t.status, t.stdout) for t in reused.tests] == [(t.status, t.stdout) for t in fresh.tests]
        assert [t.stdout for t in reused.tests] == ["3\n", "7\n"]


def test_a_stopped_problem_is_cleaned_up_too(reusing: DockerSandbox) -> None:
    stopped = reusing.run("import time\nprint('x')\nopen('/tmp/a', 'w').write('a')\ntime.sleep(30)\n",
                          ["", ""], time_limit_s=5, should_continue=lambda test: False)
    assert stopped.ended == "stopped"
    after = _probe(reusing)
    assert after["tmp"] == [] and after["others"] == []


@pytest.mark.parametrize("program", [
    "import ctypes\nlibc = ctypes.CDLL(None)\nprint(libc.shmget(1234, 4096, 0o1666))\n",  # System V shared memory
    "import ctypes\nlibc = ctypes.CDLL(None)\nprint(libc.msgget(1234, 0o1666))\n",  # System V message queue
])
def test_state_the_harness_cannot_vouch_for_recycles_the_container(reusing: DockerSandbox, program: str) -> None:
    created = reusing.pool.created
    assert reusing.run(program, [""]).tests[0].stdout.strip() != "-1"  # the object was made
    after = _probe(reusing)
    assert reusing.pool.created > created  # a new container: the old one was destroyed, not reused
    assert after["ipc"] == [0, 0, 0]


def test_the_container_is_recycled_after_its_last_use(sandbox_image: str) -> None:
    box = DockerSandbox(SandboxSettings(image=sandbox_image, pool_size=1, max_concurrent=1, programs_per_container=2))
    try:
        uids = [json.loads(box.run(PROBE, [""]).tests[0].stdout or "{}")["uid"] for _ in range(4)]
        assert uids == [10001, 10002, 10001, 10002]  # two programs per container, then a new one
        assert box.pool.created >= 2
    finally:
        box.close()
