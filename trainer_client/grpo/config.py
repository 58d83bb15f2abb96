"""Trainer configuration: nested dataclasses, loaded from YAML, overridden with ``section.key=value``.

Every default is the ProRL paper's setting where the paper gives one (see docs/trainer.md for the table);
``configs/tiny-cpu.yaml`` shrinks everything to run in minutes on 2 CPU cores.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass
class ModelConfig:
    path: str = ""  # local directory (or hub id when the hub is reachable) of the policy to train
    dtype: str = "auto"  # auto = bf16 on GPU, fp32 on CPU; or float32 / bfloat16
    device: str = "auto"  # auto = cuda when available
    gradient_checkpointing: bool = False
    chat_template: bool = False  # wrap each prompt with the tokenizer's chat template
    logprob_chunk_tokens: int = 1024  # tokens per lm_head chunk: full-vocab fp32 logits never exist for more
    # torch.compile each decoder layer and the log-prob chunk kernel for the update passes; generation stays
    # eager. auto = on for CUDA (1.56x the eager update on an H100, bench/bench_train_step.py; the first
    # steps pay ~1 min of compilation), off on CPU. true | false force it.
    compile: str = "auto"


@dataclass
class DataConfig:
    train_path: str = ""  # JSONL of {"prompt", "domain", "reference", "meta"}
    val_path: str = ""  # same format; empty = no validation
    mix: dict[str, float] = field(default_factory=dict)  # domain -> sampling weight; empty = uniform over records
    val_limit: int = 0  # 0 = every validation record


@dataclass
class RolloutConfig:
    engine: str = "hf"  # hf | vllm
    prompts_per_step: int = 256
    n_samples: int = 16
    temperature: float = 1.2
    top_p: float = 1.0
    max_response_tokens: int = 8192
    generation_batch_prompts: int = 64  # prompts per engine call (HF memory bound)
    vllm_gpu_memory_utilization: float = 0.5
    vllm_sleep: bool = True  # release vLLM's KV cache / weights while the trainer updates (colocated)
    vllm_tensor_parallel_size: int = 1


@dataclass
class AlgoConfig:
    adv_norm_std: bool = True  # false = Dr. GRPO (no std division)
    eps_low: float = 0.2
    eps_high: float = 0.4
    dual_clip: float | None = None  # e.g. 3.0
    loss_agg: str = "token-mean"  # token-mean | seq-mean-token-mean | seq-mean-token-sum
    kl_estimator: str = "k3"  # k1 | k2 | k3
    kl_coef: float = 1e-4
    entropy_coef: float = 0.0
    ppo_epochs: int = 1
    dynamic_sampling: bool = True
    # accuracy (the paper's: keep 0 < #(reward == 1) < n) | reward_std (keep groups whose raw rewards vary:
    # partial-credit groups too). Identical for binary rewards.
    dynamic_sampling_criterion: str = "accuracy"
    max_gen_rounds: int = 3  # generation rounds per step at most (verl's max_num_gen_batches); 0 = no cap
    on_round_cap: str = "train"  # train (on the kept groups, mini-batches rebalanced) | error (stop the run)
    round_cap_warn_after: int = 3  # log a warning after this many consecutive steps at the cap (0 = never)
    overlong_penalty: bool = False
    overlong_cache_tokens: int = 1024
    overlong_penalty_factor: float = 1.0
    overlong_filter: bool = False
    tis_cap: float = 0.0  # truncated IS cap C for rollout/trainer mismatch; 0 = off


@dataclass
class OptimConfig:
    lr: float = 2e-6
    weight_decay: float = 0.01
    betas: tuple[float, float] = (0.9, 0.999)
    warmup_steps: int = 0  # optimizer steps; restarted by every reference reset
    grad_clip: float = 1.0
    mini_batch_prompts: int = 64  # prompts per optimizer step (256 / 64 = 4 updates per rollout step)
    micro_batch_tokens: int = 16384  # token budget of one forward/backward (gradient accumulation)


@dataclass
class ResetConfig:
    interval: int = 0  # reset every N steps; 0 = off
    plateau_window: int = 0  # W: reset when the last W validations did not beat the best before them
    plateau_min_delta: float = 0.0
    kl_threshold: float = 0.0  # reset when the step's mean KL to the reference exceeds this; 0 = off
    manual_file: str = "RESET"  # touching <output_dir>/RESET asks for a reset at the next step
    at_steps: list[int] = field(default_factory=list)  # explicit reset steps
    min_gap: int = 1  # minimum steps between two resets
    # linear lr warmup over this many optimizer steps after each reset (AdamW restarts with no moments, so its
    # first full-lr step moves every weight by about lr); 0 = optim.warmup_steps applies after resets too
    warmup_steps: int = 0


@dataclass
class Stage:
    """A change of settings applied from ``start_step`` on, or from the ``after_resets``-th reset on."""

    start_step: int | None = None
    after_resets: int | None = None
    max_response_tokens: int | None = None
    n_samples: int | None = None
    mix: dict[str, float] | None = None


@dataclass
class ServiceConfig:
    url: str = "http://127.0.0.1:8000"
    api_key: str | None = None
    chunk_size: int = 256
    max_concurrency: int = 8


@dataclass
class RunConfig:
    steps: int = 2000
    seed: int = 0
    output_dir: str = "runs/prorl"
    val_every: int = 0  # 0 = never
    val_temperature: float = 0.6
    val_n_samples: int = 1
    checkpoint_every: int = 50
    keep_checkpoints: int = 2
    # how many of the newest checkpoints keep optimizer.pt (AdamW moments, 2x the fp32 weights); the older
    # ones keep weights only (evaluable; resumable with fresh moments). >= 1: `latest` always has it
    keep_optimizer_checkpoints: int = 1
    save_bf16_policy: bool = True  # also write policy_bf16/ (half-size HF weights for evaluation/serving)
    resume: bool = True  # continue from the latest checkpoint in output_dir when there is one
    tensorboard: bool = True
    progress: bool = True


@dataclass
class TrainConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    rollout: RolloutConfig = field(default_factory=RolloutConfig)
    algo: AlgoConfig = field(default_factory=AlgoConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    reset: ResetConfig = field(default_factory=ResetConfig)
    stages: list[Stage] = field(default_factory=list)
    service: ServiceConfig = field(default_factory=ServiceConfig)
    run: RunConfig = field(default_factory=RunConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _coerce(tp: Any, value: Any, where: str) -> Any:
    """Convert a YAML value to the annotated type, with a clear error naming the key."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _coerce(args[0], value, where)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected a mapping, got {value!r}")
        return _build(tp, value, where)
    if origin is list:
        (inner,) = typing.get_args(tp)
        if not isinstance(value, list):
            raise ValueError(f"{where}: expected a list, got {value!r}")
        return [_coerce(inner, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is tuple:
        return tuple(_coerce(a, v, where) for a, v in zip(typing.get_args(tp), value, strict=True))
    if origin is dict:
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected a mapping, got {value!r}")
        return {str(k): float(v) for k, v in value.items()}
    if tp is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{where}: expected true/false, got {value!r}")
        return value
    if tp in (int, float, str):
        try:
            return tp(value)
        except (TypeError, ValueError):
            raise ValueError(f"{where}: expected {tp.__name__}, got {value!r}") from None
    return value


def _build(cls: Any, data: dict[str, Any], where: str = "") -> Any:
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise ValueError(f"unknown config key(s) {sorted(unknown)} in {where or 'top level'}; known: {sorted(names)}")
    return cls(**{k: _coerce(hints[k], v, f"{where}.{k}".lstrip(".")) for k, v in data.items()})


def apply_override(raw: dict[str, Any], override: str) -> None:
    """Apply one ``a.b.c=value`` override (value parsed as YAML) to a nested dict."""
    if "=" not in override:
        raise ValueError(f"override {override!r} is not key=value")
    key, text = override.split("=", 1)
    parts = key.strip().split(".")
    node = raw
    for p in parts[:-1]:
        node = node.setdefault(p, {})
        if not isinstance(node, dict):
            raise ValueError(f"override {override!r}: {p!r} is not a section")
    node[parts[-1]] = yaml.safe_load(text)


def load_config(path: str | Path | None = None, overrides: list[str] | None = None) -> TrainConfig:
    """Read a YAML config (optional), apply overrides, validate every key and type."""
    raw: dict[str, Any] = {}
    if path:
        loaded = yaml.safe_load(Path(path).read_text())
        raw = loaded or {}
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: top level must be a mapping")
    for ov in overrides or []:
        apply_override(raw, ov)
    cfg: TrainConfig = _build(TrainConfig, raw)
    validate(cfg)
    return cfg


def validate(cfg: TrainConfig) -> None:
    """Reject settings that would fail late (after model load) or silently do the wrong thing."""
    if cfg.rollout.engine not in ("hf", "vllm"):
        raise ValueError("rollout.engine must be hf or vllm")
    cfg.model.compile = str(cfg.model.compile).lower()  # YAML true/false arrive as booleans
    if cfg.model.compile not in ("auto", "true", "false"):
        raise ValueError(f"model.compile must be auto, true or false, got {cfg.model.compile!r}")
    if cfg.algo.kl_estimator not in ("k1", "k2", "k3"):
        raise ValueError("algo.kl_estimator must be k1, k2 or k3")
    if cfg.algo.loss_agg not in ("token-mean", "seq-mean-token-mean", "seq-mean-token-sum"):
        raise ValueError("algo.loss_agg must be token-mean, seq-mean-token-mean or seq-mean-token-sum")
    if cfg.rollout.n_samples < 2:
        raise ValueError("rollout.n_samples must be >= 2 (GRPO needs a group)")
    if cfg.optim.mini_batch_prompts <= 0 or cfg.rollout.prompts_per_step <= 0:
        raise ValueError("rollout.prompts_per_step and optim.mini_batch_prompts must be positive")
    if cfg.algo.dual_clip is not None and cfg.algo.dual_clip <= 1:
        raise ValueError("algo.dual_clip must be > 1")
    if cfg.algo.overlong_penalty and not 0 < cfg.algo.overlong_cache_tokens <= cfg.rollout.max_response_tokens:
        raise ValueError("algo.overlong_cache_tokens must be in (0, rollout.max_response_tokens]")
    if cfg.algo.dynamic_sampling_criterion not in ("accuracy", "reward_std"):
        raise ValueError("algo.dynamic_sampling_criterion must be accuracy or reward_std")
    if cfg.algo.on_round_cap not in ("train", "error"):
        raise ValueError("algo.on_round_cap must be train or error")
    if cfg.algo.max_gen_rounds < 0 or cfg.reset.warmup_steps < 0 or cfg.run.val_n_samples < 1:
        raise ValueError("algo.max_gen_rounds and reset.warmup_steps must be >= 0, run.val_n_samples >= 1")
    if cfg.run.keep_optimizer_checkpoints < 1:
        raise ValueError("run.keep_optimizer_checkpoints must be >= 1 (the latest checkpoint must resume exactly)")
    if cfg.run.keep_checkpoints < 1:  # 0 would delete each checkpoint as it is written: resume silently restarts
        raise ValueError("run.keep_checkpoints must be >= 1")
