import math

import pytest
import torch

from trainer_client.grpo.algo.policy_loss import aggregate_loss, policy_loss


def _lp(ratios: list[float]) -> tuple[torch.Tensor, torch.Tensor]:
    old = torch.full((1, len(ratios)), -1.0)
    return old + torch.log(torch.tensor([ratios])), old


def test_decoupled_clip_hand_computed() -> None:
    # tokens: (A=+1, r=1.5) clipped at 1.4 -> -1.4 ; (A=-1, r=0.5) clipped at 0.8 -> 0.8 ;
    #         (A=+2, r=1.0) -> -2 ; (A=-1, r=1.3) unclipped -> 1.3
    logp, old = _lp([1.5, 0.5, 1.0, 1.3])
    adv = torch.tensor([[1.0, -1.0, 2.0, -1.0]])
    mask = torch.ones(1, 4)
    loss, st = policy_loss(logp, old, adv, mask, eps_low=0.2, eps_high=0.4)
    assert loss.item() == pytest.approx((-1.4 + 0.8 - 2.0 + 1.3) / 4, abs=1e-6)
    assert st["clipfrac_high"] == pytest.approx(0.25)
    assert st["clipfrac_low"] == pytest.approx(0.25)


def test_gradient_is_zero_beyond_the_clip() -> None:
    logp, old = _lp([1.5, 1.1])
    logp.requires_grad_(True)
    loss, _ = policy_loss(logp, old, torch.tensor([1.0]), torch.ones(1, 2))
    loss.backward()
    assert logp.grad[0, 0].item() == 0.0  # r=1.5 > 1.4: clipped, no gradient
    assert logp.grad[0, 1].item() == pytest.approx(-1.1 / 2, abs=1e-6)  # d(-A r / 2)/dlogp = -r/2


def test_dual_clip_bounds_negative_advantage_tokens() -> None:
    logp, old = _lp([5.0, 5.0])
    adv = torch.tensor([[-1.0, 1.0]])
    loss, st = policy_loss(logp, old, adv, torch.ones(1, 2), dual_clip=3.0)
    # A<0, r=5: max(5, 1.2)=5 bounded by 3 ; A>0, r=5: max(-5, -1.4) = -1.4
    assert loss.item() == pytest.approx((3.0 - 1.4) / 2, abs=1e-5)
    assert st["clipfrac_dual"] == pytest.approx(0.5)


def test_log_ratio_is_clamped_before_exp() -> None:
    logp = torch.tensor([[50.0]])
    loss, st = policy_loss(logp, torch.zeros(1, 1), torch.tensor([-1.0]), torch.ones(1, 1))
    assert math.isfinite(loss.item()) and st["ratio_max"] == pytest.approx(math.exp(20), rel=1e-4)


def test_token_mean_global_normaliser_equals_whole_batch() -> None:
    torch.manual_seed(0)
    loss_mat = torch.randn(4, 6)
    mask = torch.tensor([[1] * 6, [1] * 2 + [0] * 4, [1] * 5 + [0], [1] + [0] * 5]).float()
    whole = aggregate_loss(loss_mat, mask, "token-mean")
    n = mask.sum().item()
    split = aggregate_loss(loss_mat[:1], mask[:1], normalizer=n) + aggregate_loss(loss_mat[1:], mask[1:], normalizer=n)
    assert torch.allclose(whole, split)
    assert whole.item() == pytest.approx((loss_mat * mask).sum().item() / 14)


def test_seq_mean_weights_sequences_equally() -> None:
    loss_mat = torch.tensor([[1.0, 1.0, 1.0, 1.0], [3.0, 0.0, 0.0, 0.0]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 0, 0, 0]]).float()
    assert aggregate_loss(loss_mat, mask, "token-mean").item() == pytest.approx(7 / 5)
    assert aggregate_loss(loss_mat, mask, "seq-mean-token-mean").item() == pytest.approx(2.0)
    assert aggregate_loss(loss_mat, mask, "seq-mean-token-sum").item() == pytest.approx(3.5)


def test_masked_tokens_do_not_contribute_and_is_weights_scale() -> None:
    logp, old = _lp([1.0, 1.0])
    mask = torch.tensor([[1.0, 0.0]])
    w = torch.tensor([[0.5, 100.0]])
    loss, _ = policy_loss(logp, old, torch.tensor([2.0]), mask, is_weights=w)
    assert loss.item() == pytest.approx(-1.0)
