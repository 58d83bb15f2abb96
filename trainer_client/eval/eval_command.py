"""``prorl eval``: pass@k of a model through the reward service, or two reports compared.

- ``prorl eval --model DIR --data val.jsonl --out report.json [--csv report.csv] [--n 16]``
  generates with the transformers engine (temperature 0.6 by default, as ProRL evaluates), scores
  every sample through ``/v1/score`` and writes pass@k per domain and per task
  (:mod:`trainer_client.eval.evaluate`, :mod:`trainer_client.eval.passk`).
- ``prorl eval --compare base.json rl.json --plot compare.png`` draws the paper-style figure.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from trainer_client.client import RewardClient, service_problem
from trainer_client.eval.evaluate import (
    default_max_tokens,
    generate_samples,
    score_samples,
    truncation_warning,
)
from trainer_client.eval.passk import plot_compare, summarize, write_report


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prorl eval", description="pass@k evaluation through the reward service",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  prorl eval --model runs/tiny/final --data val.jsonl --n 16 --out eval.json\n"
        "  prorl eval --compare base.json rl.json --plot passk.png")
    parser.add_argument("--model", help="local directory of the model (and tokenizer) to evaluate")
    parser.add_argument("--data", help="JSONL/Parquet records {prompt, domain, reference, meta}")
    parser.add_argument("--out", default="eval.json", help="report JSON path")
    parser.add_argument("--csv", default=None, help="also write pass@k as CSV here")
    parser.add_argument("--n", type=int, default=16, help="samples per problem (k goes 1, 2, 4, ..., n)")
    parser.add_argument("--temperature", type=float, default=0.6)
    parser.add_argument("--top-p", type=float, default=1.0)
    parser.add_argument("--max-tokens", type=int, default=None,
                        help="max new tokens per sample (default: the training budget, see --config)")
    parser.add_argument("--config", default=None,
                        help="training config YAML whose largest response budget is the default --max-tokens "
                             "(default: the config saved with a checkpoint, else the model's generation_config)")
    parser.add_argument("--limit", type=int, default=0, help="evaluate only the first N problems")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-prompts", type=int, default=8)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--engine", default="hf", choices=["hf", "vllm"],
                        help="rollout engine: transformers, or vLLM (GPU, or its CPU build: scripts/vllm_env.sh)")
    parser.add_argument("--service-url", default="http://127.0.0.1:8000")
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--compare", nargs=2, metavar=("BASE_JSON", "RL_JSON"), help="plot two reports instead")
    parser.add_argument("--plot", default="passk_compare.png", help="PNG path for --compare")
    return parser


def main(argv: list[str]) -> int:
    """Entry point of ``prorl eval``."""
    args = _parser().parse_args(argv)
    if args.compare:
        base, rl = (json.loads(Path(p).read_text()) for p in args.compare)
        rows = plot_compare(base, rl, args.plot)
        for row in rows:
            print(f"{row['task']:<32} base pass@1 {row['base_pass1']:.3f}  RL pass@1 {row['rl_pass1']:.3f}  "
                  f"base pass@{row['k_max']} {row['base_pass_kmax']:.3f}  RL {row['rl_pass_kmax']:.3f}")
        print(f"wrote {args.plot}", file=sys.stderr)
        return 0
    if not args.model or not args.data:
        _parser().error("--model and --data are required (or use --compare BASE RL)")
    if args.n < 1:
        _parser().error("--n must be >= 1")
    problem = service_problem(args.service_url, args.api_key)
    if problem:  # before the model loads and generates: every sample would come back unjudged
        print(f"prorl eval: reward service at {args.service_url} is not usable: {problem}", file=sys.stderr)
        return 2
    from trainer_client.data.records import read_records

    try:
        records = read_records(args.data)
    except (ValueError, OSError) as exc:  # a malformed record (RecordError) or no such file
        print(f"prorl eval: {exc}", file=sys.stderr)
        return 2
    if args.limit:
        records = records[: args.limit]
    if args.max_tokens is None:
        try:
            args.max_tokens, source = default_max_tokens(args.model, args.config)
        except ValueError as exc:
            print(f"prorl eval: {exc}", file=sys.stderr)
            return 2
        print(f"prorl eval: --max-tokens {args.max_tokens} (from {source})", file=sys.stderr)
    generated = generate_samples(args.model, [r["prompt"] for r in records], args.n, args.temperature, args.top_p,
                                 args.max_tokens, args.seed, args.batch_prompts, args.device, args.engine)
    texts = [[s.text for s in group] for group in generated]
    truncated = sum(s.truncated for group in generated for s in group)
    total = sum(len(group) for group in generated)
    samples, unjudged = score_samples(records, texts, RewardClient(args.service_url, api_key=args.api_key))
    report = summarize(samples)
    report["unjudged"] = unjudged
    report["truncated_fraction"] = truncated / max(total, 1)
    warning = truncation_warning(truncated, total, args.max_tokens)
    if warning:
        print(f"prorl eval: warning: {warning}", file=sys.stderr)
    report["settings"] = {k: getattr(args, k) for k in ("model", "data", "n", "temperature", "top_p", "max_tokens",
                                                         "seed", "limit")}
    write_report(report, args.out, args.csv)
    print(json.dumps({"overall": report["overall"], "unjudged": unjudged}), file=sys.stderr)
    return 0
