"""Reading a code reference into test cases, and judging one test's outputs against its expectation.

Everything here runs in the service, outside the untrusted process: the program's outputs arrive as
plain data (stdout text, or a JSON return value) and are compared as data. Expected outputs never
leave this module for the sandbox.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from verifiers.base import InvalidReference

FLOAT_TOLERANCE = 1e-6
# The reference's ``language`` (case-insensitive) -> what the sandbox runs.
LANGUAGE_ALIASES = {"python": "python", "python3": "python", "py": "python", "cpp": "cpp", "c++": "cpp",
                    "cpp17": "cpp", "cpp14": "cpp", "cpp11": "cpp"}


@dataclass(frozen=True)
class TestSuite:
    """The tests of one reference. ``fn_name`` None means stdin/stdout tests."""

    inputs: list[Any]
    outputs: list[Any]
    fn_name: str | None
    time_limit_s: float | None
    memory_mb: float | None
    language: str = "python"  # "python" or "cpp" (stdin tests only)


def parse_reference(reference: dict[str, Any]) -> TestSuite:
    """APPS/TACO/PRIME ``{"tests": {"inputs", "outputs", "fn_name"?}}`` or LiveCodeBench's test list."""
    if not isinstance(reference, dict):
        raise InvalidReference("code reference must be an object")
    language = LANGUAGE_ALIASES.get(str(reference.get("language", "python")).lower())
    if language is None:
        raise InvalidReference(f"code language {reference.get('language')!r} is not supported "
                               f"(supported: {', '.join(sorted(LANGUAGE_ALIASES))})")
    tests = reference.get("tests")
    if isinstance(tests, str):  # TACO/APPS ship input_output as a JSON string
        try:
            tests = json.loads(tests)
        except (ValueError, RecursionError):  # RecursionError: nesting too deep for the JSON parser
            raise InvalidReference("code reference 'tests' is a string that is not JSON") from None
    fn_name = reference.get("fn_name")
    inputs: Any
    outputs: Any
    if isinstance(tests, list):
        inputs, outputs, fn_name = _from_livecodebench(tests, fn_name or _lcb_func_name(reference))
    elif isinstance(tests, dict):
        inputs, outputs = tests.get("inputs"), tests.get("outputs")
        fn_name = tests.get("fn_name") or fn_name
    else:
        raise InvalidReference("code reference needs 'tests': {inputs, outputs[, fn_name]} or a list of tests")
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        raise InvalidReference("code reference 'tests.inputs' and 'tests.outputs' must be lists")
    if len(inputs) != len(outputs):
        raise InvalidReference(f"code reference has {len(inputs)} inputs but {len(outputs)} outputs")
    if not inputs:
        raise InvalidReference("code reference has no tests")
    if fn_name is not None and (not isinstance(fn_name, str) or not fn_name.isidentifier()):
        raise InvalidReference(f"code reference fn_name {fn_name!r} is not a Python identifier")
    if fn_name is not None and language != "python":
        raise InvalidReference(f"call-based tests (fn_name) are only supported for python, not {language}")
    if fn_name is None:
        inputs = [_text(x, "input") for x in inputs]
        outputs = [_text(x, "output") for x in outputs]
    return TestSuite(
        inputs=inputs,
        outputs=outputs,
        fn_name=fn_name,
        time_limit_s=_positive(reference.get("time_limit_s"), "time_limit_s"),
        memory_mb=_positive(reference.get("memory_mb"), "memory_mb"),
        language=language,
    )


def _lcb_func_name(reference: dict[str, Any]) -> str | None:
    metadata = reference.get("metadata")
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except (ValueError, RecursionError):
            metadata = None
    return metadata.get("func_name") if isinstance(metadata, dict) else None


def _from_livecodebench(tests: list[Any], fn_name: str | None) -> tuple[list[Any], list[Any], str | None]:
    """LiveCodeBench: ``[{"input", "output", "testtype": "stdin"|"functional"}]``.

    Functional tests hold one JSON value per line of ``input`` (the arguments) and a JSON ``output``.
    """
    kinds = {_testtype(t) for t in tests}
    if None in kinds or not kinds <= {"stdin", "functional"}:
        raise InvalidReference("LiveCodeBench tests must be objects with testtype stdin or functional")
    if len(kinds) > 1:
        raise InvalidReference("LiveCodeBench tests mix stdin and functional tests")
    if kinds != {"functional"}:
        return [t.get("input") for t in tests], [t.get("output") for t in tests], None
    if not fn_name:
        raise InvalidReference("functional LiveCodeBench tests need fn_name (or metadata.func_name)")
    inputs, outputs = [], []
    for test in tests:
        try:
            inputs.append([json.loads(line) for line in str(test.get("input", "")).split("\n") if line.strip()])
            outputs.append(json.loads(str(test.get("output"))))
        except (ValueError, RecursionError):
            raise InvalidReference("a functional LiveCodeBench test is not JSON") from None
    return inputs, outputs, fn_name


def _testtype(test: Any) -> str | None:
    """A LiveCodeBench test's kind; None for a test that is not an object or whose kind is not a string."""
    kind = test.get("testtype", "stdin") if isinstance(test, dict) else None
    return kind if isinstance(kind, str) else None


def _text(value: Any, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(value)  # some datasets store stdin/stdout as a list of lines
    raise InvalidReference(f"stdin test {what} must be a string, got {type(value).__name__}")


def _positive(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or math.isinf(value):
        raise InvalidReference(f"code reference {name} must be a positive number")
    return float(value)


# -- judging one test ------------------------------------------------------------------------------
def stdout_matches(actual: str, expected: str) -> bool:
    """Token-wise equality (whitespace and trailing whitespace ignored); floats within 1e-6.

    A float tolerance applies only where the *expected* token is a float, so "3" never matches "3.0".
    """
    got, want = actual.split(), expected.split()
    if len(got) != len(want):
        return False
    return all(g == w or _float_close(g, w) for g, w in zip(got, want, strict=True))


def _float_close(got: str, want: str) -> bool:
    if not any(c in want for c in ".eE"):
        return False
    try:
        g, w = float(got), float(want)
    except ValueError:
        return False
    return math.isfinite(g) and math.isfinite(w) and _close(g, w)


def _close(got: float, want: float) -> bool:
    """Within FLOAT_TOLERANCE absolutely or relative to the expected value (finite numbers only)."""
    return abs(got - want) <= FLOAT_TOLERANCE or abs(got - want) <= FLOAT_TOLERANCE * abs(want)


def json_equal(got: Any, want: Any) -> bool:
    """Equality of JSON values: numbers by value, bools only equal bools, tuples are lists, no stripping."""
    if isinstance(want, bool) or isinstance(got, bool):
        return isinstance(want, bool) and isinstance(got, bool) and got == want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        if isinstance(want, int) and isinstance(got, int):
            return got == want
        try:
            if not (math.isfinite(got) and math.isfinite(want)):
                return got == want
            if isinstance(want, int):
                # An integer answer: 240.0 is 240, but a float only near it is not (a relative 1e-6
                # would accept 1000000900000.0 for 10**12, an approximate count for an exact one).
                return abs(got - want) <= FLOAT_TOLERANCE
            return _close(got, want)
        except OverflowError:  # an int beyond float range against a float: not equal, and no crash
            return False
    if isinstance(want, (list, tuple)):
        return (
            isinstance(got, (list, tuple))
            and len(got) == len(want)
            and all(json_equal(g, w) for g, w in zip(got, want, strict=True))
        )
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return False
        g, w = _str_keys(got), _str_keys(want)  # JSON object keys are strings on both sides
        return g.keys() == w.keys() and all(json_equal(g[k], w[k]) for k in w)
    if want is None or isinstance(want, str):
        return type(got) is type(want) and got == want
    return False


def _str_keys(d: dict[Any, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in d.items()}


def return_matches(got: Any, want: Any) -> bool:
    """A call's JSON return value against the expected one.

    APPS/TACO store a call's expected return value wrapped in a one-element list (``[[1, 2]]`` for a
    function returning ``[1, 2]``); as their own checker does, the unwrapped value also counts. Only
    one-element lists unwrap, so returning the first element of a longer expected list never passes.
    """
    if json_equal(got, want):
        return True
    return isinstance(want, list) and len(want) == 1 and json_equal(got, want[0])
