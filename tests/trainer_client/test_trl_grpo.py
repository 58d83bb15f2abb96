"""TRL's own GRPOTrainer, two CPU steps on a tiny random model, rewarded by the service via trainer_client.trl.

No download: the tokenizer is built here (one token per character) and the model is a random 2-layer
Qwen2. The completions are noise, which is what makes the check honest: whether a random string has
a comma (or is empty) decides the IFEval ``punctuation:no_comma`` reward, so each step logs a mix of 0 and 1 that
TRL must report exactly as the service scored it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import torch
from datasets import Dataset
from tokenizers import Tokenizer, decoders, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM
from trl import GRPOConfig, GRPOTrainer

from trainer_client.item_builder import build_item
from trainer_client.trl import completion_text, make_async_reward_func, make_reward_func

CHARS = list("abcdef ,.0123456789")
NO_COMMA = {"prompt": "Write without commas.", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}


def _tokenizer() -> PreTrainedTokenizerFast:
    vocab = {t: i for i, t in enumerate(["<pad>", "<eos>", *CHARS])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<pad>"))
    tok.pre_tokenizer = pre_tokenizers.Split(pattern="", behavior="isolated")
    tok.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>")


def _model(tokenizer: PreTrainedTokenizerFast) -> Qwen2ForCausalLM:
    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
                         tie_word_embeddings=False)
    return Qwen2ForCausalLM(config)


def test_grpo_trainer_logs_the_service_rewards(reward_service_url: str, tmp_path: Path) -> None:
    service_reward = make_reward_func(reward_service_url)
    calls: list[dict[str, Any]] = []

    def prorl_reward(prompts: list[Any], completions: list[Any], **kwargs: Any) -> list[float | None]:
        rewards = service_reward(prompts=prompts, completions=completions, **kwargs)
        calls.append({"completions": list(completions), "domain": list(kwargs["domain"]),
                      "reference": list(kwargs["reference"]), "rewards": list(rewards)})
        return rewards

    rows = [{"prompt": p, "domain": "ifeval", "reference": json.dumps(NO_COMMA)} for p in ("ab", "c d", "1,2", "ef")]
    tokenizer = _tokenizer()
    args = GRPOConfig(
        output_dir=str(tmp_path), max_steps=2, per_device_train_batch_size=8, num_generations=4,
        max_completion_length=12, temperature=1.0, learning_rate=1e-3, logging_steps=1, report_to=[],
        use_cpu=True, bf16=False, save_strategy="no", seed=0, disable_tqdm=True,
    )
    trainer = GRPOTrainer(model=_model(tokenizer), reward_funcs=[prorl_reward], args=args,
                          train_dataset=Dataset.from_list(rows), processing_class=tokenizer)
    trainer.train()

    logged = [entry["rewards/prorl_reward/mean"] for entry in trainer.state.log_history
              if "rewards/prorl_reward/mean" in entry]
    assert len(calls) == 2 and len(logged) == 2  # one generation and one log line per step
    all_rewards = [r for call in calls for r in call["rewards"]]
    assert set(all_rewards) == {0.0, 1.0}, all_rewards  # noise with and without commas: a real mix
    for call, mean in zip(calls, logged, strict=True):
        assert len(call["rewards"]) == 8
        assert mean == pytest.approx(sum(call["rewards"]) / len(call["rewards"]), abs=1e-6)
        # What TRL got is what the service says about those exact completions when asked directly.
        items = [build_item(d, completion_text(c), r)
                 for d, c, r in zip(call["domain"], call["completions"], call["reference"], strict=True)]
        direct = httpx.post(f"{reward_service_url}/v1/score", json={"items": items}, timeout=60).json()["results"]
        assert [r["reward"] for r in direct] == call["rewards"]
        # And it is the right verdict: IFEval follows no_comma when the text is non-empty and has no comma.
        texts = [completion_text(c) for c in call["completions"]]
        assert [float(bool(t.strip()) and "," not in t) for t in texts] == call["rewards"], texts


def test_async_reward_marks_clipped_completions_and_logs_unusable_fraction(reward_service_url: str,
                                                                          tmp_path: Path) -> None:
    # TRL awaits coroutine reward functions on its own loop and passes completion_ids and log_metric.
    tokenizer = _tokenizer()
    budget = 12
    service_reward = make_async_reward_func(reward_service_url, max_completion_length=budget,
                                            eos_token_ids=[tokenizer.eos_token_id])
    calls: list[dict[str, Any]] = []

    async def prorl_reward(prompts: list[Any], completions: list[Any], **kwargs: Any) -> list[float | None]:
        rewards = await service_reward(prompts=prompts, completions=completions, **kwargs)
        calls.append({"texts": [completion_text(c) for c in completions], "ids": list(kwargs["completion_ids"]),
                      "rewards": list(rewards)})
        return rewards

    rows = [{"prompt": p, "domain": "ifeval", "reference": json.dumps(NO_COMMA)} for p in ("ab", "c d", "1,2", "ef")]
    args = GRPOConfig(
        output_dir=str(tmp_path), max_steps=2, per_device_train_batch_size=8, num_generations=4,
        max_completion_length=budget, temperature=1.0, learning_rate=1e-3, logging_steps=1, report_to=[],
        use_cpu=True, bf16=False, save_strategy="no", seed=0, disable_tqdm=True,
    )
    trainer = GRPOTrainer(model=_model(tokenizer), reward_funcs=[prorl_reward], args=args,
                          train_dataset=Dataset.from_list(rows), processing_class=tokenizer)
    trainer.train()

    clipped = [len(ids) >= budget and ids[-1] != tokenizer.eos_token_id for call in calls for ids in call["ids"]]
    texts = [t for call in calls for t in call["texts"]]
    rewards = [r for call in calls for r in call["rewards"]]
    expected = [0.0 if cut else float(bool(t.strip()) and "," not in t) for cut, t in zip(clipped, texts, strict=True)]
    assert rewards == expected
    # The run is informative: some clipped completions would have scored 1 without `truncated`.
    assert any(cut and t.strip() and "," not in t for cut, t in zip(clipped, texts, strict=True))
    assert not all(clipped)
    logged = [e["prorl/unusable_fraction"] for e in trainer.state.log_history if "prorl/unusable_fraction" in e]
    assert logged == [0.0, 0.0]
