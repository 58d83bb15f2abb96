"""Rollouts with transformers ``generate`` (KV cache on), on CPU or GPU.

The engine can share the policy module with the trainer (the default): then a weight update costs
nothing and generation always uses the latest weights. Give it its own copy to decouple them.
"""

from __future__ import annotations

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from trainer_client.compilation import eager
from trainer_client.engines.base import Sample, SamplingSettings


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
        gen = self.model.generate(
            input_ids=ids.to(device),
            attention_mask=mask.to(device),
            do_sample=True,
            temperature=s.temperature,
            top_p=s.top_p,
            top_k=0,
            max_new_tokens=s.max_tokens,
            num_return_sequences=s.n,
            pad_token_id=self._pad_id,
            eos_token_id=eos,
            use_cache=True,
            return_dict_in_generate=True,
            output_logits=self.return_logprobs,
        )
        seqs = gen.sequences
        responses = seqs[:, width:].tolist()
        step_lps: torch.Tensor | None = None
        if self.return_logprobs and gen.logits:
            logits = torch.stack(gen.logits, dim=1).float() / s.temperature  # [B*n, new, V], raw -> sampled dist
            step_lps = torch.log_softmax(logits, dim=-1).gather(-1, seqs[:, width:].unsqueeze(-1)).squeeze(-1).cpu()
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
