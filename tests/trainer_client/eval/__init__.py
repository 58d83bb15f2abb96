"""Tests of trainer_client/eval/ (the tests mirror the package layout)."""
