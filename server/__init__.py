"""polybench's shared HTTP server: the one endpoint set every client talks to.

Importing this package imports nothing heavy: the orchestrator reads
`server.gunicorn_conf` and `server.payload` without pulling in Flask.
"""
