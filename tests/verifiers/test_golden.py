"""Golden sets: every shipped, labelled case scored through the real pool must match its label.

Each ``tests/golden/<domain>.jsonl`` line is ``{"item": {...}, "expected_reward": r,
"expected_status": "ok" (optional), "note": "why"}``. The test prints false negatives (labelled
reward higher than scored) and false positives (scored higher than labelled) per domain.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verifiers import score_batch

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
FILES = sorted(GOLDEN.glob("*.jsonl"))


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_golden_set(path: Path) -> None:
    cases = load(path)
    assert cases, f"{path} is empty"
    results = score_batch([case["item"] for case in cases], cache=None)
    false_neg, false_pos, wrong_status = [], [], []
    for number, (case, result) in enumerate(zip(cases, results, strict=True), start=1):
        expected = float(case["expected_reward"])
        where = f"{path.name}:{number} ({case.get('note', '')}) got {result.reward} [{result.status}] {result.error or ''}"
        if result.status != case.get("expected_status", "ok"):
            wrong_status.append(where)
        elif result.reward < expected - 1e-6:
            false_neg.append(where)
        elif result.reward > expected + 1e-6:
            false_pos.append(where)
    print(f"\n{path.stem}: {len(cases)} cases, {len(false_neg)} false negatives, "
          f"{len(false_pos)} false positives, {len(wrong_status)} wrong statuses")
    problems = false_neg + false_pos + wrong_status
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", [p for p in FILES if p.stem != "code"], ids=lambda p: p.stem)
def test_golden_set_is_deterministic(path: Path) -> None:
    items = [case["item"] for case in load(path)]
    strip = lambda rs: [(r.reward, r.status, r.details) for r in rs]  # noqa: E731
    assert strip(score_batch(items, cache=None)) == strip(score_batch(items, cache=None))
