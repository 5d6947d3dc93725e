"""polybench client `python-pyreqwest`: pyreqwest, Python bindings to Rust's reqwest (docs/contract.md).

Sync scenarios use its SyncClient; `concurrent` its asyncio Client, whose
requests run on reqwest's own tokio runtime.
"""

import time

T_ENTRY_NS = time.time_ns()

import json  # noqa: E402  (imports follow the entry timestamp on purpose)
import os  # noqa: E402
from datetime import timedelta  # noqa: E402

from pyreqwest.client import ClientBuilder, SyncClient, SyncClientBuilder  # noqa: E402

import _contract  # noqa: E402

CLIENT = "python-pyreqwest"
TIMEOUT = timedelta(seconds=_contract.TIMEOUT_S)


def configured(builder, options: _contract.Options, timeout: timedelta = TIMEOUT):
    """The run header, a timeout, and over TLS the one CA to trust."""
    builder = builder.default_headers(options.headers).timeout(timeout)
    if options.tls:
        # pyreqwest verifies with rustls-platform-verifier: the system's roots
        # plus the ones added here, and no option drops the system's (public
        # CAs, none of which signs for 127.0.0.1). On Linux those roots come
        # from rustls-native-certs, which reads SSL_CERT_FILE / SSL_CERT_DIR: a
        # CA named there would be trusted too, so this process drops them.
        os.environ.pop("SSL_CERT_FILE", None)
        os.environ.pop("SSL_CERT_DIR", None)
        with open(options.ca_file, "rb") as pem:
            builder = builder.add_root_certificate_pem(pem.read())
    return builder


def check_api(response, tally: _contract.Tally) -> None:
    body = response.bytes()
    tally.bytes += len(body)
    _contract.expect_status(response.status, 200)
    _contract.expect_api(json.loads(body))
    tally.received(response.get_header(_contract.NONCE_HEADER))


def get_api_calls(options: _contract.Options, tally: _contract.Tally, client: SyncClient) -> None:
    url = options.url + "/api"
    tally.ready()
    with client:
        for _ in range(_contract.expected_calls(options)):
            with tally.call("GET /api"):
                check_api(client.get(url).build().send(), tally)
    tally.done()


def single(options: _contract.Options, tally: _contract.Tally) -> None:
    sequential(options, tally)


def sequential(options: _contract.Options, tally: _contract.Tally) -> None:
    """N calls, each on a new connection: a pool that keeps no idle connection
    (reqwest's `pool_max_idle_per_host(0)`), so each call opens its own."""
    client = configured(SyncClientBuilder(), options).pool_max_idle_per_host(0).build()
    get_api_calls(options, tally, client)


def keepalive(options: _contract.Options, tally: _contract.Tally) -> None:
    get_api_calls(options, tally, configured(SyncClientBuilder(), options).build())


def concurrent(options: _contract.Options, tally: _contract.Tally) -> None:
    import asyncio

    path = f"/delay/{options.delay_ms}"
    url = options.url + path
    timeout = timedelta(seconds=options.delay_ms / 1000 + _contract.TIMEOUT_S)

    async def fetch(client) -> None:
        response = await client.get(url).build().send()
        body = await response.bytes()
        with tally.call(f"GET {path}"):  # one event loop thread: no lock needed
            tally.bytes += len(body)
            _contract.expect_status(response.status, 200)
            _contract.expect_delay(json.loads(body), options.delay_ms)
            tally.received(response.get_header(_contract.NONCE_HEADER))

    async def run() -> None:
        # max_connections: at most C connections, so C calls in flight; the
        # others wait for one (the pool timeout bounds that wait).
        client = (configured(ClientBuilder(), options, timeout).max_connections(options.concurrency)
                  .pool_timeout(timeout * max(1, -(-options.requests // options.concurrency))).build())
        tally.ready()
        async with client:
            outcomes = await asyncio.gather(*(fetch(client) for _ in range(options.requests)),
                                            return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, Exception):
                with tally.call(f"GET {path}"):
                    raise outcome
        tally.done()

    asyncio.run(run())


def stream(options: _contract.Options, tally: _contract.Tally) -> None:
    import hashlib

    path = f"/bytes/{options.bytes}"
    client = configured(SyncClientBuilder(), options).build()
    tally.ready()
    with client, tally.call(f"GET {path}"):
        digest = hashlib.sha256()
        received = 0
        with client.get(options.url + path).build_streamed() as response:
            reader = response.body_reader()
            while (chunk := reader.read(_contract.CHUNK_BYTES)) is not None and len(chunk):
                digest.update(chunk)
                received += len(chunk)
        tally.bytes += received
        tally.sha256 = digest.hexdigest()
        _contract.expect_status(response.status, 200)
        _contract.expect_stream(response.get_header("Content-Length"), received, options.bytes)
        tally.received(response.get_header(_contract.NONCE_HEADER))
    tally.done()


def rest(options: _contract.Options, tally: _contract.Tally) -> None:
    plan = _contract.RestPlan(options.run_id)
    client = configured(SyncClientBuilder(), options).build()
    tally.ready()
    with client:
        for step in plan.steps:
            with tally.call(step.label):
                request = client.request(step.method, options.url + plan.path(step))
                if step.body is not None:
                    request = request.body_json(step.body)
                response = request.build().send()
                body = response.bytes()
                tally.bytes += len(body)
                _contract.expect_status(response.status, step.status)
                payload = json.loads(body) if step.returns_json else bytes(body)
                step.check(payload, response.get_header("Location"))
                tally.received(response.get_header(_contract.NONCE_HEADER))
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
