"""One right and one wrong sample per domain, in the shapes trainers' datasets carry them.

``ground_truth`` is what a verl parquet row holds in ``reward_model.ground_truth`` (a bare answer for
math and MCQ, the JSON test cases for code as verl/PRIME store them, the instruction dict for IFEval,
the reasoning_gym entry); ``label`` is the OpenRLHF ``--label_key`` column (the item as JSON).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import reasoning_gym


@dataclass(frozen=True)
class Sample:
    domain: str
    data_source: str
    response: str
    ground_truth: Any
    reference: dict[str, Any]
    expected: float

    @property
    def label(self) -> str:
        return json.dumps({"domain": self.domain, "reference": self.reference})


def _chain_sum_entry() -> dict[str, Any]:
    entry = dict(reasoning_gym.create_dataset("chain_sum", size=1, seed=3)[0])
    return json.loads(json.dumps(entry))  # as it travels: tuples become lists


def samples() -> list[Sample]:
    """Ten samples: right then wrong, for every domain."""
    code_tests = {"inputs": ["1 2\n", "3 4\n"], "outputs": ["3\n", "7\n"]}
    add = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
    ifeval = {"prompt": "Describe a cat without commas.", "instruction_id_list": ["punctuation:no_comma"],
              "kwargs": [{}]}
    entry = _chain_sum_entry()
    gym = reasoning_gym.create_dataset("chain_sum", size=1, seed=3)
    out = []
    for response, expected in (("so the answer is $\\boxed{\\frac{1}{2}}$", 1.0), ("\\boxed{2}", 0.0)):
        out.append(Sample("math", "lighteval/MATH", response, "0.5", {"answer": "0.5"}, expected))
    for response, expected in (("The answer is (C)", 1.0), ("Answer: A", 0.0)):
        out.append(Sample("mcq", "Idavidrein/gpqa", response, "C", {"answer": "C"}, expected))
    for response, expected in ((add, 1.0), (add.replace("a + b", "a - b"), 0.0)):
        out.append(Sample("code", "codecontests", response, json.dumps(code_tests), {"tests": code_tests}, expected))
    for response, expected in (("A cat is a small soft animal.", 1.0), ("A cat, simply put, purrs.", 0.0)):
        out.append(Sample("ifeval", "google/IFEval", response, ifeval, ifeval, expected))
    for answer in (entry["answer"], "999999"):
        expected = float(gym.score_answer(answer, gym[0]))
        out.append(Sample("reasoning_gym", "reasoning_gym/chain_sum", f"<think>add</think><answer>{answer}</answer>",
                          json.dumps({"entry": entry}), {"entry": entry}, expected))
    assert [s.expected for s in out] == [1.0, 0.0] * 5
    return out
