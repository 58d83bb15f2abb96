"""``prorl eval``: sample n answers per problem, score them through the service, report pass@k.

Two modes:

- ``prorl eval --model DIR --data val.jsonl --out report.json [--csv report.csv] [--n 16]``
  generates with the transformers engine (temperature 0.6 by default, as ProRL evaluates), scores
  every sample through ``/v1/score`` and writes pass@k per domain and per task.
- ``prorl eval --compare base.json rl.json --plot compare.png`` draws the paper-style figure.

Samples the service could not judge (status other than ``ok``) are counted as failures and reported
in ``unjudged`` so a broken service cannot silently inflate or deflate the numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trainer_client.client import RewardClient, service_problem, usable
from trainer_client.passk import Sample, plot_compare, summarize, write_report


def task_of(record: dict[str, Any]) -> str:
    """The task a record belongs to: ``meta.task``, the reasoning_gym dataset, or its domain."""
    meta = record.get("meta") or {}
    for key in ("task", "source_dataset"):
        if isinstance(meta.get(key), str):
            return str(meta[key])
    entry = (record.get("reference") or {}).get("entry") or {}
    source = (entry.get("metadata") or {}).get("source_dataset") if isinstance(entry, dict) else None
    return str(source) if source else str(record["domain"])


def score_samples(records: Sequence[dict[str, Any]], texts: Sequence[Sequence[str]],
                  client: RewardClient) -> tuple[list[Sample], int]:
    """Score every generated text; returns pass@k samples and the number the service could not judge."""
    items, owners = [], []
    for index, (record, answers) in enumerate(zip(records, texts, strict=True)):
        for answer in answers:
            items.append({"id": f"{index}", "domain": record["domain"], "response": answer,
                          "reference": record["reference"], "options": record.get("options") or {}})
            owners.append(index)
    results = client.score(items)
    samples, unjudged = [], 0
    for owner, result in zip(owners, results, strict=True):
        unjudged += not usable(result)
        record = records[owner]
        problem = str((record.get("meta") or {}).get("uid") or owner)
        samples.append(Sample(problem, str(record["domain"]), task_of(record), bool(result.correct)))
    return samples, unjudged


def generate_texts(model_path: str, prompts: Sequence[Any], n: int, temperature: float, top_p: float,
                   max_tokens: int, seed: int, batch_prompts: int, device: str) -> list[list[str]]:
    """n sampled completions per prompt with the transformers engine. Prompts are encoded exactly as the
    trainer encodes them (``encode_prompt``), so pass@k measures the policy on the token ids it was
    trained on (a template-less tokenizer's BOS included)."""
    import torch
    from tqdm import tqdm
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from trainer_client.engines.base import SamplingSettings
    from trainer_client.engines.hf import HFEngine
    from trainer_client.prompts import encode_prompt

    target = device if device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    dtype = torch.bfloat16 if target.startswith("cuda") else torch.float32
    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=dtype).to(target)
    engine = HFEngine(model, tokenizer, batch_prompts=batch_prompts)
    encoded = [encode_prompt(tokenizer, p) for p in prompts]
    settings = SamplingSettings(n=n, temperature=temperature, top_p=top_p, max_tokens=max_tokens, seed=seed)
    texts: list[list[str]] = []
    for start in tqdm(range(0, len(encoded), batch_prompts), desc="generating", unit="batch", file=sys.stderr):
        settings.seed = seed + start
        for samples in engine.generate(encoded[start:start + batch_prompts], settings):
            texts.append([s.text for s in samples])
    return texts


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prorl eval", description="pass@k evaluation through the reward service")
    parser.add_argument("--model", help="local directory of the model (and tokenizer) to evaluate")
    parser.add_argument("--data", help="JSONL/Parquet records {prompt, domain, reference, meta}")
    parser.add_argument("--out", default="eval.json", help="report JSON path")
    parser.add_argument("--csv", default=None, help="also write pass@k as CSV here")
    parser.add_argument("--n", type=int, default=16, help="samples per problem (k goes 1, 2, 4, ..., n)")
    parser.add_argument("--temperature", type=float, default=0.6)
    parser.add_argument("--top-p", type=float, default=1.0)
    parser.add_argument("--max-tokens", type=int, default=1024, help="max new tokens per sample")
    parser.add_argument("--limit", type=int, default=0, help="evaluate only the first N problems")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-prompts", type=int, default=8)
    parser.add_argument("--device", default="auto")
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
    texts = generate_texts(args.model, [r["prompt"] for r in records], args.n, args.temperature, args.top_p,
                           args.max_tokens, args.seed, args.batch_prompts, args.device)
    samples, unjudged = score_samples(records, texts, RewardClient(args.service_url, api_key=args.api_key))
    report = summarize(samples)
    report["unjudged"] = unjudged
    report["settings"] = {k: getattr(args, k) for k in ("model", "data", "n", "temperature", "top_p", "max_tokens",
                                                         "seed", "limit")}
    write_report(report, args.out, args.csv)
    print(json.dumps({"overall": report["overall"], "unjudged": unjudged}), file=sys.stderr)
    return 0
