"""Benchmarks: `python -m bench` (what `make bench` runs). Figures are printed, never asserted."""
