"""The experience half of a step: sample prompts, generate, score through the service, filter, and lay the
kept groups out as a batch with shaped rewards (the advantages are the step's: ``Trainer.train_step``).

Dynamic sampling refills the batch stream-wise: each round draws fresh prompts, generates, scores, and
keeps the informative groups (``algo.dynamic_sampling_criterion``), until the step has its target number
of groups or the round cap is reached (then it trains on what it has, or stops, per ``algo.on_round_cap``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from trainer_client.client import RewardClient, usable
from trainer_client.grpo.algo.advantages import group_advantages
from trainer_client.grpo.algo.dynamic_sampling import GroupFilter, PassRateTracker, keep_groups
from trainer_client.grpo.algo.shaping import overlong_filter_mask, overlong_penalty
from trainer_client.grpo.batch import RolloutBatch
from trainer_client.grpo.config import TrainConfig
from trainer_client.grpo.engines.base import RolloutEngine, Sample, SamplingSettings
from trainer_client.grpo.overlap import generate_and_score
from trainer_client.grpo.prompt_sampler import PromptRecord, PromptSampler


@dataclass
class ScoredGroup:
    """The samples drawn for one prompt with the service's verdicts (``valid``: judged, usable to learn from)."""

    record: PromptRecord
    prompt_ids: list[int]
    samples: list[Sample]
    rewards: list[float]
    correct: list[bool]
    valid: list[bool]


@dataclass
class StepSettings:
    """What the current stage says for this step."""

    max_tokens: int
    n_samples: int
    temperature: float
    top_p: float


def sample_item(rec: PromptRecord, s: Sample, item_id: str, prompted_thinking: bool = False) -> dict[str, Any]:
    """The contract item for one sample. A sample cut at the token budget says ``truncated: true`` (reward 0
    whatever its text: a box written before the cut is no answer); a prompt the chat template ended inside
    ``<think>`` says ``options.thinking: "prompted"`` (unless the record sets it), so a response that never
    closes the block is truncated thinking, not an answer."""
    options = dict(rec.options or {})
    if prompted_thinking:
        options.setdefault("thinking", "prompted")
    item: dict[str, Any] = {"id": item_id, "domain": rec.domain, "response": s.text, "reference": rec.reference,
                            "options": options}
    if s.truncated:
        item["truncated"] = True
    return item


def opens_think(decode: Callable[[list[int]], str], prompt_ids: list[int], tail: int = 8) -> bool:
    """Whether the encoded prompt ends inside a think block (R1-style chat templates end with ``<think>``)."""
    return decode(prompt_ids[-tail:]).rstrip().endswith("<think>")


def score_groups(
    client: RewardClient, records: list[PromptRecord], samples: list[list[Sample]], tag: str,
    prompted_thinking: list[bool] | None = None,
) -> list[tuple[list[float], list[bool], list[bool]]]:
    """Score every sample; returns per group (rewards, correct, usable). Order is the client's promise."""
    items: list[dict[str, Any]] = []
    thinking = prompted_thinking or [False] * len(records)
    for g, (rec, group) in enumerate(zip(records, samples, strict=True)):
        for k, s in enumerate(group):
            items.append(sample_item(rec, s, f"{tag}-{g}-{k}", thinking[g]))
    results = client.score(items)
    out, pos = [], 0
    for group in samples:
        res = results[pos : pos + len(group)]
        pos += len(group)
        out.append(([r.reward for r in res], [r.correct for r in res], [usable(r) for r in res]))
    return out


def collect_groups(
    cfg: TrainConfig,
    step: int,
    settings: StepSettings,
    sampler: PromptSampler,
    encode: Any,
    engine: RolloutEngine,
    client: RewardClient,
    pass_rates: PassRateTracker,
    decode: Callable[[list[int]], str] | None = None,
) -> tuple[list[ScoredGroup], dict[str, float]]:
    """Sample prompts, generate and score ``n`` samples each, keep the informative groups (dynamic
    sampling: round after round until the step has its target or the round cap); returns the kept groups
    (possibly none) and the rollout metrics. ``decode`` (the tokenizer's) lets items say
    ``options.thinking: "prompted"`` when the prompt ends in ``<think>``."""
    a = cfg.algo
    gen = SamplingSettings(n=settings.n_samples, temperature=settings.temperature, top_p=settings.top_p,
                           max_tokens=settings.max_tokens)
    target = cfg.rollout.prompts_per_step
    filt = GroupFilter(target_groups=target, max_rounds=a.max_gen_rounds if a.dynamic_sampling else 1,
                       enabled=a.dynamic_sampling, on_cap=a.on_round_cap)
    seen: list[ScoredGroup] = []
    kept: list[ScoredGroup] = []
    while True:
        records = sampler.sample(target)
        prompt_ids = [encode(r.prompt) for r in records]
        thinking = [decode is not None and opens_think(decode, p) for p in prompt_ids]
        tag = f"s{step}r{filt.rounds}"

        def score_chunk(start: int, end: int, chunk: list[list[Sample]], recs: list[PromptRecord] = records,
                        tag: str = tag, th: list[bool] = thinking) -> list[tuple[list[float], list[bool], list[bool]]]:
            return score_groups(client, recs[start:end], chunk, f"{tag}c{start}", th[start:end])

        # streaming engines (Ray): chunk i is scored while chunk i+1 is generated
        samples, scores = generate_and_score(engine, prompt_ids, gen, score_chunk)
        groups = [ScoredGroup(r, p, s, *sc) for r, p, s, sc in zip(records, prompt_ids, samples, scores, strict=True)]
        correct = torch.tensor([g.correct for g in groups], dtype=torch.bool)
        valid = torch.tensor([g.valid for g in groups], dtype=torch.bool)
        rewards = torch.tensor([g.rewards for g in groups], dtype=torch.float32)
        keep = keep_groups(a.dynamic_sampling_criterion, rewards, correct, valid)
        tokens = torch.tensor([sum(s.length for s in g.samples) for g in groups])
        base = len(seen)
        seen.extend(groups)
        new = filt.add(list(range(base, base + len(groups))), keep, tokens)
        kept.extend(seen[i] for i in new)
        for g in groups:
            n_valid = sum(g.valid)
            if n_valid:
                pass_rates.update(g.record.key, sum(c for c, v in zip(g.correct, g.valid, strict=True) if v) / n_valid)
        if not filt.need_more():
            break
    filt.check_cap()
    metrics = _rollout_metrics(seen, settings.max_tokens)
    # reward/mean is the policy's (every generated sample); the trained mean is what the update saw
    if kept:
        trained = _rollout_metrics(kept, settings.max_tokens)
        metrics["reward/trained_mean"] = trained["reward/mean"]
        metrics["accuracy_trained"] = trained["accuracy"]
    metrics.update(filt.metrics())
    rates = pass_rates.rates.values()
    metrics["pass_rate/prompts_seen"] = float(len(pass_rates.rates))
    metrics["pass_rate/solved_fraction"] = sum(r >= 1.0 for r in rates) / max(len(pass_rates.rates), 1)
    metrics["pass_rate/unsolved_fraction"] = sum(r <= 0.0 for r in rates) / max(len(pass_rates.rates), 1)
    return kept, metrics


def build_batch(cfg: TrainConfig, kept: list[ScoredGroup], max_tokens: int) -> RolloutBatch:
    """The kept groups as one batch: rewards shaped (overlong penalty), the loss mask (judged, not
    overlong-filtered), the group advantages of the shaped rewards over the judged samples, and the
    sampler's own log-probs when every sample has them. The one place advantages are computed: the
    trainer and :func:`collect_rollouts` both build their batches here."""
    a = cfg.algo
    prompt_ids, response_ids, group_ids, rewards, correct, valid, truncated, lengths = [], [], [], [], [], [], [], []
    rollout_lp: list[list[float] | None] = []
    for gi, g in enumerate(kept):
        for s, r, c, v in zip(g.samples, g.rewards, g.correct, g.valid, strict=True):
            prompt_ids.append(g.prompt_ids)
            response_ids.append(s.token_ids or [])
            group_ids.append(gi)
            rewards.append(r)
            correct.append(c)
            valid.append(v)
            truncated.append(s.truncated)
            lengths.append(s.length)
            rollout_lp.append(s.logprobs)
    reward_t = torch.tensor(rewards, dtype=torch.float32)
    valid_t = torch.tensor(valid, dtype=torch.bool)
    trunc_t = torch.tensor(truncated, dtype=torch.bool)
    if a.overlong_penalty:
        reward_t = reward_t + overlong_penalty(torch.tensor(lengths), max_tokens, a.overlong_cache_tokens,
                                               a.overlong_penalty_factor)
    seq_mask = valid_t.float()
    if a.overlong_filter:
        seq_mask = seq_mask * overlong_filter_mask(trunc_t)
    rl = None
    sampler_lp = [lp for lp in rollout_lp if lp is not None]
    if rollout_lp and len(sampler_lp) == len(rollout_lp):  # the engine's own log-probs, for every sample
        width = max(len(x) for x in response_ids)
        rl = torch.zeros(len(sampler_lp), width)
        for i, lp in enumerate(sampler_lp):
            rl[i, : len(lp)] = torch.tensor(lp)
    # an empty response still needs one position to index; it is masked out by its length 0
    batch = RolloutBatch(prompt_ids, response_ids, group=torch.tensor(group_ids), rewards=reward_t,
                         correct=torch.tensor(correct), seq_mask=seq_mask, rollout_logprobs=rl, judged=valid_t)
    batch.advantages = group_advantages(batch.rewards, batch.group, valid=batch.judged, norm_std=a.adv_norm_std)
    return batch


def collect_rollouts(
    cfg: TrainConfig,
    step: int,
    settings: StepSettings,
    sampler: PromptSampler,
    encode: Any,
    engine: RolloutEngine,
    client: RewardClient,
    pass_rates: PassRateTracker,
    decode: Callable[[list[int]], str] | None = None,
) -> tuple[RolloutBatch | None, dict[str, float]]:
    """The experience half of a step in one call, as ``Trainer.train_step`` runs it: :func:`collect_groups`
    then :func:`build_batch`. Returns the batch (None when no group was kept) and the rollout metrics; for
    scripts and tests that need a ready batch without a trainer."""
    kept, metrics = collect_groups(cfg, step, settings, sampler, encode, engine, client, pass_rates, decode)
    if not kept:
        return None, metrics
    return build_batch(cfg, kept, settings.max_tokens), metrics


def _rollout_metrics(groups: list[ScoredGroup], max_tokens: int) -> dict[str, float]:
    rewards, correct, lengths, trunc = [], [], [], []
    per_domain: dict[str, list[float]] = defaultdict(list)
    n_bad = 0
    for g in groups:
        for s, r, c, v in zip(g.samples, g.rewards, g.correct, g.valid, strict=True):
            lengths.append(s.length)
            trunc.append(float(s.truncated))
            if not v:
                n_bad += 1
                continue
            rewards.append(r)
            correct.append(float(c))
            per_domain[g.record.domain].append(r)
    n = max(len(lengths), 1)
    out = {
        "reward/mean": sum(rewards) / max(len(rewards), 1),
        "accuracy": sum(correct) / max(len(correct), 1),
        "response_length/mean": sum(lengths) / n,
        "response_length/max": float(max(lengths, default=0)),
        "response_length/truncation_rate": sum(trunc) / n,
        "response_length/cap": float(max_tokens),
        "samples": float(len(lengths)),
        "unjudged_fraction": n_bad / n,
    }
    for d, rs in per_domain.items():
        out[f"reward/{d}"] = sum(rs) / len(rs)
    return out
