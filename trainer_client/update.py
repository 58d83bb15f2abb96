"""The learning half of a step: old/reference log-prob passes and the mini-batch PPO updates."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable

import torch

from trainer_client.algo.kl import kl_penalty
from trainer_client.algo.policy_loss import aggregate_loss, policy_loss
from trainer_client.algo.tis import truncated_is_weights
from trainer_client.config import TrainConfig
from trainer_client.logprobs import response_logprobs
from trainer_client.rollout_batch import RolloutBatch, collate, micro_batches


def _scatter(dst: torch.Tensor, rows: list[int], values: torch.Tensor) -> None:
    dst[rows, : values.shape[1]] = values.to(dst.dtype).cpu()


@torch.no_grad()
def fill_logprobs(
    model: torch.nn.Module, batch: RolloutBatch, cfg: TrainConfig, temperature: float, pad_id: int
) -> torch.Tensor:
    """Log-probs ``[N, R]`` of every response token under ``model`` (eval mode, micro-batched)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    width = int(batch.response_lengths.max())
    out = torch.zeros(len(batch), width)
    for part in micro_batches(batch, list(range(len(batch))), cfg.optim.micro_batch_tokens):
        mb = collate(batch, part, pad_id)
        lp, _ = response_logprobs(
            model, mb.input_ids.to(device), mb.attention_mask.to(device), mb.response_start.to(device),
            mb.response_len, temperature, cfg.model.logprob_chunk_tokens, compiled=cfg.model.compile,
        )
        _scatter(out, part, lp)
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
) -> dict[str, float]:
    """``ppo_epochs`` passes over the batch in mini-batches of ``mini_batch_prompts`` groups; one
    optimizer step per mini-batch, gradient accumulated over token-budget micro-batches.

    The token-mean normaliser is the whole mini-batch's count of loss tokens, so the accumulated gradient
    equals the gradient of the mini-batch's token-mean loss however it is split. Under data parallelism
    pass ``reduce_normalizer`` (e.g. an all-reduce SUM of the local count over ranks, with gradients then
    summed rather than averaged) so every rank divides by the global count.
    """
    a, o = cfg.algo, cfg.optim
    device = next(model.parameters()).device
    assert batch.old_logp is not None and batch.ref_logp is not None
    group_of = batch.group.tolist()
    groups = sorted(set(group_of))
    sums: dict[str, float] = defaultdict(float)
    tok_total = 0.0
    n_updates = 0
    model.train()
    for _ in range(a.ppo_epochs):
        rng.shuffle(groups)
        for start in range(0, len(groups), o.mini_batch_prompts):
            chosen = set(groups[start : start + o.mini_batch_prompts])
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
            for part in micro_batches(batch, idx, o.micro_batch_tokens):
                mb = collate(batch, part, pad_id)
                logp, ent = response_logprobs(
                    model, mb.input_ids.to(device), mb.attention_mask.to(device), mb.response_start.to(device),
                    mb.response_len, temperature, cfg.model.logprob_chunk_tokens,
                    entropy_grad=a.entropy_coef != 0, compiled=cfg.model.compile,
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
                loss.backward()
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
            set_lr()
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), o.grad_clip)
            sums["grad_norm"] += float(grad_norm)
            optimizer.step()
            n_updates += 1
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
