"""polybench client `python-httpx` (docs/contract.md)."""

import time

T_ENTRY_NS = time.time_ns()

import httpx  # noqa: E402  (imports follow the entry timestamp on purpose)

import _contract  # noqa: E402

_contract.load_idna_codec()  # what the first connect would import (set-up: docs/contract.md)

CLIENT = "python-httpx"


def check_api(response: httpx.Response, tally: _contract.Tally) -> None:
    tally.bytes += len(response.content)
    _contract.expect_status(response.status_code, 200)
    _contract.expect_api(response.json())
    tally.received(response.headers.get(_contract.NONCE_HEADER))


def trust(options: _contract.Options) -> dict:
    """Over TLS, `verify=` an SSL context that trusts only --ca-file (httpx's
    documented way); for http:// nothing, so the Client is httpx's default."""
    return {"verify": _contract.ssl_context(options)} if options.tls else {}


def new_client(options: _contract.Options, **kwargs) -> httpx.Client:
    return httpx.Client(headers=options.headers, timeout=_contract.TIMEOUT_S, **trust(options), **kwargs)


def get_api_calls(options: _contract.Options, tally: _contract.Tally) -> None:
    """N `GET /api`, one after another, each on a new connection.

    The Client is built before t_ready (the contract's set-up rule: building
    one loads the CA bundle into an SSL context, tens of ms, even for http://,
    encode/httpx#2298). A pool that keeps no idle connection closes each one
    after its response, so every call opens its own, as `httpx.get` does.
    """
    client = new_client(options, limits=httpx.Limits(max_keepalive_connections=0))
    tally.ready()
    with client:
        for _ in range(_contract.expected_calls(options)):
            with tally.call("GET /api"):
                check_api(client.get(options.url + "/api"), tally)
    tally.done()


def single(options: _contract.Options, tally: _contract.Tally) -> None:
    get_api_calls(options, tally)


def sequential(options: _contract.Options, tally: _contract.Tally) -> None:
    get_api_calls(options, tally)


def keepalive(options: _contract.Options, tally: _contract.Tally) -> None:
    client = new_client(options)
    tally.ready()
    with client:
        for _ in range(options.requests):
            with tally.call("GET /api"):
                check_api(client.get(options.url + "/api"), tally)
    tally.done()


def concurrent(options: _contract.Options, tally: _contract.Tally) -> None:
    import asyncio

    path = f"/delay/{options.delay_ms}"
    # All N calls are started at once and queue for the C pooled connections;
    # pool=None lets them wait there as long as it takes, so the timeout only
    # bounds each call's own time on the wire.
    timeout = httpx.Timeout(options.delay_ms / 1000 + _contract.TIMEOUT_S, pool=None)

    async def fetch(client: httpx.AsyncClient) -> None:
        with tally.call(f"GET {path}"):
            response = await client.get(options.url + path)
            tally.bytes += len(response.content)
            _contract.expect_status(response.status_code, 200)
            _contract.expect_delay(response.json(), options.delay_ms)
            tally.received(response.headers.get(_contract.NONCE_HEADER))

    async def main() -> None:
        limits = httpx.Limits(max_connections=options.concurrency)
        client = httpx.AsyncClient(headers=options.headers, limits=limits, timeout=timeout, **trust(options))
        # httpcore runs async calls on anyio, which it imports, with anyio's
        # asyncio backend, inside the first request: set-up (docs/contract.md).
        import anyio

        await anyio.sleep(0)  # loads the backend; no I/O
        tally.ready()
        async with client:
            await asyncio.gather(*(fetch(client) for _ in range(options.requests)))
        tally.done()

    asyncio.run(main())


def stream(options: _contract.Options, tally: _contract.Tally) -> None:
    import hashlib

    path = f"/bytes/{options.bytes}"
    client = new_client(options)
    tally.ready()
    with client, tally.call(f"GET {path}"):
        digest = hashlib.sha256()
        received = 0
        with client.stream("GET", options.url + path) as response:
            for chunk in response.iter_bytes(_contract.CHUNK_BYTES):
                digest.update(chunk)
                received += len(chunk)
        tally.bytes += received
        tally.sha256 = digest.hexdigest()
        _contract.expect_status(response.status_code, 200)
        _contract.expect_stream(response.headers.get("Content-Length"), received, options.bytes)
        tally.received(response.headers.get(_contract.NONCE_HEADER))
    tally.done()


def rest(options: _contract.Options, tally: _contract.Tally) -> None:
    plan = _contract.RestPlan(options.run_id)
    client = new_client(options)
    tally.ready()
    with client:
        for step in plan.steps:
            with tally.call(step.label):
                url = options.url + plan.path(step)
                response = client.request(step.method, url, json=step.body)
                tally.bytes += len(response.content)
                _contract.expect_status(response.status_code, step.status)
                payload = response.json() if step.returns_json else response.content
                step.check(payload, response.headers.get("Location"))
                tally.received(response.headers.get(_contract.NONCE_HEADER))
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
