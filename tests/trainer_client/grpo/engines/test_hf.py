import torch

from trainer_client.grpo.engines.base import SamplingSettings
from trainer_client.grpo.engines.hf import HFEngine
from trainer_client.grpo.tiny_task import build_model, build_tokenizer


def test_generates_n_per_prompt_with_finish_reasons_and_eos() -> None:
    tok = build_tokenizer()
    model = build_model(tok, hidden=32, layers=1)
    with torch.no_grad():  # make EOS likely so both finish reasons occur
        model.lm_head.bias = None
        model.lm_head.weight[tok.eos_token_id] += 0.3
    eng = HFEngine(model, tok, batch_prompts=2)
    prompts = [tok("1+2=")["input_ids"], tok("9-3=")["input_ids"], tok("0+0=")["input_ids"]]
    out = eng.generate(prompts, SamplingSettings(n=5, temperature=1.0, max_tokens=6, seed=0))
    assert [len(g) for g in out] == [5, 5, 5]
    samples = [s for g in out for s in g]
    for s in samples:
        if s.finish_reason == "stop":
            assert s.token_ids[-1] == tok.eos_token_id and s.length <= 6
        else:
            assert s.length == 6 and tok.eos_token_id not in s.token_ids
        assert s.text == tok.decode(s.token_ids, skip_special_tokens=True)
    # same seed, same samples
    again = eng.generate(prompts, SamplingSettings(n=5, temperature=1.0, max_tokens=6, seed=0))
    assert [s.token_ids for g in again for s in g] == [s.token_ids for s in samples]
    # sharing the module: an update is a no-op that does not break generation
    eng.update_weights(model.state_dict())


def test_sampler_logprobs_match_the_trainers_logprobs() -> None:
    """Generation and training must see the same distribution at the same positions (T != 1 included);
    otherwise the PPO ratio and the truncated-IS correction are computed on the wrong tokens."""
    from trainer_client.grpo.logprobs import response_logprobs

    tok = build_tokenizer()
    model = build_model(tok, hidden=32, layers=2).eval()
    eng = HFEngine(model, tok, return_logprobs=True)
    prompts = [tok("1+2=")["input_ids"], tok("19-3=")["input_ids"]]  # different lengths: left padding
    out = eng.generate(prompts, SamplingSettings(n=3, temperature=1.3, max_tokens=5, seed=1))
    for p, group in zip(prompts, out, strict=True):
        for s in group:
            ids = torch.tensor([p + s.token_ids])
            lp, _ = response_logprobs(model, ids, torch.ones_like(ids), torch.tensor([len(p)]), s.length, 1.3)
            assert torch.allclose(lp[0], torch.tensor(s.logprobs), atol=1e-4), (lp, s.logprobs)
