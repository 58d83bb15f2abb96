"""trainer_client/grpo."""
