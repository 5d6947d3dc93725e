"""polybench client `python-pycurl`: libcurl through pycurl, easy handles and a multi handle (docs/contract.md)."""

import time

T_ENTRY_NS = time.time_ns()

import json  # noqa: E402  (imports follow the entry timestamp on purpose)

import pycurl  # noqa: E402

import _contract  # noqa: E402

CLIENT = "python-pycurl"


class Transfer:
    """One easy handle and what its current transfer received: headers, and the
    body either kept (small JSON answers) or handed to `on_chunk` (the stream)."""

    def __init__(self, options: _contract.Options, timeout_s: float = _contract.TIMEOUT_S) -> None:
        self.handle = pycurl.Curl()
        self.body = bytearray()
        self.headers: dict[str, str] = {}
        self.on_chunk = self.body.extend
        handle = self.handle
        handle.setopt(pycurl.WRITEFUNCTION, lambda chunk: self.on_chunk(chunk))
        handle.setopt(pycurl.HEADERFUNCTION, self._header_line)
        handle.setopt(pycurl.HTTPHEADER, [f"{_contract.RUN_HEADER}: {options.run_id}"])
        handle.setopt(pycurl.TIMEOUT_MS, int(timeout_s * 1000))
        handle.setopt(pycurl.NOSIGNAL, 1)
        if options.tls:
            # libcurl's own option: trust this file; no CA directory besides it.
            # libcurl reads the file when it connects, not before t_ready: what
            # a pycurl user pays. (CURL_CA_BUNDLE is read by the curl tool, not
            # by libcurl.)
            handle.setopt(pycurl.CAINFO, options.ca_file)
            handle.setopt(pycurl.CAPATH, None)

    def _header_line(self, line: bytes) -> None:
        name, colon, value = line.decode("iso-8859-1").partition(":")
        if not colon:
            if name.startswith("HTTP/"):
                self.headers.clear()  # a new response (after a 100 Continue, say)
            return
        self.headers[name.strip().lower()] = value.strip()

    def start(self, url: str) -> None:
        """Forget the last transfer's answer and aim the handle at `url`."""
        self.body.clear()
        self.headers.clear()
        self.handle.setopt(pycurl.URL, url)

    def perform(self, url: str) -> int:
        """Run one transfer to the end; the response status."""
        self.start(url)
        self.handle.perform()
        return self.status

    @property
    def status(self) -> int:
        return self.handle.getinfo(pycurl.RESPONSE_CODE)

    @property
    def nonce(self) -> str | None:
        return self.headers.get(_contract.NONCE_HEADER.lower())


def get_api_calls(options: _contract.Options, tally: _contract.Tally, transfer: Transfer) -> None:
    tally.ready()
    try:
        for _ in range(_contract.expected_calls(options)):
            with tally.call("GET /api"):
                status = transfer.perform(options.url + "/api")
                tally.bytes += len(transfer.body)
                _contract.expect_status(status, 200)
                _contract.expect_api(json.loads(transfer.body))
                tally.received(transfer.nonce)
    finally:
        transfer.handle.close()
    tally.done()


def single(options: _contract.Options, tally: _contract.Tally) -> None:
    sequential(options, tally)


def sequential(options: _contract.Options, tally: _contract.Tally) -> None:
    """N calls, each on a new connection: libcurl's FORBID_REUSE closes the
    connection after each transfer, so the same handle opens a new one."""
    transfer = Transfer(options)
    transfer.handle.setopt(pycurl.FORBID_REUSE, 1)
    get_api_calls(options, tally, transfer)


def keepalive(options: _contract.Options, tally: _contract.Tally) -> None:
    get_api_calls(options, tally, Transfer(options))  # one handle keeps its connection


def concurrent(options: _contract.Options, tally: _contract.Tally) -> None:
    """C easy handles on one multi handle: each finished transfer is checked
    and its handle started again on the next call, until N calls are done."""
    path = f"/delay/{options.delay_ms}"
    url = options.url + path
    timeout_s = options.delay_ms / 1000 + _contract.TIMEOUT_S
    multi = pycurl.CurlMulti()
    transfers = [Transfer(options, timeout_s) for _ in range(min(options.concurrency, options.requests))]
    by_handle = {transfer.handle: transfer for transfer in transfers}
    tally.ready()
    to_start = options.requests
    running = 0

    def finish(transfer: Transfer, error: str | None) -> None:
        with tally.call(f"GET {path}"):
            tally.bytes += len(transfer.body)
            if error is not None:
                raise OSError(error)
            _contract.expect_status(transfer.status, 200)
            _contract.expect_delay(json.loads(transfer.body), options.delay_ms)
            tally.received(transfer.nonce)

    try:
        for transfer in transfers:
            transfer.start(url)
            multi.add_handle(transfer.handle)
        to_start -= len(transfers)
        running = len(transfers)
        while running:
            while multi.perform()[0] == pycurl.E_CALL_MULTI_PERFORM:
                pass
            while True:
                queued, succeeded, failed = multi.info_read()
                done = [(handle, None) for handle in succeeded]
                done += [(handle, f"curl error {code}: {message}") for handle, code, message in failed]
                for handle, error in done:
                    multi.remove_handle(handle)
                    running -= 1
                    finish(by_handle[handle], error)
                    if to_start:
                        to_start -= 1
                        running += 1
                        by_handle[handle].start(url)
                        multi.add_handle(handle)
                if not queued:
                    break
            if running:
                multi.select(1.0)
    finally:
        for transfer in transfers:
            transfer.handle.close()
        multi.close()
    tally.done()


def stream(options: _contract.Options, tally: _contract.Tally) -> None:
    import hashlib

    path = f"/bytes/{options.bytes}"
    transfer = Transfer(options)
    digest = hashlib.sha256()
    received = 0

    def on_chunk(chunk: bytes) -> None:  # libcurl hands over at most 16 KiB at a time
        nonlocal received
        digest.update(chunk)
        received += len(chunk)

    transfer.on_chunk = on_chunk
    tally.ready()
    try:
        with tally.call(f"GET {path}"):
            status = transfer.perform(options.url + path)
            tally.bytes += received
            tally.sha256 = digest.hexdigest()
            _contract.expect_status(status, 200)
            _contract.expect_stream(transfer.headers.get("content-length"), received, options.bytes)
            tally.received(transfer.nonce)
    finally:
        transfer.handle.close()
    tally.done()


def rest(options: _contract.Options, tally: _contract.Tally) -> None:
    plan = _contract.RestPlan(options.run_id)
    transfer = Transfer(options)
    handle = transfer.handle
    run_header = f"{_contract.RUN_HEADER}: {options.run_id}"
    tally.ready()
    try:
        for step in plan.steps:
            with tally.call(step.label):
                url = options.url + plan.path(step)
                if step.body is None:
                    handle.setopt(pycurl.HTTPGET, 1)  # no body, and forget the last step's
                    handle.setopt(pycurl.HTTPHEADER, [run_header])
                else:
                    handle.setopt(pycurl.POSTFIELDS, json.dumps(step.body))
                    handle.setopt(pycurl.HTTPHEADER, [run_header, "Content-Type: application/json"])
                handle.setopt(pycurl.CUSTOMREQUEST, step.method)
                status = transfer.perform(url)
                tally.bytes += len(transfer.body)
                _contract.expect_status(status, step.status)
                payload = json.loads(transfer.body) if step.returns_json else bytes(transfer.body)
                step.check(payload, transfer.headers.get("location"))
                tally.received(transfer.nonce)
    finally:
        handle.close()
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
