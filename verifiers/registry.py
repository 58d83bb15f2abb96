"""Maps the contract's domain names to verifier modules. Adding a domain is one module and one line.

Every read of a domain module goes through here, typed by :class:`verifiers.base.DomainModule` and the
hook types of :mod:`verifiers.base`, so the rest of the package never guesses at a module's attributes.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from verifiers.base import AnswerEvaluation, Deadline, DedupKey, DomainModule, ForkWarm
from verifiers.schemas import BUILTIN_DOMAINS

if TYPE_CHECKING:  # mypy checks every built-in domain module against the protocol
    from verifiers import code, ifeval, math, mcq, reasoning_gym

    _BUILTIN_MODULES: tuple[DomainModule, ...] = (math, code, mcq, reasoning_gym, ifeval)

DOMAINS: dict[str, str] = {name: f"verifiers.{name}" for name in BUILTIN_DOMAINS}

# Plugins: PRORL_EXTRA_DOMAINS="name=package.module,other=pkg.mod" adds domains without touching this
# file. It is read from the environment so the pool's spawned workers see the same registry.
for _entry in filter(None, os.environ.get("PRORL_EXTRA_DOMAINS", "").split(",")):
    _name, _, _module = _entry.partition("=")
    if _name.strip() and _module.strip():
        DOMAINS[_name.strip()] = _module.strip()

_DEFAULT_TIMEOUT_S = 10.0


_loaded: dict[str, DomainModule] = {}


def get_verifier(domain: str) -> DomainModule:
    """Import (once) and return the verifier module of ``domain``; KeyError if the domain is unknown."""
    module = _loaded.get(domain)
    if module is None:
        module = _loaded[domain] = cast(DomainModule, importlib.import_module(DOMAINS[domain]))
    return module


def thread_concurrency() -> int:
    """Items of thread domains (code) verified at once per process: ``PRORL_CODE_CONCURRENCY``, default 8.

    One reader, because the batch sizes its thread pool with it and the code verifier sizes its deadline
    by how many of those threads may queue for the sandbox ahead of an item.
    """
    return int(os.environ.get("PRORL_CODE_CONCURRENCY", "8"))


def runs_in_thread(domain: str) -> bool:
    """True for domains whose untrusted work happens outside this process (code runs in Docker)."""
    return getattr(get_verifier(domain), "RUNS_IN", "jail") == "thread"


def default_timeout_s(domain: str) -> float:
    """The verification deadline of ``domain`` when an item sets none."""
    return float(getattr(get_verifier(domain), "DEFAULT_TIMEOUT_S", _DEFAULT_TIMEOUT_S))


def dedup_key_hook(domain: str) -> DedupKey | None:
    """The domain's ``dedup_key``, or None (the whole answer text is the key)."""
    return cast("DedupKey | None", getattr(get_verifier(domain), "dedup_key", None))


def deadline_hook(domain: str) -> Deadline | None:
    """The domain's item-specific ``deadline_s``, or None (:func:`default_timeout_s` applies)."""
    return cast("Deadline | None", getattr(get_verifier(domain), "deadline_s", None))


def evaluates_answers_hook(domain: str) -> AnswerEvaluation:
    """The domain's ``EVALUATES_ANSWERS`` (a bool, or a function of the reference); False when it has none."""
    return cast(AnswerEvaluation, getattr(get_verifier(domain), "EVALUATES_ANSWERS", False))


def fork_warm_hook(domain: str) -> ForkWarm | None:
    """The domain's ``fork_warm`` (what a worker scores itself before forking for that kind of item), or None."""
    return cast("ForkWarm | None", getattr(get_verifier(domain), "fork_warm", None))


def warm_hook(domain: str) -> Callable[[], object] | None:
    """The domain's ``warm()`` (heavy imports for the jailed workers' preload), or None."""
    warm = getattr(get_verifier(domain), "warm", None)
    return warm if callable(warm) else None
