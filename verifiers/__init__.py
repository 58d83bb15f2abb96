"""prorl verifiers: pure, jailed scoring of rollouts for five domains.

The public surface is two functions: :func:`score` for one item and :func:`score_batch` for many.
Everything else is an implementation detail.
"""

from verifiers.batch import score, score_batch
from verifiers.schemas import Item, ItemOptions, Result

__all__ = ["Item", "ItemOptions", "Result", "score", "score_batch"]
