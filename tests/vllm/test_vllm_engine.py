"""vLLM for real (CPU build): one engine, started by the trainer itself (``rollout.engine=vllm``), shared by
every test of this module. Checks the platform choices, that vLLM's log-probs are the trainer's policy's
before training and after every weight sync, that GRPO steps against a real ``prorl serve`` run with the
rollout/trainer mismatch near 0, that a reference reset leaves the rollout engine alone, and pass@k
evaluation with the vLLM engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from trainer_client.grpo.config import load_config
from trainer_client.grpo.engines.base import SamplingSettings
from trainer_client.grpo.engines.vllm import VLLMEngine
from trainer_client.grpo.train import Trainer

# the first test pays the module's setup: SFT of the tiny model, a service and a vLLM start (~14 min on 2 cores
# shared with a dozen other jobs; a few minutes on idle ones)
pytestmark = pytest.mark.timeout(1800)

TOL = 1e-5  # float32 on both sides: observed differences are ~5e-7
FIXED = ["4+5=9", "7-9=-2", "0+0=0", "3-8=-5$"]  # fixed token sequences whose log-probs are compared


def _cfg(task: Path, out: Path, url: str, *extra: str):
    return load_config(None, [
        f"model.path={task / 'model'}", "model.device=cpu", "model.logprob_chunk_tokens=64",
        f"data.train_path={task / 'train.jsonl'}", f"data.val_path={task / 'val.jsonl'}",
        "rollout.engine=vllm", "rollout.prompts_per_step=16", "rollout.n_samples=8", "rollout.temperature=1.0",
        "rollout.max_response_tokens=6", "algo.max_gen_rounds=2", "algo.ppo_epochs=2", "algo.tis_cap=2.0",
        "optim.lr=5e-4", "optim.mini_batch_prompts=16", "optim.micro_batch_tokens=512",
        f"service.url={url}", f"run.output_dir={out}", "run.seed=0", "run.tensorboard=false",
        "run.progress=false", "run.checkpoint_every=0", "run.val_temperature=1.0", "run.val_n_samples=4",
        *extra,
    ])


@pytest.fixture(scope="module")
def trainer(vllm_task: Path, vllm_service_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trainer]:
    t = Trainer(_cfg(vllm_task, tmp_path_factory.mktemp("run"), vllm_service_url, "run.steps=3"))
    yield t
    t.close()
    t.engine.shutdown()  # type: ignore[attr-defined]


def _seqs(trainer: Trainer) -> list[list[int]]:
    return [trainer.tokenizer(s)["input_ids"] for s in FIXED]


@torch.no_grad()
def _policy_logprobs(model: torch.nn.Module, seqs: list[list[int]], temperature: float = 1.0) -> list[list[float]]:
    out = []
    for s in seqs:
        logp = (model(torch.tensor([s])).logits[0].float() / temperature).log_softmax(-1)
        out.append([float(logp[i, s[i + 1]]) for i in range(len(s) - 1)])
    return out


def _max_diff(a: list[list[float]], b: list[list[float]]) -> float:
    return max(abs(x - y) for u, v in zip(a, b, strict=True) for x, y in zip(u, v, strict=True))


def test_engine_picks_what_the_cpu_platform_supports(trainer: Trainer) -> None:
    engine = trainer.engine
    assert isinstance(engine, VLLMEngine)
    # the config asked for sleep mode (rollout.vllm_sleep defaults to true): the CPU build has none
    assert trainer.cfg.rollout.vllm_sleep and not engine.sleep_enabled
    assert engine.dtype == "float32"  # = the trainer's CPU weights, so log-probs agree to float32 rounding
    engine.sleep()  # a no-op without sleep mode: generation still works after it
    engine.wake_up()
    assert engine.generate([_seqs(trainer)[0][:4]], SamplingSettings(n=2, max_tokens=3, seed=1))[0]


def test_logprobs_equal_the_policy_before_training(trainer: Trainer) -> None:
    seqs = _seqs(trainer)
    assert _max_diff(trainer.engine.score_tokens(seqs), _policy_logprobs(trainer.policy, seqs)) < TOL
    # the sampler's own log-probs are those of the temperature-scaled distribution (processed_logprobs)
    prompt = seqs[0][:4]
    groups = trainer.engine.generate([prompt], SamplingSettings(n=4, temperature=1.3, max_tokens=5, seed=3))
    for sample in groups[0]:
        full = prompt + sample.token_ids
        want = _policy_logprobs(trainer.policy, [full], temperature=1.3)[0][len(prompt) - 1:]
        assert sample.logprobs is not None
        assert _max_diff([sample.logprobs], [want]) < TOL
        if sample.finish_reason == "stop":  # the EOS is part of the sample, so the policy learns to stop
            assert sample.token_ids[-1] == trainer.tokenizer.eos_token_id


def test_grpo_steps_sync_weights_into_vllm(trainer: Trainer) -> None:
    seqs = _seqs(trainer)
    start = trainer.engine.score_tokens(seqs)
    rows = []
    for _ in range(3):
        rows.append(trainer.train_step())
        # after every PPO update the engine holds the trainer's new policy
        assert _max_diff(trainer.engine.score_tokens(seqs), _policy_logprobs(trainer.policy, seqs)) < TOL
    updated = [r for r in rows if "rollout_logprob_mismatch" in r]
    assert updated, rows  # at least one step trained (a step whose groups were all uniform skips)
    # rollouts were sampled from the very policy the trainer scores them with
    assert all(r["rollout_logprob_mismatch"] < 1e-4 for r in updated), [r["rollout_logprob_mismatch"] for r in updated]
    assert _max_diff(trainer.engine.score_tokens(seqs), start) > 1e-3  # and the weights did move


def test_reference_reset_leaves_the_rollout_engine_alone(trainer: Trainer) -> None:
    seqs = _seqs(trainer)
    before = trainer.engine.score_tokens(seqs)
    policy = {k: v.clone() for k, v in trainer.policy.state_dict().items()}
    trainer.reset("manual")
    assert all(torch.equal(policy[k], v) for k, v in trainer.reference.state_dict().items())  # ref := policy
    assert trainer.engine.score_tokens(seqs) == before  # bit for bit: nothing was pushed to the engine


def test_passk_eval_with_the_vllm_engine(trainer: Trainer, vllm_task: Path, vllm_service_url: str) -> None:
    from trainer_client.client import RewardClient
    from trainer_client.data.records import read_records
    from trainer_client.eval.evaluate import generate_samples, score_samples
    from trainer_client.eval.passk import summarize

    records = read_records(str(vllm_task / "val.jsonl"))[:8]
    groups = generate_samples(str(vllm_task / "model"), [r["prompt"] for r in records], 4, 1.0, 1.0, 6, 0, 8, "cpu",
                              engine=trainer.engine)
    assert [len(g) for g in groups] == [4] * len(records)
    samples, unjudged = score_samples(records, [[s.text for s in g] for g in groups], RewardClient(vllm_service_url))
    report = summarize(samples)
    assert unjudged == 0 and len(samples) == 32
    assert 0.0 <= report["overall"]["1"] <= report["overall"]["4"] <= 1.0
