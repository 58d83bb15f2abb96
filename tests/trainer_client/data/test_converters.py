"""File-level conversion: fixtures written in each dataset's own container format (verl's nested
Parquet, LiveCodeBench and IFEval JSONL, GPQA CSV), converted through ``convert_file``."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from trainer_client.data.converters import FORMATS, convert_file, convert_rows
from trainer_client.data.records import RecordError, read_records


def test_verl_parquet_with_nested_columns(tmp_path: Path) -> None:
    rows = [
        {"data_source": "DigitalLearningGmbH/MATH-lighteval", "ability": "math",
         "prompt": [{"role": "user", "content": "Compute 1/2 + 1/2."}],
         "reward_model": {"style": "rule", "ground_truth": "1"}, "extra_info": {"split": "train", "index": 0}},
        {"data_source": "codecontests", "ability": "code",
         "prompt": [{"role": "system", "content": "Write Python."}, {"role": "user", "content": "Echo."}],
         "reward_model": {"style": "rule", "ground_truth": json.dumps({"inputs": ["a\n"], "outputs": ["a\n"]})},
         "extra_info": {"split": "train", "index": 1}},
    ]
    src = tmp_path / "verl.parquet"
    pq.write_table(pa.Table.from_pylist(rows), src)
    assert convert_file("verl", src, tmp_path / "out.jsonl") == 2
    math, code = read_records(tmp_path / "out.jsonl")
    assert (math["domain"], math["reference"], math["prompt"]) == ("math", {"answer": "1"}, rows[0]["prompt"])
    assert math["meta"]["extra_info"] == {"split": "train", "index": 0}
    assert code["reference"] == {"language": "python", "tests": {"inputs": ["a\n"], "outputs": ["a\n"]}}
    assert convert_file("verl", src, tmp_path / "out.parquet") == 2
    assert read_records(tmp_path / "out.parquet") == [math, code]


def test_google_ifeval_jsonl(tmp_path: Path) -> None:
    src = tmp_path / "input_data.jsonl"
    src.write_text(json.dumps({"key": 1001, "prompt": "Write a story in all lowercase letters.",
                               "instruction_id_list": ["change_case:english_lowercase"], "kwargs": [{}]}) + "\n")
    convert_file("ifeval", src, tmp_path / "o.jsonl")
    (record,) = read_records(tmp_path / "o.jsonl")
    assert record["reference"]["instruction_id_list"] == ["change_case:english_lowercase"]


def test_lcb_jsonl_and_reasoning_gym_json(tmp_path: Path) -> None:
    src = tmp_path / "lcb.jsonl"
    src.write_text(json.dumps({"question_content": "Print n+1.", "starter_code": "", "metadata": "{}",
                               "public_test_cases": json.dumps([{"input": "1\n", "output": "2\n", "testtype": "stdin"}]),
                               "private_test_cases": "[]"}) + "\n")
    assert convert_file("lcb", src, tmp_path / "o.jsonl") == 1
    entry = {"question": "Reverse 'ab'.", "answer": "ba", "metadata": {"source_dataset": "spell_backward"}}
    (tmp_path / "rg.json").write_text(json.dumps([entry]))
    assert convert_file("reasoning_gym", tmp_path / "rg.json", tmp_path / "rg.jsonl") == 1
    assert read_records(tmp_path / "rg.jsonl")[0]["reference"] == {"entry": entry}


def test_every_format_is_registered_and_unknown_is_an_error() -> None:
    assert set(FORMATS) == {"verl", "prime", "lcb", "gpqa", "ifeval", "reasoning_gym", "math"}
    with pytest.raises(KeyError, match="unknown format"):
        convert_rows("apps", [])
    records, errors = convert_rows("math", [{"problem": "p", "answer": "1"}, {"x": 1}], skip_bad=True)
    assert len(records) == 1 and errors == ["row 1: math row has no 'problem' or 'question'"]
    with pytest.raises(RecordError, match="row 1"):
        convert_rows("math", [{"problem": "p", "answer": "1"}, {"x": 1}])
