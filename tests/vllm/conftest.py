"""Fixtures for the tests that run vLLM for real (its CPU build, in its own environment).

They run under ``.venv-vllm`` (``bash scripts/vllm_env.sh``): ``.venv-vllm/bin/python -m pytest tests/vllm``.
In any other environment (the service's ``.venv``) they are skipped, unless ``PRORL_REQUIRE_VLLM=1`` (what
``scripts/test.sh`` sets for its vLLM run): then a missing vLLM is an error, so CI cannot go green by skipping.

The reward service runs from the service's own environment (``.venv``, or ``PRORL_SERVICE_PYTHON``), as it
would in production: vLLM's pins (fastapi, transformers) never meet the service's.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# before vLLM is imported anywhere: a small CPU KV cache (the default asks for GiBs of the shared host), the
# engine core in this process (weight sync reaches the model directly), no usage report
os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
os.environ.setdefault("VLLM_NO_USAGE_STATS", "1")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

if importlib.util.find_spec("vllm") is None:
    if os.environ.get("PRORL_REQUIRE_VLLM") == "1":
        raise RuntimeError(f"PRORL_REQUIRE_VLLM=1 but {sys.executable} has no vllm: run scripts/vllm_env.sh")
    collect_ignore_glob = ["test_*.py"]

REPO_ROOT = Path(__file__).resolve().parents[2]


def service_python() -> str:
    """The interpreter that runs ``prorl serve``: the service's environment when there is one."""
    explicit = os.environ.get("PRORL_SERVICE_PYTHON")
    if explicit:
        return explicit
    venv = REPO_ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


@pytest.fixture(scope="session")
def vllm_service_url(service_log_dir: Path) -> Iterator[str]:
    """A real ``prorl serve`` (embedded executor) on loopback, started from the service's environment."""
    from tests.fixtures.service import ServiceStack, _spawn, free_port

    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for key in ("VIRTUAL_ENV", "PYTHONHOME"):
        env.pop(key, None)
    stack = ServiceStack(url=f"http://127.0.0.1:{port}", env=env, log_dir=service_log_dir)
    try:
        stack.api = _spawn([service_python(), "-m", "prorl.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                           env, service_log_dir, f"serve-{port}")
        stack.wait_ready()
        yield stack.url
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def vllm_task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny chain_sum task with a model vLLM's CPU attention takes (hidden 128, 2 heads: head size 64),
    warm-started by SFT; ``model/``, ``train.jsonl``, ``val.jsonl``."""
    import torch

    from trainer_client.grpo.tiny_task import prepare

    torch.set_num_threads(2)
    return prepare(tmp_path_factory.mktemp("vllm-task"), sft_steps=150, n_train=400, n_val=32, seed=0,
                   hidden=128, heads=2)
