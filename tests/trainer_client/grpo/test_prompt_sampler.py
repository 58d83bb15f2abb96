import json

import pytest

from trainer_client.grpo.prompt_sampler import PromptRecord, PromptSampler, load_records


def _recs() -> list[PromptRecord]:
    return [PromptRecord(f"p{i}", "math" if i < 6 else "code", {}, {"id": str(i)}) for i in range(8)]


def test_each_epoch_visits_every_record_once() -> None:
    s = PromptSampler(_recs(), seed=1)
    first = [r.prompt for r in s.sample(8)]
    assert sorted(first) == sorted(f"p{i}" for i in range(8))
    assert first != [r.prompt for r in s.sample(8)]  # reshuffled per epoch


def test_mix_and_resume_reproduce_the_stream() -> None:
    s = PromptSampler(_recs(), seed=3, mix={"math": 1, "code": 3})
    s.sample(5)
    state = json.loads(json.dumps(s.state_dict()))  # checkpoints store it as JSON
    rest = [r.prompt for r in s.sample(20)]
    s2 = PromptSampler(_recs(), seed=3, mix={"math": 1, "code": 3})
    s2.load_state_dict(state)
    assert [r.prompt for r in s2.sample(20)] == rest
    assert sum(p in {"p6", "p7"} for p in rest) > 10  # code is weighted 3:1


def test_unknown_mix_domain_and_bad_lines_are_errors(tmp_path) -> None:
    with pytest.raises(ValueError, match="ifeval"):
        PromptSampler(_recs(), 0, mix={"ifeval": 1})
    f = tmp_path / "d.jsonl"
    f.write_text('{"prompt": "x", "domain": "math", "reference": {}}\n{"prompt": "y"}\n')
    with pytest.raises(ValueError, match="record 1: record has no 'domain'"):
        load_records(f)


def test_chat_message_prompts_are_kept_as_messages(tmp_path) -> None:
    messages = [{"role": "system", "content": "Box it."}, {"role": "user", "content": "1+1?"}]
    f = tmp_path / "d.jsonl"
    f.write_text(json.dumps({"prompt": messages, "domain": "math", "reference": {"answer": "2"},
                             "meta": {"uid": "u1"}}) + "\n")
    (record,) = load_records(f)
    assert record.prompt == messages and record.key == "u1"


def test_encode_prompt_renders_messages_with_the_chat_template() -> None:
    from trainer_client.grpo.prompt_sampler import encode_prompt
    from trainer_client.grpo.tiny_task import build_tokenizer

    tok = build_tokenizer()
    messages = [{"role": "user", "content": "1+1="}]
    from trainer_client.data.prompts import render_prompt

    assert encode_prompt(tok, messages) == tok(render_prompt(messages))["input_ids"]  # no template: plain text
    tok.chat_template = "{% for m in messages %}=={{ m.content }}{% endfor %}$"  # characters the vocab has
    assert tok.decode(encode_prompt(tok, messages)) == "==1+1=$"
    assert tok.decode(encode_prompt(tok, "2+2=", chat_template=True)) == "==2+2=$"
    assert tok.decode(encode_prompt(tok, "2+2=")) == "2+2="


def test_stream_is_the_seeded_shuffle_of_each_epoch_across_epochs_and_resume() -> None:
    """The per-epoch order is a pure function of (seed, stream, epoch): the cached order must give exactly
    that stream, over epoch boundaries and after a resume (checkpoints written before the cache resume too)."""
    import random

    recs = _recs()
    expected = []
    for epoch in range(3):
        order = list(range(len(recs)))
        random.Random(f"7:*:{epoch}").shuffle(order)
        expected += [recs[i].prompt for i in order]
    s = PromptSampler(recs, seed=7)
    drawn = [r.prompt for r in s.sample(11)]
    resumed = PromptSampler(recs, seed=7)
    resumed.load_state_dict(json.loads(json.dumps(s.state_dict())))
    drawn += [r.prompt for r in resumed.sample(13)]
    assert drawn == expected
