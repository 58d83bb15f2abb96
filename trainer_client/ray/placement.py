"""Reserving Ray resources for a set of actors (rollout workers, trainer replicas): one placement group
bundle per actor, checked against the cluster first so a request that can never fit fails at once with
numbers instead of waiting out its timeout."""

from __future__ import annotations

import ray
from ray.util.placement_group import PlacementGroup, placement_group, remove_placement_group
from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy


def check_fits(bundle: dict[str, float], actors: int, what: str, hint: str,
               reserved: dict[str, float] | None = None) -> None:
    """Raise when ``actors`` x ``bundle`` exceeds the cluster minus ``reserved`` (resources other actors of
    this run hold). The cluster's total, not Ray's ``available_resources``: that view lags behind actors
    killed a moment ago; clusters that add nodes on demand start with ``ray up`` at their full size
    (deploy/ray/cluster.yaml), so the current total is the total."""
    total = ray.cluster_resources()
    reserved = reserved or {}
    for res, amount in bundle.items():
        left = total.get(res, 0.0) - reserved.get(res, 0.0)
        if amount * actors > left + 1e-9:
            held = f", {reserved[res]:g} of them already reserved" if reserved.get(res) else ""
            flag = "gpus" if res == "GPU" else "cpus"
            raise RuntimeError(f"{actors} {what} x {amount:g} {res} do not fit this Ray cluster "
                               f"({total.get(res, 0.0):g} {res} in all{held}); {hint.format(res=flag)}")


def reserve(bundle: dict[str, float], actors: int, strategy: str, timeout_s: float, what: str) -> PlacementGroup:
    """A ready placement group of ``actors`` copies of ``bundle``; removed again if Ray cannot place it."""
    pg = placement_group([dict(bundle) for _ in range(actors)], strategy=strategy)
    ready, _ = ray.wait([pg.ready()], timeout=timeout_s)
    if not ready:
        remove_placement_group(pg)
        raise RuntimeError(f"Ray could not reserve {actors} x {bundle} ({strategy}) for {what} in {timeout_s:.0f} s; "
                           f"available: {ray.available_resources()}")
    return pg


def in_bundle(pg: PlacementGroup, index: int) -> PlacementGroupSchedulingStrategy:
    """The scheduling strategy that pins an actor to bundle ``index`` of ``pg``."""
    return PlacementGroupSchedulingStrategy(pg, placement_group_bundle_index=index)
