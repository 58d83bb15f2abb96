"""The learning half of a step: old/reference log-prob passes and the mini-batch PPO updates."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable

import torch

from trainer_client.grpo.algo.kl import kl_penalty
from trainer_client.grpo.algo.policy_loss import aggregate_loss, policy_loss
from trainer_client.grpo.algo.tis import truncated_is_weights
from trainer_client.grpo.compilation import compile_enabled
from trainer_client.grpo.config import TrainConfig
from trainer_client.grpo.logprobs import logprobs_of
from trainer_client.grpo.batch import RolloutBatch, collate, micro_batches, shard_samples

# accumulators that data-parallel ranks add up (``reduce_stats``); ``ratio_max`` is a maximum over ranks
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


def ppo_update(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    batch: RolloutBatch,
    cfg: TrainConfig,
    temperature: float,
    pad_id: int,
    rng: random.Random,
    set_lr: Callable[[], None],
    reduce_normalizer: Callable[[float], float] | None = None,
    *,
    shard: tuple[int, int] = (0, 1),
    before_optimizer_step: Callable[[], None] | None = None,
    reduce_stats: Callable[[dict[str, float]], dict[str, float]] | None = None,
    loss_scale: float = 1.0,
    micro_batch_count: Callable[[list[int]], int] | None = None,
) -> dict[str, float]:
    """``ppo_epochs`` passes over the batch in mini-batches of ``mini_batch_prompts`` groups (rebalanced to
    equal sizes when the batch is not a multiple: :func:`mini_batch_groups`); one optimizer step per mini-batch, gradient accumulated over token-budget micro-batches.

    The token-mean normaliser is the whole mini-batch's count of loss tokens, so the accumulated gradient
    equals the gradient of the mini-batch's token-mean loss however it is split. Under data parallelism
    pass ``reduce_normalizer`` (e.g. an all-reduce SUM of the local count over ranks, with gradients then
    summed rather than averaged) so every rank divides by the global count.

    Data parallelism over ranks that all hold the whole batch (``trainer_client.grpo.data_parallel``):
    ``shard=(rank, world)`` trains this rank on its share of each mini-batch's samples
    (:func:`~trainer_client.grpo.batch.shard_samples`) while the normaliser stays the whole mini-batch's
    count, computed locally (every rank sees the same mini-batches, so no all-reduce is needed for it);
    ``before_optimizer_step`` runs after each mini-batch's accumulation and before clipping (all-reduce
    SUM the gradients there: every rank must call it, also one whose share was empty); ``reduce_stats``
    gets this rank's accumulators once at the end (keys in :data:`_SUMMED_STATS` summed over ranks, the
    rest maxima) so the returned metrics are the whole batch's on every rank.

    Sharded ranks (FSDP2, ``trainer_client.grpo.fsdp``): ``loss_scale`` multiplies what is back-propagated (FSDP
    averages gradients over ranks; ``world`` turns that into the sum the global normaliser expects), and
    ``micro_batch_count(idx)`` is the number of forward/backward passes every rank runs for the mini-batch
    ``idx`` (the most any rank needs): a rank with fewer runs zero-weighted passes, because every forward
    gathers parameters and every backward reduces gradients collectively.
    """
    a, o = cfg.algo, cfg.optim
    rank, world = shard
    device = next(model.parameters()).device
    compiled = compile_enabled(cfg.model.compile, device)
    forward = logprobs_of(model)
    assert batch.old_logp is not None and batch.ref_logp is not None
    group_of = batch.group.tolist()
    groups = sorted(set(group_of))
    sums: dict[str, float] = defaultdict(float)
    tok_total = 0.0
    n_updates = 0
    model.train()
    for _ in range(a.ppo_epochs):
        rng.shuffle(groups)
        for part_groups in mini_batch_groups(groups, o.mini_batch_prompts):
            chosen = set(part_groups)
            idx = [i for i, gid in enumerate(group_of) if gid in chosen]
            mask_all = batch.token_mask(idx)
            if a.loss_agg == "token-mean":
                normalizer = float(mask_all.sum())
            else:
                normalizer = float((mask_all.sum(dim=1) > 0).sum())
            if reduce_normalizer is not None:
                normalizer = reduce_normalizer(normalizer)
            if normalizer == 0:
                continue  # nothing judged in this mini-batch: no update, but no crash
            optimizer.zero_grad(set_to_none=True)
            mine = shard_samples(batch, idx, rank, world) if world > 1 else idx
            parts = micro_batches(batch, mine, o.micro_batch_tokens)
            for _ in range(len(parts), micro_batch_count(idx) if micro_batch_count else 0):
                mb = collate(batch, idx[:1], pad_id)  # a zero-weighted pass: same collectives, no gradient
                logp, _ = forward(mb.input_ids.to(device), mb.attention_mask.to(device), mb.response_start.to(device),
                                  mb.response_len, temperature, cfg.model.logprob_chunk_tokens, compiled=compiled)
                (logp.sum() * 0.0).backward()
            for part in parts:
                mb = collate(batch, part, pad_id)
                logp, ent = forward(
                    mb.input_ids.to(device), mb.attention_mask.to(device), mb.response_start.to(device),
                    mb.response_len, temperature, cfg.model.logprob_chunk_tokens,
                    entropy_grad=a.entropy_coef != 0, compiled=compiled,
                )
                r = mb.response_len
                mask = batch.token_mask(part)[:, :r].to(device)
                old = batch.old_logp[part, :r].to(device)
                ref = batch.ref_logp[part, :r].to(device)
                adv = batch.advantages[part].to(device)
                weights = None
                if a.tis_cap > 0 and batch.rollout_logprobs is not None:
                    weights = truncated_is_weights(old, batch.rollout_logprobs[part, :r].to(device), a.tis_cap)
                pg, st = policy_loss(
                    logp, old, adv, mask, a.eps_low, a.eps_high, a.dual_clip, a.loss_agg, normalizer, weights
                )
                kl = kl_penalty(logp, ref, a.kl_estimator)
                kl_loss = aggregate_loss(kl, mask, a.loss_agg, normalizer)
                ent_loss = aggregate_loss(ent, mask, a.loss_agg, normalizer)
                loss = pg + a.kl_coef * kl_loss - a.entropy_coef * ent_loss
                (loss * loss_scale if loss_scale != 1.0 else loss).backward()
                ntok = float(mask.sum())
                tok_total += ntok
                sums["loss"] += float(loss.detach())  # micro losses sum to the mini-batch loss
                sums["pg_loss"] += float(pg.detach())
                sums["kl"] += float((kl.detach() * mask).sum())
                sums["entropy"] += float((ent.detach() * mask).sum())
                for k in ("clipfrac_high", "clipfrac_low", "clipfrac_dual", "ppo_kl"):
                    sums[k] += st[k] * ntok
                sums["ratio_max"] = max(sums["ratio_max"], st["ratio_max"])
                if weights is not None:
                    sums["tis_weight_mean"] += float((weights * mask).sum())
            if before_optimizer_step is not None:
                before_optimizer_step()
            set_lr()
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), o.grad_clip)
            if hasattr(grad_norm, "full_tensor"):  # sharded parameters: a DTensor norm over all ranks
                grad_norm = grad_norm.full_tensor()
            sums["grad_norm"] += float(grad_norm)
            optimizer.step()
            n_updates += 1
    if reduce_stats is not None:
        # the same keys in the same order on every rank; a rank that trained on nothing sends zeros
        local = {k: sums.get(k, 0.0) for k in _SUMMED_STATS}
        local["loss_tokens"] = tok_total
        local["ratio_max"] = sums.get("ratio_max", 0.0)
        total = reduce_stats(local)
        tok_total = total.pop("loss_tokens")
        sums.update(total)  # grad_norm stays local: the gradients it was taken of are already all-reduced
        # present exactly when the single process would have it: importance weights in some micro-batch
        if not (n_updates and a.tis_cap > 0 and batch.rollout_logprobs is not None):
            sums.pop("tis_weight_mean")
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
