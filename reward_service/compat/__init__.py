"""Other frameworks' protocols on our service: OpenRLHF's remote reward, NeMo-Gym's ``/verify`` and
SandboxFusion's ``/run_code``.

Each module only translates its framework's body to and from the contract (the bodies themselves are
in ``reward_service.schemas``) and hands work to the executor as ``/v1/score`` does, through
``reward_service.handoff``; none imports the app that mounts it.
"""
