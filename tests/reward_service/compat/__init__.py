"""Tests of reward_service/compat/ (the tests mirror the package layout)."""
