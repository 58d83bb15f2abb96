"""trainer_client/eval."""
