"""The code domain with ``reference.language: "cpp"``: the last ```cpp block is compiled and judged by the
same stdin comparison as Python; a compile error is a wrong answer with the compiler's message."""

from __future__ import annotations

import pytest

import verifiers
from sandboxes import DockerSandbox
from tests.fixtures.docker import code_sandbox, sandbox_image  # noqa: F401
from verifiers import code
from verifiers.base import InvalidReference
from verifiers.schemas import ItemOptions

REF = {"language": "cpp", "tests": {"inputs": ["1 2\n", "3 4\n", "10 -2\n"], "outputs": ["3\n", "7\n", "8\n"]}}
RIGHT = "#include <iostream>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b<<\"\\n\";}\n"
WRONG = "#include <iostream>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a*b<<\"\\n\";}\n"


@pytest.fixture(scope="module", autouse=True)
def shared_sandbox(code_sandbox: DockerSandbox) -> DockerSandbox:  # noqa: F811
    """Every test here scores through the verifier's own process-wide sandbox."""
    return code_sandbox


def answer(program: str, tag: str = "cpp") -> str:
    return f"Here it is.\n```{tag}\n{program}```\n"


def test_the_cpp_block_is_the_program_for_a_cpp_problem() -> None:
    text = answer("print(1)\n", "python") + answer(RIGHT)
    assert code.extract_program(text, "cpp") == RIGHT
    assert code.extract_program(text) == "print(1)\n"  # a Python problem still takes the Python block
    assert code.extract_program(answer(RIGHT, "c++"), "cpp") == RIGHT


@pytest.mark.parametrize(("program", "reward"), [(RIGHT, 1.0), (WRONG, 0.0)])
def test_right_and_wrong_programs(program: str, reward: float) -> None:
    verdict = code.score(answer(program), REF, ItemOptions())
    assert verdict.reward == reward, verdict.details


def test_a_compile_error_is_a_wrong_answer_with_the_message() -> None:
    verdict = code.score(answer("int main() { return missing_name; }\n"), REF, ItemOptions())
    assert verdict.reward == 0.0 and verdict.details["reason"] == "compile_error"
    assert "missing_name" in verdict.details["compile_error"]


def test_hacks_pass_nothing_in_cpp_either() -> None:
    for program in ("int main(){return 0;}\n",  # prints nothing
                    "#include <cstdio>\nint main(){printf(\"3\\n\");}\n",  # the first expected output, always
                    "#include <cstdlib>\nint main(){std::system(\"cat /sandbox/* /tmp/* 2>/dev/null\");}\n"):
        assert code.score(answer(program), REF, ItemOptions()).reward == 0.0, program


def test_call_mode_in_cpp_is_invalid_and_unknown_languages_are_named() -> None:
    with pytest.raises(InvalidReference, match="only supported for python"):
        code.score(answer(RIGHT), {"language": "cpp", "tests": {"fn_name": "f", "inputs": [[1]], "outputs": [1]}},
                   ItemOptions())
    results = verifiers.score_batch([
        {"id": "cpp", "domain": "code", "response": answer(RIGHT), "reference": REF},
        {"id": "go", "domain": "code", "response": answer(RIGHT), "reference": {**REF, "language": "go"}},
    ], cache=None)
    assert (results[0].status, results[0].reward) == ("ok", 1.0)
    assert results[1].status == "invalid" and "'go' is not supported" in (results[1].error or "")
