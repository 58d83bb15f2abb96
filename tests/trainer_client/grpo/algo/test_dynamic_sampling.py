import torch

from trainer_client.grpo.algo.dynamic_sampling import GroupFilter, PassRateTracker, informative_groups


def test_keeps_only_mixed_groups_on_raw_accuracy() -> None:
    correct = torch.tensor([[1, 1, 1], [0, 0, 0], [1, 0, 0], [1, 1, 0]])
    assert informative_groups(correct).tolist() == [False, False, True, True]


def test_unjudged_samples_do_not_make_a_group_informative() -> None:
    correct = torch.tensor([[1, 0, 0], [1, 1, 0]])
    valid = torch.tensor([[1, 0, 0], [1, 1, 0]])  # the wrong ones were infra errors
    assert informative_groups(correct, valid).tolist() == [False, False]


def test_stream_refill_stops_at_target_and_counts_waste() -> None:
    f = GroupFilter(target_groups=3, max_rounds=5)
    f.add([0, 1, 2], torch.tensor([True, False, True]), torch.tensor([10, 20, 30]))
    assert f.need_more()
    new = f.add([3, 4], torch.tensor([True, True]), torch.tensor([5, 7]))
    assert new == [3] and f.kept == [0, 2, 3] and not f.need_more()
    m = f.metrics()
    assert m["dynamic_sampling/wasted_tokens"] == 27 and m["dynamic_sampling/rounds"] == 2
    assert m["dynamic_sampling/kept_fraction"] == 3 / 5


def test_round_cap_never_raises_and_reports_shortfall() -> None:
    f = GroupFilter(target_groups=4, max_rounds=2)
    for r in range(2):
        f.add([r], torch.tensor([False]), torch.tensor([1]))
    assert not f.need_more() and f.kept == []
    assert f.metrics()["dynamic_sampling/hit_round_cap"] == 1.0


def test_pass_rate_tracker_ema_and_state() -> None:
    t = PassRateTracker(decay=0.5)
    t.update("p", 1.0)
    assert t.update("p", 0.0) == 0.5
    t2 = PassRateTracker()
    t2.load_state_dict(t.state_dict())
    assert t2.rates == {"p": 0.5}


# ---- criterion, refill cap (verl DAPO max_num_gen_batches semantics) ---------------------------------------
import pytest  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from trainer_client.grpo.algo.dynamic_sampling import RoundCapError, keep_groups  # noqa: E402


def test_reward_std_keeps_partial_credit_groups_that_accuracy_drops() -> None:
    rewards = torch.tensor([[0.2, 0.5, 0.0], [0.3, 0.3, 0.3], [1.0, 0.4, 0.0], [1.0, 1.0, 1.0]])
    correct = rewards == 1.0
    valid = torch.ones_like(correct)
    assert keep_groups("accuracy", rewards, correct, valid).tolist() == [False, False, True, False]
    assert keep_groups("reward_std", rewards, correct, valid).tolist() == [True, False, True, False]
    # an unjudged sample's reward is no evidence of variation
    valid[1, 0] = False
    rewards[1, 0] = 0.0
    assert not keep_groups("reward_std", rewards, correct, valid)[1]


@given(st.lists(st.lists(st.booleans(), min_size=2, max_size=6), min_size=1, max_size=8).filter(
    lambda g: len({len(x) for x in g}) == 1),
       st.lists(st.booleans(), min_size=6, max_size=6))
def test_both_criteria_agree_on_binary_rewards(correct_rows: list[list[bool]], valid_row: list[bool]) -> None:
    """For 0/1 rewards reward_std is the paper's accuracy criterion exactly."""
    correct = torch.tensor(correct_rows)
    valid = torch.tensor([valid_row[: correct.shape[1]]] * correct.shape[0])
    rewards = correct.float()
    assert torch.equal(keep_groups("accuracy", rewards, correct, valid), keep_groups("reward_std", rewards, correct, valid))


def test_no_cap_keeps_generating_until_full() -> None:
    f = GroupFilter(target_groups=2, max_rounds=0)
    for r in range(10):
        assert f.need_more()
        f.add([r], torch.tensor([r == 9]), torch.tensor([1]))
    assert f.need_more()  # one kept of two: an uncapped filter never gives up
    f.add([10], torch.tensor([True]), torch.tensor([1]))
    assert not f.need_more() and not f.hit_cap
    f.check_cap()


def test_round_cap_can_stop_the_run_with_a_clear_error() -> None:
    f = GroupFilter(target_groups=4, max_rounds=2, on_cap="error")
    for r in range(2):
        f.add([r], torch.tensor([True]), torch.tensor([1]))
    assert not f.need_more()
    with pytest.raises(RoundCapError, match=r"kept 2 of 4 groups after 2 generation rounds"):
        f.check_cap()
    full = GroupFilter(target_groups=1, max_rounds=1, on_cap="error")
    full.add([0], torch.tensor([True]), torch.tensor([1]))
    full.check_cap()  # a full batch at the last round is no error
