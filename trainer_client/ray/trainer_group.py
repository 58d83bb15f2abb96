"""The trainer group: data-parallel PPO updates across Ray actors (``prorl train --ray-trainers N``).

The driver stays rank 0 and keeps the canonical policy, reference and optimizer, so checkpoints, resets,
validation and the rollout weight sync are the single-process trainer's code. Ranks 1..N-1 are
:class:`TrainerReplica` actors holding replicas of all three. Each step the driver puts the step batch
into the object store once; every rank then runs :func:`~trainer_client.grpo.data_parallel.data_parallel_update`
with the same update-RNG state and warmup position, trains on its share of every mini-batch and sums
gradients over a private process group (gloo on CPU, NCCL on GPU). Resets are replayed on every replica;
the driver's full state (policy, reference, optimizer) is shipped once, when the group starts, which
also covers resuming from a checkpoint.
"""

from __future__ import annotations

import random
import time
from contextlib import AbstractContextManager
from typing import Any

import ray
import torch
from ray.util.placement_group import remove_placement_group

from trainer_client.grpo import process_groups
from trainer_client.grpo.batch import RolloutBatch
from trainer_client.grpo.config import TrainConfig
from trainer_client.grpo.data_parallel import DataParallelGroup, data_parallel_update, group_backend
from trainer_client.grpo.reset import reset_optimizer, reset_reference
from trainer_client.grpo.train import (
    autocast_context,
    autocast_dtype,
    make_optimizer,
    prepare_for_training,
    set_warmup_lr,
)
from trainer_client.ray.placement import check_fits, in_bundle, reserve


def replica_model(cfg: TrainConfig, model_config: Any, device: str) -> tuple[torch.device, Any, Any, Any]:
    """An actor rank's device, autocast dtype, policy and reference, built from the driver's model config.

    Only the shapes come from here: the weights (and AdamW state on resume) arrive from the driver when the
    group starts, for the data-parallel and the sharded group alike.
    """
    from transformers import AutoModelForCausalLM

    torch_device = torch.device(device)
    if torch_device.type == "cuda":  # pragma: no cover - needs GPUs
        torch.cuda.set_device(torch_device)
    dtype = autocast_dtype(cfg, torch_device)
    policy = AutoModelForCausalLM.from_config(model_config, dtype=torch.float32).to(torch_device)
    return torch_device, dtype, policy, prepare_for_training(policy, cfg, dtype)


def spawn_trainer_actors(replica_cls: type, cfg: TrainConfig, model_config: Any, *, world: int, device: torch.device,
                         gpus_per_rank: float, cpus_per_rank: float, placement_strategy: str,
                         reserved: dict[str, float] | None, ready_timeout_s: float) -> tuple[str, Any, list[Any]]:
    """Check the group can exist, reserve a bundle per actor rank and start ranks 1..world-1 as
    ``replica_cls`` actors: (process-group backend, placement group, actors)."""
    if world < 2:
        raise ValueError("a trainer group needs at least 2 ranks (the driver and one actor)")
    if (gpus_per_rank > 0) != (device.type == "cuda"):
        # gloo and NCCL groups each need every rank's tensors on the same kind of device
        raise ValueError(f"the driver trains on {device.type} but trainer actors would get {gpus_per_rank:g} "
                         "GPUs: every rank of the trainer group must use the same kind of device "
                         "(--ray-trainer-gpus)")
    backend = group_backend(device)
    bundle: dict[str, float] = {"CPU": cpus_per_rank}
    if gpus_per_rank > 0:
        bundle["GPU"] = gpus_per_rank
    check_fits(bundle, world - 1, "trainer actors", "lower --ray-trainers, --ray-trainer-{res} or --ray-workers",
               reserved)
    pg = reserve(bundle, world - 1, placement_strategy, ready_timeout_s, "trainer actors")
    actor_cls = ray.remote(replica_cls)
    actor_device = "cuda:0" if gpus_per_rank > 0 else "cpu"  # Ray's CUDA_VISIBLE_DEVICES: the actor's GPU is 0
    actors = [
        actor_cls.options(num_cpus=cpus_per_rank, num_gpus=gpus_per_rank,
                          scheduling_strategy=in_bundle(pg, i)).remote(cfg, model_config, actor_device)
        for i in range(world - 1)
    ]
    return backend, pg, actors


class TrainerReplica:
    """Rank > 0 of the trainer group (wrapped with ``ray.remote`` by :class:`TrainerGroup`)."""

    def __init__(self, cfg: TrainConfig, model_config: Any, device: str) -> None:
        self.cfg = cfg
        self.device, self.dtype, self.policy, self.reference = replica_model(cfg, model_config, device)
        self.optimizer = make_optimizer(self.policy, cfg, self.device)
        self.opt_steps_since_reset = 0
        self.after_reset = False
        self.dp: DataParallelGroup | None = None

    def node_ip(self) -> str:
        return str(ray.util.get_node_ip_address())

    def join(self, host: str, port: int, world: int, rank: int, backend: str) -> None:
        self.dp = DataParallelGroup(process_groups.make_group(host, port, world, rank, backend), rank, world,
                                    self.device)

    def receive_state(self, policy_metas: list[process_groups.TensorMeta], reference_metas: list[process_groups.TensorMeta],
                      optimizer_state: dict[str, Any] | None) -> None:
        """The driver's policy and reference, broadcast into this replica's own tensors; its AdamW state
        (Ray resolved the object ref) when it has any."""
        assert self.dp is not None
        for module, metas in ((self.policy, policy_metas), (self.reference, reference_metas)):
            rest = process_groups.receive_weights(self.dp.weights, metas, self.dp.device, into=module.state_dict())
            if rest:  # a replica must be the driver's model exactly, not a near copy
                raise RuntimeError(f"replica tensors do not match the driver's: {sorted(rest)[:5]}")
        if optimizer_state is not None:
            self.optimizer.load_state_dict(optimizer_state)

    def update(self, batch: RolloutBatch, temperature: float, pad_id: int, rng_state: Any,
               opt_steps_since_reset: int, after_reset: bool = False) -> dict[str, float]:
        assert self.dp is not None
        self.opt_steps_since_reset = opt_steps_since_reset
        self.after_reset = after_reset
        rng = random.Random()
        rng.setstate(rng_state)
        return data_parallel_update(self.dp, self.policy, self.reference, self.optimizer, batch, self.cfg,
                                    temperature, pad_id, rng, self._set_lr, autocast_context(self.device, self.dtype))

    def reset(self) -> None:
        reset_reference(self.policy, self.reference)
        reset_optimizer(self.optimizer)
        self.opt_steps_since_reset = 0

    def state(self) -> dict[str, Any]:
        """Policy, reference and AdamW state on CPU: lets a test compare a replica with the driver."""
        return {"policy": _cpu(self.policy.state_dict()), "reference": _cpu(self.reference.state_dict()),
                "optimizer": _cpu(self.optimizer.state_dict())}

    def _set_lr(self) -> None:
        set_warmup_lr(self.optimizer, self.cfg, self.opt_steps_since_reset, self.after_reset)
        self.opt_steps_since_reset += 1


def _cpu(obj: Any) -> Any:
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu()
    if isinstance(obj, dict):
        return {k: _cpu(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return type(obj)(_cpu(v) for v in obj)
    return obj


class TrainerGroup:
    """The driver's handle on ranks 1..world-1; the driver itself is rank 0 (:attr:`dp`)."""

    def __init__(self, cfg: TrainConfig, model_config: Any, *, world: int, device: torch.device,
                 gpus_per_rank: float, cpus_per_rank: float = 1, placement_strategy: str = "PACK",
                 reserved: dict[str, float] | None = None, ready_timeout_s: float = 600) -> None:
        self.backend, self.pg, self.actors = spawn_trainer_actors(
            TrainerReplica, cfg, model_config, world=world, device=device, gpus_per_rank=gpus_per_rank,
            cpus_per_rank=cpus_per_rank, placement_strategy=placement_strategy, reserved=reserved,
            ready_timeout_s=ready_timeout_s)
        try:
            self.dp = self._join(world, device)
        except BaseException:  # an actor that failed to start: release what was reserved
            self._release()
            raise

    def _join(self, world: int, device: torch.device) -> DataParallelGroup:
        ips = ray.get([a.node_ip.remote() for a in self.actors])  # also: every actor is up
        here = ray.util.get_node_ip_address()
        host = "127.0.0.1" if set(ips) == {here} else here
        port = process_groups.free_port()
        joined = [a.join.remote(host, port, world, i + 1, self.backend) for i, a in enumerate(self.actors)]
        if device.type == "cuda" and device.index is not None:  # pragma: no cover - needs GPUs
            torch.cuda.set_device(device)
        dp = DataParallelGroup(process_groups.make_group(host, port, world, 0, self.backend), 0, world, device)
        ray.get(joined)
        return dp

    @property
    def world(self) -> int:
        return self.dp.world

    def load_state(self, policy: torch.nn.Module, reference: torch.nn.Module,
                   optimizer: torch.optim.Optimizer) -> float:
        """Make every replica the driver's exact copy (weights broadcast over the group, AdamW state
        through the object store when there is any, i.e. after a resume). Returns the seconds it took."""
        t0 = time.perf_counter()
        p_sd, r_sd = policy.state_dict(), reference.state_dict()
        opt_ref = ray.put(_cpu(optimizer.state_dict())) if optimizer.state else None
        refs = [a.receive_state.remote(process_groups.tensor_metas(p_sd), process_groups.tensor_metas(r_sd), opt_ref)
                for a in self.actors]
        process_groups.send_weights(self.dp.weights, p_sd)
        process_groups.send_weights(self.dp.weights, r_sd)
        ray.get(refs)
        return time.perf_counter() - t0

    def update(self, policy: torch.nn.Module, reference: torch.nn.Module, optimizer: torch.optim.Optimizer,
               batch: RolloutBatch, cfg: TrainConfig, temperature: float, pad_id: int, rng: random.Random,
               set_lr: Any, autocast: AbstractContextManager[Any], opt_steps_since_reset: int,
               after_reset: bool = False) -> dict[str, float]:
        """One data-parallel update; the driver's ``rng`` and warmup counter advance as in one process."""
        t0 = time.perf_counter()
        ref = ray.put(batch)  # one copy for every actor (one transfer per node)
        put_s = time.perf_counter() - t0
        state = rng.getstate()  # before rank 0 shuffles with it
        refs = [a.update.remote(ref, temperature, pad_id, state, opt_steps_since_reset, after_reset)
                for a in self.actors]
        metrics = data_parallel_update(self.dp, policy, reference, optimizer, batch, cfg, temperature, pad_id, rng,
                                       set_lr, autocast)
        ray.get(refs)  # the actors' metrics are the same reduced numbers
        metrics.update(self.dp.pop_timings())
        metrics["batch_put_s"] = put_s
        return metrics

    def reset(self) -> None:
        """Replay the driver's reset on every replica (reference := policy, AdamW cleared)."""
        ray.get([a.reset.remote() for a in self.actors])

    def replica_state(self, i: int) -> dict[str, Any]:
        return dict(ray.get(self.actors[i].state.remote()))

    def shutdown(self) -> None:
        self._release()
        self.dp.weights.shutdown()

    def _release(self) -> None:
        for a in self.actors:
            ray.kill(a)
        self.actors = []
        remove_placement_group(self.pg)
