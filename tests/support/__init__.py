"""Helpers the test suites share: servers to talk to, callers, sample data."""
