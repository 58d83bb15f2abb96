"""Update-step throughput: the trainer's loss path vs a plain HF + torch baseline, same model, same run.

Measures tokens/s and MFU of GRPO updates (forward + backward over ``--accum`` micro-batches of
``--batch`` sequences, then one AdamW step: the trainer's gradient accumulation) on a
Qwen2.5-1.5B-shaped, randomly initialised model at T tokens per sequence. Paths, in one process:

- ``baseline``: ``model(input_ids).logits`` (full [B, T, V] logits, upcast to fp32), log_softmax,
  gather, clipped loss, backward, ``torch.optim.AdamW`` defaults: what a straightforward HF + torch
  trainer does.
- ``prorl eager``: ``trainer_client.grpo.logprobs.response_logprobs`` (hidden states -> lm_head over the
  response positions only, in checkpointed chunks: never full fp32 logits; no attention mask for
  right-padded rows, so SDPA's flash kernel), entropy detached, fused AdamW.
- ``prorl compiled``: the same with ``model.compile=true`` (each decoder layer and the chunk kernel
  through ``torch.compile``), i.e. what ``prorl train`` runs on GPU with that switch.

MFU counts the FLOPs the update needs, the same for every path: 6 x (non-head params) per token, 6 x
(head params) per *response* token (the prompt's logits are never needed), plus causal attention
6 x layers x hidden x T per token (half of the 12 x L x h x T of full attention), over the GPU's dense
bf16 peak (989 TFLOP/s for an H100 SXM; ``--peak-tflops`` to override).

GPU:  python bench/bench_train_step.py                       # 1.5B shape, T=4096
CPU:  python bench/bench_train_step.py --tiny --steps 1      # checks the logic only
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import time
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from transformers import Qwen2Config, Qwen2ForCausalLM

from trainer_client.grpo.algo.kl import kl_penalty
from trainer_client.grpo.algo.policy_loss import policy_loss
from trainer_client.grpo.compilation import compile_decoder_layers
from trainer_client.grpo.logprobs import response_logprobs

PEAK_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0}  # dense bf16


def qwen15b_config(tiny: bool) -> Qwen2Config:
    if tiny:
        return Qwen2Config(vocab_size=1024, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                           num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096)
    return Qwen2Config(vocab_size=151936, hidden_size=1536, intermediate_size=8960, num_hidden_layers=28,
                       num_attention_heads=12, num_key_value_heads=2, max_position_embeddings=32768,
                       rope_theta=1e6, tie_word_embeddings=True)


def flops_per_token(cfg: Qwen2Config, n_params: int, seqlen: int, resp: int) -> float:
    """Useful training FLOPs per sequence token (see module docstring)."""
    head = cfg.vocab_size * cfg.hidden_size
    return 6.0 * (n_params - head) + 6.0 * head * resp / seqlen + 6.0 * cfg.num_hidden_layers * cfg.hidden_size * seqlen


def _micro_batches(cfg: Qwen2Config, n: int, bsz: int, seqlen: int, prompt: int, device: torch.device) -> list[tuple]:
    g = torch.Generator().manual_seed(0)
    out = []
    resp = seqlen - prompt
    for _ in range(n):
        ids = torch.randint(0, cfg.vocab_size, (bsz, seqlen), generator=g).to(device)
        mask = torch.ones_like(ids)
        start = torch.full((bsz,), prompt, device=device)
        old = (-3.0 + 0.1 * torch.randn(bsz, resp, generator=g)).to(device)
        adv = torch.randn(bsz, generator=g).to(device)
        out.append((ids, mask, start, resp, old, adv))
    return out


def loss_baseline(model: Any, ids, mask, start, resp, old, adv) -> torch.Tensor:
    logits = model(input_ids=ids, attention_mask=mask).logits.float()  # [B, T, V] fp32: the memory hog
    logp_all = F.log_softmax(logits[:, :-1], dim=-1)
    logp = logp_all.gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1)[:, -resp:]
    m = torch.ones_like(logp)
    loss, _ = policy_loss(logp, old, adv, m)
    return loss + 1e-4 * (kl_penalty(logp, old.detach(), "k3") * m).sum() / m.sum()


def loss_prorl(model: Any, ids, mask, start, resp, old, adv, chunk: int, compiled: bool) -> torch.Tensor:
    logp, _ = response_logprobs(model, ids, mask, start, resp, 1.0, chunk, entropy_grad=False, compiled=compiled)
    m = torch.ones_like(logp)
    loss, _ = policy_loss(logp, old, adv, m)
    return loss + 1e-4 * (kl_penalty(logp, old.detach(), "k3") * m).sum() / m.sum()


def update(model: Any, opt: torch.optim.Optimizer, micro: list[tuple], loss_fn: Callable[..., torch.Tensor]) -> None:
    """One optimizer step over ``micro`` (gradient accumulation, micro losses scaled by 1/len)."""
    for mb in micro:
        (loss_fn(model, *mb) / len(micro)).backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)


def measure(name: str, fn: Callable[[], None], steps: int, warmup: int, tokens: int, device: torch.device) -> dict:
    autocast = (torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda"
                else contextlib.nullcontext())
    try:
        with autocast:
            t_w = time.perf_counter()
            for _ in range(warmup):
                fn()
            if device.type == "cuda":
                torch.cuda.synchronize()
                torch.cuda.reset_peak_memory_stats()
            t_w = time.perf_counter() - t_w
            t0 = time.perf_counter()
            for _ in range(steps):
                fn()
            if device.type == "cuda":
                torch.cuda.synchronize()
    except torch.OutOfMemoryError:
        return {"name": name, "step_s": float("nan"), "tokens_per_s": 0.0, "peak_gib": float("nan"), "note": "OOM"}
    dt = (time.perf_counter() - t0) / steps
    peak = torch.cuda.max_memory_allocated() / 2**30 if device.type == "cuda" else float("nan")
    return {"name": name, "step_s": dt, "tokens_per_s": tokens / dt, "peak_gib": peak, "warmup_s": t_w}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tiny", action="store_true", help="tiny shape (CPU logic check)")
    ap.add_argument("--seqlen", type=int, default=4096)
    ap.add_argument("--batch", type=int, default=2, help="sequences per micro-batch")
    ap.add_argument("--accum", type=int, default=4, help="micro-batches per optimizer step")
    ap.add_argument("--prompt-tokens", type=int, default=512)
    ap.add_argument("--steps", type=int, default=3, help="timed optimizer steps per path")
    ap.add_argument("--warmup", type=int, default=1, help="untimed optimizer steps per path (compilation)")
    ap.add_argument("--chunk", type=int, default=4096, help="lm_head chunk tokens (prorl paths)")
    ap.add_argument("--paths", default="baseline,eager,compiled", help="comma list of baseline, eager, compiled")
    ap.add_argument("--static", action="store_true", help="shape-specialised compile (the trainer compiles dynamic)")
    ap.add_argument("--peak-tflops", type=float, default=0.0, help="override the GPU's dense bf16 peak")
    args = ap.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    cfg = qwen15b_config(args.tiny)
    seqlen = min(args.seqlen, 256) if args.tiny else args.seqlen
    prompt = min(args.prompt_tokens, seqlen // 2)
    cfg._attn_implementation = "sdpa"
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(cfg).to(device)  # fp32 master weights, bf16 autocast: as the trainer
    n_params = sum(p.numel() for p in model.parameters())
    micro = _micro_batches(cfg, args.accum, args.batch, seqlen, prompt, device)
    tokens = args.accum * args.batch * seqlen
    paths = [p.strip() for p in args.paths.split(",") if p.strip()]

    def run_path(name: str, loss_fn: Callable[..., torch.Tensor], fused: bool) -> dict:
        opt = torch.optim.AdamW(model.parameters(), lr=2e-6, fused=fused)
        step = functools.partial(update, model, opt, micro, loss_fn)
        result = measure(name, step, args.steps, args.warmup, tokens, device)
        del step, opt  # free the AdamW state before the next path
        model.zero_grad(set_to_none=True)
        if device.type == "cuda":
            torch.cuda.empty_cache()
        return result

    results = []
    if "baseline" in paths:  # plain torch: AdamW's default (foreach) implementation
        results.append(run_path("baseline (HF full logits)", loss_baseline, fused=False))
    for path in ("eager", "compiled"):
        if path not in paths:
            continue
        compiled = path == "compiled"
        if compiled:
            compile_decoder_layers(model, dynamic=None if args.static else True)

        def loss_fn(m: Any, *mb: Any, _c: bool = compiled) -> torch.Tensor:
            return loss_prorl(m, *mb, chunk=args.chunk, compiled=_c)

        results.append(run_path(f"prorl {path}", loss_fn, fused=device.type == "cuda"))

    peak = args.peak_tflops
    if not peak and device.type == "cuda":
        name = torch.cuda.get_device_name()
        peak = next((v for k, v in PEAK_TFLOPS.items() if k in name), 0.0)
    fpt = flops_per_token(cfg, n_params, seqlen, seqlen - prompt)
    dev = torch.cuda.get_device_name() if device.type == "cuda" else "cpu"
    print(f"device={dev} torch={torch.__version__} params={n_params / 1e9:.3f}B T={seqlen} prompt={prompt} "
          f"micro-batch={args.batch} accum={args.accum} tokens/optimizer-step={tokens} "
          f"GFLOP/token={fpt / 1e9:.2f} peak={peak} TFLOP/s")
    print(f"{'path':<28}{'step s':>10}{'tokens/s':>12}{'MFU %':>8}{'peak GiB':>10}{'warmup s':>10}")
    for r in results:
        mfu = 100 * r["tokens_per_s"] * fpt / (peak * 1e12) if peak else float("nan")
        print(f"{r['name']:<28}{r['step_s']:>10.3f}{r['tokens_per_s']:>12.0f}{mfu:>8.1f}{r['peak_gib']:>10.2f}"
              f"{r.get('warmup_s', float('nan')):>10.1f}" + (f"  {r['note']}" if "note" in r else ""))
    base = results[0]["tokens_per_s"] if results and results[0]["name"].startswith("baseline") else 0.0
    for r in results[1:]:
        if base and r["tokens_per_s"]:
            print(f"speed-up {r['name']} / baseline: {r['tokens_per_s'] / base:.2f}x")


if __name__ == "__main__":
    main()
