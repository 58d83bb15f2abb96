"""One problem in one container: the harness protocol, outputs as data, limits, early stop, hard kill."""

from __future__ import annotations

from dataclasses import dataclass

from sandboxes import DockerSandbox, SandboxLimits, SandboxSettings


def test_stdin_tests_run_in_order_with_their_own_input(sandbox: DockerSandbox) -> None:
    code = "n = int(input())\nprint(n * n)\n"
    report = sandbox.run(code, ["3\n", "-4\n", "x\n"])
    assert report.ended == "completed"
    assert [t.stdout for t in report.tests] == ["9\n", "16\n", ""]
    assert [t.exit_code for t in report.tests] == [0, 0, 1]
    assert "ValueError" in report.tests[2].stderr


def test_program_runs_byte_for_byte(sandbox: DockerSandbox) -> None:
    code = "def f(x):\r\n\treturn x + 1   \r\nprint(f(int(input())))\r\n"
    assert sandbox.run(code, ["1"]).tests[0].stdout == "2\n"


def test_call_results_travel_as_json_data_apart_from_prints(sandbox: DockerSandbox) -> None:
    code = (
        "class Solution:\n"
        "    def f(self, kind):\n"
        "        print('{\"value\": 42}')  # prints never reach the result channel\n"
        "        return {'tuple': (1, 2), 'none': None, 'empty': '', 'list': [], 'float': 2.5}[kind]\n"
    )
    report = sandbox.run(code, [["tuple"], ["none"], ["empty"], ["list"], ["float"]], fn_name="f")
    assert [t.result for t in report.tests] == [
        {"value": [1, 2]}, {"value": None}, {"value": ""}, {"value": []}, {"value": 2.5}
    ]


def test_plain_function_and_unserialisable_return(sandbox: DockerSandbox) -> None:
    code = "def g(a, b):\n    return object() if a < 0 else a * b\n"
    report = sandbox.run(code, [[2, 3], [-1, 1]], fn_name="g")
    assert report.tests[0].result == {"value": 6}
    assert report.tests[1].result is None and report.tests[1].exit_code == 1


def test_should_continue_stops_the_run(sandbox: DockerSandbox) -> None:
    seen = []
    report = sandbox.run("print(input())", ["a", "b", "c"], should_continue=lambda t: seen.append(t) or False)
    assert report.ended == "stopped"
    assert len(report.tests) == 1 and len(seen) == 1


def test_time_limit_is_cpu_time_and_sleepers_hit_the_wall_limit(sandbox: DockerSandbox) -> None:
    report = sandbox.run("import time\nwhile True: pass", [""], time_limit_s=0.5)
    assert report.tests[0].status == "timeout"
    report = sandbox.run("import time\ntime.sleep(3600)", [""], time_limit_s=0.3)
    assert report.tests[0].status == "timeout"
    assert report.tests[0].wall_s < 5


def test_output_cap_kills_the_program(sandbox: DockerSandbox) -> None:
    report = sandbox.run("import sys\nwhile True: sys.stdout.write('x' * 65536)", [""], time_limit_s=2)
    test = report.tests[0]
    assert test.status == "output_limit"
    assert len(test.stdout or "") <= sandbox.settings.limits.output_limit_mb * 1024 * 1024


@dataclass(frozen=True)
class _TinyBudget(SandboxLimits):
    def outer_deadline_s(self, time_limit_s: float, n_tests: int, compiled: bool = False) -> float:
        return 1.0


def test_outer_deadline_kills_the_container_from_outside(sandbox_image: str) -> None:
    box = DockerSandbox(SandboxSettings(image=sandbox_image, pool_size=1, limits=_TinyBudget()))
    try:
        report = box.run("import time\ntime.sleep(3600)", [""], time_limit_s=5)
        assert report.ended == "killed"
        assert report.wall_s < 5
        assert box.run("print(7)", [""]).tests[0].stdout == "7\n"  # the next problem is fine
    finally:
        box.close()


def test_program_ends_like_the_interpreter_threads_and_atexit(sandbox: DockerSandbox) -> None:
    """Solving in a big-stack thread, or printing from an atexit hook, are common and correct."""
    threaded = (
        "import sys, threading\nsys.setrecursionlimit(1 << 20)\nthreading.stack_size(1 << 26)\n"
        "def depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)\n"
        "def main():\n    print(depth(int(input())))\n"
        "threading.Thread(target=main).start()\n"
    )
    assert sandbox.run(threaded, ["100000\n"], time_limit_s=5).tests[0].stdout == "100000\n"
    at_exit = "import atexit, sys\nout = []\natexit.register(lambda: sys.stdout.write(''.join(out)))\nout.append('hi\\n')\n"
    assert sandbox.run(at_exit, [""]).tests[0].stdout == "hi\n"
