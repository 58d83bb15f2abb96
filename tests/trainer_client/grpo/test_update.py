"""The update path: micro-batching must not change the gradient; masked samples must not contribute."""

import random

import torch
from transformers import Qwen2Config, Qwen2ForCausalLM

from trainer_client.grpo.batch import RolloutBatch, micro_batches
from trainer_client.grpo.compilation import compile_decoder_layers
from trainer_client.grpo.config import load_config
from trainer_client.grpo.update import fill_logprobs, ppo_update


def _model() -> Qwen2ForCausalLM:
    torch.manual_seed(0)
    return Qwen2ForCausalLM(Qwen2Config(vocab_size=40, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64))


def _batch(seq_mask: list[float] | None = None) -> RolloutBatch:
    g = torch.Generator().manual_seed(1)
    lens = [3, 7, 2, 5, 4, 6]
    prompts = [torch.randint(2, 40, (4,), generator=g).tolist() for _ in lens]
    resps = [torch.randint(2, 40, (n,), generator=g).tolist() for n in lens]
    adv = torch.tensor([1.0, -1.0, 0.5, -0.5, 2.0, -2.0])
    mask = torch.tensor(seq_mask or [1.0] * 6)
    return RolloutBatch(prompts, resps, torch.tensor([0, 0, 1, 1, 2, 2]), adv, adv > 0, mask, adv)


def _grad_after_update(micro_tokens: int, seq_mask: list[float] | None = None, compile_layers: bool = False) -> torch.Tensor:
    model = _model()
    cfg = load_config(None, [f"optim.micro_batch_tokens={micro_tokens}", "optim.mini_batch_prompts=3",
                             "algo.kl_coef=0.1", "optim.grad_clip=1e9", f"model.compile={compile_layers}"])
    if compile_layers:
        compile_decoder_layers(model)
    b = _batch(seq_mask)
    b.old_logp = fill_logprobs(model, b, cfg, 1.0, 0) + 0.1  # ratio != 1 so clipping is exercised
    b.ref_logp = b.old_logp - 0.2
    opt = torch.optim.SGD(model.parameters(), lr=0.0)  # lr 0: keep the gradient, leave the weights
    ppo_update(model, opt, b, cfg, 1.0, 0, random.Random(0), lambda: None)
    grads = [p.grad.flatten() for p in model.parameters() if p.grad is not None]
    return torch.cat(grads) if grads else torch.empty(0)


def test_micro_batching_gives_the_same_gradient_as_one_batch() -> None:
    b = _batch()
    assert len(micro_batches(b, list(range(6)), 16)) > 2
    assert torch.allclose(_grad_after_update(10_000), _grad_after_update(16), atol=1e-6)


def test_masked_samples_do_not_contribute() -> None:
    g_masked = _grad_after_update(10_000, [1, 1, 1, 0, 1, 1])
    g_full = _grad_after_update(10_000)
    assert not torch.allclose(g_masked, g_full)
    # a fully masked batch makes no update and does not crash
    assert _grad_after_update(10_000, [0.0] * 6).numel() == 0


# ---- mini-batches of a short step are rebalanced ------------------------------------------------------------
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from trainer_client.grpo.update import mini_batch_groups  # noqa: E402


def test_a_short_step_takes_equal_mini_batches() -> None:
    """200 kept groups with mini-batches of 64: 4 AdamW steps of 50 groups, not 64/64/64/8."""
    assert [len(m) for m in mini_batch_groups(list(range(200)), 64)] == [50, 50, 50, 50]
    assert [len(m) for m in mini_batch_groups(list(range(256)), 64)] == [64] * 4
    assert [len(m) for m in mini_batch_groups(list(range(5)), 4)] == [3, 2]


@given(st.integers(0, 600), st.integers(1, 128))
def test_mini_batches_cover_in_order_with_sizes_within_one(n: int, size: int) -> None:
    parts = mini_batch_groups(list(range(n)), size)
    assert [g for p in parts for g in p] == list(range(n))
    assert len(parts) == -(-n // size)
    if parts:
        sizes = [len(p) for p in parts]
        assert max(sizes) - min(sizes) <= 1 and max(sizes) <= size


def test_update_takes_one_step_per_rebalanced_mini_batch() -> None:
    model = _model()
    cfg = load_config(None, ["optim.mini_batch_prompts=2", "optim.grad_clip=1e9"])
    b = _batch()  # 3 groups: 2 + 1 before, still 2 steps (of 2 and 1 groups)
    b.old_logp = fill_logprobs(model, b, cfg, 1.0, 0)
    b.ref_logp = b.old_logp.clone()
    seen: list[int] = []
    opt = torch.optim.SGD(model.parameters(), lr=0.0)
    ppo_update(model, opt, b, cfg, 1.0, 0, random.Random(0), lambda: seen.append(1))
    assert len(seen) == 2


# ---- the update strategy: where a multi-rank trainer hooks in ------------------------------------------------
from collections.abc import Callable  # noqa: E402

from trainer_client.grpo.update import SINGLE_PROCESS, SingleProcess  # noqa: E402


class _CountingStrategy(SingleProcess):
    """The single process, recording when ``ppo_update`` calls each hook."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def reduce_gradients(self, model: torch.nn.Module) -> None:
        assert any(p.grad is not None for p in model.parameters())  # after the accumulation
        self.calls.append("gradients")

    def reduce_stats(self, stats: dict[str, float]) -> dict[str, float]:
        self.calls.append("stats")
        return stats


def _update_with(strategy: SingleProcess, set_lr: Callable[[], None]) -> tuple[dict[str, float], list[torch.Tensor]]:
    cfg = load_config(None, ["optim.mini_batch_prompts=2", "optim.grad_clip=1e9", "algo.ppo_epochs=2"])
    model = _model()
    b = _batch()
    b.old_logp = fill_logprobs(model, b, cfg, 1.0, 0)
    b.ref_logp = b.old_logp.clone()
    m = ppo_update(model, torch.optim.SGD(model.parameters(), lr=0.1), b, cfg, 1.0, 0, random.Random(0), set_lr,
                   strategy)
    return m, [p.detach().clone() for p in model.parameters()]


def test_the_strategy_reduces_gradients_before_each_step_and_stats_once() -> None:
    counting = _CountingStrategy()
    m1, p1 = _update_with(counting, lambda: counting.calls.append("lr"))
    assert counting.calls == ["gradients", "lr"] * 4 + ["stats"]  # 2 mini-batches x 2 epochs, then the metrics
    m0, p0 = _update_with(SINGLE_PROCESS, lambda: None)
    assert m0 == m1 and all(torch.equal(a, b) for a, b in zip(p0, p1, strict=True))
