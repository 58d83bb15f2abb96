"""The samples of one training step as tensors, and their split into data-parallel ranks and token-budget
micro-batches."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass
class RolloutBatch:
    """N samples (kept groups only). Sequence-level fields are ``[N]``; token-level ``[N, R]`` (R = longest
    response), right-padded with zeros.

    ``rollout.build_batch`` fills what the samples and the service say, and ``advantages`` (from
    ``rewards``, ``group`` and ``judged``); the update then fills the ``old_logp`` / ``ref_logp`` passes."""

    prompt_ids: list[list[int]]
    response_ids: list[list[int]]
    group: torch.Tensor  # which prompt the sample answers
    rewards: torch.Tensor  # shaped reward (what the advantage sees)
    correct: torch.Tensor  # raw verifier correctness (what dynamic sampling sees)
    seq_mask: torch.Tensor  # 1 = sample contributes to the loss (judged, not overlong-filtered)
    advantages: torch.Tensor | None = None  # group-relative, set by rollout.build_batch
    rollout_logprobs: torch.Tensor | None = None  # the sampler's own log-probs (vLLM), [N, R]
    old_logp: torch.Tensor | None = None
    ref_logp: torch.Tensor | None = None
    judged: torch.Tensor | None = None  # bool: the service judged the sample (None: all were)

    def __len__(self) -> int:
        return len(self.response_ids)

    @property
    def response_lengths(self) -> torch.Tensor:
        return torch.tensor([len(r) for r in self.response_ids])

    def token_mask(self, idx: list[int] | None = None) -> torch.Tensor:
        """``[n, R_idx]`` 1.0 on the response tokens of samples that contribute to the loss."""
        idx = list(range(len(self))) if idx is None else idx
        width = max((len(self.response_ids[i]) for i in idx), default=0)
        lens = torch.tensor([len(self.response_ids[i]) for i in idx])
        mask = (torch.arange(width).unsqueeze(0) < lens.unsqueeze(1)).float()
        return mask * self.seq_mask[idx].unsqueeze(1).float()


@dataclass
class MicroBatch:
    idx: list[int]
    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    response_start: torch.Tensor
    response_len: int


def collate(batch: RolloutBatch, idx: list[int], pad_id: int) -> MicroBatch:
    """Right-padded ``prompt + response`` rows: plain ``arange`` positions are then correct."""
    seqs = [batch.prompt_ids[i] + batch.response_ids[i] for i in idx]
    width = max(len(s) for s in seqs)
    ids = torch.full((len(idx), width), pad_id, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for row, s in enumerate(seqs):
        ids[row, : len(s)] = torch.tensor(s)
        mask[row, : len(s)] = 1
    start = torch.tensor([len(batch.prompt_ids[i]) for i in idx])
    resp_len = max(len(batch.response_ids[i]) for i in idx)
    return MicroBatch(idx, ids, mask, start, resp_len)


def micro_batches(batch: RolloutBatch, idx: list[int], token_budget: int) -> list[list[int]]:
    """Split ``idx`` so each part's padded size (rows x longest row) stays within ``token_budget``.

    Samples are sorted by length first so short ones are not padded to long ones. A single sample longer
    than the budget still gets its own micro-batch (it cannot be split).
    """
    total = {i: len(batch.prompt_ids[i]) + len(batch.response_ids[i]) for i in idx}
    order = sorted(idx, key=lambda i: total[i])
    parts: list[list[int]] = []
    cur: list[int] = []
    for i in order:
        # ascending order: the sample being added is the part's longest
        if cur and total[i] * (len(cur) + 1) > token_budget:
            parts.append(cur)
            cur = []
        cur.append(i)
    if cur:
        parts.append(cur)
    return parts


def shard_samples(batch: RolloutBatch, idx: list[int], rank: int, world: int) -> list[int]:
    """Rank ``rank``'s share of the samples ``idx`` (of a mini-batch) among ``world`` data-parallel ranks.

    Every rank computes the same split from the batch alone (no communication): longest-processing-time
    first, i.e. samples by descending ``prompt + response`` length (ties by index), each to the rank with
    the fewest tokens so far. Ranks then carry about equal token loads even when lengths vary a lot, at
    O(n log n); a rank may get no sample at all when the mini-batch has fewer samples than ranks.
    """
    if world == 1:
        return list(idx)
    if not 0 <= rank < world:
        raise ValueError(f"rank {rank} outside a world of {world}")
    cost = {i: len(batch.prompt_ids[i]) + len(batch.response_ids[i]) for i in idx}
    loads = [0] * world
    mine: list[int] = []
    for i in sorted(idx, key=lambda i: (-cost[i], i)):
        r = min(range(world), key=lambda k: (loads[k], k))
        loads[r] += cost[i]
        if r == rank:
            mine.append(i)
    return sorted(mine)
