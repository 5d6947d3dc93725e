"""A toy polybench client: the whole of what a new client needs (docs/contract.md), in one file.

Python's standard library only (http.client), on the system's python3: `single` and `keepalive`
(N calls over one connection); every other scenario exits 3. tests/pluggable/test_toy_client.py
copies this folder into a repository copy, adds one YAML entry, and takes it through build, run
and report: the README's "Adding a client" recipe.
"""

import time

T_ENTRY_NS = time.time_ns()  # first statement: before any other import

import http.client  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import urllib.parse  # noqa: E402

NAME = "toy-http"
SCENARIOS = ("single", "keepalive")
FLAGS = ("--url", "--run-id", "--requests", "--concurrency", "--delay-ms", "--bytes", "--ca-file")
EXPECTED = {"message": "GET request received", "data": [1, 2, 3]}


def fail_usage(reason: str) -> None:
    print(f"{NAME}: {reason}", file=sys.stderr)
    sys.exit(2)


def parse(argv: list[str]) -> tuple[str, dict[str, str]]:
    if not argv:
        fail_usage("missing SCENARIO")
    scenario, rest, flags = argv[0], argv[1:], {}
    if len(rest) % 2:
        fail_usage(f"{rest[-1]} needs a value")
    for name, value in zip(rest[::2], rest[1::2], strict=True):
        if name not in FLAGS:
            fail_usage(f"unknown flag {name}")
        flags[name] = value
    for name in ("--url", "--run-id"):
        if name not in flags:
            fail_usage(f"{name} is required")
    if flags["--url"].startswith("https://") and "--ca-file" not in flags:
        fail_usage("an https:// --url needs --ca-file")
    if not flags.get("--requests", "1").isdigit() or int(flags.get("--requests", "1")) < 1:
        fail_usage("--requests must be a positive integer")
    if scenario not in SCENARIOS:
        print(f"{NAME}: scenario {scenario!r} not supported (only {', '.join(SCENARIOS)})", file=sys.stderr)
        sys.exit(3)
    return scenario, flags


def main() -> int:
    scenario, flags = parse(sys.argv[1:])
    url = urllib.parse.urlsplit(flags["--url"])
    calls = 1 if scenario == "single" else int(flags.get("--requests", "1"))
    if url.scheme == "https":
        import ssl

        context = ssl.create_default_context(cafile=flags["--ca-file"])
        connection = http.client.HTTPSConnection(url.hostname, url.port, context=context, timeout=60)
    else:
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    headers = {"X-Polybench-Run": flags["--run-id"]}
    t_ready = time.time_ns()
    ok, received, receipt, errors = 0, 0, 0, []
    for _ in range(calls):  # one connection, kept alive between calls
        try:
            connection.request("GET", "/api", headers=headers)
            response = connection.getresponse()
            body = response.read()
            received += len(body)
            nonce = response.getheader("X-Polybench-Nonce") or ""
            if response.status != 200 or json.loads(body) != EXPECTED or len(nonce) != 32:
                raise ValueError(f"status {response.status}, body {body[:60]!r}")
            receipt ^= int(nonce, 16)
            ok += 1
        except (OSError, ValueError, http.client.HTTPException) as exc:
            errors.append(str(exc)[:200])
    connection.close()
    print(json.dumps({"client": NAME, "scenario": scenario, "requests": calls, "ok": ok, "bytes": received,
                      "sha256": None, "receipt": f"{receipt:032x}", "errors": errors[:10],
                      "t_entry_ns": T_ENTRY_NS, "t_ready_ns": t_ready, "t_done_ns": time.time_ns()}))
    return 0 if ok == calls else 1


if __name__ == "__main__":
    sys.exit(main())
