"""polybench client `python-urllib`: the standard library only (docs/contract.md)."""

import time

T_ENTRY_NS = time.time_ns()

import json  # noqa: E402  (imports follow the entry timestamp on purpose)
import urllib.request  # noqa: E402

import _contract  # noqa: E402

_contract.load_idna_codec()  # what the first connect would import (set-up: docs/contract.md)

CLIENT = "python-urllib"


def new_opener(options: _contract.Options) -> urllib.request.OpenerDirector:
    """What `urlopen` builds on its first call; over TLS, with an HTTPSHandler
    whose context trusts only --ca-file (urllib's documented way)."""
    context = _contract.ssl_context(options)
    if context is None:
        return urllib.request.build_opener()
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))


def get_api_calls(options: _contract.Options, tally: _contract.Tally) -> None:
    """N `GET /api`, one after another: an opener's `open` sends
    `Connection: close`, so every call opens a new connection.

    The opener (what `urlopen` builds on its first call: handlers, proxy
    settings) is built before t_ready, the contract's set-up rule.
    """
    opener = new_opener(options)
    request = urllib.request.Request(options.url + "/api", headers=options.headers)
    tally.ready()
    for _ in range(_contract.expected_calls(options)):
        with tally.call("GET /api"):
            with opener.open(request, timeout=_contract.TIMEOUT_S) as response:
                body = response.read()
            tally.bytes += len(body)
            _contract.expect_status(response.status, 200)
            _contract.expect_api(json.loads(body))
            tally.received(response.headers[_contract.NONCE_HEADER])
    tally.done()


def single(options: _contract.Options, tally: _contract.Tally) -> None:
    get_api_calls(options, tally)


def sequential(options: _contract.Options, tally: _contract.Tally) -> None:
    get_api_calls(options, tally)


def keepalive(options: _contract.Options, tally: _contract.Tally) -> None:
    # urllib.request cannot reuse a connection: every urlopen sends
    # "Connection: close" and closes the socket. Its own building block,
    # http.client, keeps one connection open across requests.
    import http.client
    import urllib.parse

    base = urllib.parse.urlsplit(options.url)
    if options.tls:
        context = _contract.ssl_context(options)
        connection = http.client.HTTPSConnection(base.netloc, timeout=_contract.TIMEOUT_S, context=context)
    else:
        connection = http.client.HTTPConnection(base.netloc, timeout=_contract.TIMEOUT_S)
    tally.ready()
    try:
        for _ in range(options.requests):
            with tally.call("GET /api"):
                try:
                    connection.request("GET", base.path + "/api", headers=options.headers)
                    response = connection.getresponse()
                    body = response.read()  # read whole before the next request
                except (OSError, http.client.HTTPException):
                    connection.close()  # resets http.client's state: the next call reconnects
                    raise
                tally.bytes += len(body)
                _contract.expect_status(response.status, 200)
                _contract.expect_api(json.loads(body))
                tally.received(response.headers[_contract.NONCE_HEADER])
    finally:
        connection.close()
    tally.done()


def concurrent(options: _contract.Options, tally: _contract.Tally) -> None:
    from concurrent.futures import ThreadPoolExecutor

    path = f"/delay/{options.delay_ms}"
    request = urllib.request.Request(options.url + path, headers=options.headers)
    timeout_s = options.delay_ms / 1000 + _contract.TIMEOUT_S

    def fetch() -> tuple[int, bytes, str | None]:
        with opener.open(request, timeout=timeout_s) as response:
            return response.status, response.read(), response.headers[_contract.NONCE_HEADER]

    opener = new_opener(options)
    executor = ThreadPoolExecutor(max_workers=options.concurrency)
    tally.ready()
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
    tally.done()


def stream(options: _contract.Options, tally: _contract.Tally) -> None:
    import hashlib

    path = f"/bytes/{options.bytes}"
    request = urllib.request.Request(options.url + path, headers=options.headers)
    opener = new_opener(options)
    tally.ready()
    with tally.call(f"GET {path}"):
        digest = hashlib.sha256()
        received = 0
        with opener.open(request, timeout=_contract.TIMEOUT_S) as response:
            while chunk := response.read(_contract.CHUNK_BYTES):
                digest.update(chunk)
                received += len(chunk)
        tally.bytes += received
        tally.sha256 = digest.hexdigest()
        _contract.expect_status(response.status, 200)
        _contract.expect_stream(response.headers["Content-Length"], received, options.bytes)
        tally.received(response.headers[_contract.NONCE_HEADER])
    tally.done()


def rest(options: _contract.Options, tally: _contract.Tally) -> None:
    import urllib.error

    plan = _contract.RestPlan(options.run_id)
    opener = new_opener(options)
    tally.ready()
    for step in plan.steps:
        with tally.call(step.label):
            headers = dict(options.headers)
            data = None
            if step.body is not None:
                headers["Content-Type"] = "application/json"
                data = json.dumps(step.body).encode()
            request = urllib.request.Request(
                options.url + plan.path(step), data=data, headers=headers, method=step.method
            )
            try:
                response = opener.open(request, timeout=_contract.TIMEOUT_S)
            except urllib.error.HTTPError as error:
                response = error  # a 4xx/5xx answer: status, headers and body are all here
            with response:
                body = response.read()
            tally.bytes += len(body)
            _contract.expect_status(response.status, step.status)
            payload = json.loads(body) if step.returns_json else body
            step.check(payload, response.headers["Location"])
            tally.received(response.headers[_contract.NONCE_HEADER])
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
