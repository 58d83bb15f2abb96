import math

import pytest
import torch

from trainer_client.grpo.algo.kl import kl_penalty


def test_estimators_match_hand_computation() -> None:
    logp = torch.tensor([math.log(0.5), math.log(0.2)])
    ref = torch.tensor([math.log(0.25), math.log(0.4)])
    d = logp - ref  # [log 2, -log 2]
    assert torch.allclose(kl_penalty(logp, ref, "k1"), d)
    assert torch.allclose(kl_penalty(logp, ref, "k2"), 0.5 * d**2)
    # k3 = ref/p - log(ref/p) - 1: ratios 0.5 and 2
    expected = torch.tensor([0.5 - math.log(0.5) - 1, 2 - math.log(2) - 1])
    assert torch.allclose(kl_penalty(logp, ref, "k3"), expected, atol=1e-6)


def test_k3_is_clamped_and_finite_for_huge_log_ratios() -> None:
    out = kl_penalty(torch.tensor([-100.0, 0.0]), torch.tensor([0.0, -100.0]), "k3")
    assert torch.isfinite(out).all()
    assert out.max() <= 10.0 and out.min() >= 0.0


def test_unknown_estimator_is_rejected() -> None:
    with pytest.raises(ValueError, match="k4"):
        kl_penalty(torch.zeros(1), torch.zeros(1), "k4")
