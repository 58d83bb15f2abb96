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
SPECIALS = ["<pad>", "<eos>"]


def make_records(n: int, seed: int, domain: str = "reasoning_gym") -> list[dict[str, Any]]:
    """``n`` chain_sum prompt records in the data helper's format, scored by ``domain``: reasoning_gym
    (the entry and its own scorer) or math (the entry's answer as the gold)."""
    import reasoning_gym

    ds = reasoning_gym.create_dataset("chain_sum", size=n, seed=seed, min_terms=2, max_terms=2, min_digits=1,
                                      max_digits=1)
    out = []
    for entry in ds:
        prompt = entry["metadata"]["expression"].replace(" ", "") + "="
        ref = {"entry": entry} if domain == "reasoning_gym" else {"answer": entry["answer"]}
        # the math verifier wants a stated answer (a bare number is not one): teach "$-4$"
        target = entry["answer"] if domain == "reasoning_gym" else f"${entry['answer']}$"
        out.append({"prompt": prompt, "domain": domain, "reference": ref,
                    "meta": {"id": f"chain_sum-{seed}-{entry['metadata']['source_index']}", "answer": target}})
    return out


def build_tokenizer() -> PreTrainedTokenizerFast:
    """Character-level tokenizer: one token per character, EOS/PAD as specials."""
    vocab = {t: i for i, t in enumerate(SPECIALS + CHARS)}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<pad>"))
    tok.pre_tokenizer = pre_tokenizers.Split(pattern="", behavior="isolated")
    tok.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>")


def build_model(tokenizer: PreTrainedTokenizerFast, hidden: int = 64, layers: int = 2, seed: int = 0) -> Qwen2ForCausalLM:
    torch.manual_seed(seed)
    cfg = Qwen2Config(vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=hidden * 2,
                      num_hidden_layers=layers, num_attention_heads=4, num_key_value_heads=2,
                      max_position_embeddings=64, eos_token_id=tokenizer.eos_token_id,
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
        loss = model(input_ids=ids, labels=labels).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    return float(loss.detach())


def prepare(out_dir: str | Path, sft_steps: int = 100, n_train: int = 400, n_val: int = 64, seed: int = 0,
            domain: str = "reasoning_gym") -> Path:
    """Write ``model/`` (warm-started), ``train.jsonl`` and ``val.jsonl`` under ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    train, val = make_records(n_train, seed, domain), make_records(n_val, seed + 1000, domain)
    for name, recs in (("train.jsonl", train), ("val.jsonl", val)):
        (out / name).write_text("".join(json.dumps(r) + "\n" for r in recs))
    tok = build_tokenizer()
    model = build_model(tok, seed=seed)
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
    args = ap.parse_args(argv)
    print(prepare(args.out, args.sft_steps, seed=args.seed, domain=args.domain))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
