"""Rollout throughput: the transformers engine vs vLLM on the same model, prompts and sampling settings.

Not a test. Both engines run in this one process, one after the other, on the same randomly initialised
tiny Qwen2 (vLLM's CPU attention needs a head size of 64 or more: hidden 128, 2 heads by default), so the
ratio is meaningful on whatever machine runs it. Run it in the vLLM environment (scripts/vllm_env.sh):

    VLLM_CPU_KVCACHE_SPACE=1 .venv-vllm/bin/python bench/bench_vllm.py
    VLLM_CPU_KVCACHE_SPACE=1 .venv-vllm/bin/python bench/bench_vllm.py --hidden 512 --layers 4 --prompts 128

Tokens/s counts generated tokens (EOS included) over the wall time of ``generate`` calls after one warm-up
call; vLLM's start (engine build, KV cache) is printed apart. CPU seconds are printed too: on a shared
machine, tokens per CPU-second is the fairer comparison.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from typing import Any

os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _timed(engine: Any, prompts: list[list[int]], settings: Any, repeats: int) -> tuple[float, float, int]:
    engine.generate(prompts[:2], settings)  # warm-up: first-call allocations and kernel selection
    wall, cpu, tokens = 0.0, 0.0, 0
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), _cpu_s()
        groups = engine.generate(prompts, settings)
        wall += time.perf_counter() - t0
        cpu += _cpu_s() - c0
        tokens += sum(s.length for g in groups for s in g)
    return wall, cpu, tokens


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--heads", type=int, default=2)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--prompts", type=int, default=64)
    ap.add_argument("--n", type=int, default=8, help="samples per prompt")
    ap.add_argument("--max-tokens", type=int, default=48)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="torch threads for the HF engine; 0 = torch's default")
    args = ap.parse_args()

    import torch

    from trainer_client.grpo.engines.base import SamplingSettings
    from trainer_client.grpo.engines.hf import HFEngine
    from trainer_client.grpo.engines.vllm import VLLMEngine
    from trainer_client.grpo.tiny_task import build_model, build_tokenizer

    if args.threads:
        torch.set_num_threads(args.threads)
    tok = build_tokenizer()
    model = build_model(tok, hidden=args.hidden, layers=args.layers, heads=args.heads, kv_heads=min(2, args.heads),
                        max_positions=args.max_tokens + 16).eval()
    exprs = [f"{a}{'+-'[b % 2]}{b % 10}=" for a in range(10) for b in range(20)]
    prompts = [tok(exprs[i % len(exprs)])["input_ids"] for i in range(args.prompts)]
    settings = SamplingSettings(n=args.n, temperature=1.0, max_tokens=args.max_tokens, seed=0)
    print(f"model: Qwen2 hidden {args.hidden}, {args.heads} heads, {args.layers} layers, "
          f"{sum(p.numel() for p in model.parameters()) / 1e6:.2f} M params, float32; "
          f"{args.prompts} prompts x {args.n} samples, <= {args.max_tokens} new tokens, {args.repeats} repeats")

    rows = []
    hf = HFEngine(model, tok, batch_prompts=args.prompts, return_logprobs=True)  # as the trainer runs it (TIS on)
    rows.append(("hf", *_timed(hf, prompts, settings, args.repeats)))

    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        tok.save_pretrained(tmp)
        t0 = time.perf_counter()
        engine = VLLMEngine(tmp, seed=0)
        start_s = time.perf_counter() - t0
        rows.append(("vllm", *_timed(engine, prompts, settings, args.repeats)))
        t0 = time.perf_counter()
        engine.update_weights(model.state_dict())
        sync_s = time.perf_counter() - t0
        engine.shutdown()

    print(f"{'engine':<8}{'tokens':>10}{'wall s':>10}{'tokens/s':>12}{'tokens/cpu-s':>14}")
    for name, wall, cpu, tokens in rows:
        print(f"{name:<8}{tokens:>10}{wall:>10.2f}{tokens / wall:>12.0f}{tokens / max(cpu, 1e-9):>14.0f}")
    (_, hw, _, ht), (_, vw, _, vt) = rows
    print(f"vllm / hf tokens/s: {(vt / vw) / (ht / hw):.2f}x; vLLM start {start_s:.1f} s, weight sync {sync_s:.3f} s")


if __name__ == "__main__":
    main()
