"""The bundled GRPO trainer, one module per part of a step.

``train`` (the loop: :meth:`~trainer_client.grpo.train.Trainer.train_step`), ``rollout`` (sample, generate,
score, filter; ``overlap`` scores chunk i while chunk i+1 generates), ``batch`` (the step's tensors,
micro-batches, rank shares), ``update`` (log-prob passes and the PPO mini-batch steps, with its
``UpdateStrategy``), ``data_parallel`` / ``fsdp`` / ``process_groups`` (the multi-rank update strategies
and their torch.distributed groups, no Ray), ``logprobs``, ``config``, ``reset`` (stages and reference
resets), ``checkpoint``, ``metric_sinks``, ``prompt_sampler``, ``compilation``, ``tiny_task`` (a CPU task and
model for tests); ``algo/`` holds the pure tensor functions and ``engines/``
the rollout engines (transformers, vLLM).
"""
