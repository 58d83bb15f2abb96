"""Tests of verifiers/jail/ (the tests mirror the package layout)."""
