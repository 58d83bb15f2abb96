from pathlib import Path

import yaml

from trainer_client.eval.eval_command import main as eval_main
from trainer_client.train_command import train_main

ROOT = Path(__file__).resolve().parents[2]


def test_print_config_applies_overrides(capsys) -> None:
    assert train_main(["--config", str(ROOT / "configs" / "tiny-cpu.yaml"), "algo.kl_coef=0.01", "--print-config"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["algo"]["kl_coef"] == 0.01 and printed["rollout"]["n_samples"] == 8


def test_bad_config_exits_2_with_the_key(capsys) -> None:
    assert train_main(["--config", str(ROOT / "configs" / "tiny-cpu.yaml"), "optim.lr=fast"]) == 2
    assert "optim.lr" in capsys.readouterr().err
    assert train_main(["--config", "/nonexistent.yaml"]) == 2


def test_unreachable_service_fails_before_loading_anything(capsys) -> None:
    from tests.fixtures.service import free_port

    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    rc = train_main(["--config", str(ROOT / "configs" / "tiny-cpu.yaml"), f"service.url={url}"])
    assert rc == 2 and "not usable" in capsys.readouterr().err


def test_service_check_accepts_a_running_service(reward_service_url: str) -> None:
    from trainer_client.client import service_problem

    assert service_problem(reward_service_url, None) is None


def test_eval_with_an_unreachable_service_fails_before_loading_anything(capsys) -> None:
    from tests.fixtures.service import free_port

    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there; the model and data do not exist either
    rc = eval_main(["--model", "/nonexistent-model", "--data", "/nonexistent.jsonl", "--service-url", url])
    assert rc == 2 and "not usable" in capsys.readouterr().err


def test_bad_training_data_exits_2_with_the_record(tmp_path: Path, reward_service_url: str, capsys) -> None:
    data = tmp_path / "train.jsonl"
    data.write_text('{"prompt": "1+1=", "domain": "math"}\n')
    rc = train_main(["--config", str(ROOT / "configs" / "tiny-cpu.yaml"), f"service.url={reward_service_url}",
                     f"data.train_path={data}", f"run.output_dir={tmp_path / 'run'}"])
    assert rc == 2 and "record 0: record has no 'reference'" in capsys.readouterr().err


def test_eval_with_bad_data_exits_2_with_the_record(tmp_path: Path, reward_service_url: str, capsys) -> None:
    data = tmp_path / "val.jsonl"
    data.write_text('{"prompt": "1+1=", "domain": "math"}\n')
    rc = eval_main(["--model", str(tmp_path / "no-model"), "--data", str(data), "--service-url", reward_service_url])
    assert rc == 2 and "record 0: record has no 'reference'" in capsys.readouterr().err
