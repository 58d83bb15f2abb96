"""Records validate on build and round-trip through JSONL and Parquet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trainer_client.data.records import (
    RecordError,
    make_record,
    read_records,
    read_rows,
    validate_record,
    write_records,
)

RECORDS = [
    make_record([{"role": "system", "content": "s"}, {"role": "user", "content": "1+1?"}], "math",
                {"answer": "2"}, {"source": "t"}),
    make_record("plain prompt", "mcq", {"answer": "B", "choices": ["x", "y"]}),
    make_record([{"role": "user", "content": "code"}], "code",
                {"language": "python", "tests": {"inputs": [[1]], "outputs": [[]], "fn_name": "f"}}, {"k": [1, None]}),
]


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_round_trip(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"data{suffix}"
    assert write_records(RECORDS, path) == 3
    assert read_records(path) == RECORDS


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_scoring_options_round_trip_only_where_given(tmp_path: Path, suffix: str) -> None:
    with_options = make_record("p", "ifeval", {"prompt": "p", "instruction_id_list": ["punctuation:no_comma"]},
                               options={"loopholes": "closed", "min_words": 5})
    assert with_options["options"] == {"loopholes": "closed", "min_words": 5}
    assert "options" not in make_record("p", "math", {"answer": "1"}, options={})
    path = tmp_path / f"data{suffix}"
    write_records([with_options, *RECORDS], path)
    assert read_records(path) == [with_options, *RECORDS]
    with pytest.raises(RecordError, match="options must be an object"):
        validate_record({"prompt": "p", "domain": "math", "reference": {}, "options": "closed"})


@pytest.mark.parametrize("record, reason", [
    ({"prompt": "p", "domain": "chess", "reference": {}}, "unknown domain"),
    ({"prompt": "", "domain": "math", "reference": {}}, "empty"),
    ({"prompt": [{"role": "user"}], "domain": "math", "reference": {}}, "role"),
    ({"prompt": "p", "domain": "math", "reference": "2"}, "reference must be"),
    ({"domain": "math", "reference": {}}, "no 'prompt'"),
])
def test_bad_records_are_rejected(record: dict, reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        validate_record(record)


def test_read_records_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"prompt": "p", "domain": "math", "reference": {"answer": "1"}}\n{"prompt": "p"}\n')
    with pytest.raises(RecordError, match="record 1"):
        read_records(path)
    path.write_text("{not json\n")
    with pytest.raises(RecordError, match=":1: not valid JSON"):
        list(read_rows(path))


def test_read_rows_csv_and_json(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("Question,Correct Answer\nq1,a1\n")
    assert list(read_rows(tmp_path / "a.csv")) == [{"Question": "q1", "Correct Answer": "a1"}]
    (tmp_path / "a.json").write_text('[{"x": 1}]')
    assert list(read_rows(tmp_path / "a.json")) == [{"x": 1}]


def test_foreign_parquet_plain_prompt_reads_and_bad_json_is_a_record_error(tmp_path: Path) -> None:
    """A plain-text prompt column is a prompt (what verl and TRL files hold); a reference that is not JSON text is
    a RecordError naming the record, not a bare JSONDecodeError."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "foreign.parquet"
    pq.write_table(pa.Table.from_pylist([{"prompt": "What is 1+1?", "domain": "math", "reference": '{"answer": "2"}'}]),
                   path)
    assert read_records(path)[0]["prompt"] == "What is 1+1?"
    pq.write_table(pa.Table.from_pylist([{"prompt": "What is 1+1?", "domain": "math", "reference": "{answer"}]), path)
    with pytest.raises(RecordError, match="record 0: reference is not JSON text"):
        read_records(path)


def test_parquet_prompt_is_a_native_message_column_with_verl_reward_columns(tmp_path: Path) -> None:
    """verl's RLHFDataset and TRL read `prompt` as chat messages only from a list-of-structs column; verl's
    reward loop needs data_source and reward_model.ground_truth (tests/integrations/test_verl.py reads this
    file with verl itself)."""
    import datasets
    import pyarrow.parquet as pq

    chat = [{"role": "system", "content": "Box it."}, {"role": "user", "content": "1+1?"}]
    records = [make_record(chat, "math", {"answer": "2"}, {"n": 1}, {"thinking": "prompted"}),
               make_record([{"role": "user", "content": "Pick."}], "mcq", {"answer": "B"})]
    path = tmp_path / "train.parquet"
    write_records(records, path)
    schema = pq.read_schema(path)
    assert str(schema.field("prompt").type) == "list<element: struct<role: string, content: string>>"
    row = datasets.load_dataset("parquet", data_files=str(path), split="train")[0]
    assert row["prompt"] == chat and row["data_source"] == "math"
    truth = json.loads(row["reward_model"]["ground_truth"])
    assert truth == {"domain": "math", "reference": {"answer": "2"}, "options": {"thinking": "prompted"}}
    assert read_records(path) == records
    plain = [make_record("Say hi.", "ifeval", {"prompt": "Say hi.", "instruction_id_list": [], "kwargs": []})]
    write_records(plain + records, path)  # mixed kinds: JSON text, as before, still read back
    assert read_records(path) == plain + records
