"""Scale tooling: the large data set (``seed_scale``) and the benchmark suite (``python -m bench``).

See docs/benchmarks.md for how to run both and what the numbers mean.
"""
