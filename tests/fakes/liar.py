"""A client that lies in a chosen way, to prove the orchestrator catches it.

    python liar.py MODE[:NAME] SCENARIO --url URL --run-id ID [--requests N] [--bytes B] ...

Modes: honest (does the work: the control), no-calls, half-calls,
new-connections (claims keep-alive, reconnects every call), wrong-sha,
bad-json, two-lines, exit-1, sleep. Standard library only.
"""

import http.client
import json
import sys
import time
import urllib.parse
import urllib.request

T_ENTRY = time.time_ns()
mode, _, name = sys.argv[1].partition(":")  # MODE[:CLIENT_NAME]
scenario, rest = sys.argv[2], sys.argv[3:]
flags = dict(zip(rest[0::2], rest[1::2], strict=False))
url, run_id = flags["--url"], flags["--run-id"]
calls = {"rest": 5, "single": 1, "stream": 1}.get(scenario, int(flags.get("--requests", 1)))
headers = {"X-Polybench-Run": run_id}


def get(path):
    with urllib.request.urlopen(urllib.request.Request(url + path, headers=headers)) as response:
        return response.read()


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
        get("/api")  # urllib closes after every call
    emit(calls)
if mode == "wrong-sha":
    body_size = int(flags["--bytes"])
    request = urllib.request.Request(url + f"/bytes/{body_size}", headers=headers)
    with urllib.request.urlopen(request) as response:
        response.read()  # all of it, and the nonce: only the digest is a lie
        nonce = response.headers["X-Polybench-Nonce"]
    emit(1, nbytes=body_size, sha="f" * 64, receipt=nonce)
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
if mode == "honest":
    parsed = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port)
    receipt = 0
    for _ in range(calls):
        connection.request("GET", "/api", headers=headers)
        response = connection.getresponse()
        body = response.read()
        assert json.loads(body) == {"message": "GET request received", "data": [1, 2, 3]}
        receipt ^= int(response.getheader("X-Polybench-Nonce"), 16)
    emit(calls, receipt=f"{receipt:032x}")
sys.exit(f"unknown mode {mode}")
