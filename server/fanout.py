"""Server-side fan-out: the asyncio article's two views, against our own /delay.

    GET /fanout/sync/<calls>/<ms>    plain `def`: `calls` GETs one after another (httpx.Client)
    GET /fanout/async/<calls>/<ms>   `async def`: the same GETs at once (httpx.AsyncClient
                                     + asyncio.gather); see async_views.py for how it runs
    GET /trivial/sync, /trivial/async  "ok": the article's cost of async for a view that awaits nothing

The article called a remote /delay service; we call this server's own
/delay/<ms>, so the run needs no network and the inner calls are counted: they
carry the incoming X-Polybench-Run header, and /stats for the run shows
1 + calls requests. They also carry the app's internal marker, so their
responses stay out of the client's proof of receipt (docs/contract.md).
Both views build one client per request (the article's
async view does; its sync view called `httpx.get` per call, which would also
give the sync side a new client and connection per call), so the two differ
only in series versus gather.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from typing import Any, NoReturn

import httpx
from flask import Blueprint, Response, abort, current_app, jsonify, request

from . import limits
from .connections import server_socket_address
from .middleware import INTERNAL_HEADER, INTERNAL_SECRET_EXTENSION
from .probes import parse_bounded_int

RUN_HEADER = "X-Polybench-Run"
# Beyond the longest allowed delay: a slow inner call is the point, not a failure.
INNER_TIMEOUT_S = limits.MAX_FANOUT_DELAY_MS / 1000 + 5

fanout = Blueprint("fanout", __name__)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # httpx loads its CA bundle for every new client: about 20 ms of CPU,
    # measured, on the one worker that also serves the inner calls. Our calls
    # are plain http; one context, built once, spares both views that cost.
    return httpx.create_ssl_context()


def _fanout_args(calls: str, ms: str) -> tuple[int, int]:
    n = parse_bounded_int(calls, 1, limits.MAX_FANOUT_CALLS)
    if n is None:
        abort(400, description=f"calls must be an integer from 1 to {limits.MAX_FANOUT_CALLS}, got {calls!r}")
    delay_ms = parse_bounded_int(ms, 0, limits.MAX_FANOUT_DELAY_MS)
    if delay_ms is None:
        abort(400, description=f"delay must be an integer from 0 to {limits.MAX_FANOUT_DELAY_MS} ms, got {ms!r}")
    return n, delay_ms


def _inner_url(delay_ms: int) -> str:
    """Our own /delay, at the address this request's connection was accepted on."""
    host, port = server_socket_address(request.environ)
    return f"http://{host}:{port}/delay/{delay_ms}"


def _client_options() -> dict[str, Any]:
    run_id = request.headers.get(RUN_HEADER)
    # Counted for the run, but kept out of the client's proof of receipt.
    internal = {INTERNAL_HEADER: current_app.extensions[INTERNAL_SECRET_EXTENSION]}
    return {
        "headers": {RUN_HEADER: run_id, **internal} if run_id else {},
        "timeout": INNER_TIMEOUT_S,
        "verify": _tls_context(),
        # An HTTP(S)_PROXY in the server's environment must not intercept
        # calls to ourselves (orchestrator/server_control/shared_server.py ignores it likewise).
        "trust_env": False,
    }


def _inner_call_failed(error: httpx.HTTPError) -> NoReturn:
    abort(502, description=f"inner call failed: {type(error).__name__}: {error}")


def _result(mode: str, delay_ms: int, statuses: list[int]) -> Response:
    return jsonify({"mode": mode, "calls": len(statuses), "delay_ms": delay_ms, "statuses": statuses})


@fanout.get("/fanout/sync/<calls>/<ms>")
def fanout_sync(calls: str, ms: str) -> Response:
    n, delay_ms = _fanout_args(calls, ms)
    url = _inner_url(delay_ms)
    try:
        with httpx.Client(**_client_options()) as client:
            statuses = [client.get(url).status_code for _ in range(n)]
    except httpx.HTTPError as error:
        _inner_call_failed(error)
    return _result("sync", delay_ms, statuses)


@fanout.get("/fanout/async/<calls>/<ms>")
async def fanout_async(calls: str, ms: str) -> Response:
    n, delay_ms = _fanout_args(calls, ms)
    url = _inner_url(delay_ms)
    try:
        async with httpx.AsyncClient(**_client_options()) as client:
            responses = await asyncio.gather(*(client.get(url) for _ in range(n)))
    except httpx.HTTPError as error:
        _inner_call_failed(error)
    return _result("async", delay_ms, [response.status_code for response in responses])


@fanout.get("/trivial/sync")
def trivial_sync() -> str:
    return "ok"


@fanout.get("/trivial/async")
async def trivial_async() -> str:
    return "ok"
