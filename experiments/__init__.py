"""Documented experiments (GPU smoke runs, the mini-ProRL): scripts, not tests."""
