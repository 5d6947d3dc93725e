"""Measure: the matrix of runs, its rounds, one run, the process timer (launcher/) and verification."""
