"""Data-parallel updates without Ray: the rank split, and two gloo ranks (threads of this process, a real
ProcessGroupGloo over loopback) whose update must equal the single-process one, with a mini-batch in which
one rank has no sample at all."""

from __future__ import annotations

import copy
import random
import threading
from collections.abc import Callable
from typing import Any

import pytest
import torch
from transformers import Qwen2Config, Qwen2ForCausalLM

from trainer_client.grpo import data_parallel
from trainer_client.grpo.batch import RolloutBatch, shard_samples
from trainer_client.grpo.config import load_config
from trainer_client.grpo.data_parallel import DataParallelGroup, data_parallel_update
from trainer_client.grpo.process_groups import free_port, make_group
from trainer_client.grpo.update import fill_logprobs, ppo_update


def _batch(lens: list[int], groups: list[int]) -> RolloutBatch:
    g = torch.Generator().manual_seed(1)
    prompts = [torch.randint(2, 40, (4,), generator=g).tolist() for _ in lens]
    resps = [torch.randint(2, 40, (n,), generator=g).tolist() for n in lens]
    adv = torch.randn(len(lens), generator=g)
    return RolloutBatch(prompts, resps, torch.tensor(groups), adv, adv > 0, torch.ones(len(lens)), adv)


def test_shard_covers_each_sample_once_and_balances_tokens() -> None:
    b = _batch([20, 18, 3, 3, 3, 3, 2, 1], [0] * 8)  # plus 4 prompt tokens each
    idx = list(range(8))
    shares = [shard_samples(b, idx, r, 3) for r in range(3)]
    assert sorted(i for s in shares for i in s) == idx
    assert shares == [shard_samples(b, idx, r, 3) for r in range(3)]  # a pure function of the batch
    loads = [sum(4 + len(b.response_ids[i]) for i in s) for s in shares]
    # longest first: 24 and 22 on ranks 0 and 1, four 7s fill rank 2 to 28, then 6 -> rank 1, 5 -> rank 0
    assert loads == [29, 28, 28]
    assert shard_samples(b, [5, 2, 7], 0, 1) == [5, 2, 7]  # one rank: untouched, order included
    assert [shard_samples(b, [4], r, 2) for r in range(2)] == [[4], []]  # fewer samples than ranks
    with pytest.raises(ValueError):
        shard_samples(b, idx, 2, 2)


def _run_ranks(fn: Callable[[DataParallelGroup], Any], world: int = 2) -> list[Any]:
    """``fn`` on every rank of a gloo group, one thread per rank; a rank that never joins a collective
    leaves the others blocked, which the join timeout reports as a deadlock."""
    port = free_port()
    results: dict[int, Any] = {}
    errors: dict[int, BaseException] = {}

    def run(rank: int) -> None:
        group = make_group("127.0.0.1", port, world, rank, "gloo")
        try:
            results[rank] = fn(DataParallelGroup(group, rank, world, torch.device("cpu")))
        except BaseException as exc:  # re-raised in the test's thread
            errors[rank] = exc
        finally:
            group.shutdown()

    threads = [threading.Thread(target=run, args=(r,), daemon=True) for r in range(world)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not any(t.is_alive() for t in threads), "a rank is stuck in a collective"
    if errors:
        raise next(iter(errors.values()))
    return [results[r] for r in range(world)]


def test_gradients_are_summed_and_a_rank_without_samples_sends_zeros(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_parallel, "BUCKET_BYTES", 8)  # one parameter per all-reduce: several buckets

    def step(dp: DataParallelGroup) -> list[torch.Tensor | None]:
        a, b, c = (torch.nn.Parameter(torch.zeros(n)) for n in (3, 2, 2))
        a.grad = torch.tensor([1.0, 2.0, 3.0]) * (10 if dp.rank else 1)
        if dp.rank == 1:  # rank 0 trained on nothing that reached b
            b.grad = torch.tensor([1.0, 1.0])
        dp.all_reduce_gradients([a, b, c])  # c: no gradient anywhere
        return [a.grad, b.grad, c.grad]

    for grads in _run_ranks(step):
        assert torch.equal(grads[0], torch.tensor([11.0, 22.0, 33.0]))
        assert torch.equal(grads[1], torch.tensor([1.0, 1.0]))
        assert grads[2] is None  # stays None, so AdamW skips it as one process would


def test_stats_are_summed_and_maxima_maxed() -> None:
    out = _run_ranks(lambda dp: dp.reduce_stats({"loss": 1.0 + 2 * dp.rank, "ratio_max": 2.0 - dp.rank / 2}))
    assert out == [{"loss": 4.0, "ratio_max": 2.0}] * 2


def _model(seed: int) -> Qwen2ForCausalLM:
    torch.manual_seed(seed)
    return Qwen2ForCausalLM(Qwen2Config(vocab_size=40, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64))


def test_two_ranks_update_like_one_process() -> None:
    # group 3 has one sample: in its mini-batch one rank trains on nothing and must still all-reduce
    b = _batch([3, 7, 2, 5, 4, 6, 5], [0, 0, 1, 1, 2, 2, 3])
    assert [shard_samples(b, [6], r, 2) for r in range(2)] == [[6], []]
    cfg = load_config(None, ["optim.micro_batch_tokens=24", "optim.mini_batch_prompts=1", "algo.ppo_epochs=2",
                             "algo.kl_coef=0.1", "optim.lr=0.001", "optim.grad_clip=0.5", "optim.weight_decay=0.1"])
    policy, reference = _model(0), _model(1).eval().requires_grad_(False)

    def fresh() -> tuple[torch.nn.Module, torch.nn.Module, torch.optim.Optimizer, RolloutBatch]:
        p = copy.deepcopy(policy)
        return p, copy.deepcopy(reference), torch.optim.AdamW(p.parameters(), lr=0.001, weight_decay=0.1), \
            copy.deepcopy(b)

    p1, r1, opt1, b1 = fresh()
    b1.old_logp = fill_logprobs(p1, b1, cfg, 1.0, 0)
    b1.ref_logp = fill_logprobs(r1, b1, cfg, 1.0, 0)
    single = ppo_update(p1, opt1, b1, cfg, 1.0, 0, random.Random(0), lambda: None)

    def rank(dp: DataParallelGroup) -> tuple[dict[str, float], torch.nn.Module, dict[str, Any]]:
        p, r, opt, batch = fresh()
        m = data_parallel_update(dp, p, r, opt, batch, cfg, 1.0, 0, random.Random(0), lambda: None,
                                 torch.autocast("cpu", enabled=False))
        return m, p, opt.state_dict()

    (m0, p0, s0), (m1, q1, s1) = _run_ranks(rank)
    assert single["optimizer_steps"] == m0["optimizer_steps"] == 8  # 4 mini-batches x 2 epochs
    for (name, a), c in zip(p0.named_parameters(), q1.parameters(), strict=True):
        assert torch.equal(a, c), name  # the ranks' replicas stay bit-identical
    for (name, a), c in zip(p1.named_parameters(), p0.parameters(), strict=True):
        torch.testing.assert_close(c, a, rtol=0, atol=1e-5, msg=name)  # only the summation order differs
    assert not torch.equal(p1.model.embed_tokens.weight, policy.model.embed_tokens.weight)  # it did train
    for k in ("exp_avg", "exp_avg_sq"):
        assert torch.equal(s0["state"][0][k], s1["state"][0][k])
    assert m0 == m1  # every rank logs the same, reduced numbers
    assert m0["loss_tokens"] == single["loss_tokens"]
    for key, value in single.items():
        assert m0[key] == pytest.approx(value, rel=1e-4, abs=1e-6), key
