"""The report stage: results.json files in, a markdown report with SVG charts out.

It reads results files only (never starts a process), so results from any
machine can be reported anywhere. One module per section, one per chart
(charts/); document.py puts the sections in order, generate.py does the I/O.
"""

from .generate import generate_report

__all__ = ["generate_report"]
