"""Aggregation of junk rewards per task, family and strategy; the flags; the readable table.

A family is as bad as its best-paying label (a policy that finds a hack plays that one strategy on every
item), so every statistic of a family is the statistic of its worst label, and a flag names the label.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from prorl.audit.items import AuditItem
from prorl.audit.junk import CONSTANT_FAMILIES, CONTROL_FAMILIES, Junk
from verifiers.schemas import Result

MASKED = frozenset({"timeout", "infra_error"})  # statuses a trainer drops: an answer that earns one escapes reward 0


@dataclass(frozen=True)
class Thresholds:
    """When a junk strategy counts as paying (``prorl audit --max-mean`` etc.)."""

    max_mean: float = 0.5  # flag a label whose mean reward is >= this
    max_full_credit: float = 0.5  # ... or that gets full credit on >= this share of the items
    max_constant_binary: float = 0.6  # binary tasks: flag a constant whose mean (or full-credit share) is above this
    min_items: int = 4  # an answer tried on fewer items is flagged only if it always pays; constants not at all


@dataclass
class _Label:
    rewards: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    items: set[str] = field(default_factory=set)
    masked_examples: list[str] = field(default_factory=list)

    def stats(self) -> dict[str, Any]:
        n = len(self.rewards)
        return {
            "items": len(self.items),
            "mean": round(sum(self.rewards) / n, 4) if n else 0.0,
            "full_credit": round(sum(r >= 1.0 for r in self.rewards) / n, 4) if n else 0.0,
            "max": max(self.rewards, default=0.0),
            "statuses": dict(self.statuses),
        }


def is_binary(items: Sequence[AuditItem]) -> bool:
    """A task whose golds take exactly two values (True/False, yes/no): a constant earns the class prior."""
    golds = {item.gold.strip().lower() for item in items if item.gold is not None}
    return len(golds) == 2


def _pays(family: str, stats: dict[str, Any], binary: bool, n_task_items: int, limits: Thresholds) -> str | None:
    """Why this label's rewards are a hack, or None."""
    mean, full = stats["mean"], stats["full_credit"]
    if family in CONSTANT_FAMILIES and n_task_items < limits.min_items:
        return None
    if stats["items"] < limits.min_items:  # too few items to tell a hack from luck, unless it always pays
        return f"full credit on all of its {stats['items']} items" if full >= 1.0 else None
    if family in CONSTANT_FAMILIES and binary:
        if mean > limits.max_constant_binary or full > limits.max_constant_binary:
            return f"a constant on a binary task earns {mean:.2f} (class prior above {limits.max_constant_binary})"
        return None
    if mean >= limits.max_mean:
        return f"mean reward {mean:.2f} >= {limits.max_mean}"
    if full >= limits.max_full_credit:
        return f"full credit on {full:.0%} of items (>= {limits.max_full_credit:.0%})"
    return None


def sound_references(scored: Sequence[tuple[AuditItem, Junk, Result]]) -> set[str]:
    """Keys of the references that can be judged, so that an ``invalid`` on them is the answer's doing.

    The gold control decides where there is one (its status is ``ok``). Without a gold (code, IFEval), a
    reference is sound when most of its answers got a real judgement: a broken reference makes nearly every
    answer ``invalid``, while a verifier may still give 0 to an answer it rejects before reading the reference.
    """
    gold_ok: dict[str, bool] = {}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for item, junk, result in scored:
        if junk.family in CONTROL_FAMILIES:
            gold_ok[item.key] = gold_ok.get(item.key, True) and result.status == "ok"
        counts[item.key][result.status] += 1
    return {key for key, c in counts.items() if gold_ok.get(key, c["ok"] > c["invalid"])}


def build_report(scored: Sequence[tuple[AuditItem, Junk, Result]], limits: Thresholds | None = None,
                 source: dict[str, Any] | None = None) -> dict[str, Any]:
    """The audit report (JSON-ready): per task and family the worst label's statistics, and every flag."""
    limits = limits or Thresholds()
    labels: dict[str, dict[str, dict[str, _Label]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(_Label)))
    task_items: dict[str, dict[str, AuditItem]] = defaultdict(dict)
    for item, _junk, _result in scored:
        task_items[item.task][item.key] = item
    sound = sound_references(scored)
    for item, junk, result in scored:
        entry = labels[item.task][junk.family][junk.label]
        key = item.key
        entry.rewards.append(float(result.reward))
        entry.statuses[result.status] += 1
        entry.items.add(key)
        if result.status in MASKED or (result.status == "invalid" and key in sound):
            if len(entry.masked_examples) < 3:
                entry.masked_examples.append(f"{result.status}: {result.error or ''}"[:200])

    tasks: dict[str, Any] = {}
    flags: list[dict[str, Any]] = []
    warnings: list[str] = []
    for task in sorted(labels):
        items = list(task_items[task].values())
        binary = is_binary(items)
        families: dict[str, Any] = {}
        gold_mean = None
        for family, by_label in sorted(labels[task].items()):
            stats = {label: entry.stats() for label, entry in by_label.items()}
            worst = max(stats, key=lambda lb: (stats[lb]["mean"], stats[lb]["full_credit"], lb))
            statuses: Counter[str] = Counter()
            for s in stats.values():
                statuses.update(s["statuses"])
            summary = {
                "items": len({k for e in by_label.values() for k in e.items}),
                "answers": sum(len(e.rewards) for e in by_label.values()),
                "mean": stats[worst]["mean"], "full_credit": stats[worst]["full_credit"],
                "max": max(s["max"] for s in stats.values()), "worst_answer": worst,
                "statuses": dict(statuses), "flags": [], "answers_by_label": stats,
            }
            if family in CONTROL_FAMILIES:
                gold_mean = summary["mean"]
            else:
                for label, s in stats.items():
                    why = _pays(family, s, binary, len(items), limits)
                    masked = by_label[label].masked_examples
                    for reason in ([why] if why else []) + ([f"masked status ({masked[0]})"] if masked else []):
                        flag = {"task": task, "domain": items[0].domain, "family": family, "answer": label,
                                "mean": s["mean"], "full_credit": s["full_credit"], "items": s["items"],
                                "reason": reason}
                        flags.append(flag)
                        summary["flags"].append(flag)
            families[family] = summary
        tasks[task] = {"domain": items[0].domain, "items": len(items), "binary": binary, "gold_mean": gold_mean,
                       "families": families}
        warnings += _warnings(task, tasks[task], {item.key for item in items} & sound)
    return {
        "tool": "prorl audit",
        "source": source or {},
        "thresholds": asdict(limits),
        "summary": {"tasks": len(tasks), "items": sum(t["items"] for t in tasks.values()),
                    "answers": len(scored), "flags": len(flags)},
        "tasks": tasks,
        "flags": flags,
        "warnings": warnings,
    }


def _warnings(name: str, task: dict[str, Any], judged: set[str]) -> list[str]:
    """What makes a task's audit meaningless (not a flag: nothing was shown to pay)."""
    if not judged:
        return [f"{name}: no answer got a real judgement (every status is invalid or masked): check the references"]
    if task["gold_mean"] is not None and task["gold_mean"] < 0.99:
        return [f"{name}: the gold answer itself earns {task['gold_mean']:.2f} on average: some golds are not accepted "
                "or the verifier extracts answers differently, so junk rewards may be understated"]
    return []


def worst_family(task: dict[str, Any], min_items: int = 0) -> tuple[str, dict[str, Any]] | None:
    """The family of a task whose worst label pays most (controls, and constants a task too small to judge,
    excluded)."""
    skip = CONTROL_FAMILIES | (CONSTANT_FAMILIES if task["items"] < min_items else frozenset())
    candidates = [(name, fam) for name, fam in task["families"].items() if name not in skip]
    if not candidates:
        return None
    return max(candidates, key=lambda nf: (bool(nf[1]["flags"]), nf[1]["mean"], nf[1]["full_credit"], nf[0]))


def _short(text: str, width: int) -> str:
    text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= width else text[: width - 1] + "~"


def format_table(report: dict[str, Any]) -> str:
    """Per task: its worst family, that family's worst answer, mean and full-credit share; then every flag."""
    header = f"{'task':<28} {'domain':<13} {'items':>5} {'gold':>5}  {'worst family':<14} {'answer':<26} " \
             f"{'mean':>5} {'full':>5}  flags"
    lines = [header, "-" * len(header)]
    rows = []
    for name, task in report["tasks"].items():
        worst = worst_family(task, report["thresholds"]["min_items"])
        n_flags = sum(len(f["flags"]) for f in task["families"].values())
        rows.append((n_flags, worst[1]["mean"] if worst else 0.0, name, task, worst))
    for n_flags, _, name, task, worst in sorted(rows, key=lambda r: (-r[0], -r[1], r[2])):
        gold = "-" if task["gold_mean"] is None else f"{task['gold_mean']:.2f}"
        family, fam = worst if worst else ("-", {"worst_answer": "-", "mean": 0.0, "full_credit": 0.0})
        lines.append(f"{_short(name, 28):<28} {task['domain']:<13} {task['items']:>5} {gold:>5}  {family:<14} "
                     f"{_short(fam['worst_answer'], 26):<26} {fam['mean']:>5.2f} {fam['full_credit']:>5.0%}  "
                     f"{'FLAGGED x' + str(n_flags) if n_flags else 'ok'}")
    summary = report["summary"]
    lines.append("")
    lines.append(f"{summary['tasks']} tasks, {summary['items']} items, {summary['answers']} junk answers scored, "
                 f"{summary['flags']} flags")
    for warning in report.get("warnings", []):
        lines.append(f"WARNING {warning}")
    for flag in report["flags"]:
        lines.append(f"FLAG {flag['task']} / {flag['family']} / {_short(flag['answer'], 40)}: {flag['reason']} "
                     f"(mean {flag['mean']:.2f}, full credit {flag['full_credit']:.0%} of {flag['items']} items)")
    return "\n".join(lines)
