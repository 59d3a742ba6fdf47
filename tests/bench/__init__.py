"""Benchmarks (`make bench`): figures printed and written to docs/benchmarks.md, never timed asserts."""
