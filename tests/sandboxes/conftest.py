"""Real Docker engine and sandbox image for the sandbox tests (see tests/fixtures/docker.py)."""

from tests.fixtures.docker import sandbox, sandbox_image  # noqa: F401
