"""Configuration: polybench.yaml loaded and validated into typed records, and the scenarios it names."""
