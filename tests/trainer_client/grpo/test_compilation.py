"""torch.compile paths of the update (model.compile): same numbers as eager, generation stays eager."""

import pytest
import torch

from tests.trainer_client.grpo.test_logprobs import _model
from trainer_client.grpo.compilation import compile_decoder_layers, eager
from trainer_client.grpo.logprobs import response_logprobs

pytestmark = pytest.mark.slow  # inductor compiles C++ on CPU: tens of seconds


def test_compiled_update_path_matches_eager_values_and_gradients() -> None:
    torch._dynamo.reset()
    model = _model()
    ids = torch.randint(1, 50, (3, 14))
    mask = torch.ones_like(ids)
    mask[0, 11:] = 0
    start = torch.tensor([5, 6, 4])
    out = {}
    for compiled in (False, True):
        if compiled:
            assert compile_decoder_layers(model) == 2
        model.zero_grad()
        lp, ent = response_logprobs(model, ids, mask, start, 7, 1.2, 4, compiled=compiled)
        (lp * (lp != 0)).sum().backward()
        out[compiled] = (lp.detach(), ent.detach(), model.model.layers[0].mlp.up_proj.weight.grad.clone())
    for a, b in zip(out[False], out[True], strict=True):
        assert torch.allclose(a, b, atol=1e-4, rtol=1e-4)
    # state-dict keys unchanged by compilation (checkpoints / weight syncs)
    assert all("_orig_mod" not in k for k in model.state_dict())


def test_generation_under_eager_does_not_compile() -> None:
    torch._dynamo.reset()
    model = _model().eval()
    compile_decoder_layers(model)
    ids = torch.randint(1, 50, (2, 5))
    before = torch._dynamo.utils.counters["stats"]["unique_graphs"]
    with eager(), torch.no_grad():
        torch.manual_seed(1)
        a = model.generate(input_ids=ids, do_sample=True, max_new_tokens=6, pad_token_id=0, top_k=0)
    assert torch._dynamo.utils.counters["stats"]["unique_graphs"] == before
    plain = _model().eval()
    with torch.no_grad():
        torch.manual_seed(1)
        b = plain.generate(input_ids=ids, do_sample=True, max_new_tokens=6, pad_token_id=0, top_k=0)
    assert torch.equal(a, b)


def test_compiled_ppo_update_gives_the_eager_gradient() -> None:
    """The whole update with model.compile: old-logprob pass (no grad) and micro-batches of changing
    width through the shape-generic layers give the eager gradient."""
    from tests.trainer_client.grpo.test_update import _grad_after_update

    torch._dynamo.reset()
    assert torch.allclose(_grad_after_update(16, compile_layers=True), _grad_after_update(16), atol=1e-5)
