"""Regenerate tests/golden/reasoning_gym.jsonl: a gold and a wrong answer for every reasoning_gym task.

    .venv/bin/python tests/golden/make_reasoning_gym_golden.py            # rewrite the file
    .venv/bin/python tests/golden/make_reasoning_gym_golden.py --check    # fail if it would change

Deterministic (fixed seeds, and PYTHONHASHSEED=0: some generators iterate over sets). Every expectation is the real scorer's value on the entry as
reasoning_gym produced it (before JSON), except where ``verifiers.reasoning_gym.SCORER_FIXES``
overrides a broken scorer; each case is also scored through ``verifiers.reasoning_gym`` on the JSON
round-tripped entry and the script fails if the two disagree. Tasks with no single gold answer
(``entry["answer"] is None``) get a solution built from the entry's metadata or a small solver.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import reasoning_gym
from reasoning_gym.factory import DATASETS

from verifiers import reasoning_gym as vrg
from verifiers.reasoning_gym.fixes import FIXED_SCORERS
from verifiers.schemas import ItemOptions

SEED = 20251125
OUT = Path(__file__).with_name("reasoning_gym.jsonl")
WRONG_FALLBACKS = ("I do not know", "0", "False", "[]", "zzz")
# Refuting another entry's integral takes sympy seconds (too close to the pool deadline on a busy CI box).
CHEAP_WRONG_FIRST = frozenset({"intermediate_integration", "simple_integration"})


def _solve_rush_hour(entry: dict[str, Any]) -> str:
    """Breadth-first search over single-step moves with reasoning_gym's own Board."""
    from reasoning_gym.games.rush_hour import Board

    def state(moves: list[str]) -> tuple[Board, tuple[int, ...]]:
        board = Board(entry["metadata"]["board_config"])
        board.perform_moves(" ".join(moves))
        return board, tuple(p.position for p in board._pieces)

    start = state([])[1]
    seen, queue = {start}, collections.deque([[]])
    while queue:
        moves = queue.popleft()
        board, _ = state(moves)
        if board.solved:
            return " ".join(moves)
        for i, piece in enumerate(board._pieces):
            if piece.fixed:
                continue
            for step in ("+1", "-1"):
                nxt = moves + [chr(ord("A") + i) + step]
                key = state(nxt)[1]
                if key not in seen:
                    seen.add(key)
                    queue.append(nxt)
    raise RuntimeError("rush_hour board has no solution")


def _solve_boxnet(entry: dict[str, Any]) -> str:
    """Walk each box to its target square one step per plan, then match it."""
    grid = {tuple(map(float, k.split("_"))): list(v) for k, v in entry["metadata"]["initial_state"].items()}
    plans: list[dict[str, str]] = []
    for pos, items in sorted(grid.items()):
        for box in [i for i in items if i.startswith("box_")]:
            colour = box[4:]
            goal = next(p for p, its in grid.items() if f"target_{colour}" in its)
            here = pos
            while here != goal:
                axis = 0 if here[0] != goal[0] else 1
                step = list(here)
                step[axis] += 1.0 if goal[axis] > here[axis] else -1.0
                plans.append({f"Agent[{here[0]}, {here[1]}]": f"move({box}, square[{step[0]}, {step[1]}])"})
                here = (step[0], step[1])
            plans.append({f"Agent[{here[0]}, {here[1]}]": f"move({box}, target_{colour})"})
    return json.dumps(plans)


SOLVERS = {
    "graph_color": lambda e: json.dumps(e["metadata"]["possible_answer"]),
    "propositional_logic": lambda e: e["metadata"]["example_answer"],
    "rubiks_cube": lambda e: e["metadata"]["example_correct_answer"],
    "rush_hour": _solve_rush_hour,
    "boxnet": _solve_boxnet,
}


def _real_score(task: str, answer: str, entry: dict[str, Any]) -> float:
    if task in vrg.SCORER_FIXES:  # the documented corrected scorer is the expectation, not the broken one
        try:
            return FIXED_SCORERS[task](answer, json.loads(json.dumps(entry)))[0]
        except Exception:
            return 0.0
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            return float(reasoning_gym.get_score_answer_fn(task)(answer, entry))
        except Exception:
            return 0.0


def _entries(task: str) -> list[dict[str, Any]]:
    with contextlib.redirect_stdout(io.StringIO()):  # some generators print (bf)
        dataset = reasoning_gym.create_dataset(task, size=4, seed=SEED)
        return [dataset[i] for i in range(4)]


def _case(task: str, kind: str, entry: dict[str, Any], answer: str, expected: float, note: str) -> dict[str, Any]:
    wire = json.loads(json.dumps(entry))  # what a client sends
    response = f"<think>Working through the {task} puzzle.</think>\n<answer>{answer}</answer>"
    verdict = vrg.score(response.split("</think>", 1)[1], {"entry": wire}, ItemOptions())
    if abs(verdict.reward - expected) > 1e-9:
        raise SystemExit(f"{task} {kind}: module gives {verdict.reward}, real scorer {expected} ({verdict.details})")
    item = {"id": f"rg-{task}-{kind}", "domain": "reasoning_gym", "response": response, "reference": {"entry": wire}}
    return {"item": item, "expected_reward": expected, "note": note}


def build() -> tuple[list[dict[str, Any]], dict[str, str]]:
    """All golden cases, and the registry names that produced none with the reason."""
    cases: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    for task in sorted(DATASETS):
        if task in vrg.NOT_SCORABLE:
            skipped[task] = vrg.NOT_SCORABLE[task]
            continue
        try:
            entries = _entries(task)
        except Exception as exc:  # a task that needs a download or extra data cannot generate here
            skipped[task] = f"does not generate offline: {type(exc).__name__}: {exc}"[:200]
            continue
        entry = entries[0]
        gold = entry["answer"] if entry["answer"] is not None else SOLVERS[task](entry)
        gold_reward = _real_score(task, gold, entry)
        how = "the entry's own answer" if entry["answer"] is not None else "a solution built from the metadata"
        cases.append(_case(task, "gold", entry, gold, gold_reward, f"{how}; real scorer gives {gold_reward}"))
        others = [e["answer"] for e in entries[1:] if isinstance(e["answer"], str)]
        candidates = [*WRONG_FALLBACKS, *others] if task in CHEAP_WRONG_FIRST else [*others, *WRONG_FALLBACKS]
        for wrong in candidates:
            if wrong != gold and _real_score(task, wrong, entry) < gold_reward:
                break
        wrong_reward = _real_score(task, wrong, entry)
        note = f"a wrong answer ({'another entry' if wrong in others else 'fallback'}); real scorer gives {wrong_reward}"
        if task in vrg.SCORER_FIXES:
            note += f"; corrected scorer (docs/reasoning_gym.md, Where we depart): {vrg.SCORER_FIXES[task]}"
        cases.append(_case(task, "wrong", entry, wrong, wrong_reward, note))
    return cases, skipped


def main() -> int:
    if os.environ.get("PYTHONHASHSEED") != "0":  # some generators iterate over sets: pin str hashing
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed file is out of date")
    args = parser.parse_args()
    cases, skipped = build()
    text = "".join(json.dumps(c, ensure_ascii=False, sort_keys=True) + "\n" for c in cases)
    for task, why in skipped.items():
        print(f"skipped {task}: {why}", file=sys.stderr)
    print(f"{len(cases)} cases for {len(cases) // 2} tasks", file=sys.stderr)
    if args.check:
        return 0 if OUT.read_text() == text else 1
    OUT.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
