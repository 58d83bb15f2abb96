"""Real third-party packages in their own directories (scripts/integration_envs.sh), driven in subprocesses.

verl and NeMo-Gym pull hydra-core, whose antlr4 4.9 pin breaks math-verify's parser (docs/PITFALLS), so they
never enter the test process: a driver script runs under ``.venv/bin/python`` with the package's directory
on PYTHONPATH (ahead of .venv's site-packages) and prints a JSON report for the test to assert on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ENVS = ROOT / ".venv-integrations"


def env_path(*names: str) -> str:
    """PYTHONPATH for a driver: the repo first (ours), then the named package directories, installing them
    (idempotent, a no-op when present) when one is missing."""
    if not all((ENVS / name / ".stamp").exists() for name in names):
        subprocess.run(["bash", str(ROOT / "scripts" / "integration_envs.sh")], check=True, cwd=ROOT)
    return os.pathsep.join([str(ROOT), *(str(ENVS / name) for name in names)])


def run_driver(script: str, args: list[str], *names: str, timeout_s: float = 900) -> dict[str, Any]:
    """Run ``tests/integrations/<script>`` with the named package directories; its last stdout line is JSON."""
    env = {**os.environ, "PYTHONPATH": env_path(*names)}
    proc = subprocess.run([sys.executable, str(Path(__file__).parent / script), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout_s)
    assert proc.returncode == 0, f"{script} failed:\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])
