"""`prorl data build | ood | convert` end to end, through the real console-script dispatcher."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prorl.cli import main as prorl
from trainer_client.data.records import read_records


def test_build_with_split_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mix.jsonl"
    code = prorl(["data", "build", "--out", str(out), "--size", "30", "--seed", "2", "--val-fraction", "0.2",
                  "--mix", "math=1,mcq=1,code=1", "--quiet"])
    assert code == 0
    train, val = read_records(tmp_path / "mix.train.jsonl"), read_records(tmp_path / "mix.val.jsonl")
    assert (len(train), len(val)) == (24, 6)
    assert {r["domain"] for r in train + val} == {"math", "mcq", "code"}
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["per_domain"] == {"math": 10, "mcq": 10, "code": 10}


def test_build_parquet_with_explicit_val_out(tmp_path: Path) -> None:
    out, val_out = tmp_path / "train.parquet", tmp_path / "held.parquet"
    assert prorl(["data", "build", "--out", str(out), "--val-out", str(val_out), "--size", "10",
                  "--val-fraction", "0.2", "--mix", "mcq=1", "--quiet"]) == 0
    assert len(read_records(out)) == 8 and len(read_records(val_out)) == 2


def test_ood_command(tmp_path: Path) -> None:
    out = tmp_path / "ood.jsonl"
    assert prorl(["data", "ood", "--out", str(out), "--size", "6"]) == 0
    assert {r["meta"]["task"] for r in read_records(out)} == {"acre", "boxnet", "game_of_life_halting"}


def test_convert_gpqa_csv(tmp_path: Path) -> None:
    src = tmp_path / "gpqa.csv"
    src.write_text("Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2,Incorrect Answer 3\n"
                   "What is 2+2?,4,3,5,22\n")
    dst = tmp_path / "gpqa.jsonl"
    assert prorl(["data", "convert", "--format", "gpqa", str(src), str(dst)]) == 0
    (record,) = read_records(dst)
    assert record["reference"]["choices"]["ABCD".index(record["reference"]["answer"])] == "4"


def test_convert_skip_bad_and_clear_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "math.jsonl"
    src.write_text('{"problem": "1+1", "answer": "2"}\n{"problem": "no gold"}\n')
    dst = tmp_path / "out.jsonl"
    assert prorl(["data", "convert", "--format", "math", str(src), str(dst)]) == 2
    assert "row 1" in capsys.readouterr().err
    assert prorl(["data", "convert", "--format", "math", "--skip-bad", str(src), str(dst)]) == 0
    assert len(read_records(dst)) == 1
    assert "skipped row 1" in capsys.readouterr().err
    assert prorl(["data", "convert", "--format", "math", str(tmp_path / "missing.jsonl"), str(dst)]) == 2
    assert prorl(["data", "build", "--out", str(dst), "--size", "0"]) == 2
    assert prorl(["data", "build", "--out", str(dst), "--size", "5", "--mix", "chess=1"]) == 2
    with pytest.raises(SystemExit):
        prorl(["data", "convert", "--format", "nope", str(src), str(dst)])


def test_text_prompt_style_writes_one_string_with_the_instructions(tmp_path: Path) -> None:
    out = tmp_path / "mix.jsonl"
    assert prorl(["data", "build", "--out", str(out), "--size", "4", "--mix", "mcq=1", "--prompt-style", "text",
                  "--quiet"]) == 0
    for record in read_records(out):
        assert isinstance(record["prompt"], str)
        assert record["prompt"].startswith("Answer the multiple-choice question.") and "\nA) " in record["prompt"]


def test_built_ifeval_training_records_close_the_loopholes(tmp_path: Path) -> None:
    out = tmp_path / "mix.parquet"
    assert prorl(["data", "build", "--out", str(out), "--size", "12", "--mix", "ifeval=1,mcq=1", "--quiet"]) == 0
    records = read_records(out)
    assert {r["domain"] for r in records} == {"ifeval", "mcq"}
    for record in records:
        if record["domain"] == "ifeval":
            assert record["options"] == {"loopholes": "closed"}
        else:
            assert "options" not in record


def test_converted_ifeval_keeps_google_parity_unless_asked(tmp_path: Path) -> None:
    src = tmp_path / "input_data.jsonl"
    src.write_text(json.dumps({"key": 1, "prompt": "Write a haiku without commas.",
                               "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}) + "\n")
    benchmark, training = tmp_path / "bench.jsonl", tmp_path / "train.jsonl"
    assert prorl(["data", "convert", "--format", "ifeval", str(src), str(benchmark)]) == 0
    assert "options" not in read_records(benchmark)[0]
    assert prorl(["data", "convert", "--format", "ifeval", "--ifeval-loopholes", "closed", str(src),
                  str(training)]) == 0
    assert read_records(training)[0]["options"] == {"loopholes": "closed"}
    assert prorl(["data", "convert", "--format", "ifeval", "--ifeval-loopholes", "google", str(src),
                  str(training)]) == 0
    assert read_records(training)[0]["options"] == {"loopholes": "google"}
    with pytest.raises(SystemExit):
        prorl(["data", "convert", "--format", "ifeval", "--ifeval-loopholes", "open", str(src), str(training)])


def test_data_package_imports_without_torch_or_pyarrow(tmp_path: Path) -> None:
    """The trainer extra may be absent: data preparation must run on the core install."""
    import subprocess
    import sys

    code = ("import sys\nfor m in ('torch', 'transformers', 'pyarrow'):\n    sys.modules[m] = None\n"
            "import trainer_client.data.data_command, trainer_client.data.mix, trainer_client.data.converters\n"
            "print(trainer_client.data.data_command.main(['build', '--out', sys.argv[1], '--size', '3', '--mix', 'mcq=1', '--quiet']))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "mix.jsonl")], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "0"
