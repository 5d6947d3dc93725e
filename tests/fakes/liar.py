"""A client that lies in a chosen way, to prove the orchestrator catches it.

    python -S liar.py MODE[:NAME] SCENARIO --url URL --run-id ID [--requests N] [--bytes B] ...

Modes: honest (does the work: the control, in single, sequential and keepalive), no-calls, half-calls,
new-connections (claims keep-alive, reconnects every call), wrong-sha, bad-json, two-lines, exit-1, sleep.

Standard library only, and as little of it as will do (json, socket, sys, time: HTTP/1.1 by hand, with
unread.py's header reader, rawhttp.py), run without site (-S): the tests start it about a hundred times per
session, and http.client with urllib and the venv's site-packages cost about 0.14 s of CPU per start,
measured, against about 0.05 s for this.
"""

import json
import socket
import sys
import time

from rawhttp import read_head

T_ENTRY = time.time_ns()
mode, _, name = sys.argv[1].partition(":")  # MODE[:CLIENT_NAME]
scenario, rest = sys.argv[2], sys.argv[3:]
flags = dict(zip(rest[0::2], rest[1::2], strict=False))
url, run_id = flags["--url"], flags["--run-id"]
scheme, _, rest_of_url = url.partition("://")
netloc = rest_of_url.split("/", 1)[0]
host, _, port = netloc.rpartition(":")
if scheme != "http" or not port.isdigit():
    sys.exit(f"liar.py speaks plain http to HOST:PORT only, not {url}")
calls = {"rest": 5, "single": 1, "stream": 1}.get(scenario, int(flags.get("--requests", 1)))


def connect():
    return socket.create_connection((host.strip("[]"), int(port)), timeout=60)


def get(path, sock=None):
    """GET `path` and read the whole response: (headers with lower-case names, body).

    On `sock`, kept open (keep-alive); without one, on a new connection closed after it. A status
    other than 200 is an error, as urllib makes it; so is a body without a Content-Length (chunked:
    the server's replies all have one)."""
    own = sock is None
    sock = sock or connect()
    try:
        close = "Connection: close\r\n" if own else ""
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {netloc}\r\nX-Polybench-Run: {run_id}\r\n{close}\r\n".encode())
        status, headers, extra = read_head(sock, b"")
        if status != 200:
            raise ConnectionError(f"{path}: status {status}")
        if "content-length" not in headers:
            raise ConnectionError(f"{path}: a reply without Content-Length, which this fake does not read")
        body = bytearray(extra)
        length = int(headers["content-length"])
        while len(body) < length:
            data = sock.recv(65536)
            if not data:
                raise ConnectionError("closed in the body")
            body += data
        return headers, bytes(body)
    finally:
        if own:
            sock.close()


def emit(ok, nbytes=0, sha=None, code=0, receipt="0" * 32):
    print(json.dumps({
        "client": name or "liar", "scenario": scenario, "requests": calls, "ok": ok, "bytes": nbytes,
        "sha256": sha, "receipt": receipt, "errors": [],
        "t_entry_ns": T_ENTRY, "t_ready_ns": T_READY, "t_done_ns": time.time_ns(),
    }))
    sys.exit(code)


T_READY = time.time_ns()
if mode == "no-calls":
    emit(calls, nbytes=int(flags.get("--bytes", 0)), sha="0" * 64)
if mode == "half-calls":
    for _ in range(max(1, calls // 2)):
        get("/api")
    emit(calls)
if mode == "new-connections":
    for _ in range(calls):
        get("/api")  # a connection of its own for every call
    emit(calls)
if mode == "wrong-sha":
    body_size = int(flags["--bytes"])
    headers, _ = get(f"/bytes/{body_size}")  # all of it, and the nonce: only the digest is a lie
    emit(1, nbytes=body_size, sha="f" * 64, receipt=headers["x-polybench-nonce"])
if mode == "bad-json":
    print("all good, trust me")
    sys.exit(0)
if mode == "two-lines":
    print("{}")
    emit(calls)
if mode == "exit-1":
    get("/api")
    emit(calls, code=1)
if mode == "sleep":
    time.sleep(60)
if mode == "honest" and scenario in ("single", "sequential", "keepalive"):
    receipt = 0
    connection = connect() if scenario == "keepalive" else None  # else a connection per call
    for _ in range(calls):
        headers, body = get("/api", connection)
        assert json.loads(body) == {"message": "GET request received", "data": [1, 2, 3]}
        receipt ^= int(headers["x-polybench-nonce"], 16)
        if connection is not None and headers.get("connection", "").lower() == "close":
            connection.close()  # the server ends the connection (as http.client does, open the next one)
            connection = connect()
    if connection is not None:
        connection.close()
    emit(calls, receipt=f"{receipt:032x}")
sys.exit(f"unknown mode {mode}")
