"""prorl sandboxes: run untrusted programs in hardened, pooled Docker containers.

Knows nothing about what it judges: a program and test inputs go in, each test's outputs come out.
"""

from sandboxes.container_pool import ContainerPool, SandboxUnavailable
from sandboxes.docker_sandbox import DockerSandbox, RunReport, TestRun
from sandboxes.limits import SandboxLimits
from sandboxes.settings import SandboxSettings

__all__ = [
    "ContainerPool",
    "DockerSandbox",
    "RunReport",
    "SandboxLimits",
    "SandboxSettings",
    "SandboxUnavailable",
    "TestRun",
]
