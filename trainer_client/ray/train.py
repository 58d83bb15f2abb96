"""``prorl train --ray-address ...``: the same training loop, with generation on Ray rollout actors.

The trainer (policy, reference, optimizer, checkpoints, resets) stays in the driver process, exactly the
local :class:`~trainer_client.grpo.train.Trainer`; the rollout engine is swapped for a
:class:`~trainer_client.ray.rollout.RayRolloutEngine`, and with ``--ray-trainers N`` (N > 1) the update
is shared with N - 1 data-parallel trainer actors (:mod:`trainer_client.ray.trainer_group`). Reward
scoring stays the trainer's HTTP client call from the driver. See docs/ray.md.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer_client.grpo.config import TrainConfig
from trainer_client.grpo.metric_sinks import MetricsLogger
from trainer_client.grpo.train import Trainer
from trainer_client.ray.config import RayConfig

if TYPE_CHECKING:
    from trainer_client.grpo.batch import RolloutBatch
    from trainer_client.grpo.rollout import StepSettings
    from trainer_client.ray.rollout import RayRolloutEngine
    from trainer_client.ray.trainer_group import TrainerGroup

# Ray reads these when it starts: no usage report leaves the machine, and every actor's log line is
# shown (deduplication hides which worker said what)
_RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_DEDUP_LOGS": "0"}


def init_ray(rc: RayConfig) -> None:
    """Connect to (``auto``, ``ray://...``) or start (``local``) Ray, unless this process already is."""
    import ray

    for k, v in _RAY_ENV.items():
        os.environ.setdefault(k, v)
    if ray.is_initialized():
        return
    kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": True}
    if rc.address == "local":
        kwargs["num_cpus"] = rc.num_cpus or os.cpu_count() or 1
        if rc.object_store_mb:
            kwargs["object_store_memory"] = rc.object_store_mb * 2**20
        ray.init(**kwargs)
    else:
        try:
            ray.init(address=rc.address, log_to_driver=True)
        except ConnectionError as exc:  # Ray's own message names its flags, not ours
            raise ConnectionError(f"--ray-address {rc.address}: no Ray cluster reachable ({exc}). Start one with "
                                  "`ray start --head` (docs/ray.md) or use --ray-address local") from None


class _EngineMetricsLogger:
    """Adds the Ray engine's timings (``weight_sync_s``, ``ray/generate_s``...) to each step's train row."""

    def __init__(self, inner: MetricsLogger, engine: Any) -> None:
        self.inner, self.engine = inner, engine
        self.path = inner.path

    def log(self, step: int, metrics: dict[str, Any], kind: str = "train") -> None:
        if kind == "train":
            metrics.update(self.engine.pop_metrics())  # in place: the caller's returned dict has them too
        self.inner.log(step, metrics, kind)

    def close(self) -> None:
        self.inner.close()


class RayTrainer(Trainer):
    """:class:`Trainer` whose rollouts run on Ray actors and, with ``ray_cfg.trainers > 1``, whose update
    is data-parallel over a trainer group; everything else is the local trainer's code."""

    def __init__(self, cfg: TrainConfig, ray_cfg: RayConfig, client: Any = None) -> None:
        ray_cfg.validate()
        self.ray_cfg = ray_cfg
        self.trainer_group: TrainerGroup | None = None
        init_ray(ray_cfg)
        super().__init__(cfg, client=client)  # builds the engine through _make_engine below
        setup: dict[str, Any] = {
            "workers": float(ray_cfg.rollout_workers), "gpus_per_worker": float(self._gpus_per_worker),
            "placement_strategy": ray_cfg.placement_strategy, "weight_sync": self.ray_engine.weight_sync,
            **self.ray_engine.pop_metrics()}
        if ray_cfg.trainers > 1:
            try:
                setup.update(self._start_trainer_group())
            except BaseException:
                self.ray_engine.shutdown()
                raise
        self.metrics.log(self.step, setup, kind="ray")
        self.metrics = _EngineMetricsLogger(self.metrics, self.ray_engine)  # type: ignore[assignment]

    def _make_engine(self) -> RayRolloutEngine:
        import ray

        from trainer_client.ray.rollout import RayRolloutEngine

        rc, r = self.ray_cfg, self.cfg.rollout
        gpus = rc.gpus_per_worker
        if gpus < 0:
            gpus = 1.0 if ray.cluster_resources().get("GPU", 0) > 0 else 0.0
        self._gpus_per_worker = gpus
        vllm_kwargs = None
        if r.engine == "vllm":
            vllm_kwargs = {"model_path": self.cfg.model.path, "gpu_memory_utilization": r.vllm_gpu_memory_utilization,
                           "tensor_parallel_size": r.vllm_tensor_parallel_size, "enable_sleep_mode": r.vllm_sleep,
                           "seed": self.cfg.run.seed}
        dtype = self.cfg.model.dtype if self.cfg.model.dtype in ("float32", "bfloat16") else "auto"
        engine = RayRolloutEngine(
            self.policy.config, self.tokenizer, workers=rc.rollout_workers, engine=r.engine, gpus_per_worker=gpus,
            cpus_per_worker=rc.cpus_per_worker, placement_strategy=rc.placement_strategy,
            weight_sync=rc.weight_sync, dtype=dtype, generation_batch_prompts=r.generation_batch_prompts,
            vllm_kwargs=vllm_kwargs,
        )
        engine.update_weights(self.policy.state_dict())  # actors start from the driver's weights
        self.ray_engine = engine
        return engine

    def _start_trainer_group(self) -> dict[str, Any]:
        """Start the trainer actors and give them the driver's state (fresh, or just resumed)."""
        from trainer_client.ray.trainer_group import TrainerGroup

        rc = self.ray_cfg
        gpus = rc.trainer_gpus if rc.trainer_gpus >= 0 else (1.0 if self.device.type == "cuda" else 0.0)
        rollout = {"CPU": rc.rollout_workers * rc.cpus_per_worker, "GPU": rc.rollout_workers * self._gpus_per_worker}
        if rc.trainer_strategy == "fsdp":
            return self._start_fsdp_group(gpus, rollout)
        group = TrainerGroup(self.cfg, self.policy.config, world=rc.trainers, device=self.device, gpus_per_rank=gpus,
                             cpus_per_rank=rc.trainer_cpus, placement_strategy=rc.placement_strategy,
                             reserved=rollout)
        self.trainer_group = group
        sync_s = group.load_state(self.policy, self.reference, self.optimizer)
        return {"trainers": float(rc.trainers), "trainer_gpus": gpus, "trainer_backend": group.backend,
                "trainer_state_sync_s": sync_s}

    def _start_fsdp_group(self, gpus: float, rollout: dict[str, float]) -> dict[str, Any]:
        """FSDP2: the driver's policy, reference and AdamW become rank 0's shards (``trainer_client.ray.fsdp_group``)."""
        from trainer_client.ray.fsdp_group import FSDPTrainerGroup

        rc = self.ray_cfg
        resume = self.resumed_from
        if resume is not None and (resume / "optimizer.pt").exists():
            raise ValueError(f"{resume} was written by an unsharded trainer: resume it with --ray-trainer-strategy ddp")
        group = FSDPTrainerGroup(self.cfg, self.policy.config, world=rc.trainers, device=self.device,
                                 gpus_per_rank=gpus, cpus_per_rank=rc.trainer_cpus,
                                 placement_strategy=rc.placement_strategy, reserved=rollout)
        self.trainer_group = group  # type: ignore[assignment]
        rank, sync_s = group.start(self.policy, self.reference, resume)
        self.optimizer = rank.optimizer  # self.policy / self.reference are now the sharded modules themselves
        self._fsdp_rank = rank
        return {"trainers": float(rc.trainers), "trainer_gpus": gpus, "trainer_backend": group.backend,
                "trainer_strategy": "fsdp", "trainer_state_sync_s": sync_s}

    @property
    def _fsdp(self) -> bool:
        return self.trainer_group is not None and getattr(self.trainer_group, "strategy", "ddp") == "fsdp"

    def _reset_weights(self) -> None:
        if self._fsdp:
            self._fsdp_rank.reset()  # the driver's shards (gathered copies given back first)
        else:
            super()._reset_weights()

    def _rollout_weights(self) -> dict[str, Any]:
        if self._fsdp:
            return self.trainer_group.full_state_dict()  # type: ignore[union-attr]
        return super()._rollout_weights()

    def save(self) -> Path:
        if not self._fsdp:
            return super().save()
        from trainer_client.grpo import checkpoint as ckpt

        group = self.trainer_group
        r = self.cfg.run
        return ckpt.save_checkpoint(
            self.out, self.step, self.policy, self.reference, self.tokenizer, self.optimizer, self._trainer_state(),
            keep=r.keep_checkpoints, bf16_policy=r.save_bf16_policy, keep_optimizer=r.keep_optimizer_checkpoints,
            config=self.cfg.to_dict(), policy_state=group.full_state_dict(),  # type: ignore[union-attr]
            write_state=group.save_sharded)  # type: ignore[union-attr]

    def _update(self, batch: RolloutBatch, settings: StepSettings) -> dict[str, float]:
        if self.trainer_group is None:
            return super()._update(batch, settings)
        return self.trainer_group.update(self.policy, self.reference, self.optimizer, batch, self.cfg,
                                         settings.temperature, self._pad_id, self.update_rng, self._set_lr,
                                         self._autocast(), self.opt_steps_since_reset, self.resets.count > 0)

    def reset(self, reason: str, detail: dict[str, Any] | None = None) -> None:
        super().reset(reason, detail)
        if self.trainer_group is not None:
            self.trainer_group.reset()

    def close(self) -> None:
        try:
            super().close()
        finally:
            try:
                self.ray_engine.shutdown()
            finally:
                if self.trainer_group is not None:
                    self.trainer_group.shutdown()
                    self.trainer_group = None


def make_trainer(cfg: TrainConfig, rc: RayConfig) -> Trainer:
    """The local :class:`Trainer`, or a :class:`RayTrainer` when ``--ray-address`` was given."""
    if not rc.address:
        return Trainer(cfg)
    return RayTrainer(cfg, rc)
