"""Update-step throughput: the trainer's loss path vs a plain HF + torch baseline, same model, same run.

Measures tokens/s and MFU of one GRPO update (forward + backward + AdamW step) on a Qwen2.5-1.5B-shaped,
randomly initialised model at T tokens per sequence:

- ``baseline``: ``model(input_ids).logits`` (full [B, T, V] logits, upcast to fp32), log_softmax,
  gather, clipped loss, backward: what a straightforward HF + torch trainer does.
- ``prorl``: ``trainer_client.logprobs.response_logprobs`` (hidden states -> lm_head in checkpointed
  chunks, never full fp32 logits) + ``policy_loss`` + KL, bf16 autocast on GPU.

MFU = 6 * params * tokens/s (+ attention 12 * layers * hidden * T per token) / peak FLOP/s.

GPU:  python bench/bench_train_step.py                       # 1.5B shape, T=4096
CPU:  python bench/bench_train_step.py --tiny --steps 2      # checks the logic only
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F
from transformers import Qwen2Config, Qwen2ForCausalLM

from trainer_client.algo.kl import kl_penalty
from trainer_client.algo.policy_loss import policy_loss
from trainer_client.logprobs import response_logprobs

PEAK_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0}  # dense bf16


def qwen15b_config(tiny: bool) -> Qwen2Config:
    if tiny:
        return Qwen2Config(vocab_size=1024, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                           num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096)
    return Qwen2Config(vocab_size=151936, hidden_size=1536, intermediate_size=8960, num_hidden_layers=28,
                       num_attention_heads=12, num_key_value_heads=2, max_position_embeddings=32768,
                       rope_theta=1e6, tie_word_embeddings=True)


def flops_per_token(cfg: Qwen2Config, n_params: int, seqlen: int) -> float:
    return 6.0 * n_params + 12.0 * cfg.num_hidden_layers * cfg.hidden_size * seqlen


def _batch(cfg: Qwen2Config, bsz: int, seqlen: int, prompt: int, device: torch.device):
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, cfg.vocab_size, (bsz, seqlen), generator=g).to(device)
    mask = torch.ones_like(ids)
    start = torch.full((bsz,), prompt, device=device)
    resp = seqlen - prompt
    old = torch.full((bsz, resp), -3.0, device=device)
    adv = torch.randn(bsz, generator=g).to(device)
    return ids, mask, start, resp, old, adv


def step_baseline(model, opt, ids, mask, start, resp, old, adv):
    logits = model(input_ids=ids, attention_mask=mask).logits.float()  # [B, T, V] fp32: the memory hog
    logp_all = F.log_softmax(logits[:, :-1], dim=-1)
    tgt = ids[:, 1:]
    logp = logp_all.gather(-1, tgt.unsqueeze(-1)).squeeze(-1)[:, -resp:]
    loss, _ = policy_loss(logp, old, adv, torch.ones_like(logp))
    loss = loss + 1e-4 * kl_penalty(logp, old.detach(), "k3").mean()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)


def step_prorl(model, opt, ids, mask, start, resp, old, adv, chunk):
    logp, ent = response_logprobs(model, ids, mask, start, resp, 1.0, chunk)
    m = torch.ones_like(logp)
    loss, _ = policy_loss(logp, old, adv, m)
    loss = loss + 1e-4 * (kl_penalty(logp, old.detach(), "k3") * m).sum() / m.sum()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)


def run(name, fn, model, steps, warmup, tokens, device, autocast):
    for _ in range(warmup):
        with autocast():
            fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    for _ in range(steps):
        with autocast():
            fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    dt = (time.perf_counter() - t0) / steps
    peak = torch.cuda.max_memory_allocated() / 2**30 if device.type == "cuda" else float("nan")
    return {"name": name, "step_s": dt, "tokens_per_s": tokens / dt, "peak_gib": peak}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tiny", action="store_true", help="tiny shape (CPU logic check)")
    ap.add_argument("--seqlen", type=int, default=4096)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--prompt-tokens", type=int, default=512)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=4096, help="lm_head chunk tokens (prorl path)")
    ap.add_argument("--gradient-checkpointing", action="store_true", help="prorl path only")
    ap.add_argument("--peak-tflops", type=float, default=0.0, help="override the GPU's dense bf16 peak")
    args = ap.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    cfg = qwen15b_config(args.tiny)
    seqlen = min(args.seqlen, 256) if args.tiny else args.seqlen
    prompt = min(args.prompt_tokens, seqlen // 2)
    cfg._attn_implementation = "sdpa"
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(cfg).to(device)
    n_params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=2e-6)
    batch = _batch(cfg, args.batch, seqlen, prompt, device)
    tokens = args.batch * seqlen

    def autocast():
        if device.type == "cuda":
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return torch.autocast("cpu", enabled=False)

    results = []
    try:
        results.append(run("baseline (HF full logits)", lambda: step_baseline(model, opt, *batch), model,
                           args.steps, args.warmup, tokens, device, autocast))
    except torch.OutOfMemoryError:
        results.append({"name": "baseline (HF full logits)", "step_s": float("nan"), "tokens_per_s": 0.0,
                        "peak_gib": float("nan"), "note": "OOM"})
        opt.zero_grad(set_to_none=True)
        torch.cuda.empty_cache()
    if args.gradient_checkpointing:
        if hasattr(model, "activation_checkpointing_enable"):
            model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
        else:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    results.append(run("prorl (chunked lm_head)", lambda: step_prorl(model, opt, *batch, args.chunk), model,
                       args.steps, args.warmup, tokens, device, autocast))

    peak = args.peak_tflops
    if not peak and device.type == "cuda":
        name = torch.cuda.get_device_name()
        peak = next((v for k, v in PEAK_TFLOPS.items() if k in name), 0.0)
    fpt = flops_per_token(cfg, n_params, seqlen)
    dev = torch.cuda.get_device_name() if device.type == "cuda" else "cpu"
    print(f"device={dev} params={n_params / 1e9:.3f}B T={seqlen} batch={args.batch} tokens/step={tokens}")
    print(f"{'path':<28}{'step s':>10}{'tokens/s':>12}{'MFU %':>8}{'peak GiB':>10}")
    for r in results:
        mfu = 100 * r["tokens_per_s"] * fpt / (peak * 1e12) if peak else float("nan")
        print(f"{r['name']:<28}{r['step_s']:>10.3f}{r['tokens_per_s']:>12.0f}{mfu:>8.1f}{r['peak_gib']:>10.2f}"
              + (f"  {r['note']}" if "note" in r else ""))
    if results[0]["tokens_per_s"]:
        print(f"speed-up prorl / baseline: {results[1]['tokens_per_s'] / results[0]['tokens_per_s']:.2f}x")


if __name__ == "__main__":
    main()
