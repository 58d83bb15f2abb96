"""End to end on CPU, nothing mocked: a tiny Qwen2 warm-started by SFT on reasoning_gym's chain_sum, then
GRPO against a real `prorl serve` on loopback. Checks learning, the scheduled reference reset, and that
a resumed run reproduces the uninterrupted one exactly."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
import torch

from trainer_client.grpo.config import load_config
from trainer_client.grpo.metric_sinks import read_metrics
from trainer_client.grpo.tiny_task import prepare
from trainer_client.grpo.train import Trainer

pytestmark = pytest.mark.slow

RL_STEPS = 30


@pytest.fixture(scope="module")
def task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.set_num_threads(2)
    return prepare(tmp_path_factory.mktemp("task"), sft_steps=150, n_train=400, n_val=64, seed=0, domain="reasoning_gym")


def _cfg(task: Path, out: Path, url: str, *extra: str):
    return load_config(None, [
        f"model.path={task / 'model'}", "model.device=cpu", "model.logprob_chunk_tokens=64",
        f"data.train_path={task / 'train.jsonl'}", f"data.val_path={task / 'val.jsonl'}",
        "rollout.prompts_per_step=32", "rollout.n_samples=8", "rollout.temperature=1.0",
        "rollout.max_response_tokens=6",
        "algo.max_gen_rounds=2", "algo.ppo_epochs=4", "optim.lr=5e-4", "optim.mini_batch_prompts=32",
        "optim.micro_batch_tokens=512",
        f"service.url={url}", f"run.output_dir={out}", "run.seed=0", "run.tensorboard=false",
        "run.progress=false", "run.val_temperature=1.0", "run.val_n_samples=8", *extra,
    ])


def test_grpo_improves_reward_and_resets_reference(task: Path, tmp_path: Path, reward_service_url: str) -> None:
    cfg = _cfg(task, tmp_path / "run", reward_service_url, f"run.steps={RL_STEPS}", "reset.at_steps=[15]",
               "run.checkpoint_every=0")
    trainer = Trainer(cfg)
    initial_ref = {k: v.clone() for k, v in trainer.reference.state_dict().items()}
    before = trainer.validate()
    seen: dict[int, object] = {}

    def on_step(step: int, metrics: dict[str, float]) -> None:
        if step in (14, 15):  # just before / right after the scheduled reset
            seen[step] = (len(trainer.optimizer.state), {k: v.clone() for k, v in trainer.policy.state_dict().items()})

    trainer.fit(on_step)
    after = trainer.validate()
    trainer.close()

    rows = read_metrics(tmp_path / "run" / "metrics.jsonl", "train")
    assert len(rows) == RL_STEPS
    for key in ("loss", "kl", "entropy", "clipfrac_high", "grad_norm"):
        assert all(math.isfinite(r[key]) for r in rows if key in r), key
    assert sum(r.get("optimizer_steps", 0) for r in rows) >= RL_STEPS // 2
    assert all(0 < r["dynamic_sampling/kept_fraction"] <= 1 and r["dynamic_sampling/rounds"] <= 2 for r in rows)
    # learning: sampled accuracy on held-out prompts rises clearly above the SFT start
    assert after > before + 0.05, (before, after)
    # the scheduled reset happened, was logged, and replaced the reference with the policy of step 15
    resets = read_metrics(tmp_path / "run" / "metrics.jsonl", "reset")
    assert [(r["step"], r["reason"]) for r in resets] == [(15, "scheduled")]
    ref = trainer.reference.state_dict()
    assert any(not torch.equal(initial_ref[k], v) for k, v in ref.items())
    policy_at_reset = seen[15][1]
    assert all(torch.equal(policy_at_reset[k], v) for k, v in ref.items())  # reference := policy of step 15
    assert seen[14][0] > 0 and seen[15][0] == 0  # AdamW moments and step were cleared by the reset


def test_resume_reproduces_the_next_step(task: Path, tmp_path: Path, reward_service_url: str) -> None:
    # also exercises the truncated-IS path: the HF sampler's log-probs must equal the trainer's
    extra = ("run.steps=3", "run.checkpoint_every=1", "run.keep_checkpoints=3", "reset.at_steps=[2]",
             "algo.tis_cap=2.0")
    straight = Trainer(_cfg(task, tmp_path / "a", reward_service_url, *extra))
    straight.fit()
    straight.close()
    # a fresh run directory holding only the step-2 checkpoint: the run "crashed" after step 2
    resumed_dir = tmp_path / "b" / "checkpoints"
    resumed_dir.mkdir(parents=True)
    shutil.copytree(tmp_path / "a" / "checkpoints" / "step_0000002", resumed_dir / "step_0000002")
    (resumed_dir / "latest").write_text("step_0000002")
    resumed = Trainer(_cfg(task, tmp_path / "b", reward_service_url, *extra))
    assert resumed.step == 2 and resumed.resets.count == 1
    resumed.fit()
    resumed.close()

    a = read_metrics(tmp_path / "a" / "metrics.jsonl", "train")[-1]
    b = read_metrics(tmp_path / "b" / "metrics.jsonl", "train")[-1]
    assert b["step"] == 3
    assert a["rollout_logprob_mismatch"] < 1e-4 and a["tis_weight_mean"] == pytest.approx(1.0, abs=1e-3)
    for key in ("reward/mean", "loss", "kl", "entropy", "dynamic_sampling/kept_groups"):
        assert a[key] == b[key], key
    for (name, pa), pb in zip(straight.policy.named_parameters(), resumed.policy.parameters(), strict=True):
        assert torch.equal(pa, pb), name
    for k, v in straight.reference.state_dict().items():
        assert torch.equal(v, resumed.reference.state_dict()[k]), k
