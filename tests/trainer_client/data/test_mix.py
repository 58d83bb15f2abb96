"""The offline mix: proportions, dedup, determinism for a seed, held-out tasks and the train/val split."""

from __future__ import annotations

import pytest

from trainer_client.data.code_problems import load_code_problems
from trainer_client.data.gym_tasks import ood_held_out, training_tasks
from trainer_client.data.mix import (
    allocate,
    build_mix,
    dedup_key,
    generate_ood,
    parse_mix,
    split_train_val,
)
from trainer_client.data.procedural_math import MATH_TASKS
from trainer_client.data.procedural_mcq import generate_mcq
from trainer_client.data.records import validate_record

WEIGHTS = {"math": 0.3, "code": 0.1, "mcq": 0.2, "reasoning_gym": 0.3, "ifeval": 0.1}


@pytest.fixture(scope="module")
def mix() -> list[dict]:
    return build_mix(80, seed=5, weights=WEIGHTS, progress=False)


def _count(records: list[dict]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in records:
        out[r["domain"]] = out.get(r["domain"], 0) + 1
    return out


def test_allocate_is_exact_and_proportional() -> None:
    assert allocate(80, WEIGHTS) == {"math": 24, "code": 8, "mcq": 16, "reasoning_gym": 24, "ifeval": 8}
    counts = allocate(7, {"a": 1, "b": 1, "c": 1})
    assert sum(counts.values()) == 7 and max(counts.values()) - min(counts.values()) == 1


def test_parse_mix() -> None:
    assert parse_mix("math=3,code=1") == {"math": 0.75, "code": 0.25}
    assert abs(sum(parse_mix(None).values()) - 1) < 1e-9
    for bad in ("math", "chess=1", "math=-1", "math=0"):
        with pytest.raises(ValueError):
            parse_mix(bad)


def test_mix_has_the_asked_proportions_and_valid_unique_records(mix: list[dict]) -> None:
    assert _count(mix) == allocate(80, WEIGHTS)
    for record in mix:
        validate_record(record)
    keys = [dedup_key(r) for r in mix]
    assert len(set(keys)) == len(keys)
    assert [r["meta"]["uid"] for r in mix] == [k[:16] for k in keys]
    assert len({r["domain"] for r in mix[:20]}) > 2  # shuffled, not grouped by domain


def test_mix_is_deterministic_for_a_seed(mix: list[dict]) -> None:
    assert build_mix(80, seed=5, weights=WEIGHTS, progress=False) == mix
    other = build_mix(80, seed=6, weights=WEIGHTS, progress=False)
    assert {dedup_key(r) for r in other} != {dedup_key(r) for r in mix}


def test_a_domain_that_runs_out_hands_its_share_to_the_others() -> None:
    records = build_mix(240, seed=1, weights={"code": 0.5, "mcq": 0.5}, progress=False)
    assert _count(records) == {"code": len(load_code_problems()), "mcq": 240 - len(load_code_problems())}


def test_reshuffled_multiple_choice_is_a_duplicate() -> None:
    a, b = generate_mcq(1, seed=0)[0], generate_mcq(1, seed=0)[0]
    b["reference"]["choices"] = list(reversed(a["reference"]["choices"]))
    b["prompt"][-1]["content"] = a["prompt"][-1]["content"].split("\n\nA) ")[0] + "\n\n" + "\n".join(
        f"{'ABCD'[i]}) {c}" for i, c in enumerate(b["reference"]["choices"]))
    assert dedup_key(a) == dedup_key(b)
    different = next(r for r in generate_mcq(20, seed=1) if r["prompt"][-1]["content"] != a["prompt"][-1]["content"])
    assert dedup_key(a) != dedup_key(different)


def test_held_out_tasks_never_train_and_form_the_ood_set(mix: list[dict]) -> None:
    held = set(ood_held_out())
    assert {"acre", "boxnet", "game_of_life_halting"} <= held
    assert not held & set(training_tasks())
    assert "game_of_life" not in training_tasks()
    assert not set(MATH_TASKS) & set(training_tasks())  # a problem never appears in two domains
    assert not {r["meta"]["task"] for r in mix if r["domain"] == "reasoning_gym"} & held
    ood = generate_ood(9, seed=0)
    assert {r["meta"]["task"] for r in ood} == held


def test_split_is_stratified_disjoint_and_complete(mix: list[dict]) -> None:
    train, val = split_train_val(mix, 0.25, seed=5)
    assert len(train) + len(val) == len(mix)
    assert not {dedup_key(r) for r in train} & {dedup_key(r) for r in val}
    assert _count(val) == {d: round(0.25 * n) for d, n in _count(mix).items()}
    assert split_train_val(mix, 0.25, seed=5) == (train, val)
    with pytest.raises(ValueError):
        split_train_val(mix, 1.0, seed=5)
