"""The HF engine samples from softmax(logits / T), whatever the model's own generation_config.json says.

A checkpoint's ``repetition_penalty`` (or ``no_repeat_ngram_size``...) is inherited by transformers'
``generate`` for every setting the caller leaves unset; the trainer's loss would then be computed for a
distribution the samples were not drawn from."""

from __future__ import annotations

import copy

import torch

from trainer_client.grpo.engines.base import SamplingSettings
from trainer_client.grpo.engines.hf import HFEngine
from trainer_client.grpo.logprobs import response_logprobs
from trainer_client.grpo.tiny_task import build_model, build_tokenizer


def _models():
    tok = build_tokenizer()
    torch.manual_seed(0)
    clean = build_model(tok, hidden=32, layers=2).eval()
    tuned = copy.deepcopy(clean)
    tuned.generation_config.repetition_penalty = 1.1
    tuned.generation_config.no_repeat_ngram_size = 2
    return tok, clean, tuned


def test_model_generation_defaults_do_not_change_the_samples() -> None:
    """Differential: the same weights and seed give the same tokens with and without the model's sampling
    defaults (today they differ: the penalty and the n-gram ban reshape the distribution)."""
    tok, clean, tuned = _models()
    prompts = [tok("1+2=")["input_ids"], tok("19-3=")["input_ids"]]
    settings = SamplingSettings(n=6, temperature=1.0, max_tokens=16, seed=3)
    a = HFEngine(clean, tok).generate(prompts, settings)
    b = HFEngine(tuned, tok).generate(prompts, settings)
    assert [s.token_ids for g in b for s in g] == [s.token_ids for g in a for s in g]
    assert tuned.generation_config.repetition_penalty == 1.1  # the model's own config is left as it was


def test_engine_logprobs_are_the_sampled_distribution_and_equal_the_trainers() -> None:
    """With a repetition penalty in the model's generation_config, the log-probs the engine reports (those
    of the scores it actually sampled from) equal the trainer's log_softmax(logits / T)."""
    tok, _, tuned = _models()
    eng = HFEngine(tuned, tok, return_logprobs=True)
    prompts = [tok("1+2=")["input_ids"], tok("19-3=")["input_ids"]]
    temperature = 1.3
    out = eng.generate(prompts, SamplingSettings(n=4, temperature=temperature, max_tokens=12, seed=1))
    for p, group in zip(prompts, out, strict=True):
        for s in group:
            ids = torch.tensor([p + s.token_ids])
            lp, _ = response_logprobs(tuned, ids, torch.ones_like(ids), torch.tensor([len(p)]), s.length, temperature)
            assert torch.allclose(lp[0], torch.tensor(s.logprobs), atol=1e-4), (lp, s.logprobs)
