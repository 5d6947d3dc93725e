"""A client that sends every request but does not (fully) read the responses.

    python -S unread.py MODE[:FILE] SCENARIO --url URL --run-id ID [--requests N] [--concurrency C]
                     [--delay-ms D] [--bytes B]

It makes the scenario's requests, with the right run header, on the right
number of connections, and prints a perfect JSON line (ok == requests, no
errors). What it does with the responses is the MODE:

  honest        reads and checks everything: the control, verified in every scenario
  record:FILE   honest, and also saves its receipt and digest to FILE
  never-read    closes each connection without reading anything, at once
  never-read-wait  the same, but half-closes and waits 0.3 s before closing, so the server
                has written (and completed) every small response: only the receipt can tell
  headers-only  reads each response's header block (so it knows the nonces), never the body
  half-stream   reads the header block and half the body, hashes that, claims the whole
  replay:FILE   never reads; reports the receipt and digest that `record:FILE` saved from an
                earlier run
  oracle        never reads (as never-read-wait), then asks the server's /stats for its own
                run's receipt and digest and reports those
  shortnet      reads and checks everything, waits 20 ms, then prints a t_ready just before
                t_done, so its network phase looks a microsecond long
  buffered      reads and checks everything, but holds the whole stream body in memory
                before hashing it (what the contract forbids; only its peak RSS tells)

Standard library only; raw sockets, so that "did not read" really means it.
"""

import hashlib
import json
import socket
import sys
import threading
import time
import urllib.parse

from rawhttp import read_head

T_ENTRY = time.time_ns()
mode, _, state_file = sys.argv[1].partition(":")
scenario, rest = sys.argv[2], sys.argv[3:]
flags = dict(zip(rest[0::2], rest[1::2], strict=False))
parsed = urllib.parse.urlsplit(flags["--url"])
run_id = flags["--run-id"]
requests = int(flags.get("--requests", 1))
concurrency = int(flags.get("--concurrency", 1))
delay_ms = int(flags.get("--delay-ms", 0))
size = int(flags.get("--bytes", 1 << 20))
calls = {"rest": 5, "single": 1, "stream": 1}.get(scenario, requests)
READS_BODY = mode in ("honest", "record", "shortnet", "buffered")


def request_bytes(method, path, body=b"", close=False):
    head = [f"{method} {path} HTTP/1.1", f"Host: {parsed.netloc}", f"X-Polybench-Run: {run_id}",
            f"Content-Length: {len(body)}"]
    if body:
        head.append("Content-Type: application/json")
    if close:
        head.append("Connection: close")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


class Reply:
    def __init__(self, status, headers, body, nonce):
        self.status, self.headers, self.body, self.nonce = status, headers, body, nonce


def exchange(sock, method, path, body=b"", close=False, digest=None):
    """Send one request and deal with its response as the MODE says."""
    sock.sendall(request_bytes(method, path, body, close))
    if mode in ("never-read", "never-read-wait", "replay", "oracle"):
        return None
    status, headers, extra = read_head(sock, b"")
    length = int(headers.get("content-length", 0))
    if mode == "headers-only":
        return Reply(status, headers, b"", headers.get("x-polybench-nonce"))
    wanted = length // 2 if mode == "half-stream" else length
    received = bytearray() if digest is None else None
    got = 0
    chunk = extra
    while True:
        take = chunk[: wanted - got]
        got += len(take)
        if digest is not None:
            digest.update(take)
        else:
            received += take
        if got >= wanted:
            break
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed in the body")
    return Reply(status, headers, bytes(received or b""), headers.get("x-polybench-nonce"))


class connect:
    """A connection; in `never-read-wait` and `replay` it lingers, unread, before closing."""

    def __enter__(self):
        self.sock = socket.create_connection((parsed.hostname, parsed.port), timeout=60)
        return self.sock

    def __exit__(self, *exc):
        if mode in ("never-read-wait", "replay", "oracle"):
            self.sock.shutdown(socket.SHUT_WR)
            time.sleep(0.3)
        self.sock.close()


receipt = 0
sha256 = None
lock = threading.Lock()


def received(reply, expected_status=200, expected_body=None):
    global receipt
    if reply is None:
        return
    if READS_BODY:  # the control checks like a real client; the cheats check nothing
        assert reply.status == expected_status, reply.status
        if expected_body is not None:
            assert json.loads(reply.body) == expected_body, reply.body
    with lock:
        receipt ^= int(reply.nonce, 16)


API = {"message": "GET request received", "data": [1, 2, 3]}
T_READY = time.time_ns()

if scenario in ("single", "sequential"):
    for _ in range(calls):
        with connect() as sock:
            received(exchange(sock, "GET", "/api", close=True), 200, API)
elif scenario == "keepalive":
    with connect() as sock:
        for _ in range(calls):
            received(exchange(sock, "GET", "/api"), 200, API)
elif scenario == "concurrent":
    queue = list(range(calls))

    def worker():
        # A connection per call: the cheats then close each one at once.
        while True:
            with lock:
                if not queue:
                    return
                queue.pop()
            with connect() as sock:
                received(exchange(sock, "GET", f"/delay/{delay_ms}", close=True), 200, {"delay_ms": delay_ms})

    threads = [threading.Thread(target=worker) for _ in range(min(concurrency, calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
elif scenario == "stream" and mode == "buffered":
    with connect() as sock:
        whole = exchange(sock, "GET", f"/bytes/{size}")
    received(whole)
    sha256 = hashlib.sha256(whole.body).hexdigest()
elif scenario == "stream":
    digest = hashlib.sha256()
    with connect() as sock:
        received(exchange(sock, "GET", f"/bytes/{size}", digest=digest))
    sha256 = digest.hexdigest()
elif scenario == "rest":
    body = json.dumps({"name": f"polybench-{run_id}", "email": f"{run_id}@example.invalid"}).encode()
    with connect() as sock:
        created = exchange(sock, "POST", "/users", body)
        received(created, 201)
        # Without reading the body there is no link to follow: guess one.
        href = json.loads(created.body)["_links"]["self"]["href"] if READS_BODY else "/users/999999"
        received(exchange(sock, "GET", href), 200)
        received(exchange(sock, "PUT", href, body), 200)
        received(exchange(sock, "DELETE", href), 204)
        received(exchange(sock, "GET", href), 404)
else:
    sys.exit(3)

t_done = time.time_ns()
proof = {"receipt": f"{receipt:032x}", "sha256": sha256}
if mode == "record":
    with open(state_file, "w") as handle:
        json.dump(proof, handle)
if mode == "replay":
    with open(state_file) as handle:
        proof = json.load(handle)
if mode == "oracle":
    import urllib.request

    try:
        with urllib.request.urlopen(f"{flags['--url']}/stats?run={run_id}", timeout=10) as answer:
            told = json.loads(answer.read())
        proof = {"receipt": told["receipt"], "sha256": (told.get("streams") or [{}])[0].get("sha256")}
    except OSError:  # HTTPError 403 among them: the server keeps /stats to the orchestrator
        pass
if mode == "shortnet":
    # Hide more network time than the clock tolerance (1 ms) for sure: a single
    # loopback call can take less than that, and a lie inside the tolerance is
    # not what this fake tests.
    time.sleep(0.02)
    t_done = time.time_ns()
    T_READY = t_done - 1_000
print(json.dumps({
    "client": "unread", "scenario": scenario, "requests": calls, "ok": calls,
    "bytes": size if scenario == "stream" else 0, "sha256": proof["sha256"], "receipt": proof["receipt"],
    "errors": [], "t_entry_ns": T_ENTRY, "t_ready_ns": T_READY, "t_done_ns": t_done,
}))
