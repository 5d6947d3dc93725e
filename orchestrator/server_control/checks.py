"""What the orchestrator accepts from (and about) a server: its URL, the shape of /health and /stats, its life.

A server is another process, maybe another program on another host: its
answers are input like any other. Valid JSON of the wrong shape must end in a
failed check or one clear line, never in a traceback deep in verification;
and a server that died mid-run must stop the run (exit non-zero, every
finished run kept for --resume), not fail every remaining run with
"connection refused" and exit 0.
"""

from __future__ import annotations

import ipaddress
import re
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


# A host name as every client's URL parser takes it (RFC 1123 labels): Java's URI has no host for
# "a_b", and clients disagree on non-ASCII names, so neither is accepted.
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
MAX_HOST_NAME = 253
MAX_PORT = 65535
MAX_URL_SHOWN = 200  # characters of a refused URL the error line repeats


def _host(text: str) -> str:
    """The host part of a server URL as it goes back into one: [IPv6], IPv4 or a host name; ValueError if none."""
    if text.startswith("["):
        if not text.endswith("]"):
            raise ValueError("an IPv6 address ends with ]")
        try:
            address = ipaddress.IPv6Address(text[1:-1])
        except ValueError:
            raise ValueError(f"{text} is not an IPv6 address") from None
        if address.scope_id:
            raise ValueError("no IPv6 zone (%...): not every client takes one")
        return text.lower()  # as given: clients print and resolve it alike
    if ":" in text:
        raise ValueError("a ':' in the host: an IPv6 address needs brackets, e.g. http://[::1]:8123")
    if not text:
        raise ValueError("no host")
    if re.fullmatch(r"[0-9.]+", text):
        try:
            return str(ipaddress.IPv4Address(text))
        except ValueError:
            raise ValueError(f"{text} is not an IPv4 address") from None
    if not text.isascii():
        raise ValueError("a non-ASCII host name: give its xn-- (punycode) form")
    if len(text) > MAX_HOST_NAME or not all(_LABEL.fullmatch(label) for label in text.split(".")):
        raise ValueError(f"{text!r} is not a host name (letters, digits and inner hyphens, dot-separated)")
    return text.lower()


def _port(text: str) -> int:
    if not text:
        raise ValueError("no port: give it explicitly, polybench's server has no standard one")
    if text == "0":
        raise ValueError("port 0 is not a server's port")
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_PORT:
        raise ValueError(f"port {text!r} is not a number from 1 to {MAX_PORT}")
    return int(text)


def checked_url(url: str, scheme: str = "http", flag: str = "--server-url") -> str:
    """A server's address as SCHEME://HOST:PORT, canonical (host lower-case, port without leading zeros,
    no trailing slash); the port must be explicit. Errors: PolybenchError, one line naming flag and
    what is wrong: another scheme, a user, path, query or fragment, a missing or bad port, a bad host."""
    shown = url if not isinstance(url, str) or len(url) <= MAX_URL_SHOWN else url[:MAX_URL_SHOWN] + "..."
    shape = f"{flag} must look like {scheme}://HOST:PORT, got {shown!r}"
    if not isinstance(url, str) or not url.isprintable() or any(ch.isspace() for ch in url):
        raise PolybenchError(shape + " (no spaces or control characters)")
    try:  # the split is urllib's; its hostname and port are too lenient ("+80", "1.2.3"), so not those
        parts = urllib.parse.urlsplit(url)
    except ValueError as error:
        raise PolybenchError(f"{shape} ({error})") from None
    if parts.scheme != scheme or not url.lower().startswith(f"{scheme}://"):
        raise PolybenchError(shape + f" (it must start with {scheme}://)")
    if "?" in url or "#" in url or "@" in parts.netloc:  # even empty: "http://h:1/?" is no server's address
        raise PolybenchError(shape + " (no user, query or fragment)")
    if parts.path not in ("", "/"):
        raise PolybenchError(shape + " (no path)")
    host, colon, port = parts.netloc.rpartition(":")
    if not colon or parts.netloc.endswith("]"):  # no port at all (an [IPv6] address's colons are not one)
        host, port = parts.netloc, ""
    try:
        return f"{scheme}://{_host(host)}:{_port(port)}"
    except ValueError as error:
        raise PolybenchError(f"{shape} ({error})") from None


def checked_server_url(url: str) -> str:
    """--server-url: http://HOST:PORT (checked_url); one line if not."""
    return checked_url(url)


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
