"""polybench client `python-httpx` (docs/contract.md)."""

import time

T_ENTRY_NS = time.time_ns()

import httpx  # noqa: E402  (imports follow the entry timestamp on purpose)

import _contract  # noqa: E402

CLIENT = "python-httpx"


def check_api(response: httpx.Response, tally: _contract.Tally) -> None:
    tally.bytes += len(response.content)
    _contract.expect_status(response.status_code, 200)
    _contract.expect_api(response.json())


def get_api(options: _contract.Options, tally: _contract.Tally) -> None:
    """One `GET /api` with `httpx.get`, which builds and closes a Client per call."""
    with tally.call("GET /api"):
        url = options.url + "/api"
        check_api(httpx.get(url, headers=options.headers, timeout=_contract.TIMEOUT_S), tally)


def new_client(options: _contract.Options) -> httpx.Client:
    return httpx.Client(headers=options.headers, timeout=_contract.TIMEOUT_S)


def single(options: _contract.Options, tally: _contract.Tally) -> None:
    tally.ready()
    get_api(options, tally)
    tally.done()


def sequential(options: _contract.Options, tally: _contract.Tally) -> None:
    tally.ready()
    for _ in range(options.requests):
        get_api(options, tally)
    tally.done()


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

    async def main() -> None:
        limits = httpx.Limits(max_connections=options.concurrency)
        client = httpx.AsyncClient(headers=options.headers, limits=limits, timeout=timeout)
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
        _contract.expect_stream(
            response.headers.get("Content-Length"),
            received,
            options.bytes,
            tally.sha256,
            response.headers.get(_contract.SHA256_HEADER),
        )
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
