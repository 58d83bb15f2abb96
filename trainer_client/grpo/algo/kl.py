"""Per-token estimators of KL(pi_theta || pi_ref) from log-probs of the sampled tokens (Schulman's k1/k2/k3).

ProRL keeps the KL penalty (beta 1e-4 by default) and resets the reference instead of dropping it.
k3 ("low_var_kl" in verl) is unbiased and always >= 0, but exp() of a large log-ratio explodes, so the
log-ratio is clamped to +-20 and the estimate to [-10, 10], as verl does.
"""

from __future__ import annotations

import torch

KL_ESTIMATORS = ("k1", "k2", "k3")


def kl_penalty(logp: torch.Tensor, ref_logp: torch.Tensor, kind: str = "k3") -> torch.Tensor:
    """Per-token KL estimate, same shape as ``logp``.

    - k1: ``logp - ref_logp`` (unbiased, high variance, can be negative)
    - k2: ``0.5 * (logp - ref_logp)^2`` (biased, low variance; its gradient is the true KL's)
    - k3: ``exp(ref - logp) - (ref - logp) - 1`` (unbiased, >= 0, clamped to [-10, 10])
    """
    log_ratio = logp - ref_logp
    if kind == "k1":
        return log_ratio
    if kind == "k2":
        return 0.5 * log_ratio.square()
    if kind == "k3":
        neg = torch.clamp(-log_ratio, min=-20.0, max=20.0)
        return torch.clamp(torch.exp(neg) - neg - 1.0, min=-10.0, max=10.0)
    raise ValueError(f"unknown KL estimator {kind!r}; expected one of {KL_ESTIMATORS}")
