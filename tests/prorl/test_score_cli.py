"""`prorl score`: one result per input line, in order; malformed lines become `invalid` results; Parquet input;
unreadable input refused; the CLI conventions every `prorl` command follows (help ends with an example)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from prorl.score_command import _read_items

ROOT = Path(__file__).resolve().parents[2]


def run_score(tmp_path: Path, lines: list[str], *extra: str) -> list[dict]:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "prorl.cli", "score", str(source), "-o", str(out), "--workers", "2", *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in out.read_text().splitlines()]


def probe(answer: str, reward: float, item_id: str) -> str:
    return json.dumps({"id": item_id, "domain": "probe", "response": answer, "reference": {"reward": reward}})


def test_order_and_malformed_lines(tmp_path):
    lines = [probe("a", 0.5, "first"), "{not json", "[1, 2]", probe("spin", 1.0, "hang"), probe("b", 1.0, "last")]
    results = run_score(tmp_path, lines, "--timeout", "1")
    assert [r["status"] for r in results] == ["ok", "invalid", "invalid", "ok", "ok"]
    assert results[3]["reward"] == 0.0 and results[3]["details"]["reason"] == "verification_timeout"
    assert results[0]["id"] == "first" and results[0]["reward"] == 0.5
    assert "line 2" in results[1]["error"] and "line 3" in results[2]["error"]
    assert results[4]["id"] == "last" and results[4]["correct"] is True


def test_same_file_twice_gives_identical_output(tmp_path):
    lines = [probe(f"x{i % 4}", (i % 3) / 2, str(i)) for i in range(40)]
    strip = lambda rs: [{k: v for k, v in r.items() if k != "elapsed_ms"} for r in rs]  # noqa: E731
    assert strip(run_score(tmp_path, lines)) == strip(run_score(tmp_path, lines))


def test_unreadable_input_is_a_clear_error(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "prorl.cli", "score", str(tmp_path / "missing.jsonl")],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2 and "cannot read" in proc.stderr


def test_unwritable_output_fails_before_scoring(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(probe("a", 1.0, "x") + "\n")
    proc = subprocess.run(
        [sys.executable, "-m", "prorl.cli", "score", str(source), "-o", str(tmp_path / "no-dir" / "out.jsonl")],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2 and "cannot write" in proc.stderr and "scoring" not in proc.stderr


def test_json_nested_past_the_parser_is_an_invalid_line(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("[" * 100_000 + "\n" + probe("b", 1.0, "after") + "\n")
    items, broken = _read_items(str(source))
    assert len(items) == 2 and list(broken) == [0] and "line 1" in broken[0] and items[1]["id"] == "after"


def test_timeout_outside_the_contract_bounds_is_a_usage_error(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(probe("a", 1.0, "x") + "\n")
    for bad in ("0", "601"):
        proc = subprocess.run(
            [sys.executable, "-m", "prorl.cli", "score", str(source), "--timeout", bad],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )
        assert proc.returncode == 2 and "--timeout" in proc.stderr, bad


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "prorl.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, input=stdin)


def test_blank_lines_surrogates_and_the_summary(tmp_path):
    # One run for several conventions (each `prorl score` run starts a scoring pool).
    lines = [probe("a", 0.5, "one"), "", "   ",
             json.dumps({"id": "x\ud800", "domain": "probe", "response": "a\udfff", "reference": {"reward": 1.0}}),
             "{bad", json.dumps({"id": "s", "domain": "probe", "response": "b", "reference": {"reward": 1.0,
                                                                                              "note": "\udc00"}}),
             probe("b", 0.0, "seven"), ""]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n")
    proc = run_cli("score", str(source), "-o", str(tmp_path / "out.jsonl"), "--workers", "1", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    results = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(results) == len(lines)  # output line N answers input line N, blank lines included
    assert [r["id"] for r in results] == ["one", None, None, "x\ufffd", None, "s", "seven", None]
    assert [r["status"] for r in results] == ["ok", "invalid", "invalid", "ok", "invalid", "ok", "ok", "invalid"]
    assert "line 2" in results[1]["error"] and "blank" in results[1]["error"] and "line 8" in results[7]["error"]
    assert [r["reward"] for r in results if r["status"] == "ok"] == [0.5, 1.0, 1.0, 0.0]
    summary = proc.stderr.strip().splitlines()[-1]
    assert "8 results" in summary and "ok 4" in summary and "invalid 4" in summary and "0.6250" in summary


@pytest.mark.parametrize("workers", ["0", "-1", "two"])
def test_workers_below_one_is_a_usage_error(tmp_path, workers):
    source = tmp_path / "in.jsonl"
    source.write_text(probe("a", 1.0, "x") + "\n")
    proc = run_cli("score", str(source), "--workers", workers)
    assert proc.returncode == 2 and "--workers" in proc.stderr


def _write_parquet(path: Path, rows: list[dict]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), path)


def test_parquet_rows_with_json_text_columns(tmp_path):
    # As `prorl data build` writes them: prompt native, reference/meta/options JSON text (options may be null).
    rows = [{"id": "p1", "domain": "math", "response": "\\boxed{4}", "prompt": [{"role": "user", "content": "2+2?"}],
             "reference": json.dumps({"answer": "4"}), "meta": json.dumps({"source": "t"}), "options": None},
            {"id": "p2", "domain": "math", "response": "\\boxed{5}", "prompt": [{"role": "user", "content": "2+2?"}],
             "reference": json.dumps({"answer": "4"}), "meta": "{}", "options": json.dumps({"timeout_s": 5})},
            {"id": "p3", "domain": "math", "response": "x", "prompt": [], "reference": "{not json", "meta": "{}",
             "options": None}]
    _write_parquet(tmp_path / "in.parquet", rows)
    items, broken = _read_items(str(tmp_path / "in.parquet"))
    assert len(items) == 3 and list(broken) == [2] and "row 3" in broken[2] and "reference" in broken[2]
    assert items[0]["reference"] == {"answer": "4"} and "options" not in items[0]
    assert items[1]["options"] == {"timeout_s": 5} and items[1]["id"] == "p2"


def test_parquet_with_native_struct_columns_scores_end_to_end(tmp_path):
    # A struct column has the union of the rows' keys: mcq's `choices` is null in the math row.
    rows = [{"id": "m", "domain": "math", "response": "\\boxed{4}", "reference": {"answer": "4", "choices": None}},
            {"id": "q", "domain": "mcq", "response": "Answer: B", "reference": {"answer": "B", "choices": ["x", "y"]}},
            {"id": "w", "domain": "mcq", "response": "Answer: A", "reference": {"answer": "B", "choices": ["x", "y"]}}]
    _write_parquet(tmp_path / "in.parquet", rows)
    items, broken = _read_items(str(tmp_path / "in.parquet"))
    assert not broken and items[0]["reference"] == {"answer": "4"}
    proc = run_cli("score", str(tmp_path / "in.parquet"), "--no-progress", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(r["id"], r["reward"]) for r in results] == [("m", 1.0), ("q", 1.0), ("w", 0.0)]


def test_parquet_read_as_text_is_refused(tmp_path):
    _write_parquet(tmp_path / "in.parquet", [{"domain": "math", "response": "x", "reference": "{}"}] * 50)
    disguised = tmp_path / "data.jsonl"
    disguised.write_bytes((tmp_path / "in.parquet").read_bytes())
    proc = run_cli("score", str(disguised), "-o", str(tmp_path / "out.jsonl"))
    assert proc.returncode == 2 and "Parquet" in proc.stderr
    assert not (tmp_path / "out.jsonl").exists() or not (tmp_path / "out.jsonl").read_text()


@pytest.mark.parametrize("content", [b"\xff\xfe\x00b\x00i\x00n\x00\n", b"a,b,c\n1,2,3\n", b"\x89PNG\r\n\x1a\n\x00\x00"])
def test_non_jsonl_input_is_refused(tmp_path, content):
    source = tmp_path / "in.jsonl"
    source.write_bytes(content)
    proc = run_cli("score", str(source), "-o", str(tmp_path / "out.jsonl"))
    assert proc.returncode == 2 and "cannot read" in proc.stderr


def test_corrupt_parquet_is_refused(tmp_path):
    (tmp_path / "in.parquet").write_bytes(b"PAR1 not really")
    proc = run_cli("score", str(tmp_path / "in.parquet"))
    assert proc.returncode == 2 and "Parquet" in proc.stderr


@pytest.mark.parametrize("command", [["--help"], ["score", "--help"], ["serve", "--help"], ["worker", "--help"],
                                     ["train", "--help"], ["eval", "--help"], ["data", "--help"],
                                     ["data", "build", "--help"], ["data", "ood", "--help"],
                                     ["data", "convert", "--help"]])
def test_every_help_ends_with_an_example(command):
    proc = run_cli(*command)
    assert proc.returncode == 0, proc.stderr
    tail = proc.stdout.strip().splitlines()
    example_at = max(i for i, line in enumerate(tail) if line.startswith("example"))
    assert len(tail) - example_at <= 5 and any("prorl " in line for line in tail[example_at + 1:]), proc.stdout


@pytest.mark.parametrize("out", ["mix.csv", "mix.txt", "mix"])
def test_data_build_refuses_unknown_extensions(tmp_path, out):
    proc = run_cli("data", "build", "--out", str(tmp_path / out), "--size", "4")
    assert proc.returncode == 2 and "unknown output format" in proc.stderr
    assert not (tmp_path / out).exists()
