"""A test-only plugin domain for ``prorl audit``: honest, or with a known reward hack, chosen by the reference.

Registered by the audit tests through ``PRORL_EXTRA_DOMAINS=auditplug=tests.prorl.audit_plugin_domain``.
``reference = {"answer": "42", "hole": ...}`` where ``hole`` is:

- ``"none"``: exact match of the stripped answer (honest);
- ``"nan"``: ``min(1, exp(-|x - y|))`` on floats, the complex_arithmetic bug (``nan`` scores 1.0);
- ``"yes"``: the answer ``yes`` always pays (a constant hack);
- ``"infra"``: honest, but an answer containing ``inf`` raises InfraError (a masked status: an escape hatch).
"""

from __future__ import annotations

import math
from typing import Any

from verifiers.base import InfraError, InvalidReference, Verdict


def score(answer_text: str, reference: dict[str, Any], options: object) -> Verdict:
    gold = reference.get("answer")
    if not isinstance(gold, str):
        raise InvalidReference("reference.answer must be a string")
    answer = answer_text.strip()
    hole = reference.get("hole", "none")
    if hole == "nan":
        try:
            return Verdict(reward=min(1.0, math.exp(-abs(float(answer) - float(gold)))))
        except (ValueError, OverflowError):
            return Verdict(reward=0.0)
    if hole == "yes" and answer == "yes":
        return Verdict(reward=1.0)
    if hole == "infra" and "inf" in answer:
        raise InfraError("plugin dependency down")
    return Verdict(reward=1.0 if answer == gold else 0.0)
