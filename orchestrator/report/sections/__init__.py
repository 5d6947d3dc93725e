"""One module per section of the report: each renders markdown (and its charts) from report/analysis.

A section computes nothing of its own; findings.py depends on analysis only.
"""
