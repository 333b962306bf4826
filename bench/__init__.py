"""Benchmarks (not tests): each module runs as ``python -m bench.<name> [--quick]`` and writes bench/results/."""
