"""verifiers/__init__.py: the public names load on first use, so a contract-only client stays light."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import verifiers

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("verifiers.batch", "verifiers.jail", "verifiers.registry", "verifiers.scoring", "sandboxes")


def _modules_after(statement: str) -> list[str]:
    """The prorl modules a fresh interpreter holds after running ``statement``."""
    probe = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return [m for m in json.loads(out.stdout.splitlines()[-1]) if m.split(".")[0] in ("verifiers", "sandboxes")]


@pytest.mark.parametrize("statement", [
    "import verifiers.schemas",
    "from verifiers.schemas import BUILTIN_DOMAINS, Item, Result",
    "import verifiers",
    "from trainer_client.data.records import DOMAINS",
])
def test_contract_imports_load_no_pool_batch_or_sandbox(statement: str) -> None:
    loaded = _modules_after(statement)
    assert not [m for m in loaded if m.startswith(HEAVY)], loaded


def test_public_names_resolve_on_first_use() -> None:
    loaded = _modules_after("import verifiers\nverifiers.score_batch")
    assert "verifiers.batch" in loaded and "verifiers.jail.pool" in loaded


def test_public_names_are_the_real_objects() -> None:
    from verifiers.batch import score, score_batch
    from verifiers.schemas import Item, ItemOptions, Result

    assert (verifiers.score, verifiers.score_batch) == (score, score_batch)
    assert (verifiers.Item, verifiers.ItemOptions, verifiers.Result) == (Item, ItemOptions, Result)
    assert set(verifiers.__all__) <= set(dir(verifiers))
    with pytest.raises(AttributeError):
        verifiers.no_such_name  # noqa: B018
