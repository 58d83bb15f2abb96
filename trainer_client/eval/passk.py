"""pass@k with the unbiased estimator, aggregated per domain and per task, and the ProRL-style plots.

ProRL's claim is about the *boundary* of what a model can solve, so pass@k for large k matters as
much as pass@1. pass@k is estimated from n >= k samples with c correct as 1 - C(n-c, k) / C(n, k)
(Chen et al. 2021), which is unbiased, unlike 1 - (1 - c/n)^k.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k for one problem with ``c`` of ``n`` samples correct."""
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got c={c}, n={n}")
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= n, got k={k}, n={n}")
    if n - c < k:
        return 1.0  # every k-subset contains a correct sample
    # prod_{i=n-c+1}^{n} (1 - k/i) == C(n-c, k) / C(n, k), numerically stable for large n
    ratio = 1.0
    for i in range(n - c + 1, n + 1):
        ratio *= 1.0 - k / i
    return 1.0 - ratio


def ks_for(n: int) -> list[int]:
    """k in {1, 2, 4, ..., n}; n itself is included even when it is not a power of two."""
    ks, k = [], 1
    while k <= n:
        ks.append(k)
        k *= 2
    if ks[-1] != n:
        ks.append(n)
    return ks


@dataclass(frozen=True)
class ScoredSample:
    """One scored generation: which problem, its domain and task, and whether it was correct."""

    problem_id: str
    domain: str
    task: str
    correct: bool


def summarize(samples: Iterable[ScoredSample]) -> dict[str, Any]:
    """Per-problem counts and mean pass@k per domain and per task (each problem weighs the same)."""
    counts: dict[str, list[int]] = {}
    where: dict[str, tuple[str, str]] = {}
    for s in samples:
        n_c = counts.setdefault(s.problem_id, [0, 0])
        n_c[0] += 1
        n_c[1] += int(s.correct)
        where[s.problem_id] = (s.domain, s.task)
    if not counts:
        raise ValueError("no samples to summarize")
    n = min(n for n, _ in counts.values())
    ks = ks_for(n)

    def mean_curve(problems: Sequence[str]) -> dict[str, float]:
        return {
            str(k): sum(pass_at_k(counts[p][0], counts[p][1], k) for p in problems) / len(problems)
            for k in ks
        }

    by_domain: dict[str, list[str]] = defaultdict(list)
    by_task: dict[str, list[str]] = defaultdict(list)
    for problem, (domain, task) in where.items():
        by_domain[domain].append(problem)
        by_task[task].append(problem)
    return {
        "n": n,
        "ks": ks,
        "overall": mean_curve(list(counts)),
        "domains": {d: {"problems": len(ps), "pass_at_k": mean_curve(ps)} for d, ps in sorted(by_domain.items())},
        "tasks": {t: {"problems": len(ps), "domain": where[ps[0]][0], "pass_at_k": mean_curve(ps)}
                  for t, ps in sorted(by_task.items())},
        "problems": {p: {"n": nc[0], "correct": nc[1], "domain": where[p][0], "task": where[p][1]}
                     for p, nc in sorted(counts.items())},
    }


def write_report(report: dict[str, Any], json_path: str | Path, csv_path: str | Path | None = None) -> None:
    """JSON for machines and ``--compare``; CSV (scope, name, k, pass@k) for spreadsheets."""
    Path(json_path).write_text(json.dumps(report, indent=2, sort_keys=True))
    if csv_path is None:
        return
    with open(csv_path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["scope", "name", "k", "pass_at_k"])
        for k, value in report["overall"].items():
            writer.writerow(["overall", "all", k, f"{value:.6f}"])
        for scope in ("domains", "tasks"):
            for name, entry in report[scope].items():
                for k, value in entry["pass_at_k"].items():
                    writer.writerow([scope[:-1], name, k, f"{value:.6f}"])


def compare_table(base: dict[str, Any], rl: dict[str, Any]) -> list[dict[str, Any]]:
    """Per task shared by both reports: pass@1 and pass@k_max of each, and the gain at k_max."""
    rows = []
    for task in sorted(set(base["tasks"]) & set(rl["tasks"])):
        b, r = base["tasks"][task]["pass_at_k"], rl["tasks"][task]["pass_at_k"]
        k_max = str(max(set(map(int, b)) & set(map(int, r))))
        rows.append({
            "task": task, "k_max": int(k_max),
            "base_pass1": b["1"], "rl_pass1": r["1"],
            "base_pass_kmax": b[k_max], "rl_pass_kmax": r[k_max], "gain_kmax": r[k_max] - b[k_max],
        })
    return rows


def plot_compare(base: dict[str, Any], rl: dict[str, Any], out_png: str | Path,
                 labels: tuple[str, str] = ("base", "RL")) -> list[dict[str, Any]]:
    """The paper-style figure: pass@k curves per task (base vs RL) and gain vs base pass@k_max."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = compare_table(base, rl)
    if not rows:
        raise ValueError("the two reports share no task")
    cols = min(4, len(rows))
    grid_rows = -(-len(rows) // cols) + 1
    fig = plt.figure(figsize=(4 * cols, 3.2 * grid_rows))
    for index, row in enumerate(rows):
        ax = fig.add_subplot(grid_rows, cols, index + 1)
        for report, label, style in ((base, labels[0], "--o"), (rl, labels[1], "-o")):
            curve = report["tasks"][row["task"]]["pass_at_k"]
            ks = sorted(map(int, curve))
            ax.plot(ks, [curve[str(k)] for k in ks], style, label=label, markersize=3)
        ax.set_xscale("log", base=2)
        ax.set_ylim(0, 1.02)
        ax.set_title(row["task"], fontsize=9)
        ax.set_xlabel("k")
        ax.set_ylabel("pass@k")
        if index == 0:
            ax.legend(fontsize=8)
    ax = fig.add_subplot(grid_rows, 1, grid_rows)
    ax.scatter([r["base_pass_kmax"] for r in rows], [r["gain_kmax"] for r in rows])
    for r in rows:
        ax.annotate(r["task"], (r["base_pass_kmax"], r["gain_kmax"]), fontsize=7)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xlabel(f"{labels[0]} pass@{rows[0]['k_max']}")
    ax.set_ylabel(f"{labels[1]} - {labels[0]} pass@{rows[0]['k_max']}")
    ax.set_title("improvement vs base pass@k_max")
    fig.tight_layout()
    fig.savefig(out_png, dpi=110)
    plt.close(fig)
    return rows
