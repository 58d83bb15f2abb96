import pytest
import torch

from trainer_client.grpo.algo.shaping import overlong_filter_mask, overlong_penalty
from trainer_client.grpo.algo.tis import truncated_is_weights


def test_soft_overlong_punishment_ramp() -> None:
    lengths = torch.tensor([10, 80, 90, 95, 100, 140])
    pen = overlong_penalty(lengths, max_len=100, cache_len=20)
    # 0 up to 80, linear to -1 at 100, -1 beyond
    assert torch.allclose(pen, torch.tensor([0.0, 0.0, -0.5, -0.75, -1.0, -1.0]))
    assert overlong_penalty(torch.tensor([90]), 100, 20, factor=0.5).item() == pytest.approx(-0.25)


def test_overlong_filter_masks_truncated() -> None:
    assert torch.equal(overlong_filter_mask(torch.tensor([True, False])), torch.tensor([0.0, 1.0]))


def test_bad_cache_length_rejected() -> None:
    with pytest.raises(ValueError):
        overlong_penalty(torch.tensor([1]), 10, 0)


def test_truncated_is_weights_cap() -> None:
    old = torch.log(torch.tensor([0.5, 0.5, 0.1]))
    gen = torch.log(torch.tensor([0.5, 0.1, 0.5]))
    w = truncated_is_weights(old, gen, cap=2.0)
    assert torch.allclose(w, torch.tensor([1.0, 2.0, 0.2]))
