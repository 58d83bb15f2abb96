"""Differential test: prorl's math verifier against math-verify used the verl way, on realistic answer lines.

``tests/verifiers/data/math_answer_lines.jsonl`` holds a few hundred (gold, response) lines in the
styles models write: boxes, boxes after ``</think>``, Minerva's "Final Answer: The final answer is $X$",
``<answer>`` tags, stated answers; right spellings, near misses, hedges. Where prorl and
``verify(parse("\\\\boxed{gold}"), parse(response))`` disagree, the line must carry a ``departure`` that
docs/math.md lists under "Deliberate departures from math-verify" (with the attack it closes). An
undocumented disagreement fails the test: either it is a bug here, or a departure to write down.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from math_verify import parse, verify

from verifiers import math as math_verifier
from verifiers.answer_text import TruncatedInThinking, answer_text
from verifiers.schemas import ItemOptions

ROOT = Path(__file__).resolve().parents[2]
CORPUS = [json.loads(line) for line in (Path(__file__).parent / "data" / "math_answer_lines.jsonl").read_text().splitlines()
          if line.strip()]
DOCS = (ROOT / "docs" / "math.md").read_text()
OPTIONS = ItemOptions()


def _documented_departures() -> set[str]:
    section = DOCS.split("## Deliberate departures from math-verify", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE))


def _prorl(gold: str, response: str) -> bool:
    try:
        text = answer_text(response)
    except TruncatedInThinking:
        return False
    return math_verifier.score(text, {"answer": gold}, OPTIONS).reward == 1.0


def _math_verify(gold: str, response: str) -> bool:
    """verl's `compute_score` shape: the gold wrapped in a box; no timers, so the verdict is load-free."""
    return bool(verify(parse("\\boxed{" + gold + "}", parsing_timeout=None), parse(response, parsing_timeout=None),
                       timeout_seconds=None))


def test_corpus_is_realistic_and_labelled_from_the_documented_list() -> None:
    assert len(CORPUS) >= 300
    documented = _documented_departures()
    assert len(documented) >= 8, "docs/math.md lists the deliberate departures in a table"
    used = {row["departure"] for row in CORPUS if "departure" in row}
    assert used <= documented, f"departures used but not documented: {used - documented}"


@pytest.fixture(scope="module")
def verdicts() -> list[tuple[dict, bool, bool]]:
    return [(row, _prorl(row["gold"], row["response"]), _math_verify(row["gold"], row["response"])) for row in CORPUS]


def test_every_disagreement_is_a_documented_departure(verdicts: list[tuple[dict, bool, bool]]) -> None:
    documented = _documented_departures()
    undocumented = [(row["gold"], row["response"][-80:], ours, theirs) for row, ours, theirs in verdicts
                    if ours != theirs and row.get("departure") not in documented]
    assert not undocumented, "\n".join(f"gold {g!r}: {r!r} prorl={o} math-verify={t}" for g, r, o, t in undocumented)


def test_the_differential_is_not_vacuous(verdicts: list[tuple[dict, bool, bool]]) -> None:
    agree = sum(ours == theirs for _, ours, theirs in verdicts)
    assert agree >= 0.75 * len(verdicts)
    assert sum(ours for _, ours, _ in verdicts) >= 100 and sum(not ours for _, ours, _ in verdicts) >= 60
    departing = [row for row, ours, theirs in verdicts if ours != theirs]
    assert {row["departure"] for row in departing} >= {"unevaluated_arithmetic", "truncated_thinking", "formatted_number"}
