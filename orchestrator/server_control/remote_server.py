"""A server polybench did not start (`invoke run --server-url URL`).

Used when client and server run on different hosts (compose.yaml): the
runner reaches the server over the network and reads /stats from it the
same way it does from its own. Its TLS port is optional: with
`--server-tls-url` and `--server-ca-file` (the CA the server printed at
start) the TLS cases run against it; without them they are left out, with
one line (measure/matrix.py).
"""

from __future__ import annotations

import json
import os
import ssl
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from server.limits import STATS_TOKEN_ENV, STATS_TOKEN_HEADER

from ..errors import PolybenchError
from .checks import checked_health, checked_server_url, checked_stats, checked_url


def fetch_json(url: str, timeout_s: float = 10.0, headers: dict[str, str] | None = None,
               context: ssl.SSLContext | None = None) -> Any:
    try:
        request = urllib.request.Request(url, headers=headers or {})
        with urllib.request.urlopen(request, timeout=timeout_s, context=context) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise PolybenchError(f"cannot read {url}: {getattr(exc, 'reason', exc)}") from None


class RemoteServer:
    # On another host its clock may differ from ours by more than the clients'
    # timestamps can be compared at (verify.check_timestamps_against_server).
    shares_clock = False

    def __init__(self, url: str, tls_url: str | None = None, ca_file: str | None = None):
        self.url = checked_server_url(url)
        if (tls_url is None) != (ca_file is None):
            raise PolybenchError("--server-tls-url and --server-ca-file go together (the TLS port and its CA)")
        self.tls_url = checked_tls_url(tls_url) if tls_url is not None else None
        self.ca_file = checked_ca_file(ca_file) if ca_file is not None else None
        # The token the server was started with ($POLYBENCH_STATS_TOKEN on both
        # sides); without one its /stats is open to the clients too (describe()).
        self.stats_token = os.environ.get(STATS_TOKEN_ENV) or None
        self.first_health = self.health()
        if self.tls_url is not None:
            self.tls_health()

    def health(self) -> dict[str, Any]:
        return checked_health(fetch_json(f"{self.url}/health"), self.url)

    def tls_health(self) -> dict[str, Any]:
        """/health over the TLS port, verified with the CA file as the clients will."""
        assert self.tls_url is not None, "tls_health() without a TLS port"
        try:
            context = ssl.create_default_context(cafile=self.ca_file)
        except (OSError, ssl.SSLError) as error:
            raise PolybenchError(f"--server-ca-file {self.ca_file}: not a PEM certificate ({error})") from None
        return checked_health(fetch_json(f"{self.tls_url}/health", context=context), self.tls_url)

    def stats(self, run_id: str) -> dict[str, Any]:
        headers = {STATS_TOKEN_HEADER: self.stats_token} if self.stats_token else None
        return checked_stats(fetch_json(f"{self.url}/stats?run={urllib.parse.quote(run_id)}", headers=headers),
                             self.url)

    pid = None  # not a process of ours: it cannot be pinned

    def exit_code(self) -> int | None:
        """Unknown for a server elsewhere: None (require_alive then asks its /health)."""
        return None

    def describe(self) -> dict[str, Any]:
        worker, workers = self.first_health.get("worker"), self.first_health.get("workers")
        return {"url": self.url, "remote": True, "worker_model": f"{worker}, {workers} worker (remote, from /health)",
                "stats_token": self.stats_token is not None, "tls_url": self.tls_url}


def checked_tls_url(url: str) -> str:
    """--server-tls-url: https://HOST:PORT, checked like --server-url (checks.checked_url); one line if not."""
    return checked_url(url, "https", "--server-tls-url")


def checked_ca_file(path: str) -> str:
    """An existing regular file (the CA certificate in PEM), as an absolute path for the clients."""
    resolved = Path(path).expanduser().resolve()
    if not resolved.is_file():
        raise PolybenchError(f"--server-ca-file {path}: no such file")
    return str(resolved)
