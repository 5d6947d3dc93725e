"""What the orchestrator accepts from (and about) a server: its URL, the shape of /health and /stats, its life.

A server is another process, maybe another program on another host: its
answers are input like any other. Valid JSON of the wrong shape must end in a
failed check or one clear line, never in a traceback deep in verification;
and a server that died mid-run must stop the run (exit non-zero, every
finished run kept for --resume), not fail every remaining run with
"connection refused" and exit 0.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any, Protocol, cast

from ..errors import PolybenchError


class Server(Protocol):
    """What a run needs of the shared server, started here (server.SharedServer) or running elsewhere
    (remote_server.RemoteServer)."""

    shares_clock: bool  # same machine: the clients' timestamps can be checked against its records

    @property
    def url(self) -> str: ...  # http://HOST:PORT, no trailing slash
    @property
    def tls_url(self) -> str | None: ...  # https://HOST:PORT of its TLS port, None without one
    @property
    def ca_file(self) -> str | None: ...  # the PEM file of the one CA the clients trust over TLS

    def health(self) -> dict[str, Any]: ...
    def tls_health(self) -> dict[str, Any]: ...
    def stats(self, run_id: str) -> dict[str, Any]: ...  # the server's counts for one run (docs/server.md)
    def describe(self) -> dict[str, Any]: ...  # the results' `server` record: url, remote, worker_model, ...
    def exit_code(self) -> int | None: ...  # its exit code once it has stopped, else None (remote: unknown, None)
    @property
    def pid(self) -> int | None: ...  # its process id where polybench started it (--pin), else None


class ServerDied(PolybenchError):
    """The shared server stopped answering during a run."""


def checked_server_url(url: str) -> str:
    """http://HOST:PORT (no path, query, user or fragment), without a trailing slash; one line if not."""
    shape = f"--server-url must look like http://HOST:PORT, got {url!r}"
    if not isinstance(url, str) or any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        raise PolybenchError(shape + " (no spaces or control characters)")
    try:
        parsed = urllib.parse.urlsplit(url)
        port = parsed.port
    except ValueError as error:  # a port that is not a number or out of range, a bad [IPv6]
        raise PolybenchError(f"{shape} ({error})") from None
    if parsed.scheme != "http" or not parsed.hostname or parsed.path not in ("", "/"):
        raise PolybenchError(shape)
    if parsed.query or parsed.fragment or parsed.username is not None or parsed.password is not None:
        raise PolybenchError(shape + " (no user, query or fragment)")
    if port == 0:
        raise PolybenchError(shape + " (port 0 is not a server's port)")
    return url.rstrip("/")


def checked_health(data: Any, url: str) -> dict[str, Any]:
    """A /health answer: a JSON object with "status": "ok"."""
    if not isinstance(data, dict):
        raise PolybenchError(f"{url}/health answered {type(data).__name__}, not a JSON object: "
                             "is this a polybench server?")
    if data.get("status") != "ok":
        raise PolybenchError(f"{url}/health did not answer status ok: {str(data)[:200]}")
    return data


def checked_stats(data: Any, url: str) -> dict[str, Any]:
    """A /stats answer: counts that are non-negative integers (docs/server.md has the shape)."""
    problem = _stats_problem(data)
    if problem:
        raise PolybenchError(f"{url}/stats: unexpected answer ({problem}): is this a polybench server?")
    return cast(dict[str, Any], data)  # _stats_problem found it an object of counts


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _stats_problem(data: Any) -> str | None:
    if not isinstance(data, dict):
        return f"a JSON {type(data).__name__}, not an object"
    for key in ("requests", "connections"):
        if not _count(data.get(key)):
            return f"{key!r} is not a count"
    for key in ("paths", "statuses"):
        counts = data.get(key, {})
        if not isinstance(counts, Mapping) or not all(isinstance(k, str) and _count(v) for k, v in counts.items()):
            return f"{key!r} is not a mapping of counts"
    for key in ("server_ns", "server_max_ns", "foreign_connections"):
        if key in data and not _count(data[key]):
            return f"{key!r} is not a count"
    return None


def require_alive(server: Server) -> None:
    """Raise ServerDied if the server has stopped (after a failed /stats): the run cannot go on."""
    exit_code = server.exit_code()
    if exit_code is not None:
        raise ServerDied(f"the server stopped during the run (exit code {exit_code})")
    try:
        server.health()
    except PolybenchError as error:
        raise ServerDied(f"the server stopped answering during the run ({error})") from None
