"""A client that does the work honestly but turns certificate verification off.

    python insecure.py SCENARIO --url URL --run-id ID [--requests N] [--ca-file PATH]

It exists to prove that the wrong-CA test (tests/conformance/test_tls.py)
catches a client that skips verification: with any --ca-file, even one that
did not sign the server's certificate, its runs succeed. `single`,
`sequential` and `keepalive` only. Standard library only.
"""

import http.client
import json
import ssl
import sys
import time
import urllib.parse

T_ENTRY = time.time_ns()
scenario, rest = sys.argv[1], sys.argv[2:]
flags = dict(zip(rest[0::2], rest[1::2], strict=False))
url, run_id = urllib.parse.urlsplit(flags["--url"]), flags["--run-id"]
calls = 1 if scenario == "single" else int(flags.get("--requests", 1))
context = ssl._create_unverified_context()  # the fault under test: no verification at all
T_READY = time.time_ns()

ok, nbytes, receipt, errors = 0, 0, 0, []
connection = None
for _ in range(calls):
    if connection is None or scenario != "keepalive":
        connection = http.client.HTTPSConnection(url.netloc, context=context, timeout=30)
    try:
        connection.request("GET", "/api", headers={"X-Polybench-Run": run_id,
                                                   **({"Connection": "close"} if scenario != "keepalive" else {})})
        response = connection.getresponse()
        body = response.read()
        nbytes += len(body)
        if response.status == 200 and json.loads(body) == {"message": "GET request received", "data": [1, 2, 3]}:
            ok += 1
            receipt ^= int(response.headers["X-Polybench-Nonce"], 16)
    except OSError as error:
        errors.append(str(error))
    if scenario != "keepalive":
        connection.close()
connection.close()
print(json.dumps({
    "client": "insecure", "scenario": scenario, "requests": calls, "ok": ok, "bytes": nbytes, "sha256": None,
    "receipt": f"{receipt:032x}", "errors": errors[:10],
    "t_entry_ns": T_ENTRY, "t_ready_ns": T_READY, "t_done_ns": time.time_ns(),
}))
sys.exit(0 if ok == calls else 1)
