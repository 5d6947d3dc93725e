"""A server polybench did not start (`invoke run --server-url URL`).

Used when client and server run on different hosts (compose.yaml): the
runner reaches the server over the network and reads /stats from it the
same way it does from its own.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from .errors import PolybenchError
from .server_checks import checked_health, checked_server_url, checked_stats


def fetch_json(url: str, timeout_s: float = 10.0) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise PolybenchError(f"cannot read {url}: {getattr(exc, 'reason', exc)}") from None


class RemoteServer:
    def __init__(self, url: str):
        self.url = checked_server_url(url)
        self.first_health = self.health()

    def health(self) -> dict[str, Any]:
        return checked_health(fetch_json(f"{self.url}/health"), self.url)

    def stats(self, run_id: str) -> dict[str, Any]:
        return checked_stats(fetch_json(f"{self.url}/stats?run={urllib.parse.quote(run_id)}"), self.url)

    def describe(self) -> dict[str, Any]:
        worker, workers = self.first_health.get("worker"), self.first_health.get("workers")
        return {"url": self.url, "remote": True, "worker_model": f"{worker}, {workers} worker (remote, from /health)"}
