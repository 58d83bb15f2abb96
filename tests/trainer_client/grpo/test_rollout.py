"""collect_rollouts against a real service: unjudged items are masked, dynamic sampling never crashes."""

from __future__ import annotations

import torch

from trainer_client.client import RewardClient
from trainer_client.grpo.algo.dynamic_sampling import PassRateTracker
from trainer_client.grpo.config import load_config
from trainer_client.grpo.engines.hf import HFEngine
from trainer_client.grpo.prompt_sampler import PromptRecord, PromptSampler
from trainer_client.grpo.rollout import StepSettings, collect_rollouts
from trainer_client.grpo.tiny_task import build_model, build_tokenizer, make_records


def _setup(records: list[PromptRecord], *overrides: str):
    tok = build_tokenizer()
    engine = HFEngine(build_model(tok, hidden=32, layers=1), tok)
    cfg = load_config(None, ["rollout.prompts_per_step=4", "rollout.n_samples=4", *overrides])
    sampler = PromptSampler(records, seed=0)
    return cfg, tok, engine, sampler


def test_unjudged_samples_are_masked_and_round_cap_is_respected(reward_service_url: str) -> None:
    good = [PromptRecord(**r) for r in make_records(4, seed=0)]
    # items the service cannot judge: status `invalid`, must not be learned from (an unknown domain is
    # refused before anything else; a sample cut at the budget is otherwise a judgement, reward 0)
    bad = [PromptRecord(r.prompt, "no_such_domain", {"entry": {"question": "?"}}, {"id": f"bad{i}"})
           for i, r in enumerate(good)]
    cfg, tok, engine, sampler = _setup(good + bad, "algo.dynamic_sampling=false")
    torch.manual_seed(0)
    client = RewardClient(reward_service_url)
    batch, metrics = collect_rollouts(cfg, 1, StepSettings(3, 4, 1.0, 1.0), sampler,
                                      lambda p: tok(p)["input_ids"], engine, client, PassRateTracker())
    assert batch is not None and len(batch) == 16
    assert 0 < metrics["unjudged_fraction"] < 1
    unjudged = batch.seq_mask == 0
    assert unjudged.any()
    assert torch.all(batch.advantages[unjudged] == 0)
    assert torch.all(batch.token_mask()[unjudged] == 0)
    assert metrics["response_length/max"] <= 3


def test_dynamic_sampling_with_no_informative_group_returns_none(reward_service_url: str) -> None:
    # gold "100" cannot be written in 2 tokens: every group is all-wrong, nothing is kept
    records = [PromptRecord(**r) for r in make_records(8, seed=0)]
    for r in records:
        r.reference = {"entry": {**r.reference["entry"], "answer": "100"}}
    cfg, tok, engine, sampler = _setup(records, "algo.max_gen_rounds=2")
    torch.manual_seed(0)
    tracker = PassRateTracker()
    batch, metrics = collect_rollouts(cfg, 1, StepSettings(2, 4, 1.0, 1.0), sampler,
                                      lambda p: tok(p)["input_ids"], engine, RewardClient(reward_service_url), tracker)
    assert batch is None
    assert metrics["dynamic_sampling/rounds"] == 2 and metrics["dynamic_sampling/hit_round_cap"] == 1
    assert metrics["dynamic_sampling/kept_fraction"] == 0 and metrics["dynamic_sampling/wasted_tokens"] > 0
    assert len(tracker.rates) == 8 and set(tracker.rates.values()) == {0.0}


def test_sampler_logprobs_reach_the_batch_right_padded(reward_service_url: str) -> None:
    """An engine that returns its own log-probs (for truncated IS): one row per sample, the response's
    log-probs then zeros, in the batch's sample order."""
    records = [PromptRecord(**r) for r in make_records(4, seed=0)]
    tok = build_tokenizer()
    engine = HFEngine(build_model(tok, hidden=32, layers=1), tok, return_logprobs=True)
    cfg = load_config(None, ["rollout.prompts_per_step=4", "rollout.n_samples=4", "algo.dynamic_sampling=false"])
    torch.manual_seed(0)
    batch, _ = collect_rollouts(cfg, 1, StepSettings(3, 4, 1.0, 1.0), PromptSampler(records, seed=0),
                                lambda p: tok(p)["input_ids"], engine, RewardClient(reward_service_url),
                                PassRateTracker())
    assert batch is not None and batch.rollout_logprobs is not None
    width = max(len(r) for r in batch.response_ids)
    assert batch.rollout_logprobs.shape == (len(batch), width)
    for row, response in zip(batch.rollout_logprobs, batch.response_ids, strict=True):
        assert torch.all(row[: len(response)] <= 0) and (not response or torch.any(row[: len(response)] != 0))
        assert torch.all(row[len(response):] == 0)


def test_record_options_reach_the_service(tmp_path, reward_service_url: str) -> None:
    """A record's scoring options (the IFEval mix's ``loopholes: closed``) travel from the data file through
    ``load_records`` and ``score_groups`` to the service: "." is no answer to "no commas" there, while the
    same record without options keeps Google's parity."""
    from trainer_client.data.convert_text import from_ifeval
    from trainer_client.data.records import write_records
    from trainer_client.grpo.engines.base import Sample
    from trainer_client.grpo.prompt_sampler import load_records
    from trainer_client.grpo.rollout import score_groups

    row = {"prompt": "Describe your town.", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}
    path = tmp_path / "records.jsonl"
    write_records([from_ifeval(row, loopholes="closed"), from_ifeval(row)], path)
    closed, google = load_records(path)
    assert (closed.options, google.options) == ({"loopholes": "closed"}, {})
    texts = [".", "our town has a river and a market and a small old bridge"]
    samples = [[Sample([1], text, "stop") for text in texts] for _ in range(2)]
    (closed_rewards, _, closed_usable), (google_rewards, _, _) = score_groups(
        RewardClient(reward_service_url), [closed, google], samples, "t")
    assert closed_rewards == [0.0, 1.0] and closed_usable == [True, True]
    assert google_rewards == [1.0, 1.0]
