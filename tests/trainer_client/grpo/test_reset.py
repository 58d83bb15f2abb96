import torch

from trainer_client.grpo.config import ResetConfig, RolloutConfig, Stage
from trainer_client.grpo.reset import (
    ResetScheduler,
    active_stage,
    reset_optimizer,
    reset_reference,
    stage_settings,
)


def test_interval_and_explicit_steps_and_min_gap() -> None:
    s = ResetScheduler(ResetConfig(interval=4, at_steps=[2], min_gap=2))
    assert s.due(1) is None
    assert s.due(2) == "scheduled"
    s.mark(2, "scheduled")
    assert s.due(3) is None  # min gap
    assert s.due(4) == "interval"


def test_plateau_over_window_counts_only_since_last_reset() -> None:
    s = ResetScheduler(ResetConfig(plateau_window=2))
    for v in [0.1, 0.3, 0.25]:
        s.record_validation(v)
    assert s.due(10) is None  # only 1 validation after the best... window not full yet relative to best
    s.record_validation(0.29)
    assert s.due(11) == "validation_plateau"  # last 2 (0.25, 0.29) did not beat 0.3
    s.mark(11, "validation_plateau")
    s.record_validation(0.1)
    s.record_validation(0.05)
    assert s.due(12) is None  # a fresh window after the reset
    s.record_validation(0.2)
    assert s.due(13) is None  # 0.2 beat 0.1


def test_kl_threshold_and_manual_file(tmp_path) -> None:
    flag = tmp_path / "RESET"
    s = ResetScheduler(ResetConfig(kl_threshold=0.5), manual_path=flag)
    assert s.due(5, mean_kl=0.4) is None
    assert s.due(5, mean_kl=0.6) == "kl_threshold"
    flag.touch()
    assert s.due(6) == "manual"
    s.mark(6, "manual")
    assert not flag.exists() and s.count == 1


def test_state_roundtrip() -> None:
    s = ResetScheduler(ResetConfig(plateau_window=1))
    s.record_validation(0.5)
    s.mark(3, "interval")
    s2 = ResetScheduler(ResetConfig(plateau_window=1))
    s2.load_state_dict(s.state_dict())
    assert s2.state_dict() == s.state_dict()


def test_reset_copies_weights_and_clears_adamw_state() -> None:
    torch.manual_seed(0)
    policy, ref = torch.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    opt = torch.optim.AdamW(policy.parameters(), lr=0.1)
    policy(torch.randn(4, 3)).sum().backward()
    opt.step()
    assert opt.state and not torch.equal(policy.weight, ref.weight)
    reset_reference(policy, ref)
    reset_optimizer(opt)
    assert torch.equal(policy.weight, ref.weight) and not opt.state
    # the next step behaves like a first step: bias-corrected Adam moves each weight by ~lr
    before = policy.weight.detach().clone()
    opt.zero_grad()
    policy(torch.randn(4, 3)).sum().backward()
    opt.step()
    assert int(opt.state[policy.weight]["step"]) == 1
    assert torch.allclose((policy.weight - before * (1 - 0.1 * 0.01)).abs(), torch.full_like(before, 0.1), atol=1e-3)


def test_stage_schedule_by_step_and_by_reset() -> None:
    stages = [Stage(after_resets=1, n_samples=8), Stage(start_step=100, max_response_tokens=16384)]
    base = RolloutConfig(max_response_tokens=8192, n_samples=16)
    assert active_stage(stages, 5, 0) == -1
    assert active_stage(stages, 5, 1) == 0
    assert stage_settings(stages, 0, base, {"math": 1.0}) == (8192, 8, {"math": 1.0})
    assert active_stage(stages, 100, 1) == 1
    assert stage_settings(stages, 1, base, {}) == (16384, 8, {})


def test_each_trigger_says_why_it_fired(tmp_path) -> None:
    """The reset event carries the numbers that made it fire (a plateau on noise is then visible)."""
    s = ResetScheduler(ResetConfig(plateau_window=2, plateau_min_delta=0.01, kl_threshold=0.5))
    for v in [0.30, 0.305, 0.29]:
        s.record_validation(v)
    assert s.due(3, mean_kl=0.1) == "validation_plateau"  # 0.305 is not 0.01 better than 0.30
    assert s.last_detail == {"best_before": 0.30, "best_recent": 0.305, "window": 2, "min_delta": 0.01,
                             "recent": [0.305, 0.29]}
    event = s.mark(3, "validation_plateau", s.last_detail)
    assert event["detail"]["best_recent"] == 0.305
    assert s.due(4, mean_kl=0.7) == "kl_threshold" and s.last_detail == {"kl": 0.7, "kl_threshold": 0.5}
    assert s.due(5, mean_kl=0.1) is None and s.last_detail == {}
