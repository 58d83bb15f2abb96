"""``prorl train`` on Ray with a vLLM rollout actor (CPU build), the config file users run
(configs/tiny-cpu-vllm.yaml), against a real ``prorl serve``: the second and last vLLM start of the suite.

Weights reach the actor through the collective path (``--ray-weight-sync broadcast``: a gloo group on CPU,
the NCCL code path on GPUs). Rollouts of step k are sampled by the actor with the weights of update k - 1,
and the trainer recomputes their log-probs with its own policy: a mismatch near 0 on every step after the
first is only possible if each sync landed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from trainer_client.grpo.metric_sinks import read_metrics

REPO_ROOT = Path(__file__).resolve().parents[2]
STEPS = 3


@pytest.mark.timeout(1800)  # a Ray start and a vLLM start on 2 cores
def test_prorl_train_on_ray_with_a_vllm_rollout_actor(vllm_task: Path, vllm_service_url: str, tmp_path: Path) -> None:
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "prorl.cli", "train", "--config", str(REPO_ROOT / "configs" / "tiny-cpu-vllm.yaml"),
           "--ray-address", "local", "--ray-weight-sync", "broadcast", "--ray-num-cpus", "2",
           f"model.path={vllm_task / 'model'}", f"data.train_path={vllm_task / 'train.jsonl'}",
           f"data.val_path={vllm_task / 'val.jsonl'}", f"service.url={vllm_service_url}", f"run.output_dir={out}",
           f"run.steps={STEPS}", "run.val_every=0", "run.checkpoint_every=0", "run.tensorboard=false",
           "run.progress=false", "rollout.prompts_per_step=16", "optim.mini_batch_prompts=16", "algo.ppo_epochs=2"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-6000:]

    setup = read_metrics(out / "metrics.jsonl", "ray")
    assert setup and setup[0]["weight_sync"] == "broadcast" and setup[0]["workers"] == 1
    rows = read_metrics(out / "metrics.jsonl", "train")
    assert len(rows) == STEPS
    assert all(r["weight_sync_s"] > 0 for r in rows if "rollout_logprob_mismatch" in r)
    updated = [r for r in rows if "rollout_logprob_mismatch" in r]
    assert len(updated) >= 2, rows  # at least one step sampled with synced (post-update) weights
    assert all(r["rollout_logprob_mismatch"] < 1e-4 for r in updated), [r["rollout_logprob_mismatch"] for r in updated]
