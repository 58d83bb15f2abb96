"""The Ray path for real on CPU: a local Ray (2 CPUs), HF engines in rollout actors, the tiny task,
a real `prorl serve` on loopback. One actor must reproduce the local (non-Ray) trainer step for step;
two actors with the torch.distributed (gloo) weight broadcast must train with sane metrics; a two-rank
trainer group (driver + one trainer actor, gloo) must train to the single-process trainer's weights."""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import ray
import torch

from trainer_client.grpo.config import TrainConfig, load_config
from trainer_client.grpo.metric_sinks import read_metrics
from trainer_client.grpo.tiny_task import prepare
from trainer_client.grpo.train import Trainer
from trainer_client.ray.config import RayConfig, add_ray_arguments, ray_config_from_args
from trainer_client.ray.train import RayTrainer, init_ray, make_trainer

pytestmark = pytest.mark.slow

STEPS = 3


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    """The actors run single-threaded (Ray sets OMP_NUM_THREADS=1): the local path uses the same kernels."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # reasoning_gym's chain_sum scorer is a string comparison: no wall-clock timers that a loaded CI host
    # could trip in one run and not the other, so equal samples always get equal rewards
    return prepare(tmp_path_factory.mktemp("task"), sft_steps=60, n_train=200, n_val=16, seed=0,
                   domain="reasoning_gym")


@pytest.fixture(scope="module")
def ray_session() -> Iterator[None]:
    init_ray(RayConfig(address="local", num_cpus=2, object_store_mb=100))
    try:
        yield
    finally:
        ray.shutdown()


def _cfg(task: Path, out: Path, url: str, *extra: str) -> TrainConfig:
    return load_config(None, [
        f"model.path={task / 'model'}", "model.device=cpu", "model.logprob_chunk_tokens=64",
        f"data.train_path={task / 'train.jsonl'}", "rollout.prompts_per_step=16", "rollout.n_samples=8",
        "rollout.temperature=1.0", "rollout.max_response_tokens=6", "rollout.generation_batch_prompts=8",
        "algo.max_gen_rounds=2", "optim.lr=5e-4", "optim.mini_batch_prompts=8", "optim.micro_batch_tokens=512",
        f"service.url={url}", f"run.output_dir={out}", "run.seed=0", "run.tensorboard=false",
        "run.progress=false", "run.checkpoint_every=0", f"run.steps={STEPS}", *extra,
    ])


def test_one_actor_reproduces_the_local_path(task: Path, tmp_path: Path, reward_service_url: str,
                                             ray_session: None) -> None:
    local = Trainer(_cfg(task, tmp_path / "local", reward_service_url))
    local.fit()
    local.close()
    remote = RayTrainer(_cfg(task, tmp_path / "ray", reward_service_url), RayConfig(address="local"))
    remote.fit()
    remote.close()

    a = read_metrics(tmp_path / "local" / "metrics.jsonl", "train")
    b = read_metrics(tmp_path / "ray" / "metrics.jsonl", "train")
    assert len(a) == len(b) == STEPS
    assert sum(r.get("optimizer_steps", 0) for r in a) > 0, "no update happened: the comparison is empty"
    for ra, rb in zip(a, b, strict=True):
        # same samples: the actor continued the driver's RNG stream with the synced weights
        for key in ("reward/mean", "response_length/mean", "samples", "dynamic_sampling/kept_groups"):
            assert ra[key] == rb[key], (ra["step"], key)
        for key in ("loss", "kl", "entropy"):
            if key in ra:
                assert math.isclose(ra[key], rb[key], rel_tol=1e-4, abs_tol=1e-7), (ra["step"], key)
        assert rb["weight_sync_s"] > 0 and rb["ray/generate_s"] > 0
    for (name, pa), pb in zip(local.policy.named_parameters(), remote.policy.parameters(), strict=True):
        torch.testing.assert_close(pa, pb, rtol=1e-4, atol=1e-6, msg=name)
    setup = read_metrics(tmp_path / "ray" / "metrics.jsonl", "ray")
    assert setup[0]["weight_sync"] == "object_store" and setup[0]["workers"] == 1


def test_two_actors_with_broadcast_sync_train(task: Path, tmp_path: Path, reward_service_url: str,
                                              ray_session: None) -> None:
    parser = argparse.ArgumentParser()
    add_ray_arguments(parser)
    args = parser.parse_args(["--ray-address", "local", "--ray-workers", "2", "--ray-weight-sync", "broadcast",
                              "--ray-placement", "SPREAD"])
    trainer = make_trainer(_cfg(task, tmp_path / "ray2", reward_service_url), ray_config_from_args(args))
    assert isinstance(trainer, RayTrainer)
    try:
        trainer.fit()
        # every actor holds exactly the driver's weights after the last sync
        expected = float(sum(p.detach().double().sum() for p in trainer.policy.parameters()))
        sums = ray.get([w.param_checksum.remote() for w in trainer.engine.workers])  # type: ignore[attr-defined]
        assert sums == [expected, expected]
    finally:
        trainer.close()
    rows = read_metrics(tmp_path / "ray2" / "metrics.jsonl", "train")
    assert len(rows) == STEPS
    for r in rows:
        assert 0.0 <= r["reward/mean"] <= 1.0
        assert r["samples"] >= 16 * 8  # every prompt of every round came back from one of the actors
        assert r["ray/generate_s"] > 0 and r["ray/worker_busy_max_s"] >= r["ray/worker_busy_min_s"] > 0
        for key in ("loss", "kl", "entropy", "grad_norm"):
            if key in r:
                assert math.isfinite(r[key]), key
    assert any("weight_sync_s" in r and r["weight_sync_s"] > 0 for r in rows)
    assert sum(r.get("optimizer_steps", 0) for r in rows) > 0
    assert read_metrics(tmp_path / "ray2" / "metrics.jsonl", "ray")[0]["weight_sync"] == "broadcast"


def test_two_rank_trainer_group_trains_like_one_process(task: Path, tmp_path: Path, reward_service_url: str,
                                                        ray_session: None) -> None:
    """Driver + one trainer actor (gloo), a reference reset after step 2: the weights equal the single-process
    trainer's up to the gradients' summation order, and the actor holds exactly the driver's state, also
    right after resuming from the checkpoint."""
    # AdamW turns the summation-order noise of a near-zero gradient into a step difference of up to
    # ~lr x noise / eps for a few elements (1.7e-6 at most here, typical 1e-8); the weights move ~4e-4
    extra = ("reset.at_steps=[2]", "optim.lr=2e-4")
    local = Trainer(_cfg(task, tmp_path / "local", reward_service_url, *extra))
    local.fit()
    local.close()
    dp_cfg = _cfg(task, tmp_path / "dp", reward_service_url, *extra, "run.checkpoint_every=3")
    remote = RayTrainer(dp_cfg, RayConfig(address="local", trainers=2))
    try:
        remote.fit()
        assert remote.trainer_group is not None
        _assert_same_state(remote, remote.trainer_group.replica_state(0))
    finally:
        remote.close()
    resumed = RayTrainer(dp_cfg, RayConfig(address="local", trainers=2))  # AdamW state from the checkpoint
    try:
        assert resumed.step == STEPS and resumed.trainer_group is not None
        _assert_same_state(resumed, resumed.trainer_group.replica_state(0))
    finally:
        resumed.close()
    for (name, pa), pb in zip(local.policy.named_parameters(), remote.policy.parameters(), strict=True):
        torch.testing.assert_close(pb, pa, rtol=0, atol=1e-5, msg=name)
    for (name, pa), pb in zip(local.reference.named_parameters(), remote.reference.parameters(), strict=True):
        torch.testing.assert_close(pb, pa, rtol=0, atol=1e-5, msg=name)

    a = read_metrics(tmp_path / "local" / "metrics.jsonl", "train")
    b = read_metrics(tmp_path / "dp" / "metrics.jsonl", "train")
    assert len(a) == len(b) == STEPS
    assert all(r.get("optimizer_steps", 0) > 0 for r in a), "a step without an update compares nothing"
    for ra, rb in zip(a, b, strict=True):
        for key in ("reward/mean", "samples", "loss_tokens", "optimizer_steps"):
            assert ra[key] == rb[key], (ra["step"], key)
        for key in ("loss", "pg_loss", "kl", "entropy", "grad_norm", "clipfrac_high", "ppo_kl"):
            assert math.isclose(ra[key], rb[key], rel_tol=1e-4, abs_tol=1e-7), (ra["step"], key)
        assert rb["allreduce_s"] > 0 and rb["logprob_allreduce_s"] > 0 and rb["batch_put_s"] > 0
    assert [r["step"] for r in read_metrics(tmp_path / "dp" / "metrics.jsonl", "reset")] == [2]
    setup = read_metrics(tmp_path / "dp" / "metrics.jsonl", "ray")[0]
    assert setup["trainers"] == 2 and setup["trainer_backend"] == "gloo" and setup["trainer_gpus"] == 0


def _assert_same_state(driver: Trainer, replica: dict[str, Any]) -> None:
    for name, value in driver.policy.state_dict().items():
        assert torch.equal(replica["policy"][name], value), name  # identical summed gradients, identical AdamW
    for name, value in driver.reference.state_dict().items():
        assert torch.equal(replica["reference"][name], value), name  # the reset reached the actor
    driver_opt = driver.optimizer.state_dict()["state"]
    assert driver_opt, "AdamW has no state: nothing compared"
    for i, state in driver_opt.items():
        for key in ("step", "exp_avg", "exp_avg_sq"):
            assert torch.equal(replica["optimizer"]["state"][i][key], state[key]), (i, key)


def test_workers_that_cannot_fit_fail_fast_with_the_numbers(task: Path, ray_session: None) -> None:
    from transformers import AutoConfig

    from trainer_client.grpo.tiny_task import build_tokenizer
    from trainer_client.ray.rollout import RayRolloutEngine

    config = AutoConfig.from_pretrained(task / "model")
    with pytest.raises(RuntimeError, match="GPU"):
        RayRolloutEngine(config, build_tokenizer(), workers=1, gpus_per_worker=1)  # this cluster has no GPU
    with pytest.raises(RuntimeError, match="3 rollout workers x 1 CPU"):
        RayRolloutEngine(config, build_tokenizer(), workers=3)  # 2 CPUs


def test_trainer_actors_count_what_rollout_actors_hold(ray_session: None) -> None:
    from trainer_client.ray.placement import check_fits

    check_fits({"CPU": 1}, 1, "trainer actors", "lower --ray-trainer-{res}", reserved={"CPU": 1})  # 2 - 1 left: fits
    with pytest.raises(RuntimeError, match=r"2 trainer actors x 1 CPU .*2 CPU in all, 1 of them already reserved.*"
                                           r"--ray-trainer-cpus"):
        check_fits({"CPU": 1}, 2, "trainer actors", "lower --ray-trainer-{res}", reserved={"CPU": 1})


def test_two_fsdp_ranks_train_like_one_process_and_resume_exactly(task: Path, tmp_path: Path, reward_service_url: str,
                                                                  ray_session: None) -> None:
    """``--ray-trainer-strategy fsdp``: the driver and one trainer actor each hold half of the policy, the
    reference and AdamW (torch FSDP2, gloo). With a reset after step 2 the weights equal the single-process
    trainer's (up to the gradients' summation order), and a run resumed from the sharded step-2 checkpoint
    repeats step 3 exactly."""
    import shutil

    extra = ("reset.at_steps=[2]", "optim.lr=2e-4")
    local = Trainer(_cfg(task, tmp_path / "local", reward_service_url, *extra))
    local.fit()
    local.close()
    rc = RayConfig(address="local", trainers=2, trainer_strategy="fsdp")
    cfg = _cfg(task, tmp_path / "fsdp", reward_service_url, *extra, "run.checkpoint_every=2")
    straight = RayTrainer(cfg, rc)
    try:
        straight.fit()
        assert straight.trainer_group is not None
        full = straight.trainer_group.full_state_dict()  # type: ignore[attr-defined]
    finally:
        straight.close()
    for name, p in local.policy.state_dict().items():
        if name.endswith("k_proj.bias"):
            # a key bias shifts every score of a query alike: softmax ignores it, its exact gradient is 0, and
            # AdamW scales the summation-order noise left in its place (~1e-10) up to steps of ~lr
            continue
        torch.testing.assert_close(full[name], p, rtol=0, atol=1e-5, msg=name)
    ckpt = tmp_path / "fsdp" / "checkpoints" / "step_0000002"
    assert (ckpt / "reference_sharded").is_dir() and not (ckpt / "reference.pt").exists()

    resumed_dir = tmp_path / "resumed" / "checkpoints"
    resumed_dir.mkdir(parents=True)
    shutil.copytree(ckpt, resumed_dir / ckpt.name)
    (resumed_dir / "latest").write_text(ckpt.name)
    resumed = RayTrainer(_cfg(task, tmp_path / "resumed", reward_service_url, *extra, "run.checkpoint_every=2"), rc)
    try:
        assert resumed.step == 2
        resumed.fit()
        again = resumed.trainer_group.full_state_dict()  # type: ignore[union-attr]
    finally:
        resumed.close()
    for name, p in full.items():
        assert torch.equal(again[name], p), name
    a = read_metrics(tmp_path / "fsdp" / "metrics.jsonl", "train")
    b = read_metrics(tmp_path / "resumed" / "metrics.jsonl", "train")
    assert b[-1]["step"] == a[-1]["step"] == STEPS
    for key in ("reward/mean", "loss", "kl", "entropy"):
        assert a[-1][key] == b[-1][key], key
    setup = read_metrics(tmp_path / "fsdp" / "metrics.jsonl", "ray")[0]
    assert setup["trainer_strategy"] == "fsdp" and setup["trainers"] == 2
