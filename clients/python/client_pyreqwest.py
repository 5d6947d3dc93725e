"""polybench client `python-pyreqwest`: pyreqwest, Python bindings to Rust's reqwest (docs/contract.md).

Every scenario uses its SyncClient (its requests run on a tokio runtime
underneath); `concurrent` shares one between C threads.
"""

import time

T_ENTRY_NS = time.time_ns()

import os  # noqa: E402  (imports follow the entry timestamp on purpose)
from datetime import timedelta  # noqa: E402

from pyreqwest.client import SyncClient, SyncClientBuilder  # noqa: E402

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
    tally.bytes += len(response.bytes())  # the body, kept by the response for json()
    _contract.expect_status(response.status, 200)
    _contract.expect_api(response.json())
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
    """C threads sharing one SyncClient; each `send` waits outside the GIL.

    Not pyreqwest's asyncio Client: over TLS, an interpreter that exits right
    after closing it aborts in most runs ("Fatal Python error:
    PyGILState_Release", pyreqwest 0.15.1: its runtime still tears connections
    down during finalization; measured 10 of 15 runs of a minimal script, none
    with a 50 ms pause after closing). The sync client has no such window.
    """
    from concurrent.futures import ThreadPoolExecutor

    path = f"/delay/{options.delay_ms}"
    url = options.url + path
    timeout = timedelta(seconds=options.delay_ms / 1000 + _contract.TIMEOUT_S)

    def fetch(client: SyncClient) -> tuple[int, int, object, str | None]:
        response = client.get(url).build().send()
        body_bytes = len(response.bytes())
        return response.status, body_bytes, response.json(), response.get_header(_contract.NONCE_HEADER)

    # max_connections: at most C requests in flight (one per thread anyway).
    client = configured(SyncClientBuilder(), options, timeout).max_connections(options.concurrency).build()
    executor = ThreadPoolExecutor(max_workers=options.concurrency)
    tally.ready()
    with client, executor:
        futures = [executor.submit(fetch, client) for _ in range(options.requests)]
        # Results are checked here, in the main thread, so the tally needs no lock.
        for future in futures:
            with tally.call(f"GET {path}"):
                status, body_bytes, payload, nonce = future.result()
                tally.bytes += body_bytes
                _contract.expect_status(status, 200)
                _contract.expect_delay(payload, options.delay_ms)
                tally.received(nonce)
    tally.done()


def stream(options: _contract.Options, tally: _contract.Tally) -> None:
    import hashlib

    path = f"/bytes/{options.bytes}"
    client = configured(SyncClientBuilder(), options).build()
    tally.ready()
    with client, tally.call(f"GET {path}"):
        digest = hashlib.sha256()
        received = 0
        with client.get(options.url + path).build_streamed() as response:
            reader = response.body_reader
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
                tally.bytes += len(response.bytes())
                _contract.expect_status(response.status, step.status)
                payload = response.json() if step.returns_json else response.bytes().to_bytes()
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
