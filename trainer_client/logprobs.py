"""Per-token log-probs and entropies of response tokens, computed in chunks.

A 1.5B Qwen has a 152k vocabulary: fp32 logits for 64 sequences x 8k tokens would be ~300 GB. Only the
response positions are projected through ``lm_head``, ``chunk_tokens`` rows at a time, and under
autograd each chunk is checkpointed, so the backward pass recomputes one chunk's logits at a time
instead of keeping all of them alive.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint


def _chunk_stats(
    hidden: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, targets: torch.Tensor, temperature: float
) -> tuple[torch.Tensor, torch.Tensor]:
    logits = F.linear(hidden, weight, bias).float()
    if temperature != 1.0:
        logits = logits / temperature
    logz = torch.logsumexp(logits, dim=-1)
    logp = logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1) - logz
    probs = torch.softmax(logits, dim=-1)
    entropy = logz - (probs * logits).sum(dim=-1)
    return logp, entropy


def response_logprobs(
    model: torch.nn.Module,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    response_start: torch.Tensor,
    response_len: int,
    temperature: float = 1.0,
    chunk_tokens: int = 1024,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Log-probs and entropies ``[B, response_len]`` of the tokens at ``response_start[b] + j``.

    Rows are right-padded ``prompt + response`` sequences. Positions past the batch's width come back as
    0; positions inside a shorter row's right padding hold the pad token's log-prob. Both must be masked
    by the caller (``RolloutBatch.token_mask``). Logits are divided by ``temperature`` (the sampling temperature), as
    verl does, so the ratio and KL refer to the distribution the samples were drawn from.
    """
    backbone = model.get_decoder() if hasattr(model, "get_decoder") else model.base_model
    head = model.get_output_embeddings()
    hidden = backbone(input_ids=input_ids, attention_mask=attention_mask, use_cache=False).last_hidden_state
    bsz, seqlen = input_ids.shape
    offs = torch.arange(response_len, device=input_ids.device)
    target_pos = response_start.to(input_ids.device).unsqueeze(1) + offs.unsqueeze(0)  # [B, R]
    valid = target_pos < seqlen
    target_pos = target_pos.clamp(max=seqlen - 1)
    rows = torch.arange(bsz, device=input_ids.device).unsqueeze(1).expand_as(target_pos)
    flat_valid = valid.reshape(-1)
    h = hidden[rows, target_pos - 1].reshape(-1, hidden.shape[-1])[flat_valid]  # state before each target
    tgt = input_ids[rows, target_pos].reshape(-1)[flat_valid]
    logps, ents = [], []
    for start in range(0, h.shape[0], max(1, chunk_tokens)):
        sl = slice(start, start + chunk_tokens)
        if torch.is_grad_enabled():
            lp, ent = checkpoint(
                _chunk_stats, h[sl], head.weight, head.bias, tgt[sl], temperature, use_reentrant=False
            )
        else:
            lp, ent = _chunk_stats(h[sl], head.weight, head.bias, tgt[sl], temperature)
        logps.append(lp)
        ents.append(ent)
    out_lp = torch.zeros(bsz * response_len, device=hidden.device, dtype=torch.float32)
    out_ent = torch.zeros_like(out_lp)
    if logps:
        out_lp = out_lp.masked_scatter(flat_valid, torch.cat(logps))
        out_ent = out_ent.masked_scatter(flat_valid, torch.cat(ents))
    return out_lp.view(bsz, response_len), out_ent.view(bsz, response_len)
