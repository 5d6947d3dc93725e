"""The measurement endpoints: /api, /delay, /bytes, plus /stats and /health.

/api is byte-for-byte the article's endpoint; /delay and /bytes exist so the
`concurrent` and `stream` scenarios measure the client, not the server.
"""

from __future__ import annotations

import hmac
import re
import sys
import time

from flask import Blueprint, Response, abort, current_app, jsonify, request

from . import limits
from .middleware import STREAM_ENVIRON_KEY
from .payload import iter_body, new_seed
from .run_stats import RunStats, StreamRecord, is_valid_run_id

RUN_STATS_EXTENSION = "polybench.run_stats"
STATS_TOKEN_ENV = limits.STATS_TOKEN_ENV

probes = Blueprint("probes", __name__)

# At most 20 digits: int() of a huge digit string is slow (and Python refuses
# past 4,300 digits with a ValueError, which would surface as a 500).
_DECIMAL = re.compile(r"-?[0-9]{1,20}")


def parse_bounded_int(text: str, low: int, high: int) -> int | None:
    """The integer in `text` if it is a plain decimal within [low, high], else None."""
    if _DECIMAL.fullmatch(text) is None:
        return None
    value = int(text)
    return value if low <= value <= high else None


@probes.get("/api")
def api() -> Response:
    return jsonify({"message": "GET request received", "data": [1, 2, 3]})


@probes.get("/delay/<ms>")
def delay(ms: str) -> Response:
    delay_ms = parse_bounded_int(ms, 0, limits.MAX_DELAY_MS)
    if delay_ms is None:
        abort(400, description=f"delay must be an integer from 0 to {limits.MAX_DELAY_MS} ms, got {ms!r}")
    # Under gunicorn's gevent worker time.sleep is monkey-patched: the greenlet
    # yields and the worker keeps serving other connections meanwhile. Its
    # timers may fire a little early (libev measures from the loop's cached
    # time), and verification relies on the delay being a lower bound, so the
    # answer waits for a monotonic deadline.
    deadline_ns = time.monotonic_ns() + delay_ms * 1_000_000
    while (remaining_ns := deadline_ns - time.monotonic_ns()) > 0:
        time.sleep(remaining_ns / 1e9)
    return jsonify({"delay_ms": delay_ms})


@probes.get("/bytes/<n>")
def body_bytes(n: str) -> Response:
    size = parse_bounded_int(n, 0, limits.MAX_BYTES)
    if size is None:
        abort(400, description=f"size must be an integer from 0 to {limits.MAX_BYTES} bytes, got {n!r}")
    # Unpredictable content, and no digest header: the client can only know
    # the digest by reading it all; the middleware records what was sent.
    seed = new_seed()
    if is_valid_run_id(request.headers.get("X-Polybench-Run")):
        request.environ[STREAM_ENVIRON_KEY] = StreamRecord(request.path, seed, size)
    return Response(iter_body(seed, size), mimetype="application/octet-stream",
                    headers={"Content-Length": str(size)})


STATS_TOKEN_EXTENSION = "polybench.stats_token"
STATS_TOKEN_HEADER = limits.STATS_TOKEN_HEADER


@probes.get("/stats")
def stats() -> Response:
    # /stats holds each run's receipt and stream digests: a client that could
    # read them would not need to read its responses (docs/server.md). Where
    # the server was given a token, only who holds it may ask.
    token = current_app.extensions.get(STATS_TOKEN_EXTENSION)
    offered = request.headers.get(STATS_TOKEN_HEADER, "")
    if token is not None and not hmac.compare_digest(offered.encode("latin-1", "replace"), token.encode()):
        abort(403, description=f"/stats needs the {STATS_TOKEN_HEADER} header the server was started with")
    run_id = request.args.get("run")
    if run_id is None:
        abort(400, description="missing query parameter: run")
    if not is_valid_run_id(run_id):
        abort(400, description="run must match [A-Za-z0-9._-]{1,64}")
    run_stats: RunStats = current_app.extensions[RUN_STATS_EXTENSION]
    return jsonify(run_stats.snapshot(run_id))


def _worker_model() -> str:
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched("socket"):
        return "gevent"
    # Only reached under `dev=True` (Werkzeug's development server, threaded).
    return "threaded"


@probes.get("/health")
def health() -> Response:
    # One process by design (docs/server.md): /stats counts are exact only then.
    return jsonify({"status": "ok", "worker": _worker_model(), "workers": 1})
