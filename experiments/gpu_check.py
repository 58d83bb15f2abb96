"""GPU numerics check of the update path: eager vs ``model.compile`` log-probs, entropies and gradients
under bf16 autocast, and with/without the attention mask for right-padded rows (fp32 reference).

    python -m experiments.gpu_check
"""

from __future__ import annotations

import torch
from transformers import Qwen2Config, Qwen2ForCausalLM

from trainer_client.grpo.compilation import compile_decoder_layers
from trainer_client.grpo.logprobs import response_logprobs


def rel(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a.double() - b.double()).norm() / b.double().norm().clamp(min=1e-30))


def main() -> int:
    torch.manual_seed(0)
    cfg = Qwen2Config(vocab_size=32000, hidden_size=512, intermediate_size=1408, num_hidden_layers=4,
                      num_attention_heads=8, num_key_value_heads=2, max_position_embeddings=2048)
    model = Qwen2ForCausalLM(cfg).cuda()
    ids = torch.randint(0, 32000, (4, 600), device="cuda")
    mask = torch.ones_like(ids)
    mask[1, 450:] = 0
    mask[3, 300:] = 0
    start = torch.tensor([100, 120, 90, 50], device="cuda")
    resp = 500
    valid = (start.unsqueeze(1) + torch.arange(resp, device="cuda")) < mask.sum(1, keepdim=True)

    def run(compiled: bool, dtype: torch.dtype | None) -> tuple[torch.Tensor, ...]:
        model.zero_grad(set_to_none=True)
        ctx = torch.autocast("cuda", dtype=dtype) if dtype else torch.autocast("cuda", enabled=False)
        with ctx:
            lp, ent = response_logprobs(model, ids, mask, start, resp, 1.2, 1024, compiled=compiled)
        (lp * valid).sum().backward()
        return lp[valid].detach(), ent[valid].detach(), model.model.layers[1].mlp.down_proj.weight.grad.clone()

    ref = run(False, None)  # fp32 eager
    # the plain HF path with the mask, fp32: the dropped mask must not change real positions
    with torch.no_grad():
        full = torch.log_softmax(model(input_ids=ids, attention_mask=mask).logits.float() / 1.2, dim=-1)
        pos = start.unsqueeze(1) + torch.arange(resp, device="cuda")
        hf = torch.stack([full[b, pos[b].clamp(max=599) - 1, ids[b, pos[b].clamp(max=599)]] for b in range(4)])
    print(f"fp32 eager vs HF masked logits: logp rel err {rel(ref[0], hf[valid]):.2e}")
    eager_bf16 = run(False, torch.bfloat16)
    compile_decoder_layers(model)
    comp_bf16 = run(True, torch.bfloat16)
    for name, got in (("bf16 eager", eager_bf16), ("bf16 compiled", comp_bf16)):
        print(f"{name:<14} vs fp32: logp {rel(got[0], ref[0]):.2e}  entropy {rel(got[1], ref[1]):.2e}  "
              f"grad {rel(got[2], ref[2]):.2e}")
    print(f"compiled vs eager (bf16): logp {rel(comp_bf16[0], eager_bf16[0]):.2e}  grad {rel(comp_bf16[2], eager_bf16[2]):.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
