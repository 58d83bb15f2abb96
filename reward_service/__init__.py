"""The HTTP reward service (``prorl serve``, ``prorl worker``): the verifiers behind the contract's API.

Imports point one way: ``app`` mounts ``compat`` routers, every route goes through ``handoff`` and
``admission`` to an ``executors`` backend, and nothing here imports ``app``, ``prorl`` or
``trainer_client`` (docs/service.md, "Where the code is").
"""
