"""`prorl eval`: samples scored through a real service give the expected pass@k; the CLI runs end to end."""

from __future__ import annotations

import json

import pytest

from trainer_client.client import RewardClient
from trainer_client.eval.eval_command import main
from trainer_client.eval.evaluate import score_samples, task_of
from trainer_client.eval.passk import pass_at_k
from trainer_client.grpo.tiny_task import build_model, build_tokenizer, make_records


def test_task_of_prefers_meta_then_gym_dataset_then_domain():
    gym = make_records(1, seed=3)[0]
    assert task_of(gym) == "chain_sum"
    assert task_of({"domain": "math", "reference": {"answer": "1"}, "meta": {"task": "aime"}}) == "aime"
    assert task_of({"domain": "math", "reference": {"answer": "1"}}) == "math"


def test_pass_at_k_of_known_answers_through_the_service(reward_service_url):
    records = make_records(4, seed=11)
    gold = [r["reference"]["entry"]["answer"] for r in records]
    wrong = [str(int(g) + 1) for g in gold]
    correct_counts = [4, 1, 0, 2]
    texts = [[f"<answer>{gold[i] if j < c else wrong[i]}</answer>" for j in range(4)]
             for i, c in enumerate(correct_counts)]
    samples, unjudged = score_samples(records, texts, RewardClient(reward_service_url))
    assert unjudged == 0
    assert [sum(s.correct for s in samples[i * 4:(i + 1) * 4]) for i in range(4)] == correct_counts
    from trainer_client.eval.passk import summarize

    report = summarize(samples)
    for k in (1, 2, 4):
        expected = sum(pass_at_k(4, c, k) for c in correct_counts) / 4
        assert report["tasks"]["chain_sum"]["pass_at_k"][str(k)] == pytest.approx(expected)


def test_cli_generates_scores_and_compares(tmp_path, reward_service_url):
    tokenizer = build_tokenizer()
    model = build_model(tokenizer, hidden=32, layers=1)
    model.save_pretrained(tmp_path / "model")
    tokenizer.save_pretrained(tmp_path / "model")
    data = tmp_path / "val.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in make_records(3, seed=5)))
    out = tmp_path / "report.json"
    args = ["--model", str(tmp_path / "model"), "--data", str(data), "--n", "4", "--max-tokens", "4",
            "--service-url", reward_service_url, "--out", str(out), "--csv", str(tmp_path / "r.csv")]
    assert main(args) == 0
    report = json.loads(out.read_text())
    assert report["n"] == 4 and report["ks"] == [1, 2, 4] and report["unjudged"] == 0
    assert sum(p["n"] for p in report["problems"].values()) == 12
    assert "chain_sum" in report["tasks"] and (tmp_path / "r.csv").read_text().startswith("scope,name,k")
    png = tmp_path / "cmp.png"
    assert main(["--compare", str(out), str(out), "--plot", str(png)]) == 0
    assert png.stat().st_size > 0


def test_eval_encodes_prompts_exactly_as_the_trainer(tmp_path, monkeypatch):
    """A template-less tokenizer that adds a BOS: eval must sample from the same ids training used (it once
    dropped the BOS, evaluating the policy on inputs it was never trained on)."""
    from tokenizers.processors import TemplateProcessing
    from transformers import AutoTokenizer

    from trainer_client.eval.evaluate import generate_texts
    from trainer_client.grpo.engines.hf import HFEngine
    from trainer_client.grpo.prompt_sampler import encode_prompt

    tokenizer = build_tokenizer()
    tokenizer.add_special_tokens({"bos_token": "<bos>"})
    bos = tokenizer.bos_token_id
    tokenizer.backend_tokenizer.post_processor = TemplateProcessing(single="<bos> $A", special_tokens=[("<bos>", bos)])
    model = build_model(tokenizer, hidden=32, layers=1)
    model.save_pretrained(tmp_path / "model")
    tokenizer.save_pretrained(tmp_path / "model")
    prompts = ["4-1=", [{"role": "user", "content": "2+2="}]]
    seen: list[list[int]] = []
    original = HFEngine.generate

    def recording_generate(self, prompt_ids, settings):
        seen.extend(list(p) for p in prompt_ids)
        return original(self, prompt_ids, settings)

    monkeypatch.setattr(HFEngine, "generate", recording_generate)
    texts = generate_texts(str(tmp_path / "model"), prompts, n=2, temperature=1.0, top_p=1.0, max_tokens=2, seed=0,
                           batch_prompts=2, device="cpu")
    assert len(texts) == 2 and all(len(t) == 2 for t in texts)
    loaded = AutoTokenizer.from_pretrained(tmp_path / "model")  # what the trainer would load from that directory
    assert seen == [encode_prompt(loaded, p) for p in prompts]
    assert all(ids[0] == bos for ids in seen)


def test_record_options_reach_the_service(reward_service_url):
    """``prorl eval`` scores a record with its own options: closed IFEval loopholes reject ".", parity keeps it."""
    reference = {"prompt": "Describe your town.", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}
    records = [{"domain": "ifeval", "reference": reference, "options": {"loopholes": "closed"}},
               {"domain": "ifeval", "reference": reference}]
    samples, unjudged = score_samples(records, [["."], ["."]], RewardClient(reward_service_url))
    assert unjudged == 0
    assert [s.correct for s in samples] == [False, True]
