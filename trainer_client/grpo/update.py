"""The learning half of a step: old/reference log-prob passes and the mini-batch PPO updates.

How the ranks of a trainer group share an update (whose samples, which collectives) is an
:class:`UpdateStrategy` object, so :func:`ppo_update` reads as the algorithm for one process and many."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from typing import Protocol

import torch

from trainer_client.grpo.algo.kl import kl_penalty
from trainer_client.grpo.algo.policy_loss import aggregate_loss, policy_loss
from trainer_client.grpo.algo.tis import truncated_is_weights
from trainer_client.grpo.batch import RolloutBatch, collate, micro_batches
from trainer_client.grpo.compilation import compile_enabled
from trainer_client.grpo.config import TrainConfig
from trainer_client.grpo.logprobs import logprobs_of

# accumulators that data-parallel ranks add up (``UpdateStrategy.reduce_stats``); ``ratio_max`` is a maximum
_SUMMED_STATS = ("loss", "pg_loss", "kl", "entropy", "clipfrac_high", "clipfrac_low", "clipfrac_dual", "ppo_kl",
                 "tis_weight_mean", "loss_tokens")


def mini_batch_groups(groups: list[int], size: int) -> list[list[int]]:
    """Split ``groups`` (already shuffled) into ``ceil(len / size)`` consecutive mini-batches whose sizes
    differ by at most one.

    A short step (dynamic sampling at its round cap: 200 groups with ``size`` 64) then takes 4 steps of 50
    groups, not 64/64/64/8: every AdamW step, all at the same lr, sees a gradient of about the same noise."""
    if not groups:
        return []
    n = -(-len(groups) // size)
    base, extra = divmod(len(groups), n)
    out, start = [], 0
    for i in range(n):
        end = start + base + (i < extra)
        out.append(groups[start:end])
        start = end
    return out


def _scatter(dst: torch.Tensor, rows: list[int], values: torch.Tensor) -> None:
    dst[rows, : values.shape[1]] = values.to(dst.dtype).cpu()


@torch.no_grad()
def fill_logprobs(
    model: torch.nn.Module, batch: RolloutBatch, cfg: TrainConfig, temperature: float, pad_id: int,
    idx: list[int] | None = None, min_passes: int = 0,
) -> torch.Tensor:
    """Log-probs ``[N, R]`` of every response token under ``model`` (eval mode, micro-batched).

    ``idx`` computes only those samples' rows (the others stay 0): a data-parallel rank's share, summed
    with the other ranks' afterwards. ``min_passes``: run discarded forward passes until this many were run
    (sharded ranks must all run the same number of forwards: each one gathers parameters collectively)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    compiled = compile_enabled(cfg.model.compile, device)
    forward = logprobs_of(model)
    width = int(batch.response_lengths.max())
    out = torch.zeros(len(batch), width)
    rows = list(range(len(batch))) if idx is None else idx
    parts = micro_batches(batch, rows, cfg.optim.micro_batch_tokens)
    for k in range(max(len(parts), min_passes)):
        mb = collate(batch, parts[k] if k < len(parts) else [0], pad_id)
        lp, _ = forward(mb.input_ids.to(device), mb.attention_mask.to(device), mb.response_start.to(device),
                        mb.response_len, temperature, cfg.model.logprob_chunk_tokens, compiled=compiled)
        if k < len(parts):
            _scatter(out, parts[k], lp)
    model.train(was_training)
    return out


class UpdateStrategy(Protocol):
    """How the ranks of a trainer group share one PPO update: the single process is :data:`SINGLE_PROCESS`;
    ``trainer_client.grpo.data_parallel.DataParallelGroup`` (whole replicas) and
    ``trainer_client.grpo.fsdp.FSDPRank`` (FSDP2 shards) are the multi-rank ones.

    Every rank holds the whole step batch and the same ``rng`` state, so all see the same mini-batches and
    the token normaliser stays the whole mini-batch's count, computed locally with no collective."""

    @property
    def loss_scale(self) -> float:
        """Multiplies what is back-propagated (FSDP averages gradients over ranks: ``world`` turns that into
        the sum the global normaliser expects)."""
        ...

    def my_samples(self, batch: RolloutBatch, idx: list[int]) -> list[int]:
        """This rank's share of the mini-batch ``idx`` (:func:`~trainer_client.grpo.batch.shard_samples`)."""
        ...

    def min_passes(self, batch: RolloutBatch, idx: list[int]) -> int:
        """Forward/backward passes every rank runs for the mini-batch ``idx``; a rank with fewer micro-batches
        runs zero-weighted ones (sharded ranks gather parameters and reduce gradients collectively)."""
        ...

    def reduce_gradients(self, model: torch.nn.Module) -> None:
        """After a mini-batch's accumulation, before clipping; every rank calls it, also one whose share was
        empty."""
        ...

    def reduce_stats(self, stats: dict[str, float]) -> dict[str, float]:
        """This rank's accumulators -> the whole batch's: keys in :data:`_SUMMED_STATS` summed over ranks,
        ``ratio_max`` the maximum."""
        ...


class SingleProcess:
    """One process trains on the whole batch: no share to take, nothing to reduce."""

    loss_scale = 1.0

    def my_samples(self, batch: RolloutBatch, idx: list[int]) -> list[int]:
        return idx

    def min_passes(self, batch: RolloutBatch, idx: list[int]) -> int:
        return 0

    def reduce_gradients(self, model: torch.nn.Module) -> None:
        pass

    def reduce_stats(self, stats: dict[str, float]) -> dict[str, float]:
        return stats


SINGLE_PROCESS = SingleProcess()


def ppo_update(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    batch: RolloutBatch,
    cfg: TrainConfig,
    temperature: float,
    pad_id: int,
    rng: random.Random,
    set_lr: Callable[[], None],
    strategy: UpdateStrategy = SINGLE_PROCESS,
) -> dict[str, float]:
    """``ppo_epochs`` passes over the batch in mini-batches of ``mini_batch_prompts`` groups (rebalanced to
    equal sizes when the batch is not a multiple: :func:`mini_batch_groups`); one optimizer step per
    mini-batch, gradient accumulated over token-budget micro-batches.

    The token-mean normaliser is the whole mini-batch's count of loss tokens, so the accumulated gradient
    equals the gradient of the mini-batch's token-mean loss however it is split, into micro-batches or
    over the ranks of a ``strategy`` (each trains on its share and the gradients are summed).
    Returns the whole batch's metrics (the same on every rank).
    """
    a, o = cfg.algo, cfg.optim
    assert batch.advantages is not None and batch.old_logp is not None and batch.ref_logp is not None
    loss_of = _MicroBatchLoss(model, batch, cfg, temperature, pad_id)
    group_of = batch.group.tolist()
    groups = sorted(set(group_of))
    sums: dict[str, float] = defaultdict(float)
    n_updates = 0
    model.train()
    for _ in range(a.ppo_epochs):
        rng.shuffle(groups)
        for part_groups in mini_batch_groups(groups, o.mini_batch_prompts):
            chosen = set(part_groups)
            idx = [i for i, gid in enumerate(group_of) if gid in chosen]
            normalizer = _normalizer(batch.token_mask(idx), a.loss_agg)
            if normalizer == 0:
                continue  # nothing judged in this mini-batch: no update, but no crash
            optimizer.zero_grad(set_to_none=True)
            parts = micro_batches(batch, strategy.my_samples(batch, idx), o.micro_batch_tokens)
            for _ in range(len(parts), strategy.min_passes(batch, idx)):
                loss_of.zero_weighted_pass(idx[:1])  # same collectives as a real pass, no gradient
            for part in parts:
                loss = loss_of(part, normalizer, sums)
                (loss * strategy.loss_scale if strategy.loss_scale != 1.0 else loss).backward()
            strategy.reduce_gradients(model)
            set_lr()
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), o.grad_clip)
            if hasattr(grad_norm, "full_tensor"):  # sharded parameters: a DTensor norm over all ranks
                grad_norm = grad_norm.full_tensor()
            sums["grad_norm"] += float(grad_norm)
            optimizer.step()
            n_updates += 1
    # the same keys in the same order on every rank; a rank that trained on nothing sends zeros
    local = {k: sums.get(k, 0.0) for k in _SUMMED_STATS}
    local["ratio_max"] = sums.get("ratio_max", 0.0)
    sums.update(strategy.reduce_stats(local))  # grad_norm stays local: taken of already-reduced gradients
    if not (n_updates and a.tis_cap > 0 and batch.rollout_logprobs is not None):
        sums.pop("tis_weight_mean")  # present exactly when some micro-batch had importance weights
    return _metrics(sums, n_updates)


def _normalizer(mask: torch.Tensor, loss_agg: str) -> float:
    """What the mini-batch's loss is divided by: its loss tokens (token-mean) or its contributing samples."""
    if loss_agg == "token-mean":
        return float(mask.sum())
    return float((mask.sum(dim=1) > 0).sum())


class _MicroBatchLoss:
    """The clipped policy loss + KL penalty - entropy bonus of one micro-batch (its part of the mini-batch
    loss: divided by the whole mini-batch's normaliser), adding its statistics to the update's sums."""

    def __init__(self, model: torch.nn.Module, batch: RolloutBatch, cfg: TrainConfig, temperature: float,
                 pad_id: int) -> None:
        self.batch, self.cfg, self.temperature, self.pad_id = batch, cfg, temperature, pad_id
        self.device = next(model.parameters()).device
        self.compiled = compile_enabled(cfg.model.compile, self.device)
        self.forward = logprobs_of(model)

    def _logprobs(self, part: list[int], entropy_grad: bool) -> tuple[torch.Tensor, torch.Tensor, int]:
        mb = collate(self.batch, part, self.pad_id)
        d = self.device
        logp, ent = self.forward(mb.input_ids.to(d), mb.attention_mask.to(d), mb.response_start.to(d),
                                 mb.response_len, self.temperature, self.cfg.model.logprob_chunk_tokens,
                                 entropy_grad=entropy_grad, compiled=self.compiled)
        return logp, ent, mb.response_len

    def zero_weighted_pass(self, part: list[int]) -> None:
        logp, _, _ = self._logprobs(part, entropy_grad=True)
        (logp.sum() * 0.0).backward()

    def __call__(self, part: list[int], normalizer: float, sums: dict[str, float]) -> torch.Tensor:
        a, batch, d = self.cfg.algo, self.batch, self.device
        assert batch.advantages is not None and batch.old_logp is not None and batch.ref_logp is not None
        logp, ent, r = self._logprobs(part, entropy_grad=a.entropy_coef != 0)
        mask = batch.token_mask(part)[:, :r].to(d)
        old = batch.old_logp[part, :r].to(d)
        ref = batch.ref_logp[part, :r].to(d)
        adv = batch.advantages[part].to(d)
        weights = None
        if a.tis_cap > 0 and batch.rollout_logprobs is not None:
            weights = truncated_is_weights(old, batch.rollout_logprobs[part, :r].to(d), a.tis_cap)
        pg, st = policy_loss(logp, old, adv, mask, a.eps_low, a.eps_high, a.dual_clip, a.loss_agg, normalizer, weights)
        kl = kl_penalty(logp, ref, a.kl_estimator)
        kl_loss = aggregate_loss(kl, mask, a.loss_agg, normalizer)
        ent_loss = aggregate_loss(ent, mask, a.loss_agg, normalizer)
        loss = pg + a.kl_coef * kl_loss - a.entropy_coef * ent_loss
        ntok = float(mask.sum())
        sums["loss_tokens"] += ntok
        sums["loss"] += float(loss.detach())  # micro losses sum to the mini-batch loss
        sums["pg_loss"] += float(pg.detach())
        sums["kl"] += float((kl.detach() * mask).sum())
        sums["entropy"] += float((ent.detach() * mask).sum())
        for k in ("clipfrac_high", "clipfrac_low", "clipfrac_dual", "ppo_kl"):
            sums[k] += st[k] * ntok
        sums["ratio_max"] = max(sums["ratio_max"], st["ratio_max"])
        if weights is not None:
            sums["tis_weight_mean"] += float((weights * mask).sum())
        return loss


def _metrics(sums: dict[str, float], n_updates: int) -> dict[str, float]:
    """Per-token means of the token sums, per-optimizer-step means of the mini-batch losses."""
    tok_total = sums["loss_tokens"]
    tok = max(tok_total, 1.0)
    out = {k: sums[k] / tok for k in ("kl", "entropy", "clipfrac_high", "clipfrac_low", "clipfrac_dual", "ppo_kl")}
    out["loss"] = sums["loss"] / max(n_updates, 1)  # mean over optimizer steps of the mini-batch loss
    out["pg_loss"] = sums["pg_loss"] / max(n_updates, 1)
    out["ratio_max"] = sums["ratio_max"]
    out["grad_norm"] = sums["grad_norm"] / max(n_updates, 1)
    out["optimizer_steps"] = float(n_updates)
    out["loss_tokens"] = tok_total
    if "tis_weight_mean" in sums:
        out["tis_weight_mean"] = sums["tis_weight_mean"] / tok
    return out
