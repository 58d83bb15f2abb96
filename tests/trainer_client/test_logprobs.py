import torch
from transformers import Qwen2Config, Qwen2ForCausalLM

from trainer_client.logprobs import response_logprobs


def _model() -> Qwen2ForCausalLM:
    torch.manual_seed(0)
    cfg = Qwen2Config(vocab_size=50, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64)
    return Qwen2ForCausalLM(cfg)


def test_chunked_logprobs_match_full_logits_and_gradients() -> None:
    model = _model()
    ids = torch.randint(1, 50, (3, 12))
    mask = torch.ones_like(ids)
    mask[2, 9:] = 0  # a shorter row (right padding)
    start = torch.tensor([4, 6, 5])
    temp = 1.3
    lp, ent = response_logprobs(model, ids, mask, start, response_len=6, temperature=temp, chunk_tokens=5)
    full = torch.log_softmax(model(input_ids=ids, attention_mask=mask).logits.float() / temp, dim=-1)
    for b in range(3):
        for j in range(6):
            pos = start[b].item() + j
            if pos < 12:
                assert torch.allclose(lp[b, j], full[b, pos - 1, ids[b, pos]], atol=1e-5)
                p = full[b, pos - 1].exp()
                assert torch.allclose(ent[b, j], -(p * full[b, pos - 1]).sum(), atol=1e-5)
            else:
                assert lp[b, j] == 0
    # gradients through the checkpointed chunks equal those of the plain computation
    model.zero_grad()
    lp.sum().backward()
    g_chunk = model.lm_head.weight.grad.clone()
    model.zero_grad()
    full = torch.log_softmax(model(input_ids=ids, attention_mask=mask).logits.float() / temp, dim=-1)
    total = sum(full[b, start[b] + j - 1, ids[b, start[b] + j]] for b in range(3) for j in range(6) if start[b] + j < 12)
    total.backward()
    assert torch.allclose(g_chunk, model.lm_head.weight.grad, atol=1e-5)
