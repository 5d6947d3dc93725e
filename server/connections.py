"""Which TCP connection a request arrived on, and at which local address.

The peer's (address, port) pair alone is not enough: on loopback Linux reuses
a client port as soon as it has cycled through half the ephemeral range
(measured: the first repeat after 14,195 sequential connections, with
`tcp_tw_reuse = 2`), so a long `sequential` run would undercount. The WSGI
servers we run put the connection's socket object in the environ; giving each
live socket a serial number tells two connections on the same port apart.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Hashable, Mapping

# gunicorn (any worker) and Werkzeug's development server, respectively.
_SOCKET_KEYS = ("gunicorn.socket", "werkzeug.socket")

ConnectionKey = Hashable


def _connection_socket(environ: Mapping[str, object]) -> object | None:
    return next((environ[k] for k in _SOCKET_KEYS if environ.get(k) is not None), None)


class ConnectionIds:
    """Turns a WSGI environ into a key that is equal only for the same connection."""

    def __init__(self) -> None:
        # Weak keys: an entry disappears with its socket, so memory follows the
        # number of open connections, not the number ever seen.
        self._serials: weakref.WeakKeyDictionary[object, int] = weakref.WeakKeyDictionary()
        self._next_serial = itertools.count(1)
        self._lock = threading.Lock()

    def key(self, environ: Mapping[str, object]) -> ConnectionKey:
        peer = (environ.get("REMOTE_ADDR"), environ.get("REMOTE_PORT"))
        sock = _connection_socket(environ)
        if sock is None:
            # Flask's test client has no socket; the peer pair is all there is.
            return peer
        try:
            with self._lock:
                serial = self._serials.get(sock)
                if serial is None:
                    serial = next(self._next_serial)
                    self._serials[sock] = serial
        except TypeError:  # a socket type without weak-reference support
            return peer
        return (*peer, serial)


def server_socket_address(environ: Mapping[str, object]) -> tuple[str, int]:
    """The (host, port) this request's connection was accepted on, URL-ready.

    The local end of the connection, not the Host header: a client chooses
    its Host header, and a server that calls the host it is told to would
    fetch any URL for anyone who can reach it.
    """
    sock = _connection_socket(environ)
    if sock is not None:
        host, port = sock.getsockname()[:2]  # type: ignore[attr-defined]
    else:  # Flask's test client: no socket
        host, port = str(environ.get("SERVER_NAME")), int(str(environ.get("SERVER_PORT")))
    return (f"[{host}]" if ":" in host else host), int(port)
