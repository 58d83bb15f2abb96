"""Tests of trainer_client/grpo/ (the tests mirror the package layout)."""
