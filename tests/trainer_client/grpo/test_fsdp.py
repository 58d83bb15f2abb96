"""FSDP2 ranks without Ray: two gloo processes whose sharded update (with a mini-batch in which one rank has
no sample, and a reset in between) gives the single-process weights, and whose sharded checkpoint resumes
exactly."""

from __future__ import annotations

import copy
import random
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from transformers import Qwen2Config, Qwen2ForCausalLM

from trainer_client.grpo.batch import RolloutBatch
from trainer_client.grpo.config import TrainConfig, load_config
from trainer_client.grpo.process_groups import free_port
from trainer_client.grpo.train import make_optimizer, prepare_for_training, set_warmup_lr
from trainer_client.grpo.update import fill_logprobs, ppo_update

WORLD = 2


def _cfg() -> TrainConfig:
    return load_config(None, ["optim.mini_batch_prompts=2", "optim.micro_batch_tokens=24", "optim.lr=1e-3",
                              "algo.kl_coef=0.1", "model.logprob_chunk_tokens=8", "reset.warmup_steps=2"])


def _model() -> Qwen2ForCausalLM:
    torch.manual_seed(0)
    return Qwen2ForCausalLM(Qwen2Config(vocab_size=40, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64))


def _batch(seed: int) -> RolloutBatch:
    g = torch.Generator().manual_seed(seed)
    lens = [3, 7, 2, 5, 4, 6, 9]  # 7 samples in 4 groups: the last group's mini-batch has one sample
    prompts = [torch.randint(2, 40, (4,), generator=g).tolist() for _ in lens]
    resps = [torch.randint(2, 40, (n,), generator=g).tolist() for n in lens]
    adv = torch.randn(len(lens), generator=g)
    return RolloutBatch(prompts, resps, torch.tensor([0, 0, 1, 1, 2, 2, 3]), adv, adv > 0, torch.ones(len(lens)), adv)


class _Single:
    """The single-process reference run: the trainer's own functions."""

    def __init__(self) -> None:
        self.cfg = _cfg()
        self.policy = _model()
        self.reference = prepare_for_training(self.policy, self.cfg, None)
        self.optimizer = make_optimizer(self.policy, self.cfg, torch.device("cpu"))
        self.steps, self.after_reset = 0, False

    def set_lr(self) -> None:
        set_warmup_lr(self.optimizer, self.cfg, self.steps, self.after_reset)
        self.steps += 1

    def step(self, seed: int) -> None:
        b = _batch(seed)
        b.old_logp = fill_logprobs(self.policy, b, self.cfg, 1.0, 0)
        b.ref_logp = fill_logprobs(self.reference, b, self.cfg, 1.0, 0)
        ppo_update(self.policy, self.optimizer, b, self.cfg, 1.0, 0, random.Random(seed), self.set_lr)


def _rank(rank: int, port: int, out: str, phase: str) -> None:
    from contextlib import nullcontext

    from trainer_client.grpo.fsdp import FSDPRank

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=WORLD)
    cfg = _cfg()
    policy = _model()
    if rank == 0 and phase == "resume":  # what the trainer loads from the checkpoint's policy/
        policy.load_state_dict(torch.load(Path(out) / "policy_at_2.pt"))
    if rank != 0:  # a replica's own weights must not matter: rank 0's are broadcast
        torch.nn.init.normal_(policy.lm_head.weight)
    reference = prepare_for_training(policy, cfg, None)
    full = copy.deepcopy(policy.state_dict()) if rank == 0 else None
    fsdp = FSDPRank(cfg, policy, reference, torch.device("cpu"), make_optimizer)
    fsdp.load_full_state(full, full)
    state = {"steps": 0, "after": False}

    def set_lr() -> None:
        set_warmup_lr(fsdp.optimizer, cfg, state["steps"], state["after"])
        state["steps"] += 1

    ckpt = Path(out) / "ckpt"
    seeds = [1, 2, 3]
    if phase == "resume":
        fsdp.load_sharded(ckpt)
        state.update(torch.load(Path(out) / "counters.pt"))
        seeds = [3]
    metrics = []
    for seed in seeds:
        metrics.append(fsdp.update(_batch(seed), 1.0, 0, random.Random(seed), set_lr, nullcontext()))
        if seed == 1:  # a reset after the first step: reference := policy, AdamW cleared, warmup restarted
            fsdp.reset()
            state.update(steps=0, after=True)
        if seed == 2 and phase == "train":
            ckpt.mkdir(parents=True, exist_ok=True)
            fsdp.save_sharded(ckpt)
            gathered = fsdp.full_policy_state()
            if rank == 0:
                torch.save(dict(state), Path(out) / "counters.pt")
                torch.save(gathered, Path(out) / "policy_at_2.pt")
    gathered = fsdp.full_policy_state()
    if rank == 0:
        torch.save({"policy": gathered, "metrics": metrics}, Path(out) / f"{phase}.pt")
    dist.destroy_process_group()


def _spawn(out: Path, phase: str) -> dict:
    mp.spawn(_rank, args=(free_port(), str(out), phase), nprocs=WORLD, join=True)
    return torch.load(out / f"{phase}.pt")


def test_two_fsdp_ranks_train_like_one_process_and_resume_exactly(tmp_path: Path) -> None:
    from trainer_client.grpo.reset import reset_optimizer, reset_reference

    torch.set_num_threads(1)
    single = _Single()
    single.step(1)
    reset_reference(single.policy, single.reference)
    reset_optimizer(single.optimizer)
    single.steps, single.after_reset = 0, True
    single.step(2)
    single.step(3)

    trained = _spawn(tmp_path, "train")
    for name, p in single.policy.state_dict().items():
        torch.testing.assert_close(trained["policy"][name], p, rtol=0, atol=2e-6, msg=name)
    assert all(m["optimizer_steps"] == 2 for m in trained["metrics"])  # 4 groups / 2 per mini-batch

    # a fresh group from step 2's checkpoint (gathered policy + sharded reference and AdamW) repeats step 3
    resumed = _spawn(tmp_path, "resume")
    for name, p in trained["policy"].items():
        torch.testing.assert_close(resumed["policy"][name], p, rtol=0, atol=0, msg=name)
