"""Settings of the Ray path of ``prorl train`` and their command-line flags.

Kept apart from :mod:`trainer_client.grpo.config` (the training recipe) on purpose: the same YAML recipe runs
locally or on a cluster, and only these flags say where. Importing this module never imports Ray, so
``prorl train`` without ``--ray-address`` does not pay Ray's import time.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

STRATEGIES = ("PACK", "SPREAD", "STRICT_PACK", "STRICT_SPREAD")
WEIGHT_SYNCS = ("auto", "object_store", "broadcast")


@dataclass
class RayConfig:
    address: str = ""  # "" = no Ray; "auto" = join the running cluster; "local" = start one here; or ray://host:port
    rollout_workers: int = 1  # rollout actors, one engine each
    gpus_per_worker: float = -1  # -1 = 1 when the cluster has GPUs, else 0 (CPU actors)
    cpus_per_worker: float = 1
    placement_strategy: str = "PACK"  # how the workers' bundles are placed (Ray placement-group strategies)
    weight_sync: str = "auto"  # object_store | broadcast (torch.distributed: NCCL on GPU, gloo on CPU) | auto
    num_cpus: int = 0  # local only: CPUs Ray may schedule on; 0 = all of this machine's
    object_store_mb: int = 0  # local only: object store size; 0 = Ray's default (30% of RAM)
    trainers: int = 1  # data-parallel trainer ranks including the driver; 1 = the driver alone
    trainer_gpus: float = -1  # GPUs per trainer actor; -1 = 1 when the driver trains on a GPU, else 0
    trainer_cpus: float = 1  # CPUs per trainer actor (also its torch thread count)
    # ddp: every rank holds the whole model and AdamW (data parallel); fsdp: torch FSDP2 shards weights,
    # gradients, AdamW and the reference over the ranks (models that do not fit one GPU)
    trainer_strategy: str = "ddp"

    def validate(self) -> None:
        """Reject settings that would otherwise fail deep inside Ray, after the model is loaded."""
        if self.rollout_workers < 1:
            raise ValueError("--ray-workers must be >= 1")
        if self.placement_strategy not in STRATEGIES:
            raise ValueError(f"--ray-placement must be one of {', '.join(STRATEGIES)}")
        if self.weight_sync not in WEIGHT_SYNCS:
            raise ValueError(f"--ray-weight-sync must be one of {', '.join(WEIGHT_SYNCS)}")
        if self.cpus_per_worker < 0 or self.num_cpus < 0 or self.object_store_mb < 0:
            raise ValueError("--ray-cpus-per-worker, --ray-num-cpus and --ray-object-store-mb must be >= 0")
        if self.gpus_per_worker < 0 and self.gpus_per_worker != -1:
            raise ValueError("--ray-gpus-per-worker must be >= 0 (or -1 for auto)")
        if self.trainers < 1:
            raise ValueError("--ray-trainers must be >= 1 (the driver counts as one)")
        if self.trainers > 1 and not self.address:
            raise ValueError("--ray-trainers > 1 needs --ray-address (the other trainer ranks are Ray actors)")
        if self.trainer_gpus < 0 and self.trainer_gpus != -1:
            raise ValueError("--ray-trainer-gpus must be >= 0 (or -1 for auto)")
        if self.trainer_cpus < 0:
            raise ValueError("--ray-trainer-cpus must be >= 0")
        if self.trainer_strategy not in ("ddp", "fsdp"):
            raise ValueError("--ray-trainer-strategy must be ddp or fsdp")
        if self.trainer_strategy == "fsdp" and self.trainers < 2:
            raise ValueError("--ray-trainer-strategy fsdp needs --ray-trainers >= 2 (it shards over the ranks)")


def add_ray_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``--ray-*`` flags of ``prorl train`` (all optional; without ``--ray-address`` Ray is not used)."""
    g = parser.add_argument_group("Ray (run the same config on a Ray cluster; see docs/ray.md)")
    d = RayConfig()
    g.add_argument("--ray-address", default=d.address,
                   help="'auto' joins the running cluster, 'local' starts Ray here, or ray://host:10001")
    g.add_argument("--ray-workers", type=int, default=d.rollout_workers, help="rollout actors (one engine each)")
    g.add_argument("--ray-gpus-per-worker", type=float, default=d.gpus_per_worker,
                   help="GPUs per rollout actor; -1 = 1 if the cluster has GPUs, else 0")
    g.add_argument("--ray-cpus-per-worker", type=float, default=d.cpus_per_worker)
    g.add_argument("--ray-placement", default=d.placement_strategy, choices=STRATEGIES,
                   help="placement-group strategy for the rollout actors' bundles")
    g.add_argument("--ray-weight-sync", default=d.weight_sync, choices=WEIGHT_SYNCS,
                   help="auto = broadcast (NCCL) for GPU actors, object store for CPU actors")
    g.add_argument("--ray-num-cpus", type=int, default=d.num_cpus, help="--ray-address local only; 0 = all")
    g.add_argument("--ray-object-store-mb", type=int, default=d.object_store_mb,
                   help="--ray-address local only; 0 = Ray's default")
    g.add_argument("--ray-trainers", type=int, default=d.trainers,
                   help="data-parallel trainer ranks including the driver (1 = the driver trains alone)")
    g.add_argument("--ray-trainer-gpus", type=float, default=d.trainer_gpus,
                   help="GPUs per trainer actor; -1 = 1 when the driver trains on a GPU, else 0")
    g.add_argument("--ray-trainer-cpus", type=float, default=d.trainer_cpus, help="CPUs per trainer actor")
    g.add_argument("--ray-trainer-strategy", default=d.trainer_strategy, choices=("ddp", "fsdp"),
                   help="ddp = whole model on every rank; fsdp = torch FSDP2 shards weights, gradients and AdamW")


def ray_config_from_args(args: argparse.Namespace) -> RayConfig:
    cfg = RayConfig(
        address=args.ray_address or "",
        rollout_workers=args.ray_workers,
        gpus_per_worker=args.ray_gpus_per_worker,
        cpus_per_worker=args.ray_cpus_per_worker,
        placement_strategy=args.ray_placement,
        weight_sync=args.ray_weight_sync,
        num_cpus=args.ray_num_cpus,
        object_store_mb=args.ray_object_store_mb,
        trainers=args.ray_trainers,
        trainer_gpus=args.ray_trainer_gpus,
        trainer_cpus=args.ray_trainer_cpus,
        trainer_strategy=args.ray_trainer_strategy,
    )
    cfg.validate()
    return cfg
