"""What the bundled trainer sends and logs per sample, against a real service: truncated samples and
prompted thinking (contract: ``truncated``, ``options.thinking``), and the generated vs trained reward means."""

from __future__ import annotations

import pytest

from trainer_client.client import RewardClient
from trainer_client.grpo.algo.dynamic_sampling import PassRateTracker, RoundCapError
from trainer_client.grpo.config import load_config
from trainer_client.grpo.engines.base import Sample, SamplingSettings
from trainer_client.grpo.prompt_sampler import PromptRecord, PromptSampler
from trainer_client.grpo.rollout import StepSettings, collect_rollouts, opens_think, sample_item, score_groups
from trainer_client.grpo.tiny_task import build_tokenizer, make_records


class ScriptedEngine:
    """A rollout engine (our own interface) that answers each prompt with fixed texts: right or wrong on
    purpose, so the groups' informativeness is known."""

    def __init__(self, answers: dict[str, list[str]], tokenizer) -> None:
        self.answers, self.tok = answers, tokenizer

    def generate(self, prompts: list[list[int]], settings: SamplingSettings) -> list[list[Sample]]:
        out = []
        for p in prompts:
            texts = self.answers[self.tok.decode(p)]
            out.append([Sample(self.tok(t)["input_ids"] + [self.tok.eos_token_id], t, "stop") for t in texts])
        return out

    def update_weights(self, state_dict) -> None: ...

    def sleep(self) -> None: ...

    def wake_up(self) -> None: ...


def _records(n: int) -> list[PromptRecord]:
    return [PromptRecord(**r) for r in make_records(n, seed=3)]


def test_reward_mean_is_the_generated_one_and_the_trained_mean_is_logged_too(reward_service_url: str) -> None:
    recs = _records(2)
    solved, mixed = recs
    a, b = solved.reference["entry"]["answer"], mixed.reference["entry"]["answer"]
    tok = build_tokenizer()
    engine = ScriptedEngine({solved.prompt: [a] * 4, mixed.prompt: [b, b, "99", "98"]}, tok)
    cfg = load_config(None, ["rollout.prompts_per_step=2", "rollout.n_samples=4", "algo.max_gen_rounds=1"])
    batch, m = collect_rollouts(cfg, 1, StepSettings(8, 4, 1.0, 1.0), PromptSampler(recs, seed=0),
                                lambda p: tok(p)["input_ids"], engine, RewardClient(reward_service_url),
                                PassRateTracker())
    assert batch is not None and len(batch) == 4  # the all-correct group is dropped
    assert m["reward/mean"] == pytest.approx(6 / 8)  # what the policy generated
    assert m["reward/trained_mean"] == pytest.approx(2 / 4)  # what the update saw
    assert m["dynamic_sampling/kept_groups"] == 1 and m["dynamic_sampling/hit_round_cap"] == 1
    cfg.algo.on_round_cap = "error"
    with pytest.raises(RoundCapError):
        collect_rollouts(cfg, 2, StepSettings(8, 4, 1.0, 1.0), PromptSampler(recs, seed=0),
                         lambda p: tok(p)["input_ids"], engine, RewardClient(reward_service_url), PassRateTracker())


def test_a_sample_cut_at_the_budget_scores_zero_whatever_its_text(reward_service_url: str) -> None:
    (rec,) = _records(1)
    answer = rec.reference["entry"]["answer"]
    stopped = Sample([1, 2], answer, "stop")
    cut = Sample([1, 2], answer, "length")  # the right answer, then the budget ran out mid-sentence
    assert "truncated" not in sample_item(rec, stopped, "a") and sample_item(rec, cut, "b")["truncated"] is True
    ((rewards, _, usable),) = score_groups(RewardClient(reward_service_url), [rec], [[stopped, cut]], "t")
    assert rewards == [1.0, 0.0] and usable == [True, True]


def test_prompted_thinking_when_the_template_opens_a_think_block(reward_service_url: str) -> None:
    tok = build_tokenizer(chars=list("0123456789+-= $<>/thinkab"))
    assert opens_think(tok.decode, tok("4-1=<think>")["input_ids"])
    assert not opens_think(tok.decode, tok("4-1=")["input_ids"])
    (rec,) = _records(1)
    answer = rec.reference["entry"]["answer"]
    item = sample_item(rec, Sample([1], answer, "stop"), "x", prompted_thinking=True)
    assert item["options"]["thinking"] == "prompted" and rec.options.get("thinking") is None
    # inside a prompted think block with no </think>: no answer was given
    samples = [[Sample([1], answer, "stop"), Sample([1], f"{answer}</think>{answer}", "stop")]]
    ((rewards, _, _),) = score_groups(RewardClient(reward_service_url), [rec], samples, "t", [True])
    assert rewards == [0.0, 1.0]
    ((plain, _, _),) = score_groups(RewardClient(reward_service_url), [rec], samples, "t")
    assert plain[0] == 1.0
