"""polybench client `python-requests` (docs/contract.md)."""

import time

T_ENTRY_NS = time.time_ns()

import netrc  # noqa: E402,F401  (requests imports it inside the first call, to read ~/.netrc: set-up)

import requests  # noqa: E402  (imports follow the entry timestamp on purpose)

import _contract  # noqa: E402

CLIENT = "python-requests"


def check_api(response: requests.Response, tally: _contract.Tally) -> None:
    tally.bytes += len(response.content)
    _contract.expect_status(response.status_code, 200)
    _contract.expect_api(response.json())
    tally.received(response.headers.get(_contract.NONCE_HEADER))


def new_session(options: _contract.Options) -> requests.Session:
    session = requests.Session()
    session.headers[_contract.RUN_HEADER] = options.run_id
    if options.tls:
        # requests' way to trust a CA: a path. urllib3 loads it into a new SSL
        # context for each connection it opens (not before t_ready): that is
        # what a requests user pays per handshake, so it is what we measure.
        session.verify = options.ca_file
        # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment would override
        # Session.verify (psf/requests#3829): trust --ca-file and nothing else.
        session.trust_env = False
    return session


def get_api_calls(options: _contract.Options, tally: _contract.Tally) -> None:
    """N `GET /api`, one after another, each on a new connection: the article's
    "serialized" loop, with the Session built before t_ready (the contract's
    set-up rule). `Connection: close` makes the server end each connection, so
    the Session's pool opens a new one for the next call.
    """
    session = new_session(options)
    session.headers["Connection"] = "close"
    tally.ready()
    with session:
        for _ in range(_contract.expected_calls(options)):
            with tally.call("GET /api"):
                check_api(session.get(options.url + "/api", timeout=_contract.TIMEOUT_S), tally)
    tally.done()


def single(options: _contract.Options, tally: _contract.Tally) -> None:
    get_api_calls(options, tally)


def sequential(options: _contract.Options, tally: _contract.Tally) -> None:
    get_api_calls(options, tally)


def keepalive(options: _contract.Options, tally: _contract.Tally) -> None:
    session = new_session(options)
    tally.ready()
    with session:
        for _ in range(options.requests):
            with tally.call("GET /api"):
                check_api(session.get(options.url + "/api", timeout=_contract.TIMEOUT_S), tally)
    tally.done()


def concurrent(options: _contract.Options, tally: _contract.Tally) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from requests.adapters import HTTPAdapter

    path = f"/delay/{options.delay_ms}"
    timeout_s = options.delay_ms / 1000 + _contract.TIMEOUT_S
    session = new_session(options)
    # The default adapter keeps 10 connections per host; with more threads than
    # that, urllib3 discards the extra ones ("Connection pool is full") and the
    # next calls open new connections. One pool of C serves C threads.
    scheme = options.url.partition("://")[0] + "://"  # http:// or https://
    session.mount(scheme, HTTPAdapter(pool_connections=1, pool_maxsize=options.concurrency))
    executor = ThreadPoolExecutor(max_workers=options.concurrency)
    tally.ready()
    with session, executor:
        url = options.url + path
        futures = [executor.submit(session.get, url, timeout=timeout_s) for _ in range(options.requests)]
        # Results are checked here, in the main thread, so the tally needs no lock.
        for future in futures:
            with tally.call(f"GET {path}"):
                response = future.result()
                tally.bytes += len(response.content)
                _contract.expect_status(response.status_code, 200)
                _contract.expect_delay(response.json(), options.delay_ms)
                tally.received(response.headers.get(_contract.NONCE_HEADER))
    tally.done()


def stream(options: _contract.Options, tally: _contract.Tally) -> None:
    import hashlib

    path = f"/bytes/{options.bytes}"
    session = new_session(options)
    tally.ready()
    with session, tally.call(f"GET {path}"):
        digest = hashlib.sha256()
        received = 0
        with session.get(options.url + path, stream=True, timeout=_contract.TIMEOUT_S) as response:
            for chunk in response.iter_content(_contract.CHUNK_BYTES):
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
    session = new_session(options)
    tally.ready()
    with session:
        for step in plan.steps:
            with tally.call(step.label):
                url = options.url + plan.path(step)
                response = session.request(step.method, url, json=step.body, timeout=_contract.TIMEOUT_S)
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
