"""Every cap the server enforces, in one place.

Each bound exists so that one misbehaving client (or a typo in a profile)
gets a clear 4xx instead of exhausting the one worker process everyone shares.
"""

# GET /delay/<ms>: long enough for any concurrency scenario, short enough
# that a stuck client cannot pin a connection slot for minutes.
MAX_DELAY_MS = 10_000

# GET /bytes/<n>: 1 GiB is far beyond any profile; the body is streamed, so
# this bounds time on the wire, not memory.
MAX_BYTES = 1 << 30

# Request bodies (only /users reads one): Flask's MAX_CONTENT_LENGTH.
MAX_BODY_BYTES = 64 * 1024

# /users store: a client creating users in a loop must not grow memory forever.
MAX_USERS = 10_000
MAX_USER_FIELD_CHARS = 200

# /stats bookkeeping. Runs are kept in memory, least recently active evicted
# first; a benchmark session uses a few hundred runs at most.
MAX_RUNS = 4_096
# Distinct paths kept per run; more are pooled under OVERFLOW_PATH. A scenario
# touches one or two paths, `rest` touches two.
MAX_PATHS_PER_RUN = 256
OVERFLOW_PATH = "<other>"
# Distinct connections remembered per run. A `sequential` run opens one per
# call; 100k calls is minutes of work, far beyond any profile.
MAX_CONNECTIONS_PER_RUN = 100_000

# Per-request handling times kept per run for the median (8 bytes each).
MAX_TIMINGS_PER_RUN = 100_000
# /bytes responses remembered per run (seed, size, bytes sent: to recompute
# the digest of what was sent). `stream` makes one.
MAX_STREAMS_PER_RUN = 16

# GET /fanout/<mode>/<calls>/<ms>: each call comes back into this same worker
# as a GET /delay/<ms>, so one request costs 1 + calls requests of the one
# worker's capacity; 16 is far beyond the article's two.
MAX_FANOUT_CALLS = 16
# Lower than MAX_DELAY_MS: the sync view waits calls × ms in series
# (16 × 5 s = 80 s at most).
MAX_FANOUT_DELAY_MS = 5_000

# Who may read /stats (server/probes.py): the token the server takes from this
# environment variable, offered in this request header (docs/server.md).
STATS_TOKEN_ENV = "POLYBENCH_STATS_TOKEN"
STATS_TOKEN_HEADER = "X-Polybench-Stats-Token"
