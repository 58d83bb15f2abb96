"""``prorl eval``'s response budget: the training budget by default, and a warning when samples are cut."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trainer_client.eval.eval_command import main
from trainer_client.eval.evaluate import FALLBACK_MAX_TOKENS, default_max_tokens, truncation_warning
from trainer_client.grpo.tiny_task import build_model, build_tokenizer, make_records

ROOT = Path(__file__).resolve().parents[3]


def _model(path: Path, max_positions: int = 64, gen_max: int | None = None) -> Path:
    tok = build_tokenizer()
    model = build_model(tok, hidden=32, layers=1)
    model.config.max_position_embeddings = max_positions
    if gen_max:
        model.generation_config.max_new_tokens = gen_max
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return path


def test_budget_comes_from_the_training_config_then_the_checkpoint_then_the_model(tmp_path: Path) -> None:
    model = _model(tmp_path / "ckpt" / "policy", max_positions=100_000)
    # the ProRL config's largest budget is its final stage's 16k, not the 1024 the CLI used to default to
    assert default_max_tokens(str(model), str(ROOT / "configs" / "prorl-1.5b.yaml"))[0] == 16384
    assert default_max_tokens(str(model))[0] == FALLBACK_MAX_TOKENS
    (tmp_path / "ckpt" / "config.yaml").write_text("rollout: {max_response_tokens: 3000}\n")
    assert default_max_tokens(str(model)) == (3000, f"training config {tmp_path / 'ckpt' / 'config.yaml'}")
    small = _model(tmp_path / "small", max_positions=64, gen_max=None)
    assert default_max_tokens(str(small))[0] == 64
    tuned = _model(tmp_path / "tuned", gen_max=77)
    assert default_max_tokens(str(tuned))[0] == 77
    with pytest.raises(ValueError, match="not a readable training config"):
        default_max_tokens(str(model), str(tmp_path / "missing.yaml"))


def test_warning_above_five_percent_truncated() -> None:
    assert truncation_warning(5, 100, 512) is None
    assert "6 of 100 samples (6.0%) were cut at --max-tokens 512" in (truncation_warning(6, 100, 512) or "")


def test_cli_defaults_to_the_checkpoint_budget_and_warns(tmp_path: Path, reward_service_url: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    model = _model(tmp_path / "ckpt" / "policy")
    (tmp_path / "ckpt" / "config.yaml").write_text("rollout: {max_response_tokens: 2}\n")
    data = tmp_path / "val.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in make_records(3, seed=5)))
    out = tmp_path / "report.json"
    assert main(["--model", str(model), "--data", str(data), "--n", "2", "--service-url", reward_service_url,
                 "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["settings"]["max_tokens"] == 2 and report["truncated_fraction"] > 0.05
    err = capsys.readouterr().err
    assert "--max-tokens 2 (from training config" in err and "were cut at --max-tokens 2" in err
