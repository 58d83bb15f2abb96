"""Issue #17: the trainer's long-run safety. Resets that do not shock the policy (reset.warmup_steps), a
reference computed in the policy's own precision (KL 0 right after a reset), metrics.jsonl without the
steps a crash made run twice, and checkpoints with a bf16 copy and optional optimizer state."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from trainer_client.grpo.batch import RolloutBatch
from trainer_client.grpo.config import TrainConfig, load_config
from trainer_client.grpo.metric_sinks import read_metrics
from trainer_client.grpo.tiny_task import prepare
from trainer_client.grpo.train import Trainer, autocast_context, prepare_for_training
from trainer_client.grpo.update import fill_logprobs


@pytest.fixture(scope="module")
def task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare(tmp_path_factory.mktemp("task"), sft_steps=0, n_train=8, n_val=4)


def _cfg(task: Path, out: Path, *extra: str) -> TrainConfig:
    return load_config(None, [f"model.path={task / 'model'}", "model.device=cpu", f"data.train_path={task / 'train.jsonl'}",
                              f"run.output_dir={out}", "run.tensorboard=false",
                              "service.url=http://127.0.0.1:9", *extra])  # the service is never contacted here


@pytest.fixture
def trainer(task: Path, tmp_path: Path) -> Iterator[Trainer]:
    t = Trainer(_cfg(task, tmp_path / "run", "optim.lr=0.1", "optim.warmup_steps=0", "reset.warmup_steps=4",
                     "optim.weight_decay=0.0"))
    yield t
    t.close()


def _adam_step(t: Trainer) -> dict[str, torch.Tensor]:
    before = {n: p.detach().clone() for n, p in t.policy.named_parameters()}
    t.optimizer.zero_grad()
    t.policy(torch.tensor([[3, 4, 5, 6]])).logits.pow(2).mean().backward()
    t._set_lr()
    t.optimizer.step()
    return {n: (p.detach() - before[n]).abs() for n, p in t.policy.named_parameters()}


def test_first_step_after_a_reset_is_bounded_by_the_reset_warmup(trainer: Trainer) -> None:
    """AdamW restarts with no moments, so its first step moves every weight with a gradient by about lr.
    With ``reset.warmup_steps: 4`` that step is lr / 4; before any reset the paper's constant lr applies."""
    moved = _adam_step(trainer)
    assert trainer.optimizer.param_groups[0]["lr"] == pytest.approx(0.1)  # no warmup at the start
    assert max(float(d.max()) for d in moved.values()) > 0.05
    trainer.step = 3
    trainer.reset("manual")
    moved = _adam_step(trainer)
    assert trainer.optimizer.param_groups[0]["lr"] == pytest.approx(0.025)
    biggest = max(float(d.max()) for d in moved.values())
    assert 0.0125 < biggest <= 0.025 * (1 + 1e-4)
    lrs = []
    for _ in range(4):
        _adam_step(trainer)
        lrs.append(trainer.optimizer.param_groups[0]["lr"])
    assert lrs == pytest.approx([0.05, 0.075, 0.1, 0.1])


def _batch() -> RolloutBatch:
    g = torch.Generator().manual_seed(0)
    prompts = [torch.randint(2, 12, (4,), generator=g).tolist() for _ in range(4)]
    resps = [torch.randint(2, 12, (n,), generator=g).tolist() for n in (3, 6, 2, 5)]
    z = torch.zeros(4)
    return RolloutBatch(prompts, resps, torch.tensor([0, 0, 1, 1]), z, z > 0, torch.ones(4), z)


def test_kl_is_zero_right_after_a_reset_under_bf16_autocast(task: Path, tmp_path: Path) -> None:
    """The reference must compute the same log-probs as the policy it was copied from. Under bf16 autocast
    a bf16-stored reference (embeddings, norms, residual stream in bf16) differs by ~1e-2 in log-prob, so
    the KL never returns to 0 after a reset and a kl_threshold trigger is biased."""
    from transformers import AutoModelForCausalLM

    cfg = _cfg(task, tmp_path / "run", "model.dtype=bfloat16")
    policy = AutoModelForCausalLM.from_pretrained(task / "model", dtype=torch.float32)
    reference = prepare_for_training(policy, cfg, torch.bfloat16)
    with torch.no_grad():  # the policy moves on, then a reset copies it
        for p in policy.parameters():
            p.add_(0.01 * torch.randn_like(p))
    from trainer_client.grpo.reset import reset_reference

    reset_reference(policy, reference)
    batch = _batch()
    with autocast_context(torch.device("cpu"), torch.bfloat16):
        lp_policy = fill_logprobs(policy, batch, cfg, 1.2, 0)
        lp_ref = fill_logprobs(reference, batch, cfg, 1.2, 0)
    mask = batch.token_mask()
    assert float(((lp_policy - lp_ref).abs() * mask).max()) <= 1e-6


def test_resume_drops_metrics_rows_after_the_checkpoint(task: Path, tmp_path: Path) -> None:
    """A crash between checkpoints: the steps after the last checkpoint run again on resume and must not be
    in metrics.jsonl twice."""
    out = tmp_path / "run"
    t = Trainer(_cfg(task, out, "run.keep_checkpoints=2"))
    t.step = 2
    t.metrics.log(1, {"loss": 1.0})
    t.metrics.log(2, {"loss": 2.0})
    t.save()
    t.metrics.log(3, {"loss": 3.0})
    t.metrics.log(3, {"reason": "interval"}, kind="reset")
    t.metrics.log(4, {"loss": 4.0})
    t.close()
    (out / "metrics.jsonl").open("a").write('{"kind": "train", "step": 5, "lo')  # cut by the crash
    resumed = Trainer(_cfg(task, out))
    resumed.close()
    rows = read_metrics(out / "metrics.jsonl")
    assert [(r["kind"], r["step"]) for r in rows] == [("train", 1), ("train", 2), ("resume", 2)]
    assert resumed.metrics.dropped_on_resume == 4


def test_checkpoints_carry_bf16_weights_and_optimizer_state_only_when_newest(task: Path, tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM

    out = tmp_path / "run"
    t = Trainer(_cfg(task, out, "run.keep_checkpoints=3", "run.keep_optimizer_checkpoints=1", "optim.lr=0.01"))
    for step in (1, 2, 3, 4):
        _adam_step(t)
        t.step = step
        t.save()
    t.close()
    steps = sorted((out / "checkpoints").glob("step_*"))
    assert [p.name for p in steps] == ["step_0000002", "step_0000003", "step_0000004"]
    assert [(p / "optimizer.pt").exists() for p in steps] == [False, False, True]
    newest = steps[-1]
    bf16 = load_file(newest / "policy_bf16" / "model.safetensors")
    fp32 = load_file(newest / "policy" / "model.safetensors")
    assert all(v.dtype == torch.bfloat16 for v in bf16.values())
    assert all(torch.equal(bf16[k], fp32[k].to(torch.bfloat16)) for k in fp32)
    assert json.loads((newest / "policy_bf16" / "config.json").read_text()).get("dtype", "bfloat16") == "bfloat16"
    AutoModelForCausalLM.from_pretrained(newest / "policy_bf16")  # loads as a model on its own
    assert (newest / "config.yaml").exists()
    # an older checkpoint without optimizer state still resumes (fresh AdamW moments)
    (out / "checkpoints" / "latest").write_text(steps[0].name)
    resumed = Trainer(_cfg(task, out))
    resumed.close()
    assert resumed.step == 2 and not resumed.optimizer.state
