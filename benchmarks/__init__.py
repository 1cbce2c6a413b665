"""gradtrace against micrograd 0.1.0, measured in one process: ``python -m benchmarks``."""
