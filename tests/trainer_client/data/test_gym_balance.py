"""Binary reasoning_gym tasks come out of `prorl data build` label-balanced (issue 14, part 3).

Upstream generators are lopsided (circuit_logic "0" ~60%, syllogism "Yes" ~70%), so a constant answer
would earn the class prior. In a built mix each such task's labels must be within 45-55%, so a
constant answer earns about 0.5 at most, measured here with the real verifier.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from trainer_client.data import mix as mix_module
from trainer_client.data.gym_entries import BALANCED_LABELS, entries, usable
from trainer_client.data.gym_tasks import training_tasks
from verifiers import reasoning_gym as vrg
from verifiers.schemas import ItemOptions

TRAINING_BINARY = tuple(t for t in BALANCED_LABELS if t in training_tasks())


def _labels(records: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for r in records:
        entry = r["reference"]["entry"]
        out.setdefault(entry["metadata"]["source_dataset"], Counter())[str(entry["answer"]).strip().lower()] += 1
    return out


@pytest.fixture(scope="module")
def built(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    """A real `build_mix` of reasoning_gym records drawn from the binary training tasks only."""
    patch = pytest.MonkeyPatch()
    patch.setattr(mix_module, "training_tasks", lambda: TRAINING_BINARY)
    request.addfinalizer(patch.undo)
    return mix_module.build_mix(40 * len(TRAINING_BINARY), seed=7, weights={"reasoning_gym": 1.0}, progress=False)


def test_binary_tasks_are_in_the_training_pool() -> None:
    assert set(TRAINING_BINARY) == set(BALANCED_LABELS) - {"game_of_life_halting"}  # OOD: evaluation only


def test_each_binary_task_is_balanced_in_a_built_mix(built: list[dict[str, Any]]) -> None:
    per_task = _labels(built)
    assert set(per_task) == set(TRAINING_BINARY)
    for task, counts in per_task.items():
        total = sum(counts.values())
        assert total >= 15, (task, counts)  # dedup drops some (syllogism repeats questions)
        assert set(counts) == set(BALANCED_LABELS[task]), (task, counts)
        assert all(0.45 <= n / total <= 0.55 for n in counts.values()), (task, counts)


def test_a_constant_answer_earns_half_at_most(built: list[dict[str, Any]]) -> None:
    by_task: dict[str, list[dict[str, Any]]] = {}
    for r in built:
        by_task.setdefault(r["meta"]["task"], []).append(r["reference"]["entry"])
    for task, items in by_task.items():
        for label in BALANCED_LABELS[task]:
            answer = label.capitalize() if label.isalpha() else label
            mean = sum(vrg.score(f"<answer>{answer}</answer>", {"entry": e}, ItemOptions()).reward
                       for e in items) / len(items)  # fmt: skip
            assert mean <= 0.55, (task, answer, mean)


@pytest.mark.parametrize("seed", [0, 1])
def test_balanced_draw_is_deterministic_and_any_prefix_is_balanced(seed: int) -> None:
    first = list(entries(["syllogism"], 21, seed))
    assert [e["question"] for e in first] == [e["question"] for e in entries(["syllogism"], 21, seed)]
    labels = [e["answer"].lower() for e in first]
    assert len(labels) == 21
    for k in range(2, 22, 2):
        assert Counter(labels[:k]) == Counter({"yes": k // 2, "no": k // 2})


def test_ood_draw_of_game_of_life_halting_is_balanced() -> None:
    labels = Counter(e["answer"].lower() for e in entries(["game_of_life_halting"], 40, seed=3))
    assert labels == Counter({"true": 20, "false": 20})


def test_integration_entries_whose_gold_is_an_unevaluated_integral_are_dropped() -> None:
    drawn = list(entries(["intermediate_integration"], 25, seed=2))
    assert drawn and all(usable(e) and "Integral(" not in e["answer"] for e in drawn)
    assert not usable({"answer": "3*Integral(x**3*cos(3*x), x) + C",
                       "metadata": {"source_dataset": "intermediate_integration"}})  # fmt: skip


DOMINANT = ("letter_counting", "gcd", "self_reference", "rotten_oranges", "mahjong_puzzle")


@pytest.mark.parametrize("task", DOMINANT)
def test_no_gold_answer_fills_more_than_a_third_of_a_task(task: str) -> None:
    """Upstream: letter_counting "1", gcd "2", self_reference "2" are 40-47% of entries; a constant earned that."""
    drawn = list(entries([task], 30, seed=4))
    assert len(drawn) == 30
    counts = Counter(str(e["answer"]).strip().lower() for e in drawn)
    assert max(counts.values()) <= 10, counts
    assert [e["question"] for e in drawn] == [e["question"] for e in entries([task], 30, seed=4)]
    top = counts.most_common(1)[0][0]
    mean = sum(vrg.score(f"<answer>{top}</answer>", {"entry": e}, ItemOptions()).reward for e in drawn) / 30
    assert mean < 0.5, (task, top, mean)
