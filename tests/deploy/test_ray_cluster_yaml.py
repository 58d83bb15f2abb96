"""deploy/ray/cluster.yaml is a valid Ray cluster-launcher config (Ray's own schema and normaliser) and
keeps the cluster's control surfaces off the network."""

from __future__ import annotations

from pathlib import Path

import yaml
from ray.autoscaler._private.util import prepare_config, validate_config

CLUSTER_YAML = Path(__file__).resolve().parents[2] / "deploy" / "ray" / "cluster.yaml"


def test_cluster_yaml_passes_rays_schema() -> None:
    cfg = yaml.safe_load(CLUSTER_YAML.read_text())
    prepared = prepare_config(cfg)  # defaults merged, as `ray up` does before validating
    validate_config(prepared)  # raises jsonschema.ValidationError on an unknown or mistyped key
    assert prepared["provider"]["type"] == "local"
    assert len(prepared["provider"]["worker_ips"]) == prepared["max_workers"]


def test_head_keeps_dashboard_on_loopback_and_sends_no_usage_stats() -> None:
    cfg = yaml.safe_load(CLUSTER_YAML.read_text())
    start = " ".join(cfg["head_start_ray_commands"])
    assert "--dashboard-host=127.0.0.1" in start
    for cmd in cfg["head_start_ray_commands"] + cfg["worker_start_ray_commands"]:
        if " start " in f" {cmd} ":
            assert "RAY_USAGE_STATS_ENABLED=0" in cmd, cmd
    # every node installs the same project (trainer_client must import in the rollout actors)
    assert any("prorl[trainer" in c for c in cfg["setup_commands"])
