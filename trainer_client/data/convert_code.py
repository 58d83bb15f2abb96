"""Converters for code datasets: PRIME/Eurus/APPS/TACO-style tests and LiveCodeBench-style tests.

Both become the contract's code reference ``{"language": "python", "tests": {"inputs", "outputs",
"fn_name"?}}``. Real dumps JSON-encode the tests (sometimes twice) and LiveCodeBench compresses its
private tests as base64(zlib(pickle(json))); pickle is code execution, so it is decoded with an
unpickler that refuses every global and can therefore only produce plain strings and containers.
"""

from __future__ import annotations

import base64
import io
import json
import pickle
import zlib
from typing import Any

from trainer_client.data.prompts import build_prompt
from trainer_client.data.records import Record, RecordError, make_record


def _maybe_json(value: Any) -> Any:
    """Decode JSON text (repeatedly: some dumps encode twice); anything else is returned unchanged."""
    for _ in range(3):
        if not isinstance(value, str):
            return value
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _as_text(value: Any) -> str:
    """A stdin/stdout test value as text: APPS sometimes stores a list of lines instead of one string."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    raise RecordError(f"stdin/stdout test value must be text, got {type(value).__name__}")


def code_tests(raw: Any, unwrap_call_outputs: bool = False) -> dict[str, Any]:
    """Normalise ``{"inputs", "outputs", "fn_name"?}`` (dict or JSON text) into the contract's tests.

    ``unwrap_call_outputs``: APPS/TACO store a call's expected return value wrapped in a one-element
    list and their checker accepts either; the contract compares exactly, so such data must be unwrapped.
    """
    tests = _maybe_json(raw)
    if isinstance(tests, dict) and "input_output" in tests:
        tests = _maybe_json(tests["input_output"])
    if not isinstance(tests, dict) or "inputs" not in tests or "outputs" not in tests:
        raise RecordError("code tests need 'inputs' and 'outputs'")
    inputs, outputs = _maybe_json(tests["inputs"]), _maybe_json(tests["outputs"])
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        raise RecordError("code tests 'inputs' and 'outputs' must be lists")
    if len(inputs) != len(outputs) or not inputs:
        raise RecordError(f"code tests need as many outputs as inputs, and at least one ({len(inputs)} vs {len(outputs)})")
    fn_name = tests.get("fn_name")
    if fn_name:
        if not all(isinstance(args, list) for args in inputs):
            raise RecordError("call-based (fn_name) inputs must be argument lists")
        if unwrap_call_outputs:
            if not all(isinstance(o, list) and len(o) == 1 for o in outputs):
                raise RecordError("unwrap_call_outputs: every output must be a one-element list")
            outputs = [o[0] for o in outputs]
        return {"inputs": inputs, "outputs": outputs, "fn_name": str(fn_name)}
    return {"inputs": [_as_text(i) for i in inputs], "outputs": [_as_text(o) for o in outputs]}


def code_question(statement: str, fn_name: str | None = None, starter_code: str | None = None) -> str:
    """The user turn of a code problem: the statement plus how the program is run."""
    parts = [statement.strip()]
    if starter_code and starter_code.strip():
        parts.append(f"Starter code:\n```python\n{starter_code.rstrip()}\n```")
    if fn_name:
        parts.append(f"Your program must define `{fn_name}`; it is called with the arguments of each test "
                     "and its return value is checked.")
    else:
        parts.append("Your program reads the input from standard input and writes the answer to standard output.")
    return "\n\n".join(parts)


def code_record(statement: str, tests: dict[str, Any], meta: dict[str, Any] | None = None,
                starter_code: str | None = None, time_limit_s: float | None = None) -> Record:
    """A code record from a statement and normalised tests."""
    reference: dict[str, Any] = {"language": "python", "tests": tests}
    if time_limit_s:
        reference["time_limit_s"] = float(time_limit_s)
    question = code_question(statement, tests.get("fn_name"), starter_code)
    return make_record(build_prompt("code", question), "code", reference, meta)


def _statement(row: dict[str, Any]) -> str:
    for key in ("problem", "question", "prompt", "question_content", "description"):
        value = row.get(key)
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, list) and value and isinstance(value[-1], dict):  # chat messages
            return str(value[-1].get("content", ""))
    raise RecordError("code row has no problem statement (problem/question/prompt)")


def from_prime(row: dict[str, Any], unwrap_call_outputs: bool = False) -> Record:
    """PRIME/Eurus/APPS/TACO row: a statement plus ``inputs``/``outputs``/``fn_name`` (top level, or in
    ``input_output``/``tests``/``test_cases``/``reward_model.ground_truth``, JSON-encoded or not)."""
    if "inputs" in row:
        raw: Any = {k: row[k] for k in ("inputs", "outputs", "fn_name") if k in row}
    else:
        raw = next((row[k] for k in ("input_output", "tests", "test_cases") if row.get(k)), None)
        if raw is None and isinstance(row.get("reward_model"), dict):
            raw = row["reward_model"].get("ground_truth")
    if raw is None:
        raise RecordError("code row has no tests (inputs/outputs, input_output, tests or ground_truth)")
    tests = code_tests(raw, unwrap_call_outputs)
    meta = {"source": row.get("source") or row.get("data_source") or "prime"}
    if row.get("id") is not None or row.get("problem_id") is not None:
        meta["id"] = row.get("id", row.get("problem_id"))
    return code_record(_statement(row), tests, meta, starter_code=row.get("starter_code"))


# ---------------------------------------------------------------- LiveCodeBench


class _StringsOnlyUnpickler(pickle.Unpickler):
    """Unpickles plain data only: any class or function reference is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise RecordError(f"refusing to unpickle {module}.{name}: test cases may only hold plain data")


def decode_lcb_tests(raw: Any) -> list[dict[str, Any]]:
    """LiveCodeBench test cases: a list, its JSON text, or base64(zlib(pickle(JSON text)))."""
    value = _maybe_json(raw)
    if isinstance(value, str) and value.strip():
        try:
            blob = zlib.decompress(base64.b64decode(value))
        except (ValueError, zlib.error) as exc:
            raise RecordError(f"LiveCodeBench tests are neither JSON nor base64-zlib-pickle: {exc}") from exc
        value = _maybe_json(_StringsOnlyUnpickler(io.BytesIO(blob)).load())
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise RecordError("LiveCodeBench tests must be a list of {input, output, testtype}")
    return value


def from_lcb(row: dict[str, Any]) -> Record:
    """LiveCodeBench row: ``question_content``, ``starter_code``, ``public_test_cases`` and
    ``private_test_cases`` (``{"input", "output", "testtype": "stdin" | "functional"}``), ``metadata``
    with ``func_name`` for functional problems, whose inputs are one JSON value per line."""
    cases = decode_lcb_tests(row.get("public_test_cases")) + decode_lcb_tests(row.get("private_test_cases"))
    if not cases:
        raise RecordError("LiveCodeBench row has no test cases")
    kinds = {c.get("testtype", "stdin") for c in cases}
    if len(kinds) != 1:
        raise RecordError(f"LiveCodeBench row mixes test types {sorted(kinds)}")
    metadata = _maybe_json(row.get("metadata")) or {}
    if kinds == {"functional"}:
        fn_name = metadata.get("func_name") if isinstance(metadata, dict) else None
        if not fn_name:
            raise RecordError("functional LiveCodeBench row needs metadata.func_name")
        try:
            inputs = [[json.loads(line) for line in c["input"].split("\n") if line.strip()] for c in cases]
            outputs = [json.loads(c["output"]) for c in cases]
        except (json.JSONDecodeError, KeyError, AttributeError) as exc:
            raise RecordError(f"functional LiveCodeBench test is not JSON: {exc}") from exc
        tests: dict[str, Any] = {"inputs": inputs, "outputs": outputs, "fn_name": fn_name}
    else:
        tests = {"inputs": [_as_text(c["input"]) for c in cases], "outputs": [_as_text(c["output"]) for c in cases]}
    meta = {k: row[k] for k in ("question_id", "question_title", "platform", "contest_date", "difficulty")
            if row.get(k) is not None}
    meta["source"] = "livecodebench"
    meta = json.loads(json.dumps(meta, default=str))  # dates from Parquet become text
    return code_record(_statement(row), tests, meta, starter_code=row.get("starter_code"))
