"""The server's TLS listener: which port it is, and the context that serves it.

The orchestrator (orchestrator/server_control/tls.py) makes a certificate authority
per server start, writes the server's certificate chain and key into a private
temporary folder and starts gunicorn with one plain and one TLS listening
socket. It tells the worker which listener is the TLS one, and where the
certificate is, through the environment variables below; the worker class
(server/tls_worker.py) wraps only connections accepted on that port.

One process serves both ports, so a run's records in /stats are the same
whichever port its requests came in on: the run id header decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported at run time only after gevent's monkey-patching (below)
    import ssl

TLS_PORT_ENV = "POLYBENCH_TLS_PORT"
TLS_CERT_ENV = "POLYBENCH_TLS_CERT"  # PEM: the server's private key, its certificate and the chain

# A client that connects to the TLS port and never completes its handshake
# holds a connection slot only this long.
HANDSHAKE_TIMEOUT_S = 10.0


def tls_settings(environ: Mapping[str, str]) -> tuple[int, ssl.SSLContext] | None:
    """(port, ssl.SSLContext) of the TLS listener, or None when the server has no TLS port.

    Raises ValueError for a bad port and OSError/ssl.SSLError for a
    certificate file that cannot be loaded: a server asked to serve TLS that
    cannot must not start. HTTP/1.1 only (no ALPN), like the plain port.
    """
    port_text, cert_path = environ.get(TLS_PORT_ENV), environ.get(TLS_CERT_ENV)
    if not port_text or not cert_path:
        return None
    import ssl  # after gevent's monkey-patching in the worker: gevent's SSLContext

    port = int(port_text)
    if not 0 < port < 65536:
        raise ValueError(f"{TLS_PORT_ENV}={port_text!r} is not a port")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile=cert_path)
    return port, context
