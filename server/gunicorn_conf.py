"""gunicorn settings for the shared server (`gunicorn -c server/gunicorn_conf.py`).

Plain assignments and no imports from this package, so gunicorn can exec the
file before the app is importable and the orchestrator can read the numbers
for provenance. The bind address comes from the command line (orchestrator/server_control/shared_server.py).

Why this worker model (docs/server.md has the measurements):
- ONE worker process: /stats counts live in that process's memory, so they
  are exact without any shared store; on a 2-core machine the other core is
  the client's.
- gevent: one process holds hundreds of slow /delay requests at once (256
  concurrent /delay/200 finish in about 0.3 s; the sync worker queues them).
- keep-alive 75 s: gunicorn's default (2 s) could close a client's idle
  connection under it on a loaded machine, and a `keepalive` run would then
  open a second connection; 75 s (nginx's default) is far longer than any
  pause inside a run.
"""

worker_class = "gevent"
workers = 1
# Each call in flight holds a slot; the config caps concurrency at 512
# (orchestrator/config/scenarios.py PARAMETER_RANGES) so a run never waits for one.
worker_connections = 1000
keepalive = 75

# Connections wait in the kernel's queue, not refused, while the worker boots.
backlog = 2048
# A stop should be quick: the orchestrator waits a few seconds, then SIGKILLs.
graceful_timeout = 2
# gevent notifies the arbiter every second even while requests sleep; only a
# worker stuck in CPU for this long (never expected) is restarted.
timeout = 30

# No access log: a line per request is measurable work on the server's core.
accesslog = None
errorlog = "-"
loglevel = "warning"
proc_name = "polybench-server"

# gunicorn >= 25 opens a control socket under $HOME by default; two servers
# (a test run beside `invoke serve`) would fight over that one path.
control_socket_disable = True
