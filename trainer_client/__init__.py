"""The bundled ProRL trainer: GRPO + DAPO + KL with reference/optimizer resets.

It talks to the reward service over HTTP only (``trainer_client.client.RewardClient``). The algorithm
lives in :mod:`trainer_client.grpo.algo` as pure functions on tensors; the loop in :mod:`trainer_client.grpo.train`.
"""
