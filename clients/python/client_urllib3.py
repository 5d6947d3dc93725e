"""polybench client `python-urllib3`: urllib3's PoolManager used directly, the core of requests (docs/contract.md)."""

import time

T_ENTRY_NS = time.time_ns()

import urllib3  # noqa: E402  (imports follow the entry timestamp on purpose)

import _contract  # noqa: E402

_contract.load_idna_codec()  # what the first connect would import (set-up: docs/contract.md)

CLIENT = "python-urllib3"
TIMEOUT = urllib3.Timeout(total=_contract.TIMEOUT_S)


def new_pool_manager(options: _contract.Options, **kwargs) -> urllib3.PoolManager:
    """A PoolManager sending the run header; over TLS its `ssl_context` trusts only
    --ca-file (urllib3 then loads no default certificates), built here, before t_ready."""
    headers = {**options.headers, **kwargs.pop("headers", {})}
    return urllib3.PoolManager(headers=headers, ssl_context=_contract.ssl_context(options), retries=False, **kwargs)


def check_api(response: urllib3.BaseHTTPResponse, tally: _contract.Tally) -> None:
    tally.bytes += len(response.data)
    _contract.expect_status(response.status, 200)
    _contract.expect_api(response.json())
    tally.received(response.headers.get(_contract.NONCE_HEADER))


def get_api_calls(options: _contract.Options, tally: _contract.Tally, pool: urllib3.PoolManager) -> None:
    tally.ready()
    with pool:
        for _ in range(_contract.expected_calls(options)):
            with tally.call("GET /api"):
                check_api(pool.request("GET", options.url + "/api", timeout=TIMEOUT), tally)
    tally.done()


def single(options: _contract.Options, tally: _contract.Tally) -> None:
    sequential(options, tally)


def sequential(options: _contract.Options, tally: _contract.Tally) -> None:
    """N calls, each on a new connection: `Connection: close` makes the server
    end each one, and the pool opens a new one for the next call."""
    get_api_calls(options, tally, new_pool_manager(options, headers={"Connection": "close"}))


def keepalive(options: _contract.Options, tally: _contract.Tally) -> None:
    get_api_calls(options, tally, new_pool_manager(options))


def concurrent(options: _contract.Options, tally: _contract.Tally) -> None:
    from concurrent.futures import ThreadPoolExecutor

    path = f"/delay/{options.delay_ms}"
    timeout = urllib3.Timeout(connect=_contract.TIMEOUT_S, read=options.delay_ms / 1000 + _contract.TIMEOUT_S)
    # A pool keeps 1 connection per host by default and discards the extra ones
    # it opens for more threads; one pool of C serves C threads.
    pool = new_pool_manager(options, maxsize=options.concurrency)
    executor = ThreadPoolExecutor(max_workers=options.concurrency)
    tally.ready()
    with pool, executor:
        url = options.url + path
        futures = [executor.submit(pool.request, "GET", url, timeout=timeout) for _ in range(options.requests)]
        # Results are checked here, in the main thread, so the tally needs no lock.
        for future in futures:
            with tally.call(f"GET {path}"):
                response = future.result()
                tally.bytes += len(response.data)
                _contract.expect_status(response.status, 200)
                _contract.expect_delay(response.json(), options.delay_ms)
                tally.received(response.headers.get(_contract.NONCE_HEADER))
    tally.done()


def stream(options: _contract.Options, tally: _contract.Tally) -> None:
    import hashlib

    path = f"/bytes/{options.bytes}"
    pool = new_pool_manager(options)
    tally.ready()
    with pool, tally.call(f"GET {path}"):
        digest = hashlib.sha256()
        received = 0
        response = pool.request("GET", options.url + path, preload_content=False, timeout=TIMEOUT)
        try:
            for chunk in response.stream(_contract.CHUNK_BYTES):
                digest.update(chunk)
                received += len(chunk)
        finally:
            response.release_conn()
        tally.bytes += received
        tally.sha256 = digest.hexdigest()
        _contract.expect_status(response.status, 200)
        _contract.expect_stream(response.headers.get("Content-Length"), received, options.bytes)
        tally.received(response.headers.get(_contract.NONCE_HEADER))
    tally.done()


def rest(options: _contract.Options, tally: _contract.Tally) -> None:
    plan = _contract.RestPlan(options.run_id)
    pool = new_pool_manager(options)
    tally.ready()
    with pool:
        for step in plan.steps:
            with tally.call(step.label):
                url = options.url + plan.path(step)
                response = pool.request(step.method, url, json=step.body, timeout=TIMEOUT)
                tally.bytes += len(response.data)
                _contract.expect_status(response.status, step.status)
                payload = response.json() if step.returns_json else response.data
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
