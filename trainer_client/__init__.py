"""The trainer side: a client of the reward service, adapters for other trainers, and a bundled trainer.

It talks to the reward service over HTTP only. Public faces at the top: ``client`` (``RewardClient``),
``item_builder`` (a trainer's data-source/ground-truth shapes -> contract items), ``verl`` /
``verl_manager`` (verl reward function and reward manager), ``trl`` (TRL reward functions), and ``train_command`` (``prorl train``, which picks the one-process
loop or the Ray one). The wings:
``grpo/`` (the bundled ProRL trainer: GRPO + DAPO + KL with reference/optimizer resets, its algorithm in
``grpo/algo`` as pure functions on tensors), ``ray/`` (that trainer on a Ray cluster), ``eval/``
(``prorl eval``, pass@k) and ``data/`` (the record format, converters, the training mix).
"""
