"""Data-parallel PPO updates: R ranks that each hold the whole step batch, train on a share of every
mini-batch and sum their gradients before each optimizer step (torch DDP semantics without DDP).

DDP's own all-reduce fires once per ``backward``; ``ppo_update`` runs a data-dependent number of
micro-batches per mini-batch on each rank (a rank may have none), so per-backward collectives would not
line up across ranks. Here every rank runs the same sequence of collectives, decided by the batch alone:

1. old and reference log-probs: each rank computes its share of the samples' rows, one all-reduce (SUM)
   assembles the ``[N, R]`` tensor (the other ranks' rows are zeros, so the sum is exact);
2. per mini-batch: the gradient all-reduce (SUM) after accumulation, before clipping; a rank with no
   sample in the mini-batch contributes zeros;
3. once per update: the metric accumulators (sums, and the ``ratio_max`` maximum).

Identical summed gradients keep AdamW identical on every rank, so rank 0's checkpoint is everyone's.
The group is a ``ProcessGroupGloo`` / ``ProcessGroupNCCL`` object (``process_groups.make_group``), not the
default process group. Nothing here imports Ray: the unit tests run two gloo ranks in threads.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import torch
import torch.distributed as dist

from trainer_client.grpo.batch import RolloutBatch, shard_samples
from trainer_client.grpo.config import TrainConfig
from trainer_client.grpo.process_groups import WeightGroup, all_reduce_stats
from trainer_client.grpo.update import fill_logprobs, ppo_update

BUCKET_BYTES = 64 * 2**20  # gradients per all-reduce call: few calls, a bounded extra copy


class DataParallelGroup:
    """This process's rank in a data-parallel trainer group: the collectives of one PPO update (its
    :class:`~trainer_client.grpo.update.UpdateStrategy`)."""

    loss_scale = 1.0  # gradients are summed over the ranks, not averaged

    def __init__(self, group: WeightGroup, rank: int, world: int, device: torch.device) -> None:
        self.weights = group  # also carries the initial state broadcast from rank 0
        self.rank, self.world = rank, world
        # gloo reduces CPU tensors, NCCL CUDA ones
        self.device = device if group_backend(device) == "nccl" else torch.device("cpu")
        self._timings: dict[str, float] = {}

    def all_reduce_(self, tensor: torch.Tensor, op: Any = dist.ReduceOp.SUM) -> None:
        """In place, on every rank (``tensor`` must live on :attr:`device`)."""
        opts = dist.AllreduceOptions()
        opts.reduceOp = op
        self.weights.group.allreduce([tensor], opts).wait()

    def all_reduce_gradients(self, params: list[torch.nn.Parameter]) -> None:
        """Sum every parameter's gradient over the ranks, in buckets of :data:`BUCKET_BYTES`.

        A rank whose share of the mini-batch was empty has no gradients: it sends zeros. A parameter
        that got no gradient on any rank stays ``None``, so AdamW skips it exactly as a single process
        would (a zero gradient would still decay the weight and move the moments)."""
        with self._timed("allreduce_s"):
            present = torch.tensor([p.grad is not None for p in params], dtype=torch.float32, device=self.device)
            self.all_reduce_(present)
            live = [p for p, n in zip(params, present.tolist(), strict=True) if n > 0]
            for bucket in _buckets(live, BUCKET_BYTES):
                flat = torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1).to(self.device)
                                  for p in bucket])
                self.all_reduce_(flat)
                offset = 0
                for p in bucket:
                    summed = flat[offset: offset + p.numel()].view_as(p).to(p.device)
                    offset += p.numel()
                    if p.grad is None:
                        p.grad = summed.clone()
                    else:
                        p.grad.copy_(summed)

    def my_samples(self, batch: RolloutBatch, idx: list[int]) -> list[int]:
        """This rank's balanced share of the mini-batch ``idx``."""
        return shard_samples(batch, idx, self.rank, self.world)

    def min_passes(self, batch: RolloutBatch, idx: list[int]) -> int:
        return 0  # whole replicas: a pass involves no collective, a rank runs only its own micro-batches

    def reduce_gradients(self, model: torch.nn.Module) -> None:
        self.all_reduce_gradients([p for p in model.parameters() if p.requires_grad])

    def reduce_stats(self, stats: dict[str, float]) -> dict[str, float]:
        """``ppo_update``'s accumulators over all ranks (:func:`~trainer_client.grpo.process_groups.all_reduce_stats`)."""
        with self._timed("allreduce_s"):
            return all_reduce_stats(stats, self.all_reduce_, self.device)

    def logprobs(self, model: torch.nn.Module, batch: RolloutBatch, cfg: TrainConfig, temperature: float,
                 pad_id: int) -> torch.Tensor:
        """``fill_logprobs`` over the whole batch, each rank computing a balanced share of the rows."""
        mine = shard_samples(batch, list(range(len(batch))), self.rank, self.world)
        out = fill_logprobs(model, batch, cfg, temperature, pad_id, idx=mine)
        with self._timed("logprob_allreduce_s"):
            full = out.to(self.device)
            self.all_reduce_(full)
        return full.cpu()

    def pop_timings(self) -> dict[str, float]:
        """Seconds spent in collectives since the last call (including waits for slower ranks)."""
        out, self._timings = self._timings, {}
        return out

    @contextlib.contextmanager
    def _timed(self, key: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self._timings[key] = self._timings.get(key, 0.0) + time.perf_counter() - t0


def group_backend(device: torch.device) -> str:
    return "nccl" if device.type == "cuda" else "gloo"


def _buckets(params: list[torch.nn.Parameter], limit: int) -> Iterator[list[torch.nn.Parameter]]:
    """Consecutive runs of same-dtype parameters of at most ``limit`` bytes (a larger one alone)."""
    cur: list[torch.nn.Parameter] = []
    size = 0
    for p in params:
        nbytes = p.numel() * p.element_size()
        if cur and (size + nbytes > limit or p.dtype != cur[0].dtype):
            yield cur
            cur, size = [], 0
        cur.append(p)
        size += nbytes
    if cur:
        yield cur


def data_parallel_update(
    dp: DataParallelGroup,
    policy: torch.nn.Module,
    reference: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    batch: RolloutBatch,
    cfg: TrainConfig,
    temperature: float,
    pad_id: int,
    rng: random.Random,
    set_lr: Callable[[], None],
    autocast: contextlib.AbstractContextManager[Any],
) -> dict[str, float]:
    """What ``Trainer._update`` does, as rank ``dp.rank`` of ``dp.world``: every rank calls this with the
    same batch, the same ``rng`` state and the same warmup position, and returns the same metrics."""
    with autocast:
        batch.old_logp = dp.logprobs(policy, batch, cfg, temperature, pad_id)
        batch.ref_logp = dp.logprobs(reference, batch, cfg, temperature, pad_id)
        return ppo_update(policy, optimizer, batch, cfg, temperature, pad_id, rng, set_lr, strategy=dp)
