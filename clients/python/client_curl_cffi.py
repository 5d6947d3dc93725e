"""polybench client `python-curl-cffi`: curl_cffi's requests-like Session on libcurl (docs/contract.md).

No browser impersonation: curl_cffi's plain Session, like a user who picked it
for libcurl's speed. `concurrent` uses its AsyncSession (a libcurl multi handle
on asyncio), the library's own concurrency model.
"""

import time

T_ENTRY_NS = time.time_ns()

from curl_cffi import requests  # noqa: E402  (imports follow the entry timestamp on purpose)

import _contract  # noqa: E402

CLIENT = "python-curl-cffi"


def session_options(options: _contract.Options) -> dict:
    """What every Session gets: the run header, a timeout, and over TLS `verify`:
    curl_cffi hands the path to libcurl (CAINFO), which reads it when it
    connects, not before t_ready: that is what a curl_cffi user pays."""
    kwargs = {
        "headers": options.headers,
        "timeout": _contract.TIMEOUT_S,
        # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE only apply when verify is
        # True; without trust_env no proxy variable applies either.
        "trust_env": False,
    }
    if options.tls:
        kwargs["verify"] = options.ca_file
    return kwargs


def check_api(response: requests.Response, tally: _contract.Tally) -> None:
    tally.bytes += len(response.content)
    _contract.expect_status(response.status_code, 200)
    _contract.expect_api(response.json())
    tally.received(response.headers.get(_contract.NONCE_HEADER))


def get_api_calls(options: _contract.Options, tally: _contract.Tally, session: requests.Session) -> None:
    tally.ready()
    with session:
        for _ in range(_contract.expected_calls(options)):
            with tally.call("GET /api"):
                check_api(session.get(options.url + "/api"), tally)
    tally.done()


def single(options: _contract.Options, tally: _contract.Tally) -> None:
    sequential(options, tally)


def sequential(options: _contract.Options, tally: _contract.Tally) -> None:
    """N calls, each on a new connection: `Connection: close` makes libcurl
    close the connection after each response; the Session opens the next."""
    session = requests.Session(**session_options(options))
    session.headers["Connection"] = "close"
    get_api_calls(options, tally, session)


def keepalive(options: _contract.Options, tally: _contract.Tally) -> None:
    get_api_calls(options, tally, requests.Session(**session_options(options)))


def concurrent(options: _contract.Options, tally: _contract.Tally) -> None:
    import asyncio

    path = f"/delay/{options.delay_ms}"
    kwargs = session_options(options)
    kwargs["timeout"] = options.delay_ms / 1000 + _contract.TIMEOUT_S

    async def fetch(session: requests.AsyncSession) -> None:
        response = await session.get(options.url + path)
        with tally.call(f"GET {path}"):  # one event loop thread: no lock needed
            tally.bytes += len(response.content)
            _contract.expect_status(response.status_code, 200)
            _contract.expect_delay(response.json(), options.delay_ms)
            tally.received(response.headers.get(_contract.NONCE_HEADER))

    async def run() -> None:
        # max_clients: at most C curl handles (calls in flight); the rest wait.
        session = requests.AsyncSession(max_clients=options.concurrency, **kwargs)
        tally.ready()
        async with session:
            outcomes = await asyncio.gather(*(fetch(session) for _ in range(options.requests)), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, Exception):
                with tally.call(f"GET {path}"):
                    raise outcome
        tally.done()

    asyncio.run(run())


def stream(options: _contract.Options, tally: _contract.Tally) -> None:
    """The body goes to `content_callback`, libcurl's write callback: one chunk
    (at most 16 KiB) at a time, hashed as it arrives.

    Not `stream=True`: that runs libcurl on a thread feeding an unbounded queue,
    so memory grows whenever hashing falls behind the network (measured: a
    200 MiB body peaked at 137 MiB RSS in one of four runs here).
    """
    import hashlib

    path = f"/bytes/{options.bytes}"
    session = requests.Session(**session_options(options))
    digest = hashlib.sha256()
    received = 0

    def on_chunk(chunk: bytes) -> None:
        nonlocal received
        digest.update(chunk)
        received += len(chunk)

    tally.ready()
    with session, tally.call(f"GET {path}"):
        response = session.get(options.url + path, content_callback=on_chunk)
        tally.bytes += received
        tally.sha256 = digest.hexdigest()
        _contract.expect_status(response.status_code, 200)
        _contract.expect_stream(response.headers.get("Content-Length"), received, options.bytes)
        tally.received(response.headers.get(_contract.NONCE_HEADER))
    tally.done()


def rest(options: _contract.Options, tally: _contract.Tally) -> None:
    plan = _contract.RestPlan(options.run_id)
    session = requests.Session(**session_options(options))
    tally.ready()
    with session:
        for step in plan.steps:
            with tally.call(step.label):
                url = options.url + plan.path(step)
                response = session.request(step.method, url, json=step.body)
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
