"""One prepared task in, one outcome out: the single place a domain module's ``score`` is called.

Both scoring paths use it: the jailed workers (:mod:`verifiers.jail.worker`) for the pure domains, and
the batch's threads (:mod:`verifiers.batch`) for domains whose untrusted work runs elsewhere (code runs in
Docker). It lives outside the jail so the batch needs no worker module, and so both paths turn every
failure into the same status.

What running over the budget (:mod:`verifiers.jail.budget` measures it) means depends on whose cost it
is. The caller (the pool, or the batch for a thread domain) then verifies an empty answer against the
same reference under the same budget (every domain reads its reference before it looks at the answer,
and an empty answer costs nothing to judge):

- that check is judged (any reward): the reference is sound and the cost was the answer's, so the item
  is ``ok``, reward 0, ``details.reason: "verification_timeout"``. Masking it would let a policy escape
  reward 0 by writing answers too costly to check.
- that check is ``invalid`` or runs over too: the reference cannot be verified in budget: ``invalid``.
- anything else (no worker, pool shut down): ``infra_error``.

A worker that dies while verifying (a C extension's crash, an rlimit signal, a protocol violation by
a worker the answer took over) is charged the same way with ``details.reason: "verification_crashed"``.
"""

from __future__ import annotations

from typing import Any

from verifiers.base import InfraError, InvalidReference
from verifiers.registry import get_verifier
from verifiers.schemas import ItemOptions

VERIFICATION_TIMEOUT = "verification_timeout"
VERIFICATION_CRASHED = "verification_crashed"


def score_task(domain: str, answer: str, reference: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """Score one prepared task; every failure becomes a status, never an exception.

    Status ``timeout`` here is internal: the task ran over its budget, and the caller decides with
    :func:`resolve_over_budget` whose cost that was.
    """
    try:
        module = get_verifier(domain)
        verdict = module.score(answer, reference, ItemOptions.model_validate(options))
        reward = float(verdict.reward)
        if not 0.0 <= reward <= 1.0 or reward != reward:
            return {"status": "infra_error", "error": f"{domain} verifier returned reward {reward!r} outside [0, 1]"}
        return {"status": "ok", "reward": reward, "details": verdict.details}
    except InvalidReference as exc:
        return {"status": "invalid", "error": str(exc) or "invalid reference"}
    except InfraError as exc:
        return {"status": "infra_error", "error": str(exc) or "infrastructure error"}
    # Over budget (the caller checks the reference, then makes it ok/0 or invalid: resolve_over_budget).
    except TimeoutError as exc:  # a verifier's own budget (math-verify timers, size guards) ran out
        return over_budget(VERIFICATION_TIMEOUT, str(exc) or "verification timed out")
    except MemoryError:
        return over_budget(VERIFICATION_TIMEOUT, "verification exceeded the worker's memory limit")
    except RecursionError:
        return over_budget(VERIFICATION_TIMEOUT, "verification exceeded the recursion limit")
    except Exception as exc:  # a verifier bug must not kill the batch; it is not the model's fault either
        return {"status": "infra_error", "error": f"{domain} verifier raised {type(exc).__name__}: {exc}"}


def over_budget(reason: str, error: str) -> dict[str, Any]:
    """The worker-side outcome of a task past its budget, before the reference is checked (internal)."""
    return {"status": "timeout", "error": error, "details": {"reason": reason}}


def resolve_over_budget(outcome: dict[str, Any], reference_check: dict[str, Any], budget_s: float) -> dict[str, Any]:
    """The final result of a task that ran over (``outcome``), given how verifying an empty answer
    against its reference went (``reference_check``); see the module docstring."""
    reason = (outcome.get("details") or {}).get("reason", VERIFICATION_TIMEOUT)
    status = reference_check.get("status")
    if status == "ok":
        return {"status": "ok", "reward": 0.0, "details": {"reason": reason, "budget_cpu_s": budget_s,
                                                            "error": outcome.get("error")}}
    if status == "invalid":
        return {"status": "invalid", "error": reference_check.get("error") or "invalid reference"}
    if status == "timeout":
        return {"status": "invalid", "error": f"the reference cannot be verified within the {budget_s:g}s budget "
                f"(an empty answer against it ran over too: {reference_check.get('error')})"}
    return {"status": "infra_error", "error": reference_check.get("error") or "reference check failed"}
