"""Records validate on build and round-trip through JSONL and Parquet."""

from __future__ import annotations

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


def test_foreign_parquet_with_a_bare_prompt_string_is_a_record_error(tmp_path: Path) -> None:
    """A Parquet file not written by write_records (prompt as plain text, not JSON text) is a RecordError
    naming the record, not a bare JSONDecodeError."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "foreign.parquet"
    pq.write_table(pa.Table.from_pylist([{"prompt": "What is 1+1?", "domain": "math", "reference": '{"answer": "2"}'}]),
                   path)
    with pytest.raises(RecordError, match="record 0: prompt is not JSON text"):
        read_records(path)
