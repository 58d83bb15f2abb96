"""prorl verifiers: pure, jailed scoring of rollouts for five domains.

The public surface is two functions: :func:`score` for one item and :func:`score_batch` for many.
Everything else is an implementation detail.

The names are loaded on first use (PEP 562), so a client that only needs the contract's models
(``import verifiers.schemas``: the trainer, the service's request bodies) does not load the batch, the
jailed pool and its isolation code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from verifiers.batch import score, score_batch
    from verifiers.schemas import Item, ItemOptions, Result

__all__ = ["Item", "ItemOptions", "Result", "score", "score_batch"]

_HOMES = {
    "score": "verifiers.batch",
    "score_batch": "verifiers.batch",
    "Item": "verifiers.schemas",
    "ItemOptions": "verifiers.schemas",
    "Result": "verifiers.schemas",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
