"""PRIME/APPS-style and LiveCodeBench-style code rows become the contract's code reference."""

from __future__ import annotations

import base64
import json
import pickle
import zlib

import pytest

from trainer_client.data.convert_code import decode_lcb_tests, from_lcb, from_prime
from trainer_client.data.records import RecordError


def test_prime_row_with_json_encoded_stdin_tests() -> None:
    row = {"problem": "Add two numbers.", "source": "codecontests",
           "input_output": json.dumps({"inputs": ["1 2\n", "3 4\n"], "outputs": ["3\n", "7\n"]})}
    record = from_prime(row)
    assert record["domain"] == "code"
    assert record["reference"] == {"language": "python", "tests": {"inputs": ["1 2\n", "3 4\n"],
                                                                   "outputs": ["3\n", "7\n"]}}
    assert "standard input" in record["prompt"][-1]["content"]
    assert record["meta"]["source"] == "codecontests"


def test_prime_row_with_top_level_call_tests_and_doubly_encoded_lists() -> None:
    row = {"question": "Return the sum.", "fn_name": "add",
           "inputs": json.dumps(json.dumps([[1, 2], [3, 4]])), "outputs": json.dumps([3, 7])}
    tests = from_prime(row)["reference"]["tests"]
    assert tests == {"inputs": [[1, 2], [3, 4]], "outputs": [3, 7], "fn_name": "add"}


def test_prime_ground_truth_in_reward_model_and_apps_wrapped_outputs() -> None:
    gt = json.dumps({"inputs": [[[1, 2]], [[]]], "outputs": [[[2, 1]], [[]]], "fn_name": "rev"})
    row = {"prompt": [{"role": "user", "content": "Reverse a list."}], "reward_model": {"ground_truth": gt}}
    assert from_prime(row)["reference"]["tests"]["outputs"] == [[[2, 1]], [[]]]
    unwrapped = from_prime(row, unwrap_call_outputs=True)["reference"]["tests"]
    assert unwrapped["outputs"] == [[2, 1], []]
    assert unwrapped["inputs"] == [[[1, 2]], [[]]]


def test_prime_stdin_lines_lists_are_joined() -> None:
    row = {"problem": "p", "inputs": [["1", "2"]], "outputs": [["3"]]}
    assert from_prime(row)["reference"]["tests"] == {"inputs": ["1\n2"], "outputs": ["3"]}


@pytest.mark.parametrize("row, reason", [
    ({"problem": "p"}, "no tests"),
    ({"problem": "p", "inputs": ["1"], "outputs": []}, "as many outputs"),
    ({"problem": "p", "inputs": ["1"], "outputs": ["1"], "fn_name": "f"}, "argument lists"),
    ({"inputs": ["1"], "outputs": ["1"]}, "statement"),
])
def test_prime_bad_rows_say_why(row: dict, reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        from_prime(row)


def _lcb_compress(cases: list[dict]) -> str:
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(cases)))).decode()


def test_lcb_stdin_row_with_compressed_private_tests() -> None:
    public = [{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]
    private = [{"input": "5 5\n", "output": "10\n", "testtype": "stdin"}]
    row = {"question_title": "A+B", "question_content": "Add.", "starter_code": "", "platform": "atcoder",
           "public_test_cases": json.dumps(public), "private_test_cases": _lcb_compress(private),
           "metadata": "{}", "question_id": "abc001_a"}
    record = from_lcb(row)
    assert record["reference"]["tests"] == {"inputs": ["1 2\n", "5 5\n"], "outputs": ["3\n", "10\n"]}
    assert record["meta"]["question_id"] == "abc001_a"
    assert record["meta"]["source"] == "livecodebench"


def test_lcb_functional_row_parses_one_json_argument_per_line() -> None:
    public = [{"input": "[1, 2, 3]\n2", "output": "5", "testtype": "functional"},
              {"input": "[]\n0", "output": "0", "testtype": "functional"}]
    row = {"question_content": "Sum from index k.", "starter_code": "class Solution:\n    def f(self, a, k):\n",
           "public_test_cases": json.dumps(public), "private_test_cases": "",
           "metadata": json.dumps({"func_name": "f"})}
    record = from_lcb(row)
    assert record["reference"]["tests"] == {"inputs": [[[1, 2, 3], 2], [[], 0]], "outputs": [5, 0], "fn_name": "f"}
    assert "class Solution" in record["prompt"][-1]["content"]


def test_lcb_refuses_pickles_that_reference_code() -> None:
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    blob = base64.b64encode(zlib.compress(pickle.dumps(Evil()))).decode()
    with pytest.raises(RecordError, match="refusing to unpickle"):
        decode_lcb_tests(blob)


def test_lcb_mixed_or_missing_tests_are_rejected() -> None:
    mixed = [{"input": "1", "output": "1", "testtype": "stdin"}, {"input": "1", "output": "1", "testtype": "functional"}]
    with pytest.raises(RecordError, match="mixes"):
        from_lcb({"question_content": "q", "public_test_cases": json.dumps(mixed)})
    with pytest.raises(RecordError, match="no test cases"):
        from_lcb({"question_content": "q", "public_test_cases": "[]"})
    functional = [{"input": "1", "output": "1", "testtype": "functional"}]
    with pytest.raises(RecordError, match="func_name"):
        from_lcb({"question_content": "q", "public_test_cases": json.dumps(functional), "metadata": "{}"})


@pytest.mark.docker
def test_converted_records_score_through_the_real_code_verifier(sandbox_image: str) -> None:
    """What the converters produce is what the code verifier runs: a LiveCodeBench functional problem
    (class Solution) and an APPS call-based problem with wrapped outputs, right and wrong programs."""
    from verifiers import score_batch

    lcb = from_lcb({"question_content": "Sum from index k.", "metadata": json.dumps({"func_name": "tail_sum"}),
                    "public_test_cases": json.dumps([{"input": "[1, 2, 3]\n1", "output": "5", "testtype": "functional"},
                                                     {"input": "[]\n0", "output": "0", "testtype": "functional"}])})
    apps = from_prime({"question": "Reverse.", "input_output": json.dumps(
        {"fn_name": "rev", "inputs": [[[1, 2]], [[]]], "outputs": [[[2, 1]], [[]]]})}, unwrap_call_outputs=True)
    good_lcb = "class Solution:\n    def tail_sum(self, a, k):\n        return sum(a[k:])\n"
    bad_lcb = "class Solution:\n    def tail_sum(self, a, k):\n        return sum(a[k + 1:])\n"
    good_apps, bad_apps = "def rev(xs):\n    return xs[::-1]\n", "def rev(xs):\n    return [xs[::-1]]\n"
    items = [{"domain": "code", "reference": rec["reference"], "response": f"```python\n{prog}```"}
             for rec, prog in [(lcb, good_lcb), (lcb, bad_lcb), (apps, good_apps), (apps, bad_apps)]]
    results = score_batch(items, cache=None)
    assert [(r.status, r.reward) for r in results] == [("ok", 1.0), ("ok", 0.0), ("ok", 1.0), ("ok", 0.0)]
