"""pass@k estimator edge cases, aggregation, CSV/JSON output and the comparison plot."""

from __future__ import annotations

import csv
import json
from math import comb

import pytest

from trainer_client.eval.passk import (
    ScoredSample as Sample,
)
from trainer_client.eval.passk import (
    compare_table,
    ks_for,
    pass_at_k,
    plot_compare,
    summarize,
    write_report,
)


@pytest.mark.parametrize("n,c,k", [(16, 3, 1), (16, 3, 4), (128, 10, 64), (10, 5, 5), (7, 2, 3)])
def test_matches_the_combinatorial_definition(n, c, k):
    assert pass_at_k(n, c, k) == pytest.approx(1 - comb(n - c, k) / comb(n, k))


def test_edge_cases():
    assert pass_at_k(16, 0, 1) == 0.0 and pass_at_k(16, 0, 16) == 0.0  # c = 0
    assert pass_at_k(16, 16, 1) == 1.0  # c = n
    assert pass_at_k(16, 13, 4) == 1.0  # k > n - c: every 4-subset holds a correct sample
    assert pass_at_k(4, 1, 1) == pytest.approx(0.25)  # pass@1 is the plain accuracy
    with pytest.raises(ValueError):
        pass_at_k(4, 1, 5)
    with pytest.raises(ValueError):
        pass_at_k(4, 5, 1)


def test_ks():
    assert ks_for(16) == [1, 2, 4, 8, 16]
    assert ks_for(12) == [1, 2, 4, 8, 12]
    assert ks_for(1) == [1]


def make_samples():
    # task "easy": problems solved 3/4 and 4/4; task "hard": 0/4 and 1/4
    spec = {("p1", "easy"): 3, ("p2", "easy"): 4, ("p3", "hard"): 0, ("p4", "hard"): 1}
    return [Sample(p, "reasoning_gym", task, i < c) for (p, task), c in spec.items() for i in range(4)]


def test_summarize_per_task_and_domain():
    report = summarize(make_samples())
    assert report["n"] == 4 and report["ks"] == [1, 2, 4]
    assert report["tasks"]["easy"]["pass_at_k"]["1"] == pytest.approx((0.75 + 1.0) / 2)
    assert report["tasks"]["hard"]["pass_at_k"]["1"] == pytest.approx(0.125)
    assert report["tasks"]["hard"]["pass_at_k"]["4"] == pytest.approx(0.5)
    assert report["domains"]["reasoning_gym"]["pass_at_k"]["2"] == pytest.approx(
        (1.0 + 1.0 + 0.0 + pass_at_k(4, 1, 2)) / 4)
    assert report["problems"]["p4"] == {"n": 4, "correct": 1, "domain": "reasoning_gym", "task": "hard"}


def test_report_files_and_comparison_plot(tmp_path):
    base = summarize(make_samples())
    better = [Sample(s.problem_id, s.domain, s.task, s.correct or s.problem_id == "p3") for s in make_samples()]
    rl = summarize(better)
    write_report(base, tmp_path / "base.json", tmp_path / "base.csv")
    assert json.loads((tmp_path / "base.json").read_text())["tasks"]["hard"]["problems"] == 2
    rows = list(csv.DictReader(open(tmp_path / "base.csv")))
    assert {"scope": "task", "name": "hard", "k": "4", "pass_at_k": "0.500000"} in rows
    table = compare_table(base, rl)
    assert [r["task"] for r in table] == ["easy", "hard"]
    assert table[0]["gain_kmax"] == pytest.approx(0.0)
    assert table[1]["gain_kmax"] == pytest.approx(0.5) and table[1]["k_max"] == 4
    out = tmp_path / "compare.png"
    assert plot_compare(base, rl, out) == table
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
