"""The sharded trainer group: FSDP2 ranks across Ray actors (``prorl train --ray-trainers N
--ray-trainer-strategy fsdp``).

As with the data-parallel group (``trainer_client.ray.trainer_group``) the driver is rank 0 and ranks
1..N-1 are actors; here every rank, the driver included, holds only its shards of the policy, the reference
and AdamW (:class:`~trainer_client.grpo.fsdp.FSDPRank`), all in one default torch.distributed process group
(FSDP2's device mesh needs it). The driver's full weights are broadcast into the shards when the group
starts; a resumed run then loads the sharded reference and optimizer from the checkpoint. The rollout
weight sync and the HF-format checkpoint get the policy gathered on the driver (``full_state_dict``).
"""

from __future__ import annotations

import random
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import ray
import torch
import torch.distributed as dist
from ray.util.placement_group import remove_placement_group

from trainer_client.grpo import process_groups
from trainer_client.grpo.batch import RolloutBatch
from trainer_client.grpo.config import TrainConfig
from trainer_client.grpo.fsdp import FSDPRank
from trainer_client.grpo.train import (
    autocast_context,
    make_optimizer,
    set_warmup_lr,
)
from trainer_client.ray.trainer_group import replica_model, spawn_trainer_actors


def _join(backend: str, host: str, port: int, world: int, rank: int) -> None:
    dist.init_process_group(backend, init_method=f"tcp://{host}:{port}", rank=rank, world_size=world)


class FSDPReplica:
    """Rank > 0 of the sharded group (wrapped with ``ray.remote`` by :class:`FSDPTrainerGroup`)."""

    def __init__(self, cfg: TrainConfig, model_config: Any, device: str) -> None:
        self.cfg = cfg
        self.device, self.dtype, self.policy, self.reference = replica_model(cfg, model_config, device)
        self.fsdp: FSDPRank | None = None

    def node_ip(self) -> str:
        return str(ray.util.get_node_ip_address())

    def join(self, host: str, port: int, world: int, rank: int, backend: str, resume: str | None) -> None:
        _join(backend, host, port, world, rank)
        self.fsdp = FSDPRank(self.cfg, self.policy, self.reference, self.device, make_optimizer)
        self.fsdp.load_full_state(None, None)
        if resume:
            self.fsdp.load_sharded(Path(resume))

    def update(self, batch: RolloutBatch, temperature: float, pad_id: int, rng_state: Any,
               opt_steps_since_reset: int, after_reset: bool) -> dict[str, float]:
        assert self.fsdp is not None
        self.fsdp.opt_steps_since_reset, self.fsdp.after_reset = opt_steps_since_reset, after_reset
        rng = random.Random()
        rng.setstate(rng_state)
        return self.fsdp.update(batch, temperature, pad_id, rng, self._set_lr, autocast_context(self.device, self.dtype))

    def reset(self) -> None:
        assert self.fsdp is not None
        self.fsdp.reset()

    def full_policy_state(self) -> None:
        assert self.fsdp is not None
        self.fsdp.full_policy_state()  # the collective; only rank 0 (the driver) keeps the result

    def save_sharded(self, path: str) -> None:
        assert self.fsdp is not None
        self.fsdp.save_sharded(Path(path))

    def shard_sums(self) -> dict[str, float]:
        """Sum of this rank's local shards of every policy and reference tensor (tests)."""
        assert self.fsdp is not None
        return _shard_sums(self.fsdp)

    def shutdown(self) -> None:
        if dist.is_initialized():
            dist.destroy_process_group()

    def _set_lr(self) -> None:
        assert self.fsdp is not None
        set_warmup_lr(self.fsdp.optimizer, self.cfg, self.fsdp.opt_steps_since_reset, self.fsdp.after_reset)
        self.fsdp.opt_steps_since_reset += 1


def _shard_sums(rank: FSDPRank) -> dict[str, float]:
    out = {}
    for tag, module in (("policy", rank.policy), ("reference", rank.reference)):
        for name, p in module.named_parameters():
            local = p.to_local() if hasattr(p, "to_local") else p
            out[f"{tag}.{name}"] = float(local.detach().double().sum())
    return out


class FSDPTrainerGroup:
    """The driver's handle on the sharded group; the driver's own rank is :attr:`rank` (0)."""

    strategy = "fsdp"

    def __init__(self, cfg: TrainConfig, model_config: Any, *, world: int, device: torch.device,
                 gpus_per_rank: float, cpus_per_rank: float = 1, placement_strategy: str = "PACK",
                 reserved: dict[str, float] | None = None, ready_timeout_s: float = 600) -> None:
        if dist.is_initialized():
            raise RuntimeError("this process already has a default torch.distributed group; the sharded trainer "
                               "group needs its own")
        self.cfg, self.device, self.world = cfg, device, world
        self.backend, self.pg, self.actors = spawn_trainer_actors(
            FSDPReplica, cfg, model_config, world=world, device=device, gpus_per_rank=gpus_per_rank,
            cpus_per_rank=cpus_per_rank, placement_strategy=placement_strategy, reserved=reserved,
            ready_timeout_s=ready_timeout_s)
        self.rank: FSDPRank | None = None

    def start(self, policy: torch.nn.Module, reference: torch.nn.Module, resume: Path | None) -> tuple[FSDPRank, float]:
        """Shard the driver's ``policy`` and ``reference`` in place (their full weights are broadcast to every
        rank first), then load a resumed checkpoint's sharded reference and AdamW state. Returns the driver's
        rank and the seconds it took."""
        t0 = time.perf_counter()
        try:
            ips = ray.get([a.node_ip.remote() for a in self.actors])
            here = ray.util.get_node_ip_address()
            host = "127.0.0.1" if set(ips) == {here} else here
            port = process_groups.free_port()
            refs = [a.join.remote(host, port, self.world, i + 1, self.backend, str(resume) if resume else None)
                    for i, a in enumerate(self.actors)]
            full_policy = {k: v.detach().cpu().clone() for k, v in policy.state_dict().items()}
            full_reference = {k: v.detach().cpu().clone() for k, v in reference.state_dict().items()}
            _join(self.backend, host, port, self.world, 0)
            self.rank = FSDPRank(self.cfg, policy, reference, self.device, make_optimizer)
            self.rank.load_full_state(full_policy, full_reference)
            if resume:
                self.rank.load_sharded(resume)
            ray.get(refs)
        except BaseException:
            self.shutdown()
            raise
        return self.rank, time.perf_counter() - t0

    def update(self, policy: torch.nn.Module, reference: torch.nn.Module, optimizer: torch.optim.Optimizer,
               batch: RolloutBatch, cfg: TrainConfig, temperature: float, pad_id: int, rng: random.Random,
               set_lr: Any, autocast: AbstractContextManager[Any], opt_steps_since_reset: int,
               after_reset: bool = False) -> dict[str, float]:
        """One sharded update (same signature as the data-parallel group's; the modules are the rank's)."""
        assert self.rank is not None
        t0 = time.perf_counter()
        ref = ray.put(batch)
        put_s = time.perf_counter() - t0
        state = rng.getstate()
        refs = [a.update.remote(ref, temperature, pad_id, state, opt_steps_since_reset, after_reset)
                for a in self.actors]
        metrics = self.rank.update(batch, temperature, pad_id, rng, set_lr, autocast)
        ray.get(refs)
        metrics["batch_put_s"] = put_s
        return metrics

    def reset(self) -> None:
        """Replay the driver's reset on every actor (the driver's own shards were reset by the trainer)."""
        ray.get([a.reset.remote() for a in self.actors])

    def full_state_dict(self) -> dict[str, torch.Tensor]:
        """The policy's full weights (CPU, fp32) gathered on the driver."""
        assert self.rank is not None
        refs = [a.full_policy_state.remote() for a in self.actors]
        sd = self.rank.full_policy_state()
        ray.get(refs)
        return sd

    def save_sharded(self, path: Path) -> None:
        """Every rank writes its shards of the reference and AdamW under ``path`` (a shared file system)."""
        assert self.rank is not None
        refs = [a.save_sharded.remote(str(path)) for a in self.actors]
        self.rank.save_sharded(path)
        ray.get(refs)

    def shard_sums(self, i: int) -> dict[str, float]:
        return dict(ray.get(self.actors[i].shard_sums.remote()))

    def local_shard_sums(self) -> dict[str, float]:
        assert self.rank is not None
        return _shard_sums(self.rank)

    def shutdown(self) -> None:
        try:
            ray.get([a.shutdown.remote() for a in self.actors])
        except Exception:  # noqa: BLE001 - an actor that died has no group to leave
            pass
        if dist.is_initialized():
            dist.destroy_process_group()
        for a in self.actors:
            ray.kill(a)
        self.actors = []
        remove_placement_group(self.pg)
