"""Benchmarks, not tests: `make bench` (suite.py), `make bench-scale` (scale.py), `make bench-check` (check.py)."""
