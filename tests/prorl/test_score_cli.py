"""`prorl score`: one result per input line, in order; malformed lines become `invalid` results."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from prorl.score_cli import _read_items

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
    assert [r["status"] for r in results] == ["ok", "invalid", "invalid", "timeout", "ok"]
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
