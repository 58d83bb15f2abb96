from pathlib import Path

import yaml

from trainer_client.cli import train_main

ROOT = Path(__file__).resolve().parents[2]


def test_print_config_applies_overrides(capsys) -> None:
    assert train_main(["--config", str(ROOT / "configs" / "tiny-cpu.yaml"), "algo.kl_coef=0.01", "--print-config"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["algo"]["kl_coef"] == 0.01 and printed["rollout"]["n_samples"] == 8


def test_bad_config_exits_2_with_the_key(capsys) -> None:
    assert train_main(["--config", str(ROOT / "configs" / "tiny-cpu.yaml"), "optim.lr=fast"]) == 2
    assert "optim.lr" in capsys.readouterr().err
    assert train_main(["--config", "/nonexistent.yaml"]) == 2
