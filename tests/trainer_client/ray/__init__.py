"""Tests of trainer_client/ray/ (the tests mirror the package layout)."""
