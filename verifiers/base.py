"""What every domain verifier module exposes, and the errors it may raise.

A domain module (``verifiers/<domain>.py`` or a subpackage) defines:

- ``score(answer_text: str, reference: dict, options: ItemOptions) -> Verdict``: pure scoring of the
  answer text (already cut after the last ``</think>``). Raise :class:`InvalidReference` when the item
  cannot be judged and :class:`InfraError` when a dependency failed.
- optionally ``dedup_key(answer_text: str, reference: dict, options: ItemOptions) -> str``: two items of
  the same domain with equal reference, options and key get the same verdict, so the pool scores only
  one of them. The default key is the whole answer text.
- optionally ``RUNS_IN = "thread"``: the module does its untrusted work elsewhere (the code verifier runs
  programs in Docker) and is I/O bound, so it runs on a thread instead of in the jailed process pool.
- optionally ``DEFAULT_TIMEOUT_S``: its verification deadline when the item gives none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Verdict:
    """A real judgement: reward in [0, 1] plus domain-specific details (extracted answer, per-test results)."""

    reward: float
    details: dict[str, Any] = field(default_factory=dict)


class InvalidReference(ValueError):
    """The item cannot be judged (malformed reference, gold that does not parse). Status `invalid`."""


class InfraError(RuntimeError):
    """A dependency failed (sandbox engine down, image missing). Status `infra_error`, retryable."""


# A module may also define ``deadline_s(reference: dict, options: ItemOptions) -> float`` when its
# deadline depends on the item (code: number of tests x per-test time limit); it wins over
# ``DEFAULT_TIMEOUT_S``. ``dedup_key`` runs in the parent process on untrusted text: keep it cheap and
# linear-time (no backtracking regexes), since only the jailed pool is protected by deadlines.
