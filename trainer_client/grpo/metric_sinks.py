"""Metrics sinks: one JSON object per line (always) and TensorBoard (when installed and enabled)."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any


def truncate_after(path: Path, step: int) -> int:
    """Drop the rows of ``path`` logged after ``step``; returns how many were dropped.

    A run that crashed between two checkpoints logged steps that the resumed run does again: kept, they
    would appear twice (with different values). Rows of ``step`` itself were written before its checkpoint
    and stay. The file is rewritten through a temporary file, so a crash here loses nothing."""
    if not path.exists():
        return 0
    kept, dropped = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            row_step = json.loads(line).get("step")
        except json.JSONDecodeError:  # a line cut by the crash itself
            dropped += 1
            continue
        if isinstance(row_step, int | float) and row_step > step:
            dropped += 1
        else:
            kept.append(line)
    if dropped:
        tmp = path.with_suffix(".jsonl.tmp")
        tmp.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
        tmp.replace(path)
    return dropped


class MetricsLogger:
    def __init__(self, output_dir: str | Path, tensorboard: bool = True, truncate_after: int | None = None) -> None:
        """``truncate_after``: the step of the checkpoint being resumed; later rows are dropped (JSONL) or
        purged (TensorBoard's ``purge_step``)."""
        self.dir = Path(output_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / "metrics.jsonl"
        self.dropped_on_resume = 0 if truncate_after is None else _truncate(self.path, truncate_after)
        self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - lives as long as the logger
        self._tb = None
        if tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter

                purge = None if truncate_after is None else truncate_after + 1
                self._tb = SummaryWriter(str(self.dir / "tensorboard"), purge_step=purge)
            except ImportError:  # tensorboard is optional: JSONL alone is enough
                self._tb = None

    def log(self, step: int, metrics: dict[str, Any], kind: str = "train") -> None:
        row = {"kind": kind, "step": step, "time": time.time(), **metrics}
        self._fh.write(json.dumps(row, default=float) + "\n")
        self._fh.flush()
        if self._tb is not None:
            for k, v in metrics.items():
                if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
                    self._tb.add_scalar(f"{kind}/{k}" if kind != "train" else k, v, step)

    def close(self) -> None:
        self._fh.close()
        if self._tb is not None:
            self._tb.close()


_truncate = truncate_after  # the constructor's parameter shadows the function's name


def read_metrics(path: str | Path, kind: str | None = None) -> list[dict[str, Any]]:
    """All rows of a metrics.jsonl (optionally only one kind: train / val / reset)."""
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    return [r for r in rows if kind is None or r["kind"] == kind]
