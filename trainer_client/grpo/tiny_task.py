"""A tiny, self-contained task and model for CPU runs and tests: no hub download anywhere.

The task is reasoning_gym's ``chain_sum`` (two one-digit terms): the prompt is the bare expression
(``"4-1="``), the reference is the reasoning_gym entry, so the real reward service scores it with
reasoning_gym's own scorer. The model is a randomly initialised Qwen2 with a character-level tokenizer
built at run time, warm-started by a short supervised fine-tune so RL starts from partial competence.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

CHARS = list("0123456789+-= $")
ARITH_CHARS = CHARS + ["*"]  # products' prompts
SPECIALS = ["<pad>", "<eos>"]


TINY_TASKS: dict[str, dict[str, int]] = {"chain_sum": {"min_terms": 2, "max_terms": 2, "min_digits": 1, "max_digits": 1}}


def make_records(n: int, seed: int, domain: str = "reasoning_gym",
                 tasks: dict[str, dict[str, int]] | None = None) -> list[dict[str, Any]]:
    """``n`` prompt records per task in the data helper's format, scored by ``domain``: reasoning_gym
    (the entry and its own scorer) or math (the entry's answer as the gold).

    ``tasks`` maps reasoning_gym arithmetic datasets whose entries carry ``metadata.expression``
    (``chain_sum``, ``products``) to their difficulty settings; default: two one-digit terms of chain_sum.
    """
    import reasoning_gym

    out = []
    for offset, (task, kwargs) in enumerate((tasks or TINY_TASKS).items()):
        ds = reasoning_gym.create_dataset(task, size=n, seed=seed + 7919 * offset, **kwargs)
        out.extend(_records(ds, seed + 7919 * offset, domain))
    return out


def _records(ds: Any, seed: int, domain: str) -> list[dict[str, Any]]:
    out = []
    for entry in ds:
        prompt = entry["metadata"]["expression"].replace(" ", "") + "="
        ref = {"entry": entry} if domain == "reasoning_gym" else {"answer": entry["answer"]}
        # the math verifier wants a stated answer (a bare number is not one): teach "$-4$"
        target = entry["answer"] if domain == "reasoning_gym" else f"${entry['answer']}$"
        task = entry["metadata"]["source_dataset"]
        out.append({"prompt": prompt, "domain": domain, "reference": ref,
                    "meta": {"id": f"{task}-{seed}-{entry['metadata']['source_index']}", "answer": target,
                             "task": task}})
    return out


def build_tokenizer(chars: list[str] | None = None, pad_to: int = 0) -> PreTrainedTokenizerFast:
    """Character-level tokenizer: one token per character, EOS/PAD as specials. ``pad_to`` appends unused
    placeholder tokens up to that vocabulary size (a model with a real LM's vocabulary width for timing)."""
    names = SPECIALS + (chars or CHARS)
    names += [f"<unused{i}>" for i in range(max(0, pad_to - len(names)))]
    vocab = {t: i for i, t in enumerate(names)}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<pad>"))
    tok.pre_tokenizer = pre_tokenizers.Split(pattern="", behavior="isolated")
    tok.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>")


def build_model(tokenizer: PreTrainedTokenizerFast, hidden: int = 64, layers: int = 2, seed: int = 0,
                heads: int = 4, kv_heads: int = 2, intermediate: int = 0, max_positions: int = 64) -> Qwen2ForCausalLM:
    """A randomly initialised Qwen2 (``intermediate`` 0 = 2 x hidden)."""
    torch.manual_seed(seed)
    cfg = Qwen2Config(vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=intermediate or hidden * 2,
                      num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=kv_heads,
                      max_position_embeddings=max_positions, eos_token_id=tokenizer.eos_token_id,
                      pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=False)
    return Qwen2ForCausalLM(cfg)


def sft(model: Qwen2ForCausalLM, tokenizer: PreTrainedTokenizerFast, records: list[dict[str, Any]], steps: int,
        lr: float = 3e-3, batch: int = 64, seed: int = 0) -> float:
    """Teacher-forced fine-tune on ``prompt + answer + EOS`` (loss on the answer only); returns last loss."""
    g = torch.Generator().manual_seed(seed)
    rows = []
    for r in records:
        p = tokenizer(r["prompt"])["input_ids"]
        a = tokenizer(r["meta"]["answer"])["input_ids"] + [tokenizer.eos_token_id]
        rows.append((p, a))
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    loss = torch.tensor(0.0)
    for _ in range(steps):
        idx = torch.randint(len(rows), (batch,), generator=g).tolist()
        width = max(len(rows[i][0]) + len(rows[i][1]) for i in idx)
        ids = torch.full((batch, width), tokenizer.pad_token_id)
        labels = torch.full((batch, width), -100)
        for b, i in enumerate(idx):
            p, a = rows[i]
            ids[b, : len(p) + len(a)] = torch.tensor(p + a)
            labels[b, len(p) : len(p) + len(a)] = torch.tensor(a)
        dev = next(model.parameters()).device
        loss = model(input_ids=ids.to(dev), labels=labels.to(dev)).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    return float(loss.detach())


def prepare(out_dir: str | Path, sft_steps: int = 100, n_train: int = 400, n_val: int = 64, seed: int = 0,
            domain: str = "reasoning_gym", hidden: int = 64, heads: int = 4) -> Path:
    """Write ``model/`` (warm-started), ``train.jsonl`` and ``val.jsonl`` under ``out_dir``.

    ``hidden`` / ``heads`` set the model's width; vLLM's CPU attention needs a head size it has kernels for
    (64 and up, not the default's 16): ``hidden=128, heads=2`` is the tiny model of configs/tiny-cpu-vllm.yaml."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    train, val = make_records(n_train, seed, domain), make_records(n_val, seed + 1000, domain)
    for name, recs in (("train.jsonl", train), ("val.jsonl", val)):
        (out / name).write_text("".join(json.dumps(r) + "\n" for r in recs))
    tok = build_tokenizer()
    model = build_model(tok, hidden=hidden, seed=seed, heads=heads, kv_heads=min(2, heads))
    sft(model, tok, train, sft_steps, seed=seed)
    model.save_pretrained(out / "model")
    tok.save_pretrained(out / "model")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="build the tiny CPU task: warm-started model + prompt files")
    ap.add_argument("--out", default="runs/tiny-task")
    ap.add_argument("--sft-steps", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--domain", default="reasoning_gym", choices=["reasoning_gym", "math"])
    ap.add_argument("--hidden", type=int, default=64, help="model width (128 with --heads 2 for vLLM on CPU)")
    ap.add_argument("--heads", type=int, default=4, help="attention heads (head size = hidden / heads)")
    args = ap.parse_args(argv)
    print(prepare(args.out, args.sft_steps, seed=args.seed, domain=args.domain, hidden=args.hidden,
                  heads=args.heads))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
