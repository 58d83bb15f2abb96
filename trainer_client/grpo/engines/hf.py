"""Rollouts with transformers ``generate`` (KV cache on), on CPU or GPU.

The engine can share the policy module with the trainer (the default): then a weight update costs
nothing and generation always uses the latest weights. Give it its own copy to decouple them.

Sampling must be the distribution the loss assumes, ``softmax(logits / T)`` (top-p aside). transformers fills
every setting a caller leaves unset from the model's own ``generation_config.json`` (a checkpoint's
``repetition_penalty: 1.1``, ``no_repeat_ngram_size``, ``suppress_tokens``, ``min_length``...), which would
silently reshape the samples. So each call runs with an explicit, clean :class:`GenerationConfig` and the
model's own one set aside, and the returned log-probs are those of the processed scores transformers
actually sampled from: a mismatch would show in ``rollout_logprob_mismatch``, not hide behind raw logits.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from transformers import GenerationConfig, PreTrainedModel, PreTrainedTokenizerBase

from trainer_client.grpo.compilation import eager
from trainer_client.grpo.engines.base import Sample, SamplingSettings


class HFEngine:
    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        batch_prompts: int = 64,
        return_logprobs: bool = False,
    ) -> None:
        if tokenizer.pad_token_id is None and tokenizer.eos_token_id is None:
            raise ValueError("the tokenizer needs a pad or EOS token to batch prompts")
        self.model = model
        self.tokenizer = tokenizer
        self.batch_prompts = max(1, batch_prompts)
        # the sampler's own log-probs (of the temperature-scaled distribution); costs [B, V] per new token
        self.return_logprobs = return_logprobs

    @property
    def _pad_id(self) -> int:
        pad = self.tokenizer.pad_token_id
        return int(pad if pad is not None else self.tokenizer.eos_token_id)

    @torch.no_grad()
    def generate(self, prompts: list[list[int]], settings: SamplingSettings) -> list[list[Sample]]:
        """Sample ``settings.n`` responses for each prompt (left-padded batches of ``batch_prompts``)."""
        if settings.seed is not None:
            torch.manual_seed(settings.seed)
        out: list[list[Sample]] = []
        was_training = self.model.training
        self.model.eval()
        try:
            with eager():  # layers compiled for training (model.compile) would recompile per new token
                for start in range(0, len(prompts), self.batch_prompts):
                    out.extend(self._generate_batch(prompts[start : start + self.batch_prompts], settings))
        finally:
            self.model.train(was_training)
        return out

    def _generate_batch(self, prompts: list[list[int]], s: SamplingSettings) -> list[list[Sample]]:
        device = next(self.model.parameters()).device
        width = max(len(p) for p in prompts)
        ids = torch.full((len(prompts), width), self._pad_id, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for i, p in enumerate(prompts):
            ids[i, width - len(p) :] = torch.tensor(p)
            mask[i, width - len(p) :] = 1
        eos = self.tokenizer.eos_token_id
        config = clean_generation_config(s, self._pad_id, eos, self.return_logprobs)
        with _without_model_defaults(self.model):
            gen = self.model.generate(input_ids=ids.to(device), attention_mask=mask.to(device),
                                      generation_config=config)
        seqs = gen.sequences
        responses = seqs[:, width:].tolist()
        step_lps: torch.Tensor | None = None
        if self.return_logprobs and gen.scores:
            # the processed scores (temperature, top-p) are what was sampled from: [B*n, new, V]
            scores = torch.stack(gen.scores, dim=1).float()
            step_lps = torch.log_softmax(scores, dim=-1).gather(-1, seqs[:, width:].unsqueeze(-1)).squeeze(-1).cpu()
        groups: list[list[Sample]] = []
        for i in range(len(prompts)):
            group = []
            for j in range(i * s.n, (i + 1) * s.n):
                row = responses[j]
                if eos is not None and eos in row:
                    tokens, reason = row[: row.index(eos) + 1], "stop"
                else:
                    tokens, reason = row, "length"
                text = self.tokenizer.decode(tokens, skip_special_tokens=True)
                lps = step_lps[j, : len(tokens)].tolist() if step_lps is not None else None
                group.append(Sample(token_ids=tokens, text=text, finish_reason=reason, logprobs=lps))  # type: ignore[arg-type]
            groups.append(group)
        return groups

    def update_weights(self, state_dict: dict[str, torch.Tensor]) -> None:
        """Load new weights unless the engine shares the trainer's module (then it already has them)."""
        own = self.model.state_dict()
        if all(own[k].data_ptr() == v.data_ptr() for k, v in state_dict.items() if k in own):
            return
        self.model.load_state_dict(state_dict, strict=False)

    def sleep(self) -> None:  # nothing to release: the KV cache lives only inside generate()
        return None

    def wake_up(self) -> None:
        return None


def clean_generation_config(s: SamplingSettings, pad_id: int, eos_id: int | None,
                            scores: bool = False) -> GenerationConfig:
    """Pure ancestral sampling at ``s.temperature`` with nucleus ``s.top_p``: every other logits processor
    transformers knows is set to its neutral value explicitly, so nothing can be inherited."""
    return GenerationConfig(
        do_sample=True, temperature=s.temperature, top_p=s.top_p, top_k=0, min_p=None, typical_p=1.0,
        epsilon_cutoff=0.0, eta_cutoff=0.0, repetition_penalty=1.0, encoder_repetition_penalty=1.0,
        no_repeat_ngram_size=0, encoder_no_repeat_ngram_size=0, length_penalty=1.0, min_new_tokens=0,
        max_new_tokens=s.max_tokens, num_beams=1, num_return_sequences=s.n, pad_token_id=pad_id,
        eos_token_id=eos_id, use_cache=True, return_dict_in_generate=True, output_scores=scores,
        renormalize_logits=False, remove_invalid_values=False,
    )


@contextlib.contextmanager
def _without_model_defaults(model: PreTrainedModel) -> Iterator[None]:
    """Set the model's own generation config aside during ``generate``: transformers fills every unset
    field of the caller's config from it (bad_words_ids, suppress_tokens, forced tokens...)."""
    saved = model.generation_config
    model.generation_config = GenerationConfig()
    try:
        yield
    finally:
        model.generation_config = saved
