"""gunicorn's gevent worker, with TLS on one of its listeners only.

gunicorn's own `certfile` setting turns TLS on for every listener; the shared
server needs a plain port and a TLS port in the same process (one process
holds the /stats records). So this worker wraps a connection in TLS when it
was accepted on the TLS port (server/tls.py says which), and hands it to the
ordinary gevent handling: the same request parsing, keep-alive and app.
Without the TLS environment variables it is exactly the gevent worker.
"""

from __future__ import annotations

import os
import socket
import ssl
from typing import Any

from gunicorn.workers.ggevent import GeventWorker

from server.tls import HANDSHAKE_TIMEOUT_S, tls_settings


class TLSGeventWorker(GeventWorker):
    """`--worker-class server.tls_worker.TLSGeventWorker`."""

    tls_port: int | None = None
    tls_context: ssl.SSLContext | None = None

    def run(self) -> None:
        # Built here, after init_process's monkey-patching, so the context is
        # gevent's and its handshakes yield to other greenlets.
        settings = tls_settings(os.environ)
        if settings is not None:
            self.tls_port, self.tls_context = settings
        super().run()

    def handle(self, listener: socket.socket, client: socket.socket, addr: Any) -> None:
        if self.tls_context is not None and listener.getsockname()[1] == self.tls_port:
            try:
                client.settimeout(HANDSHAKE_TIMEOUT_S)
                # The handshake happens here; the gevent worker then sets the
                # socket back to blocking for the requests.
                client = self.tls_context.wrap_socket(client, server_side=True)
            except OSError as error:  # ssl.SSLError, a timeout, a reset: the client's failure
                self.log.debug("TLS handshake with %s failed: %s", addr, error)
                client.close()
                return
        super().handle(listener, client, addr)
