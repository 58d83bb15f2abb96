"""reward_service/compat."""
