"""Results: the results model, runs.jsonl and results.json, and what reads them back (export, compare)."""
