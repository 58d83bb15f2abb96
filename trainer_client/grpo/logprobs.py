"""Per-token log-probs and entropies of response tokens, computed in chunks.

A 1.5B Qwen has a 152k vocabulary: fp32 logits for 64 sequences x 8k tokens would be ~300 GB. Only the
response positions are projected through ``lm_head``, ``chunk_tokens`` rows at a time, and under
autograd each chunk is checkpointed, so the backward pass recomputes one chunk's logits at a time
instead of keeping all of them alive.

Two things keep the GPU busy rather than waiting on memory (see ``bench/bench_train_step.py``):

- rows that are only right-padded need no attention mask (under a causal mask a pad token at the end
  cannot influence an earlier position), so the backbone gets ``attention_mask=None`` and SDPA can take
  its flash kernel instead of materialising a ``[B, 1, T, T]`` mask;
- with ``compiled=True`` the per-chunk statistics (fp32 upcast, logsumexp, gather, entropy) go through
  ``torch.compile``, which fuses the half-dozen passes over the ``[chunk, vocab]`` logits into two.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint


def _chunk_stats(
    hidden: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    targets: torch.Tensor,
    temperature: float,
    entropy_grad: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    logits = F.linear(hidden, weight, bias).float()
    if temperature != 1.0:
        logits = logits / temperature
    logz = torch.logsumexp(logits, dim=-1)
    logp = logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1) - logz
    # entropy is only logged unless an entropy bonus is on: then no backward pass through it
    src, lz = (logits, logz) if entropy_grad else (logits.detach(), logz.detach())
    entropy = lz - (torch.softmax(src, dim=-1) * src).sum(dim=-1)
    return logp, entropy


_COMPILED_STATS: dict[str, Callable[..., tuple[torch.Tensor, torch.Tensor]]] = {}


def _stats_fn(compiled: bool) -> Callable[..., tuple[torch.Tensor, torch.Tensor]]:
    """The eager chunk kernel, or its ``torch.compile``d twin (built once per process, dynamic in the
    chunk's row count so the last, shorter chunk does not recompile)."""
    if not compiled:
        return _chunk_stats
    if "fn" not in _COMPILED_STATS:
        _COMPILED_STATS["fn"] = torch.compile(_chunk_stats, dynamic=True)
    return _COMPILED_STATS["fn"]


def right_padded_only(attention_mask: torch.Tensor) -> bool:
    """True when every row is ones then zeros (no left padding, no holes): a causal mask alone is then
    exact for every real position, and the padding mask can be dropped."""
    lengths = attention_mask.sum(dim=1, keepdim=True)
    cols = torch.arange(attention_mask.shape[1], device=attention_mask.device).unsqueeze(0)
    return bool(torch.equal(attention_mask.bool(), cols < lengths))


def response_logprobs(
    model: torch.nn.Module,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    response_start: torch.Tensor,
    response_len: int,
    temperature: float = 1.0,
    chunk_tokens: int = 1024,
    entropy_grad: bool = True,
    compiled: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Log-probs and entropies ``[B, response_len]`` of the tokens at ``response_start[b] + j``.

    Rows are right-padded ``prompt + response`` sequences. Positions past the batch's width come back as
    0; positions inside a shorter row's right padding hold the pad token's log-prob. Both must be masked
    by the caller (``RolloutBatch.token_mask``). Logits are divided by ``temperature`` (the sampling temperature), as
    verl does, so the ratio and KL refer to the distribution the samples were drawn from.

    ``entropy_grad=False`` returns the entropy detached (cheaper backward when no entropy bonus is
    trained); ``compiled=True`` fuses the chunk statistics with ``torch.compile`` (GPU; same numbers).
    """
    backbone = model.get_decoder() if hasattr(model, "get_decoder") else model.base_model
    head = model.get_output_embeddings()
    mask = None if right_padded_only(attention_mask) else attention_mask
    hidden = backbone(input_ids=input_ids, attention_mask=mask, use_cache=False).last_hidden_state
    bsz, seqlen = input_ids.shape
    offs = torch.arange(response_len, device=input_ids.device)
    target_pos = response_start.to(input_ids.device).unsqueeze(1) + offs.unsqueeze(0)  # [B, R]
    valid = target_pos < seqlen
    target_pos = target_pos.clamp(max=seqlen - 1)
    rows = torch.arange(bsz, device=input_ids.device).unsqueeze(1).expand_as(target_pos)
    flat_valid = valid.reshape(-1)
    h = hidden[rows, target_pos - 1].reshape(-1, hidden.shape[-1])[flat_valid]  # state before each target
    tgt = input_ids[rows, target_pos].reshape(-1)[flat_valid]
    stats = _stats_fn(compiled)
    logps, ents = [], []
    for start in range(0, h.shape[0], max(1, chunk_tokens)):
        sl = slice(start, start + chunk_tokens)
        if torch.is_grad_enabled():
            lp, ent = checkpoint(
                stats, h[sl], head.weight, head.bias, tgt[sl], temperature, entropy_grad, use_reentrant=False
            )
        else:
            lp, ent = stats(h[sl], head.weight, head.bias, tgt[sl], temperature, entropy_grad)
        logps.append(lp)
        ents.append(ent)
    out_lp = torch.zeros(bsz * response_len, device=hidden.device, dtype=torch.float32)
    out_ent = torch.zeros_like(out_lp)
    if logps:
        out_lp = out_lp.masked_scatter(flat_valid, torch.cat(logps))
        out_ent = out_ent.masked_scatter(flat_valid, torch.cat(ents))
    return out_lp.view(bsz, response_len), out_ent.view(bsz, response_len)


class ResponseLogprobs(torch.nn.Module):
    """:func:`response_logprobs` of ``model`` as a module's ``forward``.

    FSDP2 (``fully_shard``) gathers a module's parameters only inside that module's own ``forward``; the
    chunked path reads ``lm_head.weight`` directly and calls the decoder, not the causal LM. Sharding this
    wrapper as the root (the decoder layers as their own units) makes the embedding, final norm and head
    whole for the duration of the call and again in backward (``trainer_client.grpo.fsdp``)."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, *args: Any, **kwargs: Any) -> tuple[torch.Tensor, torch.Tensor]:
        return response_logprobs(self.model, *args, **kwargs)


def logprobs_of(model: torch.nn.Module) -> Callable[..., tuple[torch.Tensor, torch.Tensor]]:
    """The log-prob function for ``model``: through the wrapper's forward when it is one (sharded)."""
    if isinstance(model, ResponseLogprobs):
        return model
    return lambda *args, **kwargs: response_logprobs(model, *args, **kwargs)
