"""verl's SandboxFusion reward path, re-implemented line for line in behaviour, for the golden-set comparison.

The real verl 0.9.1 wheel drives the same path end to end in tests/integrations/test_verl.py (in its own
package directory: verl's hydra pins antlr4 4.9, which would break math-verify in this process).

Source: volcengine/verl ``verl/utils/reward_score/sandbox_fusion/utils.py`` (``call_sandbox_api``,
``_process_single_case``, ``check_correctness``; commit 9c523b5b, the version that sends
``memory_limit_MB`` and wraps call-based tests) and ``verl/utils/reward_score/sandbox_fusion/__init__.py``
(``compute_score``: code extraction and the pass-rate score). ``default_compute_score`` calls it with
``continuous=True`` for data sources codecontests/apps/codeforces/taco, and verl's trainer passes
``reward_model.sandbox_fusion.url`` / ``.memory_limit_mb`` (default 1024) / ``.max_concurrent``.

Test cases run one after another here instead of on verl's thread pool; each case is independent,
so the verdicts are the same.
"""

from __future__ import annotations

import json
from typing import Any

import requests

API_TIMEOUT = 10  # verl: request timeout = compile_timeout + run_timeout + API_TIMEOUT

# verl's call-based wrapper, same behaviour: star-imports of common modules, the user's code, then one
# JSON value per stdin line as the arguments of fn_name (a global function, else Solution().fn_name),
# and the result printed as JSON for dict/list/tuple/None/bool, else with str().
_CALL_WRAPPER = """
import traceback
from string import *
from re import *
from datetime import *
from collections import *
from heapq import *
from bisect import *
from copy import *
from math import *
from random import *
from statistics import *
from itertools import *
from functools import *
from operator import *
from io import *
from sys import *
from json import *
from builtins import *
from typing import *
import string, re, datetime, collections, heapq, bisect, copy, math, random, statistics, itertools
import functools, operator, io, sys, json

{generation}

_SANDBOX_FN_NAME = "{fn_name}"

def _execute_user_function():
    _raw_input_str = sys.stdin.read()
    _args = []
    if _raw_input_str.strip():
        try:
            _args = [json.loads(line) for line in _raw_input_str.split('\\n')]
        except json.JSONDecodeError as _je:
            sys.stderr.write(f"WrapperError: Invalid JSON input: {{_je}}\\n")
            return None, True
    try:
        _target_callable = None
        if _SANDBOX_FN_NAME in globals():
            _target_callable = globals()[_SANDBOX_FN_NAME]
        elif 'Solution' in globals():
            _target_callable = getattr(globals()['Solution'](), _SANDBOX_FN_NAME)
        if not _target_callable:
            sys.stderr.write("WrapperError: function not found\\n")
            return None, True
        return _target_callable(*_args), False
    except Exception:
        sys.stderr.write(traceback.format_exc())
        return None, True

if __name__ == '__main__':
    _result, _error_occurred = _execute_user_function()
    if not _error_occurred:
        if isinstance(_result, (dict, list, tuple)) or _result is None or isinstance(_result, bool):
            print(json.dumps(_result))
        elif isinstance(_result, (int, float, str)):
            print(str(_result))
        else:
            print(str(_result))
"""


def request_body(code: str, stdin: str, compile_timeout: int | float, run_timeout: int | float,
                 memory_limit_mb: int, language: str = "python") -> str:
    """The exact body verl's ``call_sandbox_api`` posts (``json.dumps`` of this dict, keys in this order)."""
    return json.dumps({
        "compile_timeout": compile_timeout,
        "run_timeout": run_timeout,
        "code": code,
        "stdin": stdin,
        "memory_limit_MB": memory_limit_mb,
        "language": language,
        "files": {},
        "fetch_files": [],
    })


def call_sandbox_api(url: str, code: str, stdin: str, compile_timeout: float, run_timeout: float,
                     memory_limit_mb: int) -> tuple[dict[str, Any] | None, str | None]:
    """verl's request: same headers, body and timeout; (response JSON, None) or (None, error)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    try:
        response = requests.post(url, headers=headers, timeout=compile_timeout + run_timeout + API_TIMEOUT,
                                 data=request_body(code, stdin, compile_timeout, run_timeout, memory_limit_mb))
        response.raise_for_status()
        return response.json(), None
    except (requests.exceptions.RequestException, ValueError) as exc:
        return None, f"API Call Failed: {exc}"


def case_verdict(api_response: dict[str, Any] | None, error: str | None, expected_output: Any) -> tuple[Any, str]:
    """verl's ``_process_single_case`` verdict: True / False / -1 api or sandbox error / -2 runtime error /
    -3 timeout / -4 compile error, with verl's metadata status name."""
    if error or not api_response:
        return -1, "api_error"
    api_status = api_response.get("status")
    compile_result = api_response.get("compile_result")
    run_result = api_response.get("run_result")
    compile_status = compile_result.get("status") if compile_result else None
    run_status = run_result.get("status") if run_result else None
    if api_status == "SandboxError":
        return -1, "sandbox_error"
    if api_status == "Failed":
        if compile_result and (compile_status in ("Error", "TimeLimitExceeded")
                               or (compile_status == "Finished" and compile_result.get("return_code") != 0)):
            return -4, "compile_timeout" if compile_status == "TimeLimitExceeded" else "compile_error"
        if run_result:
            if run_status == "TimeLimitExceeded":
                return -3, "timeout"
            if run_status == "Error" or (run_status == "Finished" and run_result.get("return_code") != 0):
                return -2, "runtime_error"
            return -1, "unknown_failure"
        return -1, "unknown_failure_state"
    if api_status == "Success":
        if run_result and run_status == "Finished":
            stdout = run_result.get("stdout")
            actual = stdout if stdout is not None else ""
            if str(actual).rstrip("\n") == str(expected_output).rstrip("\n"):
                return True, "success"
            return False, "wrong_answer"
        return -1, "unexpected_success_state"
    return -1, f"unknown_api_status_{api_status}"


def program_for_case(generation: str, fn_name: str | None) -> str:
    """What verl sends as ``code``: the generation, or the call wrapper around it when fn_name is set."""
    return _CALL_WRAPPER.format(generation=generation, fn_name=fn_name) if fn_name else generation


def extract_solution(completion: str) -> str:
    """verl's ``compute_score`` code extraction (last ```python block, else the first fenced block)."""
    solution = completion
    if "```python" in completion:
        solution = completion.split("```python")[-1].split("```")[0]
    elif "```" in completion:
        parts = completion.split("```")
        if len(parts) >= 2:
            solution = parts[1]
            if "\n" in solution:
                first_line, rest = solution.split("\n", 1)
                if first_line.strip().isalpha():
                    solution = rest
    return solution


def score_from_results(results: list[Any], continuous: bool) -> float:
    """verl's pass rate: over the first 10 cases when ``continuous``, else over all; only ``True`` passes."""
    if not results:
        return 0.0
    considered = results[: min(len(results), 10)] if continuous else results
    return sum(1 for r in considered if r is True) / len(considered)
