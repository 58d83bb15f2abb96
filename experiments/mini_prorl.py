"""A mini-ProRL on one GPU, end to end: task -> SFT warm start -> pass@k (base) -> prolonged GRPO with
reference resets -> pass@k (RL) -> the paper-style comparison plot. Results and the exact settings go
to ``--out``; docs/mini_prorl.md reports a run.

    python -m experiments.mini_prorl --out runs/mini-prorl            # GPU: ~5 min on one H100
    python -m experiments.mini_prorl --out /tmp/m --steps 4 --sft-steps 50 --eval-n 4 --device cpu  # logic check

Everything is generated here (reasoning_gym arithmetic, a char-level tokenizer, a random-init Qwen2):
no download. A real ``prorl serve`` scores every rollout and every pass@k sample.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import torch

from experiments.gpu_smoke import print_step
from experiments.service_process import reward_service
from trainer_client.eval import eval_command
from trainer_client.eval.passk import plot_compare
from trainer_client.grpo import checkpoint as ckpt
from trainer_client.grpo import tiny_task
from trainer_client.grpo.config import load_config
from trainer_client.grpo.train import train

TASKS: dict[str, dict[str, int]] = {
    "chain_sum": {"min_terms": 2, "max_terms": 3, "min_digits": 1, "max_digits": 2},
    "products": {"min_terms": 2, "max_terms": 2, "min_digits": 1, "max_digits": 2},
}


def build_task(out: Path, n_train: int, n_val: int, sft_steps: int, hidden: int, layers: int, device: str,
               seed: int) -> dict[str, Any]:
    """Prompts (train/val), tokenizer and the SFT-warm-started model under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    train_recs = tiny_task.make_records(n_train, seed, tasks=TASKS)
    val_recs = tiny_task.make_records(n_val, seed + 1000, tasks=TASKS)
    for name, recs in (("train.jsonl", train_recs), ("val.jsonl", val_recs)):
        (out / name).write_text("".join(json.dumps(r) + "\n" for r in recs))
    tok = tiny_task.build_tokenizer(tiny_task.ARITH_CHARS)
    model = tiny_task.build_model(tok, hidden=hidden, layers=layers, seed=seed).to(device)
    t0 = time.perf_counter()
    loss = tiny_task.sft(model, tok, train_recs, sft_steps, lr=3e-3, batch=128, seed=seed)
    model.to("cpu").save_pretrained(out / "model")
    tok.save_pretrained(out / "model")
    return {"train_prompts": len(train_recs), "val_prompts": len(val_recs), "sft_steps": sft_steps,
            "sft_final_loss": loss, "sft_s": time.perf_counter() - t0,
            "params": sum(p.numel() for p in model.parameters())}


def run_eval(model: Path, data: Path, out: Path, url: str, n: int, device: str) -> dict[str, Any]:
    args = ["--model", str(model), "--data", str(data), "--out", str(out), "--csv", str(out.with_suffix(".csv")),
            "--n", str(n), "--temperature", "0.6", "--max-tokens", "8", "--batch-prompts", "64",
            "--device", device, "--service-url", url]
    if eval_command.main(args) != 0:
        raise RuntimeError(f"prorl eval failed for {model}")
    return json.loads(out.read_text())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="runs/mini-prorl")
    ap.add_argument("--config", default="configs/mini-prorl.yaml")
    ap.add_argument("--steps", type=int, default=0, help="GRPO steps (0 = the config's run.steps)")
    ap.add_argument("--sft-steps", type=int, default=600)
    ap.add_argument("--n-train", type=int, default=2000, help="training prompts per task")
    ap.add_argument("--n-val", type=int, default=100, help="held-out prompts per task (validation and pass@k)")
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--eval-n", type=int, default=128, help="samples per problem for pass@k")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("overrides", nargs="*", help="extra config overrides, section.key=value")
    args = ap.parse_args(argv)
    out = Path(args.out)
    task_dir = out / "task"
    summary: dict[str, Any] = {"command": " ".join([sys.executable, *sys.argv]), "device": args.device,
                               "gpu": torch.cuda.get_device_name() if args.device.startswith("cuda") else None,
                               "tasks": TASKS}
    t0 = time.perf_counter()
    summary["task"] = build_task(task_dir, args.n_train, args.n_val, args.sft_steps, args.hidden, args.layers,
                                 args.device, args.seed)
    print(json.dumps(summary["task"]), file=sys.stderr)
    with reward_service(out / "service.log") as url:
        summary["base"] = run_eval(task_dir / "model", task_dir / "val.jsonl", out / "base.json", url, args.eval_n,
                                   args.device)["overall"]
        overrides = [f"model.path={task_dir / 'model'}", f"data.train_path={task_dir / 'train.jsonl'}",
                     f"data.val_path={task_dir / 'val.jsonl'}", f"run.output_dir={out / 'train'}",
                     f"service.url={url}", f"model.device={args.device}", f"run.seed={args.seed}", *args.overrides]
        if args.steps:
            overrides.append(f"run.steps={args.steps}")
        cfg = load_config(args.config, overrides)
        t_train = time.perf_counter()
        trainer = train(cfg, print_step)
        summary["train_s"] = time.perf_counter() - t_train
        summary["resets"] = trainer.resets.history
        summary["config"] = cfg.to_dict()
        final = ckpt.latest_checkpoint(out / "train")
        if final is None:
            raise RuntimeError("training wrote no checkpoint")
        summary["rl"] = run_eval(final / "policy", task_dir / "val.jsonl", out / "rl.json", url, args.eval_n,
                                 args.device)["overall"]
    rows = plot_compare(json.loads((out / "base.json").read_text()), json.loads((out / "rl.json").read_text()),
                                 str(out / "passk_compare.png"))
    summary["compare"] = rows
    summary["total_s"] = time.perf_counter() - t0
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    for row in rows:
        print(f"{row['task']:<14} pass@1 {row['base_pass1']:.3f} -> {row['rl_pass1']:.3f}   "
              f"pass@{row['k_max']} {row['base_pass_kmax']:.3f} -> {row['rl_pass_kmax']:.3f}")
    print(f"resets: {summary['resets']}  total {summary['total_s']:.0f} s  -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
