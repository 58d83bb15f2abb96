"""Trainer pieces that need no rollouts: warmup schedule and the reset action (weights, AdamW, warmup)."""

from pathlib import Path

import pytest
import torch

from trainer_client.grpo.config import load_config
from trainer_client.grpo.metric_sinks import read_metrics
from trainer_client.grpo.tiny_task import prepare
from trainer_client.grpo.train import Trainer


@pytest.fixture
def trainer(tmp_path: Path) -> Trainer:
    task = prepare(tmp_path / "task", sft_steps=0, n_train=8, n_val=4)
    cfg = load_config(None, [f"model.path={task / 'model'}", "model.device=cpu", f"data.train_path={task / 'train.jsonl'}",
                             "optim.lr=0.1", "optim.warmup_steps=4", f"run.output_dir={tmp_path / 'run'}",
                             "run.tensorboard=false", "service.url=http://127.0.0.1:9"])  # never contacted here
    t = Trainer(cfg)
    yield t
    t.close()


def test_warmup_is_linear_and_restarts_after_a_reset(trainer: Trainer, tmp_path: Path) -> None:
    lrs = []
    for _ in range(6):
        trainer._set_lr()
        lrs.append(trainer.optimizer.param_groups[0]["lr"])
    assert lrs == pytest.approx([0.025, 0.05, 0.075, 0.1, 0.1, 0.1])
    # make the policy differ from the reference and give AdamW some state
    trainer.policy(torch.tensor([[3, 4, 5]])).logits.sum().backward()
    trainer.optimizer.step()
    assert trainer.optimizer.state
    trainer.step = 7
    trainer.reset("manual")
    assert not trainer.optimizer.state
    for (name, p), r in zip(trainer.policy.named_parameters(), trainer.reference.parameters(), strict=True):
        assert torch.equal(p, r), name
    trainer._set_lr()
    assert trainer.optimizer.param_groups[0]["lr"] == pytest.approx(0.025)
    assert read_metrics(tmp_path / "run" / "metrics.jsonl", "reset")[0]["reason"] == "manual"


def test_bad_training_data_fails_before_the_model_loads(tmp_path: Path) -> None:
    """The records are read first: a malformed file is reported at once, not after the model load (here the
    model path does not even exist, so a late check would fail on the model instead)."""
    data = tmp_path / "train.jsonl"
    data.write_text('{"prompt": "1+1=", "domain": "math"}\n')
    cfg = load_config(None, [f"model.path={tmp_path / 'no-model'}", "model.device=cpu", f"data.train_path={data}",
                             f"run.output_dir={tmp_path / 'run'}", "run.tensorboard=false"])
    with pytest.raises(ValueError, match="record 0: record has no 'reference'"):
        Trainer(cfg)
