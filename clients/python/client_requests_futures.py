"""polybench client `python-requests-futures`: only `concurrent` (docs/contract.md).

requests-futures exists to run requests calls on a thread pool; every other
scenario would just be plain requests, so they exit 3 (unsupported).
"""

import time

T_ENTRY_NS = time.time_ns()

import netrc  # noqa: E402,F401  (requests imports it inside the first call, to read ~/.netrc: set-up)

from requests_futures.sessions import FuturesSession  # noqa: E402  (after the entry timestamp)

import _contract  # noqa: E402

CLIENT = "python-requests-futures"


def concurrent(options: _contract.Options, tally: _contract.Tally) -> None:
    path = f"/delay/{options.delay_ms}"
    timeout_s = options.delay_ms / 1000 + _contract.TIMEOUT_S
    # The article's technique: a session that runs each call on its own pool of
    # max_workers threads. adapter_kwargs sizes the connection pool to match, so
    # no thread's connection is discarded (requests keeps 10 by default).
    session = FuturesSession(
        max_workers=options.concurrency,
        adapter_kwargs={"pool_maxsize": options.concurrency},
    )
    session.headers[_contract.RUN_HEADER] = options.run_id
    if options.tls:
        session.verify = options.ca_file  # requests' way: urllib3 loads it per new connection
        session.trust_env = False  # else REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override verify (psf/requests#3829)
    tally.ready()
    with session:
        url = options.url + path
        futures = [session.get(url, timeout=timeout_s) for _ in range(options.requests)]
        for future in futures:
            with tally.call(f"GET {path}"):
                response = future.result()
                tally.bytes += len(response.content)
                _contract.expect_status(response.status_code, 200)
                _contract.expect_delay(response.json(), options.delay_ms)
                tally.received(response.headers.get(_contract.NONCE_HEADER))
    tally.done()


SCENARIOS = {"concurrent": concurrent}

if __name__ == "__main__":
    _contract.main(CLIENT, SCENARIOS, T_ENTRY_NS)
