"""trainer_client/ray."""
