"""One prepared task in, one outcome out: the single place a domain module's ``score`` is called.

Both scoring paths use it: the jailed workers (:mod:`verifiers.jail.worker`) for the pure domains, and
the batch's threads (:mod:`verifiers.batch`) for domains whose untrusted work runs elsewhere (code runs in
Docker). It lives outside the jail so the batch needs no worker module, and so both paths turn every
failure into the same status.
"""

from __future__ import annotations

from typing import Any

from verifiers.base import InfraError, InvalidReference
from verifiers.jail.budget import VERIFICATION_TIMEOUT, over_budget
from verifiers.registry import get_verifier
from verifiers.schemas import ItemOptions


def score_task(domain: str, answer: str, reference: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """Score one prepared task; every failure becomes a status, never an exception.

    Status ``timeout`` here is internal: the task ran over its budget, and the caller decides with
    :func:`verifiers.jail.budget.resolve_over_budget` whose cost that was.
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
    # Over budget (the caller checks the reference, then makes it ok/0 or invalid: verifiers.jail.budget).
    except TimeoutError as exc:  # a verifier's own budget (math-verify timers, size guards) ran out
        return over_budget(VERIFICATION_TIMEOUT, str(exc) or "verification timed out")
    except MemoryError:
        return over_budget(VERIFICATION_TIMEOUT, "verification exceeded the worker's memory limit")
    except RecursionError:
        return over_budget(VERIFICATION_TIMEOUT, "verification exceeded the recursion limit")
    except Exception as exc:  # a verifier bug must not kill the batch; it is not the model's fault either
        return {"status": "infra_error", "error": f"{domain} verifier raised {type(exc).__name__}: {exc}"}
