"""Maps the contract's domain names to verifier modules. Adding a domain is one module and one line."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

DOMAINS: dict[str, str] = {
    "math": "verifiers.math",
    "mcq": "verifiers.mcq",
    "reasoning_gym": "verifiers.reasoning_gym",
    "ifeval": "verifiers.ifeval",
    "code": "verifiers.code",
}

# Plugins: PRORL_EXTRA_DOMAINS="name=package.module,other=pkg.mod" adds domains without touching this
# file. It is read from the environment so the pool's spawned workers see the same registry.
for _entry in filter(None, os.environ.get("PRORL_EXTRA_DOMAINS", "").split(",")):
    _name, _, _module = _entry.partition("=")
    if _name.strip() and _module.strip():
        DOMAINS[_name.strip()] = _module.strip()

_DEFAULT_TIMEOUT_S = 10.0


_loaded: dict[str, ModuleType] = {}


def get_verifier(domain: str) -> ModuleType:
    """Import (once) and return the verifier module of ``domain``; KeyError if the domain is unknown."""
    module = _loaded.get(domain)
    if module is None:
        module = _loaded[domain] = importlib.import_module(DOMAINS[domain])
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
