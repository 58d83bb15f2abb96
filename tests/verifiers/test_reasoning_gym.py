"""verifiers/reasoning_gym/__init__.py called directly: extraction, exact scorer rewards, guards, bad references."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import reasoning_gym
from reasoning_gym.factory import DATASETS
from reasoning_gym.utils import extract_answer as rg_extract_answer

from verifiers import reasoning_gym as vrg
from verifiers.base import InvalidReference
from verifiers.reasoning_gym.arith import Refused, sympy_expression
from verifiers.schemas import ItemOptions

GOLDEN = Path(__file__).parents[1] / "golden" / "reasoning_gym.jsonl"
CASES = [json.loads(line) for line in GOLDEN.read_text().splitlines() if line.strip()]
OPTS = ItemOptions()


def _entry(task: str, index: int = 0, seed: int = 11) -> dict[str, Any]:
    """A real entry as a client would send it (JSON round trip)."""
    return json.loads(json.dumps(reasoning_gym.create_dataset(task, size=index + 1, seed=seed)[index]))


def _score(task_entry: dict[str, Any], response: str) -> vrg.Verdict:
    return vrg.score(response, {"entry": task_entry}, OPTS)


def test_scorable_tasks_are_the_installed_registry_minus_the_wrappers() -> None:
    assert vrg.scorable_tasks() == set(DATASETS) - set(vrg.NOT_SCORABLE)
    assert set(vrg.NOT_SCORABLE) <= set(DATASETS)


def test_golden_set_covers_every_scorable_task_with_gold_and_wrong() -> None:
    """The cases themselves are re-scored through the pool by tests/verifiers/test_golden.py."""
    ids = {c["item"]["id"] for c in CASES}
    for task in vrg.scorable_tasks():
        assert {f"rg-{task}-gold", f"rg-{task}-wrong"} <= ids, task
    assert all(c["expected_reward"] == 1.0 for c in CASES if c["item"]["id"].endswith("-gold"))


def test_extraction_matches_reasoning_gym_on_random_tag_soup() -> None:
    rng = random.Random(0)
    pieces = ["<answer>", "</answer>", " ", "\n", "x", "42", "<answer", "answer>", "</", "\t"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        theirs = rg_extract_answer(text)
        expected = (theirs, True) if theirs is not None else (text.strip(), False)
        assert vrg.extract_answer(text) == expected, repr(text)


def test_last_answer_tag_wins_and_untagged_text_is_the_answer() -> None:
    entry = _entry("basic_arithmetic")
    gold = entry["answer"]
    assert _score(entry, f"<answer>0</answer> then <answer> {gold} </answer>").reward == 1.0
    assert _score(entry, f"<answer>{gold}</answer> no wait <answer>0</answer>").reward == 0.0
    verdict = _score(entry, f"\n  {gold}\n")
    assert verdict.reward == 1.0 and verdict.details["answer_tag"] is False


def test_reward_is_the_scorers_partial_credit() -> None:
    entry = _entry("spell_backward")
    scorer = reasoning_gym.get_score_answer_fn("spell_backward")
    wrong = entry["answer"][:-1] + "#"  # credit per matching leading letter
    verdict = _score(entry, f"<answer>{wrong}</answer>")
    assert 0.0 < verdict.reward < 1.0
    assert verdict.reward == scorer(wrong, entry)


def test_arc_gold_survives_json() -> None:
    for task in ("arc_agi", "rearc"):
        entry = _entry(task)
        assert _score(entry, f"<answer>{entry['answer']}</answer>").reward == 1.0, task


@pytest.mark.parametrize(("answer", "reward"), [("banana", 0.0), ("", 0.0), ("no", 0.0)])
def test_game_of_life_halting_cannot_be_won_by_any_text(answer: str, reward: float) -> None:
    entry = _entry("game_of_life_halting")
    assert _score(entry, f"<answer>{answer}</answer>").reward == reward
    assert _score(entry, f"<answer>{entry['answer'].upper()}</answer>").reward == 1.0
    flipped = "False" if entry["answer"] == "True" else "True"
    assert _score(entry, f"<answer>{flipped}</answer>").reward == 0.0


def test_scorer_exception_is_a_wrong_answer() -> None:
    entry = _entry("prime_factorization")
    verdict = _score(entry, "<answer>not a number</answer>")
    assert verdict.reward == 0.0
    assert verdict.details["reason"] == "scorer_error"
    assert "ValueError" in verdict.details["error"]


def test_entry_whose_own_gold_breaks_the_scorer_is_invalid() -> None:
    entry = _entry("prime_factorization")
    entry["answer"] = "not a number either"
    with pytest.raises(InvalidReference, match="own answer"):
        _score(entry, "<answer>not a number</answer>")


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ({}, "needs 'entry'"),
        ({"entry": "leg_counting"}, "needs 'entry'"),
        ({"entry": {"question": "q", "answer": "1"}}, "'metadata'"),
        ({"entry": {"question": "q", "answer": "1", "metadata": {}}}, "source_dataset"),
        ({"entry": {"question": "q", "metadata": {"source_dataset": "leg_counting"}}}, "'answer'"),
        ({"entry": {"question": "q", "answer": "1", "metadata": {"source_dataset": "no_such_task"}}}, "unknown"),
        ({"entry": {"question": "q", "answer": "1", "metadata": {"source_dataset": "composite"}}}, "mixture"),
    ],
)
def test_invalid_reference(reference: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidReference, match=message):
        vrg.score("<answer>1</answer>", reference, OPTS)


@pytest.mark.parametrize(
    ("raw", "reward", "reason"),
    [(2.5, 1.0, "scored"), (-1, 0.0, "scored"), (float("nan"), 0.0, "nan"), (None, 0.0, "non-number"),
     ("0.5", 0.5, "scored"), (True, 1.0, "scored")],
)
def test_scorer_values_are_clamped(monkeypatch: pytest.MonkeyPatch, raw: Any, reward: float, reason: str) -> None:
    monkeypatch.setattr(vrg, "_run", lambda task, answer, entry: (raw, None))
    verdict = _score(_entry("leg_counting"), "<answer>1</answer>")
    assert verdict.reward == reward
    assert reason in verdict.details["reason"]


@pytest.mark.parametrize("task", ["n_queens", "binary_matrix", "string_insertion", "spiral_matrix"])
def test_eval_scorers_never_run_code(task: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    attack = f"open({str(marker)!r}, 'w').write('x')"
    assert _score(_entry(task), f"<answer>{attack}</answer>").reward == 0.0
    assert not marker.exists()


@pytest.mark.parametrize("task", ["countdown", "puzzle24", "simple_integration", "polynomial_multiplication"])
def test_sympy_scorers_never_run_code(task: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    attack = f"__import__('os').system('touch {marker}') + 1"
    verdict = _score(_entry(task), f"<answer>{attack}</answer>")
    assert verdict.reward < 0.1
    assert verdict.details["refused_to_parse"]
    assert not marker.exists()


def _octal(text: str) -> str:
    return "".join(f"\\{ord(c):o}" for c in text)


@pytest.mark.parametrize("wrapper", ["S('{}')", 'N("{}") + 1'])
@pytest.mark.parametrize(
    "task", ["countdown", "puzzle24", "simple_integration", "intermediate_integration", "polynomial_multiplication"]
)
def test_sympy_scorers_refuse_code_spelled_in_string_escapes(task: str, wrapper: str, tmp_path: Path) -> None:
    """No name longer than one letter, yet sympify(S/N) of the decoded string used to run it (verified):
    one answer could rewrite the worker's other scorers and make every later item on it score 1."""
    marker = tmp_path / "pwned"
    attack = wrapper.format(_octal(f"__import__('os').system('touch {marker}')"))
    verdict = _score(_entry(task), f"<answer>{attack}</answer>")
    assert verdict.reward < 0.1
    assert verdict.details["refused_to_parse"]
    assert not marker.exists()


@pytest.mark.parametrize("answer", ["E.n(10**6)", "x . func", "S.true", "x + `1`"])
def test_sympy_guard_refuses_attributes_and_backticks(answer: str) -> None:
    with pytest.raises(Refused):
        sympy_expression(answer)


def test_eval_scorers_still_read_list_literals() -> None:
    entry = _entry("n_queens")
    board = [row.split() for row in entry["answer"].splitlines()]
    scorer = reasoning_gym.get_score_answer_fn("n_queens")
    verdict = _score(entry, f"<answer>{board!r}</answer>")
    assert verdict.reward == 0.5 == scorer(repr(board), entry)  # the scorer's credit for a list answer


def test_maths_answers_still_parse() -> None:
    entry = _entry("intermediate_integration", index=1)
    assert _score(entry, f"<answer>{entry['answer']}</answer>").reward == 1.0
    sympy_expression("2*sqrt(x) + exp(x)**2 + 1.5e3 + C")
    with pytest.raises(Refused):
        sympy_expression("Integral(exp(x), x)")  # the question echoed back as an unevaluated integral


def test_dedup_key_is_the_extracted_answer() -> None:
    reference = {"entry": _entry("leg_counting")}
    key = vrg.dedup_key("<think>a</think><answer>12</answer>", reference, OPTS)
    assert key == vrg.dedup_key("different prose <answer> 12 </answer>", reference, OPTS)
    assert key != vrg.dedup_key("12", reference, OPTS)
    assert key != vrg.dedup_key("<answer>13</answer>", reference, OPTS)
