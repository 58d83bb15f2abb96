"""verifiers/code/__init__.py against the real Docker engine and sandbox image: scoring, hacks, resource abuse."""

from __future__ import annotations

from typing import Any

import pytest

import verifiers
from sandboxes import DockerSandbox, shared
from tests.fixtures.docker import code_sandbox, sandbox_image  # noqa: F401
from verifiers import code
from verifiers.base import InfraError, InvalidReference
from verifiers.schemas import ItemOptions

SUM_REF = {"language": "python", "tests": {"inputs": ["1 2\n", "3 4\n", "10 -2\n"], "outputs": ["3\n", "7\n", "8\n"]}}
SUM_OK = "a, b = map(int, input().split())\nprint(a + b)\n"
CALL_REF = {"tests": {"fn_name": "add", "inputs": [[1, 2], [2.5, 0.5], [-1, 1]], "outputs": [3, 3.0, 0]}}
FAST = {"time_limit_s": 0.5}  # abuse tests: keep the suite quick


def fenced(program: str, tag: str = "python") -> str:
    return f"Here is my solution.\n```{tag}\n{program}```\n"


def run(program: str, reference: dict[str, Any] = SUM_REF, **options: Any) -> tuple[float, dict[str, Any]]:
    verdict = code.score(fenced(program), reference, ItemOptions(**options))
    return verdict.reward, verdict.details


@pytest.fixture(scope="module", autouse=True)
def shared_sandbox(code_sandbox: DockerSandbox) -> DockerSandbox:  # noqa: F811
    """Every test here scores through the verifier's own process-wide sandbox."""
    return code_sandbox


# -- program extraction and reference parsing (no sandbox needed, but cheap) ------------------------
def test_last_python_block_is_the_program() -> None:
    text = "```python\nprint(1)\n```\nthen\n```python\nprint(2)\n```\nOutput:\n```text\n2\n```\n"
    assert code.extract_program(text) == "print(2)\n"
    assert code.extract_program("```\nprint(3)\n```") == "print(3)\n"
    assert code.extract_program("no code here") is None
    assert code.extract_program("```python\nprint(1)\n") is None  # truncated: fence never closed
    assert code.extract_program("```python\r\nx = 1\r\n\tprint(x)  \r\n```") == "x = 1\r\n\tprint(x)  \r\n"


def test_no_code_block_scores_zero_with_reason() -> None:
    verdict = code.score("I think the answer is 3.", SUM_REF, ItemOptions())
    assert verdict.reward == 0.0 and verdict.details["reason"] == "no_code_block"


@pytest.mark.parametrize(
    "reference",
    [
        {"tests": {"inputs": ["1"], "outputs": []}},
        {"tests": {"inputs": [], "outputs": []}},
        {"tests": "not json"},
        {"language": "java", "tests": {"inputs": ["1"], "outputs": ["1"]}},
        {"tests": {"inputs": ["1"], "outputs": ["1"], "fn_name": "not a name"}},
        {"tests": {"inputs": [1], "outputs": ["1"]}},
        {"tests": [{"input": "1", "output": "1", "testtype": "functional"}]},
        {"tests": {"inputs": ["1"], "outputs": ["1"]}, "time_limit_s": -1},
        {},
        {"tests": [{"input": "1", "output": "1", "testtype": []}]},  # unhashable kind: was a TypeError
        {"tests": "[" * 100_000},  # deeper than the JSON parser recurses: was a RecursionError
    ],
)
def test_malformed_reference_is_invalid(reference: dict[str, Any]) -> None:
    with pytest.raises(InvalidReference):
        code.score(fenced(SUM_OK), reference, ItemOptions())


def test_malformed_reference_is_invalid_through_the_library() -> None:
    """The item's deadline is computed from its reference in the caller: a bad one must not raise there."""
    bad = {"domain": "code", "response": fenced(SUM_OK), "reference": {"tests": [{"testtype": {}}]}}
    result = verifiers.score(bad, cache=None)
    assert result.status == "invalid" and "testtype" in (result.error or "")


def test_livecodebench_tests_are_converted() -> None:
    stdin_ref = {"tests": [{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]}
    assert run(SUM_OK, stdin_ref)[0] == 1.0
    functional = {
        "tests": [{"input": '[1, 2]\n"x"', "output": '"x3"', "testtype": "functional"}],
        "metadata": '{"func_name": "tag"}',
    }
    program = "class Solution:\n    def tag(self, nums, s):\n        return s + str(sum(nums))\n"
    assert run(program, functional)[0] == 1.0


# -- scoring -----------------------------------------------------------------------------------------
def test_correct_program_scores_one() -> None:
    reward, details = run(SUM_OK)
    assert reward == 1.0
    assert details["tests_passed"] == details["tests_total"] == 3


def test_stdin_with_a_lone_surrogate_is_judged_not_an_infra_error() -> None:
    reference = {"tests": {"inputs": ["ab\ud800\n"], "outputs": ["3\n"]}}
    reward, details = run("import sys\nprint(len(sys.stdin.buffer.read().decode('utf-8', 'replace').strip()))\n",
                          reference)
    assert reward == 1.0, details  # the surrogate arrives as U+FFFD: one character


def test_binary_stops_at_first_failure_fraction_runs_all() -> None:
    wrong_last = "a, b = map(int, input().split())\nprint(a + b if b > 0 else 0)\n"
    reward, details = run(wrong_last)
    assert reward == 0.0 and details["tests_run"] == 3
    first_wrong = "a, b = map(int, input().split())\nprint(a + b if a > 1 else 0)\n"
    reward, details = run(first_wrong)
    assert reward == 0.0 and details["tests_run"] == 1  # stopped at the first failure
    reward, details = run(first_wrong, reward="fraction")
    assert reward == pytest.approx(2 / 3) and details["tests_run"] == 3


def test_call_based_numbers_by_value_and_solution_class() -> None:
    assert run("def add(a, b):\n    return a + b\n", CALL_REF)[0] == 1.0
    assert run("class Solution:\n    def add(self, a, b):\n        return a + b\n", CALL_REF)[0] == 1.0
    bools = {"tests": {"fn_name": "f", "inputs": [[0]], "outputs": [1]}}
    assert run("def f(x):\n    return True\n", bools)[0] == 0.0  # a bool is not a number


def test_call_based_empty_values_and_unstripped_strings() -> None:
    ref = {"tests": {"fn_name": "f", "inputs": [["a"], ["b"], ["c"]], "outputs": ["", None, " x "]}}
    good = "def f(k):\n    return {'a': '', 'b': None, 'c': ' x '}[k]\n"
    assert run(good, ref)[0] == 1.0
    stripped = "def f(k):\n    return {'a': '', 'b': None, 'c': 'x'}[k]\n"
    assert run(stripped, ref, reward="fraction")[0] == pytest.approx(2 / 3)
    swapped = "def f(k):\n    return {'a': None, 'b': '', 'c': ' x '}[k]\n"
    assert run(swapped, ref, reward="fraction")[0] == pytest.approx(1 / 3)


def test_apps_wrapped_outputs_and_tuples() -> None:
    ref = {"tests": {"fn_name": "pair", "inputs": [[1], [2]], "outputs": [[[1, 2]], [[2, 3]]]}}
    assert run("def pair(n):\n    return (n, n + 1)\n", ref)[0] == 1.0


def test_stdin_tokens_and_float_tolerance() -> None:
    ref = {"tests": {"inputs": [""], "outputs": ["0.3333333 2\n"]}}
    assert run("print(1/3, 2)\n", ref)[0] == 1.0
    assert run("print('0.3334 2')\n", ref)[0] == 0.0
    assert run("print(0.3333333, 2.0)\n", ref)[0] == 0.0  # "2" is not a float token


# -- anti-hacking --------------------------------------------------------------------------------------
HACKS = {
    "exit_zero_without_output": "import sys\nsys.exit(0)\n",
    "os_exit_before_tests": "import os\nos._exit(0)\n",
    "crash_after_right_answer": "a, b = map(int, input().split())\nprint(a + b, flush=True)\nraise SystemExit(1)\n",
    "crash_by_exception_after_answer": "a, b = map(int, input().split())\nprint(a + b, flush=True)\n1 / 0\n",
    "print_nothing": "pass\n",
}


@pytest.mark.parametrize("name", sorted(HACKS))
def test_stdin_hacks_pass_nothing(name: str) -> None:
    reward, details = run(HACKS[name], reward="fraction")
    assert reward == 0.0, details


CALL_HACKS = {
    "sys_exit_before_tests": "import sys\nsys.exit(0)\ndef add(a, b):\n    return a + b\n",
    "os_exit_in_call": "def add(a, b):\n    import os\n    os._exit(0)\n",
    "eq_always_true": "class Any:\n    def __eq__(self, other):\n        return True\ndef add(a, b):\n    return Any()\n",
    "str_subclass_eq": "class S(str):\n    def __eq__(self, o):\n        return True\ndef add(a, b):\n    return S('x')\n",
    "int_subclass_eq": "class I(int):\n    def __eq__(self, o):\n        return True\ndef add(a, b):\n    return I(-99)\n",
    "write_forged_result": (
        "import os\nos.write(3, b'{\"value\": \"forged\"}')\nos._exit(0)\n"
    ),
}


@pytest.mark.parametrize("name", sorted(CALL_HACKS))
def test_call_hacks_pass_nothing(name: str) -> None:
    reward, details = run(CALL_HACKS[name], CALL_REF, reward="fraction")
    assert reward == 0.0, details


NEAR_INTEGER_HACKS = {  # an exact integer is expected: a float only near it is a different answer
    "float_within_relative_1e-6_of_10**12": ("return 1000000900000.0", 10**12),
    "float_for_an_int_beyond_float_range": ("return 1e300", 10**400),
    "int_beyond_float_range_for_a_float": ("return 10**400", 1.5),
}


@pytest.mark.parametrize("name", sorted(NEAR_INTEGER_HACKS))
def test_near_integer_returns_are_wrong_answers(name: str) -> None:
    body, expected = NEAR_INTEGER_HACKS[name]
    ref = {"tests": {"fn_name": "f", "inputs": [[1]], "outputs": [expected]}}
    reward, details = run(f"def f(x):\n    {body}\n", ref)
    assert (reward, details["first_failure"]["status"]) == (0.0, "wrong_answer"), details
    assert run("def f(x):\n    return 1000000000000.0\n", {"tests": {"fn_name": "f", "inputs": [[1]], "outputs": [10**12]}})[0] == 1.0


SECRET = "PRORL-EXPECTED-7f3a9c"
HUNT = r"""
import os
found, scanned = [], 0
for top in ('/',):
    for root, dirs, files in os.walk(top):
        if root.startswith(('/sys', '/dev')):
            dirs[:] = []
            continue
        for name in files:
            path = os.path.join(root, name)
            try:
                if os.path.getsize(path) > 1 << 20 and not root.startswith('/proc'):
                    continue
                with open(path, 'rb') as f:
                    data = f.read(1 << 20)
                scanned += 1
            except OSError:
                continue
            if b'PRORL-EXPECTED' in data:
                found.append(path)
for key, value in os.environ.items():
    if 'PRORL-EXPECTED' in value:
        found.append('env:' + key)
print(' '.join(found) if found else f'nothing {scanned}')
"""


def test_expected_outputs_are_nowhere_in_the_container() -> None:
    ref = {"tests": {"inputs": ["in-token-1"], "outputs": [SECRET]}, "time_limit_s": 10}
    reward, details = run(HUNT, ref)
    assert reward == 0.0
    got = details["first_failure"]["got"]
    assert got.startswith("nothing"), got
    assert int(got.split()[1]) > 1000  # the walk really read the filesystem


# -- resource abuse: each scores 0, and the sandbox still scores a correct program 1 right after --------
ABUSE = {
    "infinite_loop": "while True:\n    pass\n",
    "sleep_an_hour": "import time\ntime.sleep(3600)\n",
    "allocate_8_gib": "x = bytearray(8 << 30)\nprint(len(x))\n",
    "touch_8_gib": "chunks = []\nwhile True:\n    chunks.append(bytearray(64 << 20))\n",
    "fork_bomb": "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
    "stdout_512_mib": "import sys\nchunk = 'x' * (1 << 20)\nfor _ in range(512):\n    sys.stdout.write(chunk)\n",
    "fill_tmp": (
        "import itertools\nfor d in ('/tmp', '/sandbox', '/'):\n    for i in itertools.count():\n"
        "        try:\n            open(f'{d}/f{i}', 'wb').write(b'x' * (8 << 20))\n"
        "        except OSError:\n            break\n"
    ),
    "network_connection": (
        "import socket\na, b = map(int, input().split())\n"
        "for host, port in (('1.1.1.1', 53), ('172.17.0.1', 2375), ('127.0.0.1', 6379), ('deb.debian.org', 80)):\n"
        "    try:\n        socket.create_connection((host, port), timeout=1)\n        print(a + b)\n        break\n"
        "    except OSError:\n        pass\n"
    ),
    "kill_every_pid": (
        "import os, signal\nfor p in os.listdir('/proc'):\n    if p.isdigit() and int(p) != os.getpid():\n"
        "        try:\n            os.kill(int(p), signal.SIGKILL)\n        except OSError:\n            pass\n"
        "os.kill(-1, signal.SIGKILL)\n"
    ),
}


@pytest.mark.parametrize("name", sorted(ABUSE))
def test_resource_abuse_scores_zero_and_sandbox_stays_healthy(name: str) -> None:
    reward, details = run(ABUSE[name], {**SUM_REF, **FAST})
    assert reward == 0.0, details
    assert run(SUM_OK)[0] == 1.0


def test_killing_everything_does_not_stop_the_harness() -> None:
    """A program that kills every pid it sees and then answers: every later test still runs."""
    program = (
        "import os, signal\nfor p in os.listdir('/proc'):\n    if p.isdigit() and int(p) != os.getpid():\n"
        "        try:\n            os.kill(int(p), signal.SIGKILL)\n        except OSError:\n            pass\n"
        + SUM_OK
    )
    reward, details = run(program)
    assert reward == 1.0 and details["tests_run"] == 3


# -- infrastructure failures are infra_error, never a verdict -------------------------------------------
def _item() -> dict[str, Any]:
    return {"domain": "code", "response": fenced(SUM_OK), "reference": SUM_REF}


def test_missing_image_is_infra_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRORL_SANDBOX_IMAGE", "prorl-no-such-image:nope")
    shared.reset_sandbox()
    try:
        result = verifiers.score(_item(), cache=None)
        assert result.status == "infra_error" and result.reward == 0.0
        assert "build_local.sh" in (result.error or "")
    finally:
        monkeypatch.undo()
        shared.reset_sandbox()


def test_engine_down_is_infra_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRORL_SANDBOX_DOCKER_HOST", "tcp://127.0.0.1:9")
    shared.reset_sandbox()
    try:
        result = verifiers.score(_item(), cache=None)
        assert result.status == "infra_error" and "not reachable" in (result.error or "")
        with pytest.raises(InfraError):
            code.score(fenced(SUM_OK), SUM_REF, ItemOptions())
    finally:
        monkeypatch.undo()
        shared.reset_sandbox()


def test_misconfigured_sandbox_is_infra_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A malformed PRORL_SANDBOX_* value also breaks the item's deadline; that must not raise either."""
    monkeypatch.setenv("PRORL_SANDBOX_PIDS", "many")
    shared.reset_sandbox()
    try:
        result = verifiers.score(_item(), cache=None)
        assert result.status == "infra_error" and "PRORL_SANDBOX_PIDS" in (result.error or "")
    finally:
        monkeypatch.undo()
        shared.reset_sandbox()


def test_batch_through_the_library_keeps_order() -> None:
    items = [_item() for _ in range(3)] + [
        {"domain": "code", "response": fenced(f"print({i})\n"), "reference": SUM_REF} for i in range(3)
    ]
    results = verifiers.score_batch(items, cache=None)
    assert [r.reward for r in results] == [1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    assert all(r.status == "ok" for r in results)


def test_deadline_covers_the_sandbox_budget() -> None:
    small = code.deadline_s(SUM_REF, ItemOptions())
    big = code.deadline_s({**SUM_REF, "time_limit_s": 10}, ItemOptions())
    assert big > small > 3 * (2 * 2 + 0.5)
