"""The ProRL training loop. :meth:`Trainer.train_step` reads top to bottom as one GRPO step:

sample prompts -> generate n per prompt -> score via the reward service -> dynamic-sampling filter ->
shaping -> group advantages -> old/ref log-probs -> mini-batch PPO updates -> metrics ->
maybe validate / reset the reference / checkpoint.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedModel

from trainer_client.client import RewardClient
from trainer_client.grpo import checkpoint as ckpt
from trainer_client.grpo.algo.dynamic_sampling import PassRateTracker
from trainer_client.grpo.batch import RolloutBatch
from trainer_client.grpo.compilation import compile_decoder_layers, compile_enabled
from trainer_client.grpo.config import TrainConfig
from trainer_client.grpo.engines.base import RolloutEngine, SamplingSettings
from trainer_client.grpo.engines.hf import HFEngine
from trainer_client.grpo.metric_sinks import MetricsLogger
from trainer_client.grpo.prompt_sampler import PromptRecord, PromptSampler, encode_prompt, load_records
from trainer_client.grpo.reset import (
    NO_STAGE_YET,
    ResetScheduler,
    active_stage,
    reset_optimizer,
    reset_reference,
    stage_settings,
)
from trainer_client.grpo.rollout import StepSettings, build_batch, collect_groups, opens_think, score_groups
from trainer_client.grpo.update import fill_logprobs, ppo_update

log = logging.getLogger(__name__)


def _device(cfg: TrainConfig) -> torch.device:
    if cfg.model.device != "auto":
        return torch.device(cfg.model.device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def autocast_dtype(cfg: TrainConfig, device: torch.device) -> torch.dtype | None:
    """bf16 autocast on GPU (``model.dtype`` auto) or when asked for; None = plain fp32."""
    use_bf16 = cfg.model.dtype == "bfloat16" or (cfg.model.dtype == "auto" and device.type == "cuda")
    return torch.bfloat16 if use_bf16 else None


def prepare_for_training(policy: PreTrainedModel, cfg: TrainConfig, dtype: torch.dtype | None) -> torch.nn.Module:
    """Make a freshly loaded fp32 ``policy`` trainable in place and return its frozen reference copy.

    Shared by the trainer and its data-parallel replicas (``trainer_client.ray.trainer_group``), which
    must hold the very same modules to compute the same gradients."""
    if cfg.model.gradient_checkpointing:
        if hasattr(policy, "activation_checkpointing_enable"):  # transformers >= 5.x name
            policy.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
        else:
            policy.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    policy.config.use_cache = False
    # The reference keeps the policy's (fp32) weights and runs under the same autocast as the policy: a bf16
    # copy would compute other log-probs than the policy it was copied from (embeddings, norms and the
    # residual stream in bf16), so the KL would never return to 0 after a reset and bias kl_threshold.
    reference = copy.deepcopy(policy).eval().requires_grad_(False)
    if compile_enabled(cfg.model.compile, next(policy.parameters()).device):
        compile_decoder_layers(policy, fallback=str(cfg.model.compile).lower() == "auto")  # after the deepcopy: the reference stays eager
    return reference


def make_optimizer(policy: torch.nn.Module, cfg: TrainConfig, device: torch.device) -> torch.optim.Optimizer:
    o = cfg.optim
    # fused AdamW on GPU: one kernel over all parameters instead of a dozen per tensor
    return torch.optim.AdamW(policy.parameters(), lr=o.lr, betas=o.betas, weight_decay=o.weight_decay,
                             fused=device.type == "cuda")


def warmup_length(cfg: TrainConfig, after_reset: bool) -> int:
    """Optimizer steps of linear warmup: ``optim.warmup_steps`` at the start, ``reset.warmup_steps`` after a
    reset when set (so the paper's constant lr can keep no warmup at the start but soften each restart)."""
    if after_reset and cfg.reset.warmup_steps > 0:
        return cfg.reset.warmup_steps
    return cfg.optim.warmup_steps


def set_warmup_lr(optimizer: torch.optim.Optimizer, cfg: TrainConfig, steps_since_reset: int,
                  after_reset: bool = False) -> None:
    """Linear warmup over :func:`warmup_length` optimizer steps since the start or the last reset, then
    constant."""
    w = warmup_length(cfg, after_reset)
    scale = min(1.0, (steps_since_reset + 1) / w) if w > 0 else 1.0
    for g in optimizer.param_groups:
        g["lr"] = cfg.optim.lr * scale


def autocast_context(device: torch.device, dtype: torch.dtype | None) -> contextlib.AbstractContextManager[Any]:
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=dtype)


class Trainer:
    def __init__(self, cfg: TrainConfig, client: RewardClient | None = None, engine: RolloutEngine | None = None):
        self.cfg = cfg
        self.out = Path(cfg.run.output_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        # the data before the model: a bad record or mix fails in seconds, not after a multi-GB model load
        self.sampler = PromptSampler(load_records(cfg.data.train_path), cfg.run.seed, cfg.data.mix)
        self.val_records: list[PromptRecord] = (
            load_records(cfg.data.val_path, cfg.data.val_limit) if cfg.data.val_path else []
        )
        torch.manual_seed(cfg.run.seed)
        random.seed(cfg.run.seed)
        self.device = _device(cfg)
        # fp32 master weights always; bf16 only as autocast on GPU (a 2e-6 update vanishes in bf16 weights)
        self.autocast_dtype = autocast_dtype(cfg, self.device)
        resume_from = ckpt.latest_checkpoint(self.out) if cfg.run.resume else None
        self.resumed_from = resume_from
        policy_path = str(resume_from / "policy") if resume_from else cfg.model.path
        if not policy_path:
            raise ValueError("model.path is required (a local directory with a causal LM and its tokenizer)")
        self.tokenizer = AutoTokenizer.from_pretrained(policy_path)
        self.policy = AutoModelForCausalLM.from_pretrained(policy_path, dtype=torch.float32).to(self.device)
        self.reference = prepare_for_training(self.policy, cfg, self.autocast_dtype)
        self.optimizer = make_optimizer(self.policy, cfg, self.device)
        self.client = client or RewardClient(cfg.service.url, api_key=cfg.service.api_key,
                                             chunk_size=cfg.service.chunk_size, max_concurrency=cfg.service.max_concurrency)
        self.engine = engine or self._make_engine()
        self.resets = ResetScheduler(cfg.reset, manual_path=self.out / cfg.reset.manual_file)
        self.pass_rates = PassRateTracker()
        self.update_rng = random.Random(cfg.run.seed + 1)
        self.step = 0
        self.opt_steps_since_reset = 0
        self.round_cap_streak = 0  # consecutive steps whose dynamic sampling stopped at the round cap
        self.stage = NO_STAGE_YET  # the stage index in force (reset.active_stage) once a step has applied it
        # on resume, rows logged after the checkpoint (a crash between checkpoints) are dropped: those steps
        # run again and would otherwise appear twice
        resume_step = int(ckpt.load_trainer_state(resume_from)["step"]) if resume_from else None
        self.metrics = MetricsLogger(self.out, cfg.run.tensorboard, truncate_after=resume_step)
        if resume_from:
            self._resume(resume_from)

    # ---- one step -------------------------------------------------------------------------------------
    def train_step(self) -> dict[str, float]:
        cfg, t0 = self.cfg, time.perf_counter()
        step = self.step + 1
        if self.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(self.device)
        settings = self._apply_stage(step)

        # sample -> generate + score -> filter (dynamic sampling: rounds until enough informative groups)
        self.engine.wake_up()
        with self._autocast():  # HF generation in bf16 on GPU too (vLLM ignores torch autocast)
            kept, metrics = collect_groups(cfg, step, settings, self.sampler, self._encode, self.engine,
                                           self.client, self.pass_rates, self.tokenizer.decode)
        self.engine.sleep()
        t_rollout = time.perf_counter() - t0
        self._watch_round_cap(step, metrics)

        train_tokens = 0
        if kept:
            batch = build_batch(cfg, kept, settings.max_tokens)  # shaped rewards, loss mask, group advantages
            assert batch.advantages is not None
            metrics.update(self._update(batch, settings))  # old/ref log-probs, PPO mini-batch steps
            metrics.update(_advantage_stats(batch.advantages, batch.seq_mask))
            train_tokens = sum(len(p) + len(r) for p, r in zip(batch.prompt_ids, batch.response_ids, strict=True))
            if batch.rollout_logprobs is not None:
                metrics["rollout_logprob_mismatch"] = _mismatch(batch)
            self.engine.update_weights(self._rollout_weights())
        else:
            metrics["skipped_update"] = 1.0  # every group was uniform up to the round cap: nothing to learn

        self.step = step
        step_time = time.perf_counter() - t0
        metrics.update({"step_time_s": step_time, "rollout_time_s": t_rollout, "update_time_s": step_time - t_rollout,
                        "tokens_per_s": train_tokens / max(step_time - t_rollout, 1e-9),
                        "lr": self.optimizer.param_groups[0]["lr"], "stage": float(self.stage),
                        "resets": float(self.resets.count)})
        if self.device.type == "cuda":
            metrics["gpu_mem_peak_gib"] = torch.cuda.max_memory_allocated(self.device) / 2**30

        if cfg.run.val_every and step % cfg.run.val_every == 0 and self.val_records:
            metrics["val/reward"] = self.validate()
            self.resets.record_validation(metrics["val/reward"])
        reason = self.resets.due(step, metrics.get("kl"))
        if reason:
            self.reset(reason, self.resets.last_detail)
            metrics["resets"] = float(self.resets.count)
        self.metrics.log(step, metrics)
        if cfg.run.checkpoint_every and (step % cfg.run.checkpoint_every == 0 or step == cfg.run.steps):
            self.save()
        return metrics

    # ---- pieces ---------------------------------------------------------------------------------------
    def _update(self, batch: RolloutBatch, settings: StepSettings) -> dict[str, float]:
        """Old/reference log-probs, then the PPO mini-batch updates of the policy; returns their metrics.
        The one piece a data-parallel trainer (``trainer_client.ray.train.RayTrainer`` with a trainer group) replaces."""
        with self._autocast():
            batch.old_logp = fill_logprobs(self.policy, batch, self.cfg, settings.temperature, self._pad_id)
            batch.ref_logp = fill_logprobs(self.reference, batch, self.cfg, settings.temperature, self._pad_id)
            return ppo_update(self.policy, self.optimizer, batch, self.cfg, settings.temperature, self._pad_id,
                              self.update_rng, self._set_lr)

    def reset(self, reason: str, detail: dict[str, Any] | None = None) -> None:
        """ProRL hard reset: reference := policy, AdamW state cleared, warmup restarted; logged with why."""
        self._reset_weights()
        self.opt_steps_since_reset = 0
        event = self.resets.mark(self.step, reason, detail)
        self.metrics.log(self.step, event, kind="reset")
        log.info("reference reset at step %d: %s %s", self.step, reason, detail or "")

    def _reset_weights(self) -> None:
        reset_reference(self.policy, self.reference)
        reset_optimizer(self.optimizer)

    def _watch_round_cap(self, step: int, metrics: dict[str, float]) -> None:
        """Warn once dynamic sampling has stopped at its round cap ``round_cap_warn_after`` steps in a row:
        the steps then train on fewer groups than configured, a sign the data mix no longer fits the policy.
        (The trainer's metrics go to JSONL/TensorBoard, not Prometheus, so this log line is the alert.)"""
        hit = metrics.get("dynamic_sampling/hit_round_cap", 0.0) > 0
        self.round_cap_streak = self.round_cap_streak + 1 if hit else 0
        metrics["dynamic_sampling/round_cap_streak"] = float(self.round_cap_streak)
        n = self.cfg.algo.round_cap_warn_after
        if n > 0 and self.round_cap_streak >= n:
            log.warning("step %d: dynamic sampling hit its round cap (algo.max_gen_rounds=%d) %d steps in a row, "
                        "keeping %d of %d groups: most groups are uniform; raise the cap, use "
                        "algo.dynamic_sampling_criterion=reward_std for partial-credit rewards, or change the mix",
                        step, self.cfg.algo.max_gen_rounds, self.round_cap_streak,
                        int(metrics.get("dynamic_sampling/kept_groups", 0)), self.cfg.rollout.prompts_per_step)

    @torch.no_grad()
    def validate(self, temperature: float | None = None) -> float:
        """Mean reward over the validation records (``val_n_samples`` each)."""
        records = self.val_records
        max_tokens = stage_settings(self.cfg.stages, self.stage, self.cfg.rollout, self.cfg.data.mix)[0]
        gen = SamplingSettings(n=self.cfg.run.val_n_samples, temperature=temperature or self.cfg.run.val_temperature,
                               top_p=1.0, max_tokens=max_tokens)
        self.engine.wake_up()
        with self._autocast():
            prompt_ids = [self._encode(r.prompt) for r in records]
            samples = self.engine.generate(prompt_ids, gen)
        self.engine.sleep()
        thinking = [opens_think(self.tokenizer.decode, p) for p in prompt_ids]
        scored = score_groups(self.client, records, samples, f"val{self.step}", thinking)
        rewards = [r for rs, _, ok in scored for r, v in zip(rs, ok, strict=True) if v]
        value = sum(rewards) / max(len(rewards), 1)
        self.metrics.log(self.step, {"reward": value, "n": len(rewards), "stderr": _stderr(scored),
                                     "n_samples": self.cfg.run.val_n_samples}, kind="val")
        return value

    def fit(self, on_step: Callable[[int, dict[str, float]], None] | None = None) -> None:
        while self.step < self.cfg.run.steps:
            m = self.train_step()
            if on_step:
                on_step(self.step, m)

    def save(self) -> Path:
        r = self.cfg.run
        return ckpt.save_checkpoint(self.out, self.step, self.policy, self.reference, self.tokenizer, self.optimizer,
                                    self._trainer_state(), keep=r.keep_checkpoints, bf16_policy=r.save_bf16_policy,
                                    keep_optimizer=r.keep_optimizer_checkpoints, config=self.cfg.to_dict())

    def _trainer_state(self) -> dict[str, Any]:
        return {
            "opt_steps_since_reset": self.opt_steps_since_reset,
            "resets": self.resets.state_dict(),
            "sampler": self.sampler.state_dict(),
            "pass_rates": self.pass_rates.state_dict(),
            "update_rng": self.update_rng.getstate(),
            "round_cap_streak": self.round_cap_streak,
        }

    def close(self) -> None:
        self.metrics.close()

    def _resume(self, path: Path) -> None:
        state = ckpt.load_trainer_state(path)
        if not ckpt.load_into(path, self.reference, self.optimizer):
            log.warning("%s has no optimizer state (run.keep_optimizer_checkpoints): AdamW restarts", path)
        self.step = int(state["step"])
        self.opt_steps_since_reset = int(state["opt_steps_since_reset"])
        self.round_cap_streak = int(state.get("round_cap_streak", 0))
        self.resets.load_state_dict(state["resets"])
        self.sampler.load_state_dict(state["sampler"])
        self.pass_rates.load_state_dict(state["pass_rates"])
        r = state["update_rng"]
        self.update_rng.setstate((r[0], tuple(r[1]), r[2]))
        self.stage = active_stage(self.cfg.stages, self.step, self.resets.count)
        self.engine.update_weights(self.policy.state_dict())
        self.metrics.log(self.step, {"from": str(path)}, kind="resume")

    def _apply_stage(self, step: int) -> StepSettings:
        stage = active_stage(self.cfg.stages, step, self.resets.count)
        max_tokens, n, mix = stage_settings(self.cfg.stages, stage, self.cfg.rollout, self.cfg.data.mix)
        if stage != self.stage:
            self.sampler.set_mix(mix)
            if self.stage != NO_STAGE_YET:
                self.metrics.log(step, {"stage": stage, "max_response_tokens": max_tokens, "n_samples": n},
                                 kind="stage")
            self.stage = stage
        return StepSettings(max_tokens, n, self.cfg.rollout.temperature, self.cfg.rollout.top_p)

    def _rollout_weights(self) -> dict[str, torch.Tensor]:
        """The policy's full weights for the rollout engine (a sharded trainer gathers them)."""
        return self.policy.state_dict()

    def _set_lr(self) -> None:
        """Called right before each optimizer step: linear warmup over ``warmup_steps`` optimizer steps since
        the last reset (a reset restarts it), then constant."""
        set_warmup_lr(self.optimizer, self.cfg, self.opt_steps_since_reset, after_reset=self.resets.count > 0)
        self.opt_steps_since_reset += 1

    def _encode(self, prompt: str | list[dict[str, str]]) -> list[int]:
        return encode_prompt(self.tokenizer, prompt, self.cfg.model.chat_template)

    @property
    def _pad_id(self) -> int:
        pad = self.tokenizer.pad_token_id
        return int(pad if pad is not None else self.tokenizer.eos_token_id)

    def _autocast(self) -> contextlib.AbstractContextManager[Any]:
        return autocast_context(self.device, self.autocast_dtype)

    def _make_engine(self) -> RolloutEngine:
        r = self.cfg.rollout
        if r.engine == "vllm":
            from trainer_client.grpo.engines.vllm import VLLMEngine

            return VLLMEngine(self.cfg.model.path, r.vllm_gpu_memory_utilization, r.vllm_tensor_parallel_size,
                              enable_sleep_mode=r.vllm_sleep, seed=self.cfg.run.seed)
        # the sampler's log-probs are only needed for the truncated-IS correction (and its mismatch metric)
        return HFEngine(self.policy, self.tokenizer, r.generation_batch_prompts, return_logprobs=self.cfg.algo.tis_cap > 0)


def _advantage_stats(adv: torch.Tensor, mask: torch.Tensor) -> dict[str, float]:
    sel = adv[mask > 0]
    if sel.numel() == 0:
        return {}
    return {"advantage/mean": float(sel.mean()), "advantage/std": float(sel.std()) if sel.numel() > 1 else 0.0,
            "advantage/max": float(sel.max()), "advantage/min": float(sel.min())}


def _stderr(scored: list[tuple[list[float], list[bool], list[bool]]]) -> float:
    """Standard error of the validation mean over prompts (each prompt's mean over its judged samples): the
    noise a ``reset.plateau_min_delta`` should exceed. More samples per prompt shrink its within-prompt part."""
    means = [sum(r for r, v in zip(rs, ok, strict=True) if v) / sum(ok) for rs, _, ok in scored if any(ok)]
    if len(means) < 2:
        return 0.0
    mu = sum(means) / len(means)
    var = sum((m - mu) ** 2 for m in means) / (len(means) - 1)
    return float((var / len(means)) ** 0.5)


def _mismatch(batch: Any) -> float:
    """Mean |logp_trainer - logp_sampler| over response tokens: how off-policy the rollouts are."""
    mask = batch.token_mask()
    w = mask.shape[1]
    diff = (batch.old_logp[:, :w] - batch.rollout_logprobs[:, :w]).abs() * mask
    return float(diff.sum() / mask.sum().clamp(min=1))


def train(cfg: TrainConfig, on_step: Callable[[int, dict[str, float]], None] | None = None) -> Trainer:
    """Run (or resume) training to ``run.steps``; returns the trainer for inspection."""
    trainer = Trainer(cfg)
    try:
        trainer.fit(on_step)
    finally:
        trainer.close()
    return trainer
