"""A server polybench did not start (`invoke run --server-url URL`).

Used when client and server run on different hosts (compose.yaml): the
runner reaches the server over the network and reads /stats from it the
same way it does from its own.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from server.limits import STATS_TOKEN_ENV, STATS_TOKEN_HEADER

from .errors import PolybenchError
from .server_checks import checked_health, checked_server_url, checked_stats


def fetch_json(url: str, timeout_s: float = 10.0, headers: dict[str, str] | None = None) -> Any:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=timeout_s) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise PolybenchError(f"cannot read {url}: {getattr(exc, 'reason', exc)}") from None


class RemoteServer:
    # On another host its clock may differ from ours by more than the clients'
    # timestamps can be compared at (verify.check_timestamps_against_server).
    shares_clock = False

    def __init__(self, url: str):
        self.url = checked_server_url(url)
        # The token the server was started with ($POLYBENCH_STATS_TOKEN on both
        # sides); without one its /stats is open to the clients too (describe()).
        self.stats_token = os.environ.get(STATS_TOKEN_ENV) or None
        self.first_health = self.health()

    def health(self) -> dict[str, Any]:
        return checked_health(fetch_json(f"{self.url}/health"), self.url)

    def stats(self, run_id: str) -> dict[str, Any]:
        headers = {STATS_TOKEN_HEADER: self.stats_token} if self.stats_token else None
        return checked_stats(fetch_json(f"{self.url}/stats?run={urllib.parse.quote(run_id)}", headers=headers),
                             self.url)

    def describe(self) -> dict[str, Any]:
        worker, workers = self.first_health.get("worker"), self.first_health.get("workers")
        return {"url": self.url, "remote": True, "worker_model": f"{worker}, {workers} worker (remote, from /health)",
                "stats_token": self.stats_token is not None}
