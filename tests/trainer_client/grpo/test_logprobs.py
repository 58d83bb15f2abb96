import torch
from transformers import Qwen2Config, Qwen2ForCausalLM

from trainer_client.grpo.logprobs import response_logprobs, right_padded_only


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
    lengths = mask.sum(dim=1)
    for b in range(3):
        for j in range(6):
            pos = start[b].item() + j
            if pos < lengths[b]:  # real tokens; right-padding positions are the caller's to mask
                assert torch.allclose(lp[b, j], full[b, pos - 1, ids[b, pos]], atol=1e-5)
                p = full[b, pos - 1].exp()
                assert torch.allclose(ent[b, j], -(p * full[b, pos - 1]).sum(), atol=1e-5)
            elif pos >= 12:
                assert lp[b, j] == 0
    # gradients through the checkpointed chunks equal those of the plain computation
    model.zero_grad()
    full = torch.log_softmax(model(input_ids=ids, attention_mask=mask).logits.float() / temp, dim=-1)
    real = [(b, j) for b in range(3) for j in range(6) if start[b] + j < lengths[b]]
    model.zero_grad()
    lp, _ = response_logprobs(model, ids, mask, start, response_len=6, temperature=temp, chunk_tokens=5)
    sum(lp[b, j] for b, j in real).backward()
    g_chunk = model.lm_head.weight.grad.clone()
    model.zero_grad()
    full = torch.log_softmax(model(input_ids=ids, attention_mask=mask).logits.float() / temp, dim=-1)
    total = sum(full[b, start[b] + j - 1, ids[b, start[b] + j]] for b, j in real)
    total.backward()
    assert torch.allclose(g_chunk, model.lm_head.weight.grad, atol=1e-5)


def test_right_padded_only_detects_left_padding_and_holes() -> None:
    right = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1], [1, 0, 0, 0]])
    assert right_padded_only(right)
    assert not right_padded_only(torch.tensor([[0, 1, 1, 1], [1, 1, 1, 1]]))  # left padding
    assert not right_padded_only(torch.tensor([[1, 0, 1, 0]]))  # a hole


def test_left_padded_rows_keep_their_mask() -> None:
    """Left padding changes positions and what real tokens see: the mask must then reach the model."""
    model = _model()
    ids = torch.randint(1, 50, (2, 10))
    mask = torch.ones_like(ids)
    mask[1, :3] = 0
    start = torch.tensor([5, 5])
    lp, _ = response_logprobs(model, ids, mask, start, response_len=5)
    full = torch.log_softmax(model(input_ids=ids, attention_mask=mask).logits.float(), dim=-1)
    want = torch.stack([full[1, 4 + j, ids[1, 5 + j]] for j in range(5)])
    assert torch.allclose(lp[1], want, atol=1e-5)


def test_detached_entropy_leaves_logprob_gradients_unchanged() -> None:
    model = _model()
    ids = torch.randint(1, 50, (2, 10))
    mask = torch.ones_like(ids)
    start = torch.tensor([4, 6])
    grads = []
    for entropy_grad in (True, False):
        model.zero_grad()
        lp, ent = response_logprobs(model, ids, mask, start, 4, 1.2, 3, entropy_grad=entropy_grad)
        assert ent.requires_grad == entropy_grad
        lp.sum().backward()
        grads.append(model.lm_head.weight.grad.clone())
    assert torch.allclose(grads[0], grads[1], atol=1e-6)
