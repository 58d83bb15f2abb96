from pathlib import Path

import pytest

from trainer_client.grpo.config import load_config

ROOT = Path(__file__).resolve().parents[3]


def test_shipped_configs_load_and_paper_settings() -> None:
    cfg = load_config(ROOT / "configs" / "prorl-1.5b.yaml")
    assert (cfg.rollout.prompts_per_step, cfg.rollout.n_samples, cfg.optim.mini_batch_prompts) == (256, 16, 64)
    assert (cfg.algo.eps_low, cfg.algo.eps_high, cfg.algo.kl_coef, cfg.algo.kl_estimator) == (0.2, 0.4, 1e-4, "k3")
    assert cfg.optim.lr == 2e-6 and cfg.rollout.temperature == 1.2
    assert cfg.stages[0].max_response_tokens == 16384 and cfg.rollout.max_response_tokens == 8192
    for name in ("tiny-cpu", "mini-prorl", "smoke-0.5b"):
        load_config(ROOT / "configs" / f"{name}.yaml")
    mini = load_config(ROOT / "configs" / "mini-prorl.yaml")  # the documented experiment keeps the ProRL knobs
    assert (mini.algo.eps_low, mini.algo.eps_high, mini.rollout.n_samples, mini.rollout.temperature) == (0.2, 0.4, 16, 1.2)
    assert mini.algo.dynamic_sampling and mini.reset.plateau_window > 0 and mini.reset.interval > 0


def test_dotted_overrides_are_typed() -> None:
    cfg = load_config(None, ["algo.eps_high=0.3", "algo.dual_clip=3", "reset.at_steps=[5, 9]",
                             "stages=[{after_resets: 1, n_samples: 8}]", "data.mix={math: 2, code: 1}"])
    assert cfg.algo.eps_high == 0.3 and cfg.algo.dual_clip == 3.0
    assert cfg.reset.at_steps == [5, 9] and cfg.stages[0].n_samples == 8
    assert cfg.data.mix == {"math": 2.0, "code": 1.0}


@pytest.mark.parametrize("override, message", [
    ("algo.nope=1", "unknown config key"),
    ("algo.eps_high=abc", "algo.eps_high"),
    ("algo.kl_estimator=k9", "kl_estimator"),
    ("rollout.n_samples=1", "n_samples"),
    ("algo.dual_clip=0.5", "dual_clip"),
    ("run.resume=maybe", "run.resume"),
    ("run.keep_checkpoints=0", "keep_checkpoints"),
    ("novalue", "key=value"),
])
def test_bad_settings_fail_early_with_the_key(override: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_config(None, [override])


def test_model_compile_is_auto_by_default_and_resolves_per_device() -> None:
    import torch

    from trainer_client.grpo.compilation import compile_enabled

    assert load_config(None).model.compile == "auto"
    assert load_config(None, ["model.compile=true"]).model.compile == "true"  # YAML boolean accepted
    assert load_config(None, ["model.compile=False"]).model.compile == "false"
    with pytest.raises(ValueError, match="model.compile"):
        load_config(None, ["model.compile=sometimes"])
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    assert (compile_enabled("auto", cpu), compile_enabled("auto", cuda)) == (False, True)
    assert (compile_enabled("true", cpu), compile_enabled("false", cuda)) == (True, False)
