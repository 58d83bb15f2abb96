import torch

from trainer_client.algo.dynamic_sampling import GroupFilter, PassRateTracker, informative_groups


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
