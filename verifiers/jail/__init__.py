"""verifiers/jail."""
