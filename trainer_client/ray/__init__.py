"""The trainer on a Ray cluster: the same loop with rollout actors and trainer groups.

``config`` (the ``--ray-*`` flags, importable without Ray), ``placement`` (placement-group bundles checked
against the cluster), ``rollout`` (rollout workers behind the ``RolloutEngine`` interface), ``train``
(``RayTrainer`` and ``make_trainer``), ``trainer_group`` (data-parallel replicas) and ``fsdp_group``
(FSDP2 ranks). The collectives themselves live in :mod:`trainer_client.grpo` and know nothing of Ray.
"""
