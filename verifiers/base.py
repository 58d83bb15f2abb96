"""What every domain verifier module exposes, and the errors it may raise.

A domain module (``verifiers/<domain>.py`` or a subpackage) satisfies :class:`DomainModule`: it defines

- ``score(answer_text: str, reference: dict, options: ItemOptions) -> Verdict``: pure scoring of the
  answer text (already cut after the last ``</think>``). Raise :class:`InvalidReference` when the item
  cannot be judged and :class:`InfraError` when a dependency failed.

and may define these optional hooks, which the registry reads with typed accessors
(:mod:`verifiers.registry`):

- ``dedup_key(answer_text: str, reference: dict, options: ItemOptions) -> str`` (:data:`DedupKey`): two
  items of the same domain with equal reference, options and key get the same verdict, so the pool scores
  only one of them. The default key is the whole answer text.
- ``deadline_s(reference: dict, options: ItemOptions) -> float`` (:data:`Deadline`): the deadline when it
  depends on the item (code: number of tests x per-test time limit); it wins over ``DEFAULT_TIMEOUT_S``.
- ``DEFAULT_TIMEOUT_S``: its verification deadline when the item gives none.
- ``RUNS_IN = "thread"``: the module does its untrusted work elsewhere (the code verifier runs programs in
  Docker) and is I/O bound, so it runs on a thread instead of in the jailed process pool.
- ``EVALUATES_ANSWERS`` (:data:`AnswerEvaluation`): its scorers run code on the answer, so each such item
  is scored in a throwaway fork of its worker (:mod:`verifiers.jail.forked`) and cannot reach another
  item's verdict.
- ``warm()``: heavy imports, paid in the jailed workers' preload before the first deadline starts.
- ``fork_warm(reference) -> (key, answer) | None`` (:data:`ForkWarm`): for a domain that evaluates answers,
  the kind of scorer set-up this reference needs and an answer built from the reference alone (its gold).
  The worker scores that answer itself once per key before forking, so lazy set-up (imports, word lists,
  fonts: up to 0.2 s for some reasoning_gym tasks) is inherited by every fork instead of paid in each.

A plugin domain (``PRORL_EXTRA_DOMAINS``) is type-checked the same way: ``_: DomainModule = my_module``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

from verifiers.schemas import ItemOptions


@dataclass
class Verdict:
    """A real judgement: reward in [0, 1] plus domain-specific details (extracted answer, per-test results)."""

    reward: float
    details: dict[str, Any] = field(default_factory=dict)


class InvalidReference(ValueError):
    """The item cannot be judged (malformed reference, gold that does not parse). Status `invalid`."""


class InfraError(RuntimeError):
    """A dependency failed (sandbox engine down, image missing). Status `infra_error`, retryable."""


class DomainModule(Protocol):
    """The required interface of a domain module (a module satisfies a protocol structurally, PEP 544)."""

    def score(self, answer_text: str, reference: dict[str, Any], options: ItemOptions) -> Verdict:
        """Judge ``answer_text`` against ``reference``; raise InvalidReference or InfraError, never return junk."""
        ...


# The optional hooks' types (see the module docstring). ``dedup_key`` and ``deadline_s`` run in the parent
# process on untrusted text: keep them cheap and linear-time (no backtracking regexes), since only the
# jailed pool is protected by deadlines.
DedupKey: TypeAlias = Callable[[str, dict[str, Any], ItemOptions], str]
Deadline: TypeAlias = Callable[[dict[str, Any], ItemOptions], float]
AnswerEvaluation: TypeAlias = bool | Callable[[dict[str, Any]], bool]
ForkWarm: TypeAlias = Callable[[dict[str, Any]], "tuple[str, str] | None"]
