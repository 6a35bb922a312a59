"""Benchmark scripts (`python -m bench.<name> --help`); they print figures and are not tests."""
