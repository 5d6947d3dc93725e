"""polybench client `python-aiohttp`: every scenario on asyncio (docs/contract.md)."""

import time

T_ENTRY_NS = time.time_ns()

import asyncio  # noqa: E402  (imports follow the entry timestamp on purpose)

import aiohttp  # noqa: E402

import _contract  # noqa: E402

CLIENT = "python-aiohttp"
TIMEOUT = aiohttp.ClientTimeout(total=_contract.TIMEOUT_S)


async def check_api(response: aiohttp.ClientResponse, tally: _contract.Tally) -> None:
    tally.bytes += len(await response.read())
    _contract.expect_status(response.status, 200)
    _contract.expect_api(await response.json())
    tally.received(response.headers.get(_contract.NONCE_HEADER))


def new_connector(options: _contract.Options, **kwargs) -> aiohttp.TCPConnector:
    """The session's connector; over TLS its `ssl=` context trusts only
    --ca-file (aiohttp's documented way), for http:// aiohttp's default (True)."""
    return aiohttp.TCPConnector(ssl=_contract.ssl_context(options) or True, **kwargs)


def new_session(options: _contract.Options, **kwargs) -> aiohttp.ClientSession:
    if "connector" not in kwargs:
        kwargs["connector"] = new_connector(options)
    return aiohttp.ClientSession(headers=options.headers, **kwargs)


async def get_api_calls(options: _contract.Options, tally: _contract.Tally) -> None:
    """N `GET /api`, one after another, each on a new connection.

    The session is built before t_ready (the contract's set-up rule); its
    connector closes every connection after its response (`force_close`, what
    the one-shot `aiohttp.request` uses), so each call opens its own.
    """
    session = new_session(options, connector=new_connector(options, force_close=True), timeout=TIMEOUT)
    tally.ready()
    async with session:
        for _ in range(_contract.expected_calls(options)):
            with tally.call("GET /api"):
                async with session.get(options.url + "/api") as response:
                    await check_api(response, tally)
    tally.done()


async def single(options: _contract.Options, tally: _contract.Tally) -> None:
    await get_api_calls(options, tally)


async def sequential(options: _contract.Options, tally: _contract.Tally) -> None:
    await get_api_calls(options, tally)


async def keepalive(options: _contract.Options, tally: _contract.Tally) -> None:
    session = new_session(options, timeout=TIMEOUT)
    tally.ready()
    async with session:
        for _ in range(options.requests):
            with tally.call("GET /api"):
                async with session.get(options.url + "/api") as response:
                    await check_api(response, tally)
    tally.done()


async def concurrent(options: _contract.Options, tally: _contract.Tally) -> None:
    path = f"/delay/{options.delay_ms}"
    # All N calls start at once and queue for the connector's C connections.
    # `total` would count that wait too, so only the socket phases are bounded.
    timeout = aiohttp.ClientTimeout(
        total=None,
        sock_connect=_contract.TIMEOUT_S,
        sock_read=options.delay_ms / 1000 + _contract.TIMEOUT_S,
    )

    async def fetch(session: aiohttp.ClientSession) -> None:
        with tally.call(f"GET {path}"):
            async with session.get(options.url + path) as response:
                tally.bytes += len(await response.read())
                _contract.expect_status(response.status, 200)
                _contract.expect_delay(await response.json(), options.delay_ms)
                tally.received(response.headers.get(_contract.NONCE_HEADER))

    # The connector's default limit is 100 connections; the contract wants C.
    connector = new_connector(options, limit=options.concurrency)
    session = new_session(options, connector=connector, timeout=timeout)
    tally.ready()
    async with session:
        await asyncio.gather(*(fetch(session) for _ in range(options.requests)))
    tally.done()


async def stream(options: _contract.Options, tally: _contract.Tally) -> None:
    import hashlib

    path = f"/bytes/{options.bytes}"
    session = new_session(options, timeout=TIMEOUT)
    tally.ready()
    async with session:
        with tally.call(f"GET {path}"):
            digest = hashlib.sha256()
            received = 0
            async with session.get(options.url + path) as response:
                async for chunk in response.content.iter_chunked(_contract.CHUNK_BYTES):
                    digest.update(chunk)
                    received += len(chunk)
            tally.bytes += received
            tally.sha256 = digest.hexdigest()
            _contract.expect_status(response.status, 200)
            _contract.expect_stream(response.headers.get("Content-Length"), received, options.bytes)
            tally.received(response.headers.get(_contract.NONCE_HEADER))
    tally.done()


async def rest(options: _contract.Options, tally: _contract.Tally) -> None:
    plan = _contract.RestPlan(options.run_id)
    session = new_session(options, timeout=TIMEOUT)
    tally.ready()
    async with session:
        for step in plan.steps:
            with tally.call(step.label):
                url = options.url + plan.path(step)
                async with session.request(step.method, url, json=step.body) as response:
                    body = await response.read()
                    tally.bytes += len(body)
                    _contract.expect_status(response.status, step.status)
                    payload = await response.json() if step.returns_json else body
                    step.check(payload, response.headers.get("Location"))
                    tally.received(response.headers.get(_contract.NONCE_HEADER))
    tally.done()


def on_event_loop(scenario):
    """The plain `function(options, tally)` that _contract.main calls."""

    def run(options: _contract.Options, tally: _contract.Tally) -> None:
        asyncio.run(scenario(options, tally))

    return run


SCENARIOS = {
    "single": on_event_loop(single),
    "sequential": on_event_loop(sequential),
    "keepalive": on_event_loop(keepalive),
    "concurrent": on_event_loop(concurrent),
    "stream": on_event_loop(stream),
    "rest": on_event_loop(rest),
}

if __name__ == "__main__":
    _contract.main(CLIENT, SCENARIOS, T_ENTRY_NS)
