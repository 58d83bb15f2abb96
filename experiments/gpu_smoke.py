"""GPU smoke runs of ``prorl train`` with bf16: the tiny config and a ~0.5B config, a few steps each,
against a real reward service; prints step time, update throughput and peak GPU memory per run.

    python -m experiments.gpu_smoke --out runs/gpu-smoke

The 0.5B model is Qwen2.5-0.5B-shaped (896 hidden, 24 layers, 151,936-token vocabulary, tied
embeddings) with random weights and a char-level tokenizer padded to that vocabulary: no download. Its
responses run to the 1024-token cap, so the update sees full-length sequences.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

import torch
from transformers import Qwen2Config, Qwen2ForCausalLM

from experiments.service_process import reward_service
from trainer_client.grpo import tiny_task
from trainer_client.grpo.config import load_config
from trainer_client.grpo.metric_sinks import read_metrics
from trainer_client.grpo.train import train


def print_step(step: int, m: dict[str, float]) -> None:
    """One line per step, flushed: a long run shows where its time goes while it runs."""
    keys = ("step_time_s", "rollout_time_s", "update_time_s", "tokens_per_s", "gpu_mem_peak_gib", "reward/mean",
            "response_length/mean", "kl", "dynamic_sampling/kept_fraction", "resets")
    print(json.dumps({"step": step, **{k: round(float(m[k]), 4) for k in keys if k in m}}), flush=True)


def build_05b(out: Path) -> Path:
    tok = tiny_task.build_tokenizer(pad_to=151936)
    cfg = Qwen2Config(vocab_size=len(tok), hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                      num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=4096, rope_theta=1e6,
                      tie_word_embeddings=True, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    torch.manual_seed(0)
    Qwen2ForCausalLM(cfg).save_pretrained(out)
    tok.save_pretrained(out)
    return out


def summarize(run_dir: Path) -> dict[str, Any]:
    """Per-step metrics of a run; means skip step 1 (CUDA/compile warm-up)."""
    steps = read_metrics(run_dir / "metrics.jsonl", "train")
    later = steps[1:] or steps

    def mean(key: str) -> float:
        vals = [float(r[key]) for r in later if key in r]
        return statistics.mean(vals) if vals else float("nan")

    return {"steps": len(steps), "step_time_s": mean("step_time_s"), "rollout_time_s": mean("rollout_time_s"),
            "update_time_s": mean("update_time_s"), "update_tokens_per_s": mean("tokens_per_s"),
            "gpu_mem_peak_gib": max(float(r.get("gpu_mem_peak_gib", float("nan"))) for r in steps),
            "first_step_s": float(steps[0]["step_time_s"]), "reward": mean("reward/mean"),
            "response_length": mean("response_length/mean")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="runs/gpu-smoke")
    ap.add_argument("--runs", default="tiny,0.5b,0.5b-compiled", help="comma list of tiny, 0.5b, 0.5b-compiled")
    ap.add_argument("--steps", type=int, default=3, help="steps of each 0.5B run")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args(argv)
    out = Path(args.out)
    runs = [r.strip() for r in args.runs.split(",") if r.strip()]
    task = tiny_task.prepare(out / "tiny-task", sft_steps=100)
    results: dict[str, Any] = {"gpu": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu",
                               "torch": torch.__version__}
    with reward_service(out / "service.log") as url:
        common = [f"service.url={url}", "run.resume=false"]
        if "tiny" in runs:
            cfg = load_config("configs/tiny-cpu.yaml", [
                f"model.path={task / 'model'}", f"data.train_path={task / 'train.jsonl'}",
                f"data.val_path={task / 'val.jsonl'}", f"model.device={args.device}",
                "model.dtype=bfloat16" if args.device == "cuda" else "model.dtype=float32", "run.steps=6",
                "run.val_every=3", "reset.interval=3", f"run.output_dir={out / 'train-tiny'}", *common])
            train(cfg, print_step)
            results["tiny"] = summarize(out / "train-tiny")
        model = build_05b(out / "model-0.5b") if any(r.startswith("0.5b") for r in runs) else None
        for name in ("0.5b", "0.5b-compiled"):
            if name not in runs:
                continue
            cfg = load_config("configs/smoke-0.5b.yaml", [
                f"model.path={model}", f"data.train_path={task / 'train.jsonl'}", f"run.steps={args.steps}",
                f"run.output_dir={out / ('train-' + name)}", f"model.compile={name.endswith('compiled')}",
                f"model.device={args.device}", *common])
            train(cfg, print_step)
            results[name] = summarize(out / f"train-{name}")
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
    (out / "gpu_smoke.json").write_text(json.dumps(results, indent=2))
    print(f"{'run':<16}{'step s':>9}{'rollout s':>11}{'update s':>10}{'upd tok/s':>11}{'peak GiB':>10}{'1st step s':>12}")
    for name in runs:
        r = results.get(name)
        if r:
            print(f"{name:<16}{r['step_time_s']:>9.2f}{r['rollout_time_s']:>11.2f}{r['update_time_s']:>10.2f}"
                  f"{r['update_tokens_per_s']:>11.0f}{r['gpu_mem_peak_gib']:>10.2f}{r['first_step_s']:>12.1f}")
    print(json.dumps(results), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
