"""The mini-ProRL experiment script runs end to end on CPU at toy size (so the documented GPU experiment
does not rot): task + SFT, a real `prorl serve`, pass@k before/after, GRPO with a reset, the plot."""

import json
from pathlib import Path

import pytest

from experiments import mini_prorl

pytestmark = pytest.mark.slow


def test_mini_prorl_pipeline_on_cpu(tmp_path: Path) -> None:
    out = tmp_path / "mini"
    rc = mini_prorl.main(["--out", str(out), "--steps", "3", "--sft-steps", "20", "--eval-n", "4", "--n-val", "6",
                          "--n-train", "60", "--device", "cpu", "run.val_every=1", "reset.interval=2",
                          "reset.min_gap=1", "run.checkpoint_every=3", "rollout.prompts_per_step=8",
                          "rollout.n_samples=4", "optim.mini_batch_prompts=4", "run.tensorboard=false"])
    assert rc == 0
    summary = json.loads((out / "summary.json").read_text())
    assert {row["task"] for row in summary["compare"]} == {"chain_sum", "products"}
    for side in ("base", "rl"):
        report = json.loads((out / f"{side}.json").read_text())
        assert report["unjudged"] == 0 and report["n"] == 4
        assert set(summary[side]) == {"1", "2", "4"}
    assert [r["reason"] for r in summary["resets"]] == ["interval"]
    assert summary["config"]["algo"]["eps_high"] == 0.4  # the ProRL knobs reached the trainer
    png = out / "passk_compare.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
