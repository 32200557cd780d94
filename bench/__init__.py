"""Benchmark harness: data generator, baseline views and the load-test runner (see bench/README.md)."""
