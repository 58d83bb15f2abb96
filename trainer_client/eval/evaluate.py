"""What ``prorl eval`` (:mod:`trainer_client.eval.eval_command`) runs: sample n answers per problem (transformers
or vLLM), score every sample through ``/v1/score``, and hand the verdicts to pass@k
(:mod:`trainer_client.eval.passk`).

Samples the service could not judge (status other than ``ok``) are counted as failures and reported
in ``unjudged`` so a broken service cannot silently inflate or deflate the numbers.

The response budget defaults to what the model was trained with (:func:`default_max_tokens`): a reasoning
model cut at a short budget scores 0 on every long answer, which measures the budget, not the model. When
more than 5% of the samples are still cut at the budget, ``prorl eval`` says so (:func:`truncation_warning`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trainer_client.client import RewardClient, usable
from trainer_client.eval.passk import ScoredSample


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
                  client: RewardClient) -> tuple[list[ScoredSample], int]:
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
        samples.append(ScoredSample(problem, str(record["domain"]), task_of(record), bool(result.correct)))
    return samples, unjudged


TRUNCATION_WARN_FRACTION = 0.05
FALLBACK_MAX_TOKENS = 8192  # the trainer's default response budget (rollout.max_response_tokens)


def _train_config_budget(path: Path) -> int | None:
    """The largest response budget of a training config (base or any stage), or None if unreadable."""
    from trainer_client.grpo.config import load_config

    try:
        cfg = load_config(path)
    except (OSError, ValueError):
        return None
    return max([cfg.rollout.max_response_tokens] + [s.max_response_tokens or 0 for s in cfg.stages])


def default_max_tokens(model_path: str, config_path: str | None = None) -> tuple[int, str]:
    """The response budget for evaluating ``model_path`` and where it came from, first found of:

    1. ``config_path``, a training config: its largest budget (the final stage's, e.g. 16k for ProRL);
    2. the training config saved with a checkpoint (``<checkpoint>/config.yaml`` next to ``policy/``);
    3. the model's ``generation_config.json`` ``max_new_tokens``;
    4. the trainer's default budget, 8192, capped by the model's ``max_position_embeddings``."""
    if config_path:
        budget = _train_config_budget(Path(config_path))
        if budget is None:
            raise ValueError(f"--config {config_path}: not a readable training config")
        return budget, f"training config {config_path}"
    model_dir = Path(model_path)
    saved = model_dir.parent / "config.yaml"
    if saved.exists():
        budget = _train_config_budget(saved)
        if budget:
            return budget, f"training config {saved}"
    gen = model_dir / "generation_config.json"
    if gen.exists():
        value = json.loads(gen.read_text()).get("max_new_tokens")
        if isinstance(value, int) and value > 0:
            return value, f"{gen} max_new_tokens"
    cfg_file = model_dir / "config.json"
    limit = json.loads(cfg_file.read_text()).get("max_position_embeddings") if cfg_file.exists() else None
    if isinstance(limit, int) and 0 < limit < FALLBACK_MAX_TOKENS:
        return limit, f"{cfg_file} max_position_embeddings"
    return FALLBACK_MAX_TOKENS, "the trainer's default response budget"


def generate_texts(model_path: str, prompts: Sequence[Any], n: int, temperature: float, top_p: float,
                   max_tokens: int, seed: int, batch_prompts: int, device: str) -> list[list[str]]:
    """n sampled completions per prompt (texts only): see :func:`generate_samples`."""
    return [[s.text for s in group] for group in generate_samples(model_path, prompts, n, temperature, top_p,
                                                                  max_tokens, seed, batch_prompts, device)]


def generate_samples(model_path: str, prompts: Sequence[Any], n: int, temperature: float, top_p: float,
                     max_tokens: int, seed: int, batch_prompts: int, device: str,
                     engine: Any = "hf") -> list[list[Any]]:
    """n sampled completions per prompt (engine ``Sample`` objects: text and finish reason) with ``engine``:
    ``hf`` (transformers), ``vllm``, or an already running rollout engine holding this model's weights (a
    trainer's own). Prompts are encoded exactly as the trainer encodes them (``encode_prompt``), so pass@k
    measures the policy on the token ids it was trained on (a template-less tokenizer's BOS included)."""
    import torch
    from tqdm import tqdm
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from trainer_client.grpo.engines.base import SamplingSettings
    from trainer_client.grpo.engines.hf import HFEngine
    from trainer_client.grpo.prompt_sampler import encode_prompt

    target = device if device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    dtype = torch.bfloat16 if target.startswith("cuda") else torch.float32
    if engine == "vllm":
        from trainer_client.grpo.engines import make_vllm_engine

        engine = make_vllm_engine(model_path, seed=seed, enable_sleep_mode=False)
    elif engine == "hf":
        model = AutoModelForCausalLM.from_pretrained(model_path, dtype=dtype).to(target)
        engine = HFEngine(model, tokenizer, batch_prompts=batch_prompts)
    encoded = [encode_prompt(tokenizer, p) for p in prompts]
    settings = SamplingSettings(n=n, temperature=temperature, top_p=top_p, max_tokens=max_tokens, seed=seed)
    out: list[list[Any]] = []
    for start in tqdm(range(0, len(encoded), batch_prompts), desc="generating", unit="batch", file=sys.stderr):
        settings.seed = seed + start
        out.extend(engine.generate(encoded[start:start + batch_prompts], settings))
    return out


def truncation_warning(truncated: int, total: int, max_tokens: int) -> str | None:
    """The warning to print when more than 5% of the samples hit the budget, else None."""
    if total and truncated / total > TRUNCATION_WARN_FRACTION:
        return (f"{truncated} of {total} samples ({truncated / total:.1%}) were cut at --max-tokens {max_tokens}: "
                "their answers score 0, so pass@k measures the budget; raise --max-tokens")
    return None
