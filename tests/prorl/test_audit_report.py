"""Aggregation and flags of ``prorl audit``'s report, on hand-built verdicts (the scoring path is tested in
test_audit_cli.py): each flag rule fires exactly when its threshold is crossed."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from prorl.audit.items import AuditItem
from prorl.audit.junk import Junk
from prorl.audit.report import Thresholds, build_report, format_table, is_binary
from verifiers.schemas import Result


def _item(i: int, gold: str | None = None, task: str = "t") -> AuditItem:
    return AuditItem(task=task, domain="reasoning_gym", reference={"i": i, "task": task}, gold=gold)


def _ok(reward: float) -> Result:
    return Result(reward=reward, correct=reward == 1.0, status="ok")


def _scored(rewards: list[float], family: str = "non_finite", label: str = "nan [answer]",
            golds: list[str] | None = None) -> list[tuple[AuditItem, Junk, Result]]:
    golds = golds or [f"g{i}" for i in range(len(rewards))]
    return [(_item(i, golds[i]), Junk(family, label, "x"), _ok(r)) for i, r in enumerate(rewards)]


def _flags(report: dict) -> set[tuple[str, str, str]]:
    return {(f["task"], f["family"], f["answer"]) for f in report["flags"]}


def test_a_family_that_pays_on_average_or_in_full_is_flagged_and_a_failing_one_is_not() -> None:
    assert _flags(build_report(_scored([0.5] * 8))) == {("t", "non_finite", "nan [answer]")}  # mean 0.5
    assert _flags(build_report(_scored([1.0] * 4 + [0.0] * 4))) == {("t", "non_finite", "nan [answer]")}
    assert _flags(build_report(_scored([0.4] * 8))) == set()
    assert _flags(build_report(_scored([1.0] * 3 + [0.0] * 5))) == set()  # 3/8 full credit, mean 0.375
    custom = Thresholds(max_mean=0.3, max_full_credit=0.9)
    assert _flags(build_report(_scored([0.4] * 8), custom)) == {("t", "non_finite", "nan [answer]")}


@given(st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0]), min_size=4, max_size=20))
def test_flag_matches_the_thresholds(rewards: list[float]) -> None:
    mean = sum(rewards) / len(rewards)
    full = sum(r == 1.0 for r in rewards) / len(rewards)
    flagged = bool(build_report(_scored(rewards))["flags"])
    assert flagged == (round(mean, 4) >= 0.5 or round(full, 4) >= 0.5)


def test_statistics_are_those_of_the_worst_label_of_a_family() -> None:
    scored = _scored([0.0] * 8, label="nan [answer]") + _scored([0.2] * 8, label="inf [answer]")
    family = build_report(scored)["tasks"]["t"]["families"]["non_finite"]
    assert (family["worst_answer"], family["mean"], family["items"], family["answers"]) == ("inf [answer]", 0.2, 8, 16)


def test_binary_tasks_judge_constants_against_the_class_prior() -> None:
    balanced = ["True", "False"] * 4
    assert is_binary([_item(i, g) for i, g in enumerate(balanced)])
    # a constant earns exactly the prior 0.5 on balanced labels: not a hack
    half = [1.0 if g == "True" else 0.0 for g in balanced]
    assert build_report(_scored(half, "constant", "True [answer]", balanced))["flags"] == []
    # 7 of 8 labels True: the constant earns 0.875 > 0.6
    skewed = ["True"] * 7 + ["False"]
    rewards = [1.0 if g == "True" else 0.0 for g in skewed]
    report = build_report(_scored(rewards, "constant", "True [answer]", skewed))
    assert _flags(report) == {("t", "constant", "True [answer]")}
    assert "binary" in report["flags"][0]["reason"]
    # 5 of 8 (0.625) pays above 0.6 too; on a non-binary task 0.625 is flagged by the general rule anyway
    five = [1.0] * 5 + [0.0] * 3
    assert build_report(_scored(five, "other_gold", "True [answer]", ["True"] * 5 + ["False"] * 3))["flags"]


def test_constants_are_not_judged_on_too_few_items_but_other_families_are() -> None:
    assert build_report(_scored([1.0] * 2, "constant", "0 [answer]"))["flags"] == []
    assert build_report(_scored([1.0] * 2, "non_finite", "nan [answer]"))["flags"]


def test_masked_statuses_are_flagged_as_escape_hatches() -> None:
    items = [_item(i) for i in range(4)]
    scored = [(item, Junk("pathological", "tower", "x"), _ok(0.0)) for item in items]
    scored += [(item, Junk("gold", "gold [answer]", "g"), _ok(1.0)) for item in items]  # sound references
    scored.append((items[0], Junk("pathological", "deep", "y"), Result.failed("timeout", "deadline")))
    scored.append((items[1], Junk("pathological", "deep", "y"), Result.failed("infra_error", "down")))
    scored.append((items[2], Junk("empty", "empty", ""), Result.failed("invalid", "answer made it invalid")))
    report = build_report(scored)
    reasons = {(f["family"], f["answer"]): f["reason"] for f in report["flags"]}
    assert set(reasons) == {("pathological", "deep"), ("empty", "empty")}
    assert reasons[("empty", "empty")].startswith("masked status (invalid")


def test_invalid_for_an_unsound_reference_is_not_flagged_and_the_gold_control_never_is() -> None:
    broken = _item(0)
    scored = [(broken, Junk("constant", "0", "0"), Result.failed("invalid", "gold does not parse"))]
    scored += [(_item(i + 1), Junk("gold", "gold [answer]", "g"), _ok(1.0)) for i in range(4)]
    report = build_report(scored)
    assert report["flags"] == []
    assert report["tasks"]["t"]["gold_mean"] == 1.0 and report["warnings"] == []


def test_a_task_nothing_could_judge_or_whose_gold_fails_gets_a_warning_not_a_flag() -> None:
    scored = [(_item(i), Junk("constant", "0", "0"), Result.failed("invalid", "bad gold")) for i in range(4)]
    scored += [(_item(i, task="u"), Junk("gold", "gold [answer]", "g"), _ok(float(i % 2))) for i in range(4)]
    report = build_report(scored)
    assert report["flags"] == []
    assert [w.split(":")[0] for w in report["warnings"]] == ["t", "u"]
    assert "WARNING u: the gold answer itself earns 0.50" in format_table(report)


def test_report_is_json_with_summary_tasks_and_flags_and_a_table() -> None:
    scored = _scored([1.0] * 8) + [(item, Junk("echo", "raw [answer]", "q"), _ok(0.0)) for item, _, _ in _scored([0] * 8)]
    report = json.loads(json.dumps(build_report(scored, source={"data": "x.jsonl"})))
    assert set(report) == {"tool", "source", "thresholds", "summary", "tasks", "flags", "warnings"}
    assert report["summary"] == {"tasks": 1, "items": 8, "answers": 16, "flags": 1}
    family = report["tasks"]["t"]["families"]["non_finite"]
    assert {"items", "answers", "mean", "full_credit", "max", "worst_answer", "statuses", "flags",
            "answers_by_label"} <= set(family)
    assert report["flags"][0] | {"reason": ""} == {"task": "t", "domain": "reasoning_gym", "family": "non_finite",
                                                   "answer": "nan [answer]", "mean": 1.0, "full_credit": 1.0,
                                                   "items": 8, "reason": ""}
    table = format_table(report)
    assert "non_finite" in table and "FLAG t / non_finite / nan [answer]" in table


def test_without_a_gold_a_reference_most_answers_find_invalid_is_broken_not_an_escape() -> None:
    """A code or IFEval verifier may give 0 to an empty answer before it reads a broken reference."""
    broken, sound = AuditItem("c", "code", {"n": 1}), AuditItem("c", "code", {"n": 2})
    scored = [(broken, Junk("empty", "empty", ""), _ok(0.0))]
    scored += [(broken, Junk("exit_early", f"p{i}", "x"), Result.failed("invalid", "bad tests")) for i in range(3)]
    scored += [(sound, Junk("exit_early", f"p{i}", "x"), _ok(0.0)) for i in range(3)]
    scored.append((sound, Junk("empty", "empty", ""), Result.failed("invalid", "the answer did it")))
    report = build_report(scored)
    assert {(f["family"], f["answer"]) for f in report["flags"]} == {("empty", "empty")}


def test_an_answer_tried_on_few_items_is_flagged_only_when_it_always_pays() -> None:
    assert build_report(_scored([1.0, 0.0], "pathological", "repetition"))["flags"] == []
    assert build_report(_scored([1.0, 1.0], "pathological", "repetition"))["flags"]
