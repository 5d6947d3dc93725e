"""polybench client `python-httpclient`: the standard library's `http.client` only (docs/contract.md).

The lighter way out of `urllib.request` (issue 11): `http.client` is the module
urllib.request is built on, without its handlers, openers and proxy logic.
It still imports `email.parser` (for header parsing) and `ssl` (if present):
what this client saves is the rest of urllib.request's imports.
"""

import time

T_ENTRY_NS = time.time_ns()

import http.client  # noqa: E402  (imports follow the entry timestamp on purpose)
import json  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402  (http.client imports urllib.parse anyway)

import _contract  # noqa: E402

_contract.load_idna_codec()  # what the first connect would import (set-up: docs/contract.md)

CLIENT = "python-httpclient"


def new_connection(options: _contract.Options, timeout_s: float = _contract.TIMEOUT_S) -> http.client.HTTPConnection:
    """One connection object: it connects on its first request and, after a
    response that closes the connection, reconnects on the next one (http.client's
    `auto_open`). Over TLS its context trusts only --ca-file."""
    netloc = urlsplit(options.url).netloc
    if options.tls:
        return http.client.HTTPSConnection(netloc, timeout=timeout_s, context=_contract.ssl_context(options))
    return http.client.HTTPConnection(netloc, timeout=timeout_s)


def exchange(
    connection: http.client.HTTPConnection, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    """Send one request and read the whole (small) response body."""
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response, response.read()
    except (OSError, http.client.HTTPException):
        connection.close()  # resets http.client's state: the next call reconnects
        raise


def get_api_calls(options: _contract.Options, tally: _contract.Tally, headers: dict[str, str]) -> None:
    connection = new_connection(options)
    base_path = urlsplit(options.url).path
    tally.ready()
    try:
        for _ in range(_contract.expected_calls(options)):
            with tally.call("GET /api"):
                response, body = exchange(connection, "GET", base_path + "/api", headers)
                tally.bytes += len(body)
                _contract.expect_status(response.status, 200)
                _contract.expect_api(json.loads(body))
                tally.received(response.headers[_contract.NONCE_HEADER])
    finally:
        connection.close()
    tally.done()


def single(options: _contract.Options, tally: _contract.Tally) -> None:
    get_api_calls(options, tally, {**options.headers, "Connection": "close"})


def sequential(options: _contract.Options, tally: _contract.Tally) -> None:
    """N calls, each on a new connection: `Connection: close` makes the server
    end each one, and the same HTTPConnection object opens the next."""
    get_api_calls(options, tally, {**options.headers, "Connection": "close"})


def keepalive(options: _contract.Options, tally: _contract.Tally) -> None:
    get_api_calls(options, tally, options.headers)


def concurrent(options: _contract.Options, tally: _contract.Tally) -> None:
    """C threads, each taking one of C persistent connections from a queue."""
    import queue
    from concurrent.futures import ThreadPoolExecutor

    path = f"/delay/{options.delay_ms}"
    full_path = urlsplit(options.url).path + path
    timeout_s = options.delay_ms / 1000 + _contract.TIMEOUT_S
    idle: queue.SimpleQueue[http.client.HTTPConnection] = queue.SimpleQueue()

    def fetch() -> tuple[int, bytes, str | None]:
        connection = idle.get()
        try:
            response, body = exchange(connection, "GET", full_path, options.headers)
            return response.status, body, response.headers[_contract.NONCE_HEADER]
        finally:
            idle.put(connection)

    connections = [new_connection(options, timeout_s) for _ in range(options.concurrency)]
    for connection in connections:
        idle.put(connection)
    executor = ThreadPoolExecutor(max_workers=options.concurrency)
    tally.ready()
    try:
        with executor:
            futures = [executor.submit(fetch) for _ in range(options.requests)]
            # Results are checked here, in the main thread, so the tally needs no lock.
            for future in futures:
                with tally.call(f"GET {path}"):
                    status, body, nonce = future.result()
                    tally.bytes += len(body)
                    _contract.expect_status(status, 200)
                    _contract.expect_delay(json.loads(body), options.delay_ms)
                    tally.received(nonce)
    finally:
        for connection in connections:
            connection.close()
    tally.done()


def stream(options: _contract.Options, tally: _contract.Tally) -> None:
    import hashlib

    path = f"/bytes/{options.bytes}"
    connection = new_connection(options)
    tally.ready()
    try:
        with tally.call(f"GET {path}"):
            digest = hashlib.sha256()
            received = 0
            connection.request("GET", urlsplit(options.url).path + path, headers=options.headers)
            response = connection.getresponse()
            while chunk := response.read(_contract.CHUNK_BYTES):
                digest.update(chunk)
                received += len(chunk)
            tally.bytes += received
            tally.sha256 = digest.hexdigest()
            _contract.expect_status(response.status, 200)
            _contract.expect_stream(response.headers["Content-Length"], received, options.bytes)
            tally.received(response.headers[_contract.NONCE_HEADER])
    finally:
        connection.close()
    tally.done()


def rest(options: _contract.Options, tally: _contract.Tally) -> None:
    plan = _contract.RestPlan(options.run_id)
    base_path = urlsplit(options.url).path
    connection = new_connection(options)
    tally.ready()
    try:
        for step in plan.steps:
            with tally.call(step.label):
                headers = dict(options.headers)
                data = None
                if step.body is not None:
                    headers["Content-Type"] = "application/json"
                    data = json.dumps(step.body).encode()
                response, body = exchange(connection, step.method, base_path + plan.path(step), headers, data)
                tally.bytes += len(body)
                _contract.expect_status(response.status, step.status)
                payload = json.loads(body) if step.returns_json else body
                step.check(payload, response.headers["Location"])
                tally.received(response.headers[_contract.NONCE_HEADER])
    finally:
        connection.close()
    tally.done()


SCENARIOS = {
    "single": single,
    "sequential": sequential,
    "keepalive": keepalive,
    "concurrent": concurrent,
    "stream": stream,
    "rest": rest,
}

if __name__ == "__main__":
    _contract.main(CLIENT, SCENARIOS, T_ENTRY_NS)
