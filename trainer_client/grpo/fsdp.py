"""Sharded trainer ranks with torch's own FSDP2 (``torch.distributed.fsdp.fully_shard``).

Data parallelism (``trainer_client.grpo.data_parallel``) keeps the whole model, its gradients and AdamW's two
moments on every rank: 16 bytes per parameter, 25 GB for a 1.5B model and 122 GB for a 7B one before a
single activation. FSDP2 shards all four over the ``world`` ranks (each decoder layer is one unit, the
embedding, final norm and head form the root unit); a layer's full weights exist only while it runs.

Every rank holds the same step batch and trains on its share of each mini-batch
(:func:`~trainer_client.grpo.batch.shard_samples`), as the data-parallel ranks do. What changes:

- every forward gathers parameters and every backward reduce-scatters gradients collectively, so all ranks
  run the same number of passes per mini-batch (a rank with fewer runs zero-weighted ones);
- FSDP averages gradients over ranks; the loss is scaled by ``world`` so the result is the sum that the
  mini-batch's global token normaliser expects (the single-process gradient);
- the policy and the reference are sharded alike, so a reset copies shards locally and AdamW's sharded
  state is cleared on every rank; checkpoints are torch.distributed.checkpoint (DCP) directories written by
  every rank (a file system all ranks share), next to the HF-format policy gathered on rank 0.

Nothing here imports Ray: ``trainer_client.ray.fsdp_group`` runs these ranks in Ray actors.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
import torch.distributed.checkpoint as dcp
from torch.distributed.checkpoint.state_dict import (
    StateDictOptions,
    get_model_state_dict,
    get_optimizer_state_dict,
    set_model_state_dict,
    set_optimizer_state_dict,
)
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import fully_shard

from trainer_client.grpo.batch import RolloutBatch, micro_batches, shard_samples
from trainer_client.grpo.config import TrainConfig
from trainer_client.grpo.logprobs import ResponseLogprobs
from trainer_client.grpo.process_groups import all_reduce_stats
from trainer_client.grpo.reset import reset_optimizer, reset_reference
from trainer_client.grpo.update import fill_logprobs, ppo_update

PREFIX = "model."  # state-dict keys of the wrapped model inside ResponseLogprobs
REFERENCE_DIR, OPTIMIZER_DIR = "reference_sharded", "optimizer_sharded"


def decoder_layers(model: torch.nn.Module) -> list[torch.nn.Module]:
    """The repeated blocks of a transformers causal LM (``model.model.layers`` for Qwen2/Llama/Mistral)."""
    decoder = model.get_decoder() if hasattr(model, "get_decoder") else model.base_model
    layers = getattr(decoder, "layers", None)
    if layers is None:
        raise ValueError(f"{type(model).__name__}: no decoder layers found to shard")
    return list(layers)


def shard_model(model: torch.nn.Module, mesh: Any) -> ResponseLogprobs:
    """Wrap ``model`` for sharded log-prob passes and shard it in place: one FSDP unit per decoder layer, the
    rest (embedding, norm, head) in the root unit."""
    wrapper = ResponseLogprobs(model)
    for layer in decoder_layers(model):
        fully_shard(layer, mesh=mesh)
    # the root too gives its gathered parameters back after forward: the reference never runs backward, and
    # a reset or a state dict must see the shards, not the gathered copies
    fully_shard(wrapper, mesh=mesh, reshard_after_forward=True)
    return wrapper


class FSDPRank:
    """One rank of a sharded trainer group: its shards of the policy, the reference and AdamW, and the
    :class:`~trainer_client.grpo.update.UpdateStrategy` of its PPO updates.

    ``policy`` and ``reference`` are the full fp32 modules as loaded (identical on every rank or not: rank
    0's are broadcast by :meth:`load_full_state`); they are sharded in place."""

    def __init__(self, cfg: TrainConfig, policy: torch.nn.Module, reference: torch.nn.Module,
                 device: torch.device, make_optimizer: Callable[..., torch.optim.Optimizer]) -> None:
        self.cfg, self.device = cfg, device
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        mesh = init_device_mesh(device.type, (self.world,))
        self.policy = shard_model(policy, mesh)
        self.reference = shard_model(reference, mesh)
        self.reference.requires_grad_(False)
        self.optimizer = make_optimizer(self.policy, cfg, device)
        self.opt_steps_since_reset = 0
        self.after_reset = False

    # ---- state ------------------------------------------------------------------------------------------
    def load_full_state(self, policy_sd: dict[str, torch.Tensor] | None,
                        reference_sd: dict[str, torch.Tensor] | None) -> None:
        """Rank 0's full weights (``None`` elsewhere) broadcast into every rank's shards."""
        opts = StateDictOptions(full_state_dict=True, broadcast_from_rank0=True)
        for module, sd in ((self.policy, policy_sd), (self.reference, reference_sd)):
            full = {PREFIX + k: v for k, v in (sd or {}).items()} if self.rank == 0 else {}
            set_model_state_dict(module, full, options=opts)

    def full_policy_state(self) -> dict[str, torch.Tensor]:
        """The policy's full fp32 weights on CPU at rank 0 (an empty dict elsewhere); every rank must call."""
        sd = get_model_state_dict(self.policy, options=StateDictOptions(full_state_dict=True, cpu_offload=True))
        return {k[len(PREFIX):]: v for k, v in sd.items()}

    def save_sharded(self, path: Path) -> None:
        """Every rank writes its shards of the reference and (when AdamW has state) of the optimizer."""
        dcp.save({"reference": get_model_state_dict(self.reference)}, checkpoint_id=str(path / REFERENCE_DIR))
        if self.optimizer.state:  # a fresh AdamW (just reset) is saved as nothing, and restored as nothing
            dcp.save({"optimizer": get_optimizer_state_dict(self.policy, self.optimizer)},
                     checkpoint_id=str(path / OPTIMIZER_DIR))

    def load_sharded(self, path: Path) -> None:
        state = {"reference": get_model_state_dict(self.reference)}
        dcp.load(state, checkpoint_id=str(path / REFERENCE_DIR))
        set_model_state_dict(self.reference, state["reference"])
        if (path / OPTIMIZER_DIR).exists():
            osd = {"optimizer": get_optimizer_state_dict(self.policy, self.optimizer)}
            dcp.load(osd, checkpoint_id=str(path / OPTIMIZER_DIR))
            set_optimizer_state_dict(self.policy, self.optimizer, osd["optimizer"])
        else:
            reset_optimizer(self.optimizer)

    # ---- one update ---------------------------------------------------------------------------------------
    @property
    def loss_scale(self) -> float:
        return float(self.world)  # FSDP averages gradients over ranks; the normaliser expects their sum

    def my_samples(self, batch: RolloutBatch, idx: list[int]) -> list[int]:
        return shard_samples(batch, idx, self.rank, self.world)

    def min_passes(self, batch: RolloutBatch, idx: list[int]) -> int:
        """Forward passes the busiest rank needs for ``idx``: every rank computes it from the batch alone."""
        budget = self.cfg.optim.micro_batch_tokens
        return max(len(micro_batches(batch, shard_samples(batch, idx, r, self.world), budget))
                   for r in range(self.world))

    def logprobs(self, module: ResponseLogprobs, batch: RolloutBatch, temperature: float, pad_id: int) -> torch.Tensor:
        rows = list(range(len(batch)))
        mine = shard_samples(batch, rows, self.rank, self.world)
        out = fill_logprobs(module, batch, self.cfg, temperature, pad_id, idx=mine,
                            min_passes=self.min_passes(batch, rows))
        full = out.to(self._comm_device)
        dist.all_reduce(full)  # the other ranks' rows are zeros here: the sum is exact
        return full.cpu()

    def reduce_gradients(self, model: torch.nn.Module) -> None:
        pass  # FSDP reduce-scatters the gradients in every backward

    def reduce_stats(self, stats: dict[str, float]) -> dict[str, float]:
        return all_reduce_stats(stats, lambda t, op: dist.all_reduce(t, op=op), self._comm_device)

    def update(self, batch: RolloutBatch, temperature: float, pad_id: int, rng: random.Random,
               set_lr: Callable[[], None], autocast: contextlib.AbstractContextManager[Any]) -> dict[str, float]:
        """``Trainer._update`` as this rank: same batch, same ``rng`` state and warmup position on every rank."""
        with autocast:
            batch.old_logp = self.logprobs(self.policy, batch, temperature, pad_id)
            batch.ref_logp = self.logprobs(self.reference, batch, temperature, pad_id)
            return ppo_update(self.policy, self.optimizer, batch, self.cfg, temperature, pad_id, rng, set_lr,
                              strategy=self)

    def reset(self) -> None:
        """reference := policy (shard by shard: both are sharded alike), AdamW state cleared."""
        for module in (self.policy, self.reference):
            module.reshard()  # type: ignore[operator]  # FSDPModule: parameters back to their shards
        reset_reference(self.policy.model, self.reference.model)
        reset_optimizer(self.optimizer)

    @property
    def _comm_device(self) -> torch.device:
        return self.device if dist.get_backend() == "nccl" else torch.device("cpu")


def memory_per_rank_gib(params: float, world: int, *, layers: int, hidden: int, tokens: int,
                        vocab: int, micro_tokens: int, chunk_tokens: int = 1024) -> dict[str, float]:
    """Estimated GPU memory per rank (GiB) of a sharded fp32-master + AdamW update with bf16 autocast.

    Sharded over ``world``: fp32 weights 4 B, gradients 4 B, AdamW moments 8 B, the fp32 reference 4 B per
    parameter. Not sharded: the largest layer gathered (fp32, counted as 2 layers' worth for prefetch), the
    activations of one micro-batch of ``micro_tokens`` tokens with activation checkpointing (a bf16 hidden
    state per layer boundary, plus one layer's full activations ~ 34 x hidden bytes per token), and one
    log-prob chunk of fp32 logits (``chunk_tokens`` x vocab x 4 B, twice for backward). ``tokens`` is the
    sequence length T (prompt + response), which bounds ``micro_tokens`` from below."""
    gib = 2.0**30
    sharded = params * (4 + 4 + 8 + 4) / world
    layer_params = (params - 2 * vocab * hidden) / layers
    gathered = 2 * layer_params * 4
    micro = max(micro_tokens, tokens)
    activations = micro * hidden * 2 * layers + micro * hidden * 34
    logits = 2 * chunk_tokens * vocab * 4
    total = sharded + gathered + activations + logits
    return {"sharded_state": sharded / gib, "gathered_layers": gathered / gib, "activations": activations / gib,
            "logits_chunk": logits / gib, "total": total / gib}
