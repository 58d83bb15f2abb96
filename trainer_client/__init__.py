"""prorl trainer side: the reward client, trainer adapters and the bundled ProRL GRPO trainer."""
