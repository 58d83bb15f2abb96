"""Extracting the gold answer of a worked solution: the content of its last ``\\boxed{}``.

The scanner is :mod:`verifiers.boxed`, the same one the math and mcq verifiers read answers with, so a
gold built here is cut out of a solution exactly the way a response's answer is cut out of a rollout.
"""

from __future__ import annotations

from verifiers.boxed import last_boxed

__all__ = ["last_boxed"]
