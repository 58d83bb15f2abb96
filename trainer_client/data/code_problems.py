"""The shipped set of small code problems (``code_problems.jsonl``) and a local runner for OUR programs.

Every problem is a record with both test styles of the contract (stdin/stdout, or call-based with
``fn_name``), plus ``meta.reference_solution`` (passes every test) and ``meta.wrong_solution`` (a
plausible bug that fails at least one). The sandboxed check of both lives in the docker-marked test;
:func:`run_trusted` is a fast in-process check of the same property, and is only ever given the
programs shipped here: untrusted (model) code is never run outside the sandbox.
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from importlib import resources
from typing import Any

from trainer_client.data.records import Record, read_records

_FILE = "code_problems.jsonl"


@cache
def _load() -> tuple[Record, ...]:
    path = resources.files("trainer_client.data").joinpath(_FILE)
    with resources.as_file(path) as real:
        return tuple(read_records(real))


def load_code_problems() -> list[Record]:
    """All shipped code problems as records (fresh copies, safe to modify)."""
    return json.loads(json.dumps(list(_load())))


# One child process runs all of a batch's programs: each test gets fresh globals, its own stdin and a
# captured stdout, so a batch of hundreds of tests costs one interpreter start-up.
_HARNESS = r"""
import contextlib, io, json, sys
jobs = json.load(sys.stdin)
results = []
for job in jobs:
    outs = []
    for test_input in job["inputs"]:
        out = io.StringIO()
        env = {"__name__": "__main__"}
        try:
            if job.get("fn_name"):
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(job["program"], "<program>", "exec"), env)
                    value = env[job["fn_name"]](*test_input)
                outs.append({"ok": True, "value": json.loads(json.dumps(value))})
            else:
                sys.stdin = io.StringIO(test_input)
                with contextlib.redirect_stdout(out):
                    try:
                        exec(compile(job["program"], "<program>", "exec"), env)
                    except SystemExit:
                        pass
                outs.append({"ok": True, "value": out.getvalue()})
        except BaseException as exc:
            outs.append({"ok": False, "error": f"{type(exc).__name__}: {exc}"})
    results.append(outs)
sys.stdout = sys.__stdout__
print(json.dumps(results))
"""


def run_trusted(jobs: list[dict[str, Any]], timeout_s: float = 120.0) -> list[list[dict[str, Any]]]:
    """Run OUR programs (``{"program", "inputs", "fn_name"?}``) in one child process.

    Returns, per job and per input, ``{"ok": True, "value": stdout or return value}`` or
    ``{"ok": False, "error": ...}``. Trusted code only: this is not a sandbox.
    """
    proc = subprocess.run([sys.executable, "-c", _HARNESS], input=json.dumps(jobs), capture_output=True,
                          text=True, timeout=timeout_s)
    if proc.returncode != 0:
        raise RuntimeError(f"local runner failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def outputs_match(got: Any, expected: Any, call_based: bool) -> bool:
    """The contract's comparison: stdout token-wise; return values as JSON data (numbers by value,
    booleans are not numbers)."""
    if not call_based:
        return isinstance(got, str) and got.split() == str(expected).split()
    return _json_equal(got, expected)


def _json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def check_solution(record: Record, program: str, results: list[dict[str, Any]]) -> list[bool]:
    """Per test of ``record``: did the program's local results match the expected outputs?"""
    tests = record["reference"]["tests"]
    call_based = bool(tests.get("fn_name"))
    return [r["ok"] and outputs_match(r["value"], exp, call_based) for r, exp in zip(results, tests["outputs"], strict=True)]
