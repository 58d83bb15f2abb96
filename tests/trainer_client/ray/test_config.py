"""The Ray flags of ``prorl train`` and the prompt sharding, without starting Ray."""

from __future__ import annotations

import argparse

import pytest

from trainer_client.ray.config import RayConfig, add_ray_arguments, ray_config_from_args
from trainer_client.ray.rollout import chunk_bounds
from trainer_client.train_command import train_main


def _parse(*argv: str) -> RayConfig:
    parser = argparse.ArgumentParser()
    add_ray_arguments(parser)
    return ray_config_from_args(parser.parse_args(list(argv)))


def test_flags_map_to_the_config() -> None:
    rc = _parse("--ray-address", "auto", "--ray-workers", "4", "--ray-gpus-per-worker", "1",
                "--ray-placement", "STRICT_PACK", "--ray-weight-sync", "broadcast")
    assert (rc.address, rc.rollout_workers, rc.gpus_per_worker, rc.placement_strategy, rc.weight_sync) == (
        "auto", 4, 1.0, "STRICT_PACK", "broadcast")
    assert _parse().address == ""  # no flag: the local trainer, Ray never imported
    rc = _parse("--ray-address", "auto", "--ray-trainers", "4", "--ray-trainer-gpus", "1", "--ray-trainer-cpus", "8")
    assert (rc.trainers, rc.trainer_gpus, rc.trainer_cpus) == (4, 1.0, 8.0)
    assert (_parse().trainers, _parse().trainer_gpus) == (1, -1)  # the driver trains alone; GPUs like the driver
    assert _parse().trainer_strategy == "ddp"
    assert _parse("--ray-address", "auto", "--ray-trainers", "2", "--ray-trainer-strategy", "fsdp").trainer_strategy == "fsdp"


@pytest.mark.parametrize("bad", [RayConfig(rollout_workers=0), RayConfig(placement_strategy="pack"),
                                 RayConfig(weight_sync="nccl"), RayConfig(gpus_per_worker=-2),
                                 RayConfig(num_cpus=-1), RayConfig(address="auto", trainers=0),
                                 RayConfig(trainers=2), RayConfig(address="auto", trainer_gpus=-0.5),
                                 RayConfig(address="auto", trainer_cpus=-1),
                                 RayConfig(address="auto", trainers=2, trainer_strategy="zero3"),
                                 RayConfig(address="auto", trainers=1, trainer_strategy="fsdp")])
def test_invalid_settings_are_rejected(bad: RayConfig) -> None:
    with pytest.raises(ValueError):
        bad.validate()


def test_bad_ray_flag_exits_2_before_loading_anything(capsys: pytest.CaptureFixture[str]) -> None:
    assert train_main(["--ray-address", "local", "--ray-workers", "0", "model.path=/nonexistent"]) == 2
    assert "--ray-workers" in capsys.readouterr().err
    assert train_main(["--ray-trainers", "2", "model.path=/nonexistent"]) == 2  # replicas are Ray actors
    assert "--ray-trainers > 1 needs --ray-address" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # argparse refuses an unknown strategy itself
        train_main(["--ray-placement", "EVERYWHERE"])


@pytest.mark.parametrize(("n", "chunk", "workers", "expected"), [
    (10, 4, 2, [(0, 4), (4, 8), (8, 10)]),
    (2, 8, 4, [(0, 2)]),  # fewer prompts than a chunk: one call, idle actors get nothing
    (0, 4, 2, []),
    (10, 0, 3, [(0, 4), (4, 8), (8, 10)]),  # vLLM: one chunk per worker
])
def test_chunks_cover_the_prompts_in_order(n: int, chunk: int, workers: int,
                                           expected: list[tuple[int, int]]) -> None:
    assert chunk_bounds(n, chunk, workers) == expected
