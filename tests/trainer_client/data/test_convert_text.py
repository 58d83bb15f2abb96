"""verl, GPQA, IFEval, reasoning_gym and MATH-style rows become contract records."""

from __future__ import annotations

import json

import pytest
import reasoning_gym

from trainer_client.data.convert_text import from_gpqa, from_ifeval, from_math, from_reasoning_gym, from_verl
from trainer_client.data.records import RecordError


def test_math_answer_solution_and_gsm8k_forms() -> None:
    assert from_math({"problem": "1/2?", "answer": "\\frac{1}{2}"})["reference"] == {"answer": "\\frac{1}{2}"}
    solution = "We get $\\boxed{3}$ first, but in fact $x = \\boxed{\\frac{\\sqrt{3}}{2}}$."
    record = from_math({"problem": "p", "solution": solution, "level": "Level 5", "type": "Algebra"})
    assert record["reference"] == {"answer": "\\frac{\\sqrt{3}}{2}"}
    assert record["meta"] == {"level": "Level 5", "type": "Algebra"}
    assert "\\boxed{}" in record["prompt"][0]["content"]
    gsm = from_math({"question": "How many?", "answer": "3 + 4 = 7 apples\n#### 1,007"})
    assert gsm["reference"] == {"answer": "1007"}


def test_math_without_gold_is_rejected() -> None:
    with pytest.raises(RecordError, match="no 'answer'"):
        from_math({"problem": "p", "solution": "no box"})
    with pytest.raises(RecordError, match="problem"):
        from_math({"answer": "1"})


GPQA_ROW = {"Question": "Which particle is a lepton?", "Correct Answer": "electron",
            "Incorrect Answer 1": "proton", "Incorrect Answer 2": "neutron", "Incorrect Answer 3": "pion",
            "Record ID": "rec1", "Subdomain": "Physics"}


def test_gpqa_shuffles_into_lettered_choices_deterministically() -> None:
    record = from_gpqa(GPQA_ROW, seed=3)
    ref = record["reference"]
    assert sorted(ref["choices"]) == ["electron", "neutron", "pion", "proton"]
    assert ref["choices"]["ABCD".index(ref["answer"])] == "electron"
    assert record == from_gpqa(dict(GPQA_ROW), seed=3)
    text = record["prompt"][-1]["content"]
    assert f"{ref['answer']}) electron" in text
    # different seeds place the correct option differently for some seed
    letters = {from_gpqa(GPQA_ROW, seed=s)["reference"]["answer"] for s in range(20)}
    assert len(letters) > 1


def test_gpqa_lowercase_list_form_and_bad_rows() -> None:
    row = {"question": "q?", "correct_answer": "a", "incorrect_answers": ["b", "c", "d"]}
    assert len(from_gpqa(row)["reference"]["choices"]) == 4
    with pytest.raises(RecordError, match="distinct"):
        from_gpqa({"question": "q?", "correct_answer": "a", "incorrect_answers": ["a", "c", "d"]})
    with pytest.raises(RecordError, match="Correct Answer"):
        from_gpqa({"question": "q?"})


def test_ifeval_row_drops_null_kwargs() -> None:
    row = {"key": 1000, "prompt": "Write a poem without commas.",
           "instruction_id_list": ["punctuation:no_comma", "length_constraints:number_words"],
           "kwargs": [{"num_words": None, "relation": None}, {"num_words": 50, "relation": "at least"}]}
    record = from_ifeval(row)
    assert record["reference"] == {"prompt": row["prompt"], "instruction_id_list": row["instruction_id_list"],
                                   "kwargs": [{}, {"num_words": 50, "relation": "at least"}]}
    assert record["prompt"] == [{"role": "user", "content": row["prompt"]}]  # no system prompt for ifeval
    assert record["meta"]["key"] == 1000
    with pytest.raises(RecordError, match="one dict per instruction"):
        from_ifeval({"prompt": "p", "instruction_id_list": ["a:b"], "kwargs": []})


def test_reasoning_gym_entry_from_the_library() -> None:
    entry = reasoning_gym.create_dataset("letter_counting", seed=1, size=1)[0]
    record = from_reasoning_gym(entry)
    assert record["domain"] == "reasoning_gym"
    assert record["reference"]["entry"]["answer"] == entry["answer"]
    assert record["meta"]["task"] == "letter_counting"
    assert "<answer>" in record["prompt"][0]["content"]
    json.dumps(record)  # JSON-serialisable as stored
    with pytest.raises(RecordError, match="source_dataset"):
        from_reasoning_gym({"question": "q", "answer": "a", "metadata": {}})


def _verl_row(data_source: str, ability: str, gt: object, extra: dict | None = None) -> dict:
    return {"data_source": data_source, "ability": ability,
            "prompt": [{"role": "user", "content": "Solve it."}],
            "reward_model": {"style": "rule", "ground_truth": gt}, "extra_info": extra or {"index": 0}}


def test_verl_rows_by_domain() -> None:
    math = from_verl(_verl_row("DigitalLearningGmbH/MATH-lighteval", "math", "\\frac{1}{2}"))
    assert (math["domain"], math["reference"]) == ("math", {"answer": "\\frac{1}{2}"})
    assert math["prompt"] == [{"role": "user", "content": "Solve it."}]
    assert math["meta"]["extra_info"] == {"index": 0}
    code = from_verl(_verl_row("codecontests", "code", json.dumps({"inputs": ["1\n"], "outputs": ["1\n"]})))
    assert code["reference"]["tests"] == {"inputs": ["1\n"], "outputs": ["1\n"]}
    mcq = from_verl(_verl_row("gpqa_diamond", "stem", " C"))
    assert mcq["reference"] == {"answer": "C"}
    entry = reasoning_gym.create_dataset("letter_counting", seed=2, size=1)[0]
    rg = from_verl(_verl_row("reasoning_gym", "logic", None, {"entry": entry}))
    assert rg["reference"]["entry"]["question"] == entry["question"]
    ife = from_verl(_verl_row("ifeval", "instruction", {"prompt": "p", "instruction_id_list": ["punctuation:no_comma"],
                                                        "kwargs": [{}]}))
    assert ife["reference"]["instruction_id_list"] == ["punctuation:no_comma"]


def test_verl_domain_agrees_with_the_verl_adapter() -> None:
    """Names the scoring adapter maps exactly (mmlu, amc) convert to the same domain (they were errors)."""
    from trainer_client.item_builder import resolve_domain

    for source, ability, gt, domain in (("mmlu", "", " B", "mcq"), ("amc", "", "7", "math"),
                                        ("gpqa_diamond", "stem", " C", "mcq")):
        record = from_verl(_verl_row(source, ability, gt))
        assert record["domain"] == resolve_domain(source) == domain


def test_verl_unknown_domain_needs_override() -> None:
    row = _verl_row("my_dataset", "misc", "42")
    with pytest.raises(RecordError, match="--domain"):
        from_verl(row)
    assert from_verl(row, domain="math")["reference"] == {"answer": "42"}


def test_verl_rows_without_ground_truth_are_rejected_and_ifeval_prompt_defaults_to_user_turn() -> None:
    with pytest.raises(RecordError, match="ground_truth"):
        from_verl(_verl_row("math", "math", None))
    with pytest.raises(RecordError, match="entry"):
        from_verl(_verl_row("reasoning_gym", "logic", None))
    ife = from_verl(_verl_row("ifeval", "if", None, {"instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}))
    assert ife["reference"]["prompt"] == "Solve it."
