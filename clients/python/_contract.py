"""What every Python client shares: the contract's command line, checks and output.

See docs/contract.md. Start-up time is part of what we measure, so this module
imports only `sys`, `os` (loaded by every interpreter start anyway), `json` and
`time` (all cheap, and `json` is needed anyway to print the result), and `ssl`
only for an https:// URL, inside `ssl_context`. That is also why it has a
hand-written flag parser instead of `argparse`, and plain classes instead of `dataclasses` (which imports `inspect`).
"""

import json
import os
import sys
import time

RUN_HEADER = "X-Polybench-Run"
NONCE_HEADER = "X-Polybench-Nonce"
_HEX_DIGITS = frozenset("0123456789abcdef")
EXPECTED_API = {"message": "GET request received", "data": [1, 2, 3]}
TIMEOUT_S = 30.0
CHUNK_BYTES = 65536
MAX_ERRORS = 10
REST_CALLS = 5
# Set to "1" in a variant's `env:` (polybench.yaml): exit by os._exit() right after
# the result line, skipping interpreter finalization (the article's exit cost).
FAST_EXIT_ENV = "POLYBENCH_FAST_EXIT"

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_UNSUPPORTED = 0, 1, 2, 3

USAGE = (
    "usage: CLIENT SCENARIO --url URL --run-id ID [--requests N] [--concurrency C]"
    " [--delay-ms D] [--bytes B] [--ca-file PATH]"
)
_INT_FLAGS = {"--requests": 1, "--concurrency": 1, "--delay-ms": 0, "--bytes": 0}
_RUN_ID_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"
)


class UsageError(Exception):
    """A bad or missing flag: reported on one line, exit code 2."""


class Mismatch(Exception):
    """A response that arrived but is not what the contract says it must be."""


class Options:
    """The parsed command line."""

    def __init__(self, scenario: str, flags: dict[str, str]) -> None:
        self.scenario = scenario
        self.url = flags["--url"].rstrip("/")
        self.run_id = flags["--run-id"]
        self.requests = int(flags.get("--requests", 1))
        self.concurrency = int(flags.get("--concurrency", 1))
        self.delay_ms = int(flags.get("--delay-ms", 0))
        self.bytes = int(flags.get("--bytes", 1048576))
        # The CA to trust, and only it: set for an https:// URL, ignored for http://.
        self.ca_file: str | None = flags["--ca-file"] if self.url.startswith("https://") else None

    @property
    def tls(self) -> bool:
        """True when the server is reached over TLS (an https:// URL)."""
        return self.ca_file is not None

    @property
    def headers(self) -> dict[str, str]:
        """The header every request carries."""
        return {RUN_HEADER: self.run_id}


def parse_args(argv: list[str]) -> Options:
    """`SCENARIO --name value ...` into Options; UsageError on anything else."""
    if not argv or argv[0].startswith("-"):
        raise UsageError("missing SCENARIO")
    # An unknown scenario is not a usage error: main() answers it with the
    # contract's "unsupported" exit code, like a known one this client lacks.
    scenario, rest = argv[0], argv[1:]
    flags: dict[str, str] = {}
    for i in range(0, len(rest), 2):
        name = rest[i]
        if name not in _INT_FLAGS and name not in ("--url", "--run-id", "--ca-file"):
            raise UsageError(f"unknown flag {name}")
        if name in flags:
            raise UsageError(f"flag {name} given twice")
        if i + 1 == len(rest):
            raise UsageError(f"flag {name} has no value")
        value = rest[i + 1]
        is_count = value.isascii() and value.isdigit()
        if name in _INT_FLAGS and not (is_count and int(value) >= _INT_FLAGS[name]):
            raise UsageError(f"{name} needs an integer >= {_INT_FLAGS[name]}, got {value!r}")
        flags[name] = value
    for name in ("--url", "--run-id"):
        if name not in flags:
            raise UsageError(f"missing {name}")
    url = flags["--url"]
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"--url must start with http:// or https://, got {url!r}")
    if url.startswith("https://") and not flags.get("--ca-file"):
        raise UsageError("an https:// --url needs --ca-file (the CA to trust)")
    run_id = flags["--run-id"]
    if not 1 <= len(run_id) <= 64 or not _RUN_ID_CHARS.issuperset(run_id):
        raise UsageError(f"--run-id must match [A-Za-z0-9._-]{{1,64}}, got {run_id!r}")
    return Options(scenario, flags)


def ssl_context(options: Options):
    """An `ssl.SSLContext` that trusts exactly the CA in `--ca-file`, or None for http://.

    `create_default_context(cafile=...)` verifies the certificate and the host
    name and loads only that file (no system store: it loads the default
    certificates only when no CA is given). Raises OSError or ssl.SSLError if
    the file cannot be read or holds no certificate; build it before
    `tally.ready()`, like every other part of the client. Loads the `idna`
    codec too (load_idna_codec).
    """
    if options.ca_file is None:
        return None
    import ssl  # only a TLS run pays for importing it

    load_idna_codec()  # the handshake encodes the server's name with it (SSLContext.wrap_*)
    return ssl.create_default_context(cafile=options.ca_file)


def load_idna_codec() -> None:
    """Load the `idna` codec (encodings.idna, stringprep, unicodedata), as the first connect would.

    Python's socket module encodes a host name with it in getaddrinfo(), so a
    client on Python sockets imports it inside its first request: set-up,
    which the contract puts before `t_ready` (docs/contract.md, "What counts
    as set-up"). Encodes a constant: no name is resolved, nothing is sent.
    """
    "localhost".encode("idna")


class _Call:
    """One call's outcome: on leaving the block it counts as ok or as an error."""

    def __init__(self, tally: "Tally", what: str) -> None:
        self.tally = tally
        self.what = what

    def __enter__(self) -> "_Call":
        return self

    def __exit__(self, exc_type, exc, traceback) -> bool:
        if exc is None:
            self.tally.ok += 1
        elif isinstance(exc, Exception):
            self.tally.fail(self.what, exc)
        else:
            return False  # KeyboardInterrupt and the like propagate
        return True


class Tally:
    """The result line being built: counts, bytes, errors and the timestamps."""

    def __init__(self, client: str, options: Options, t_entry_ns: int) -> None:
        self.client = client
        self.scenario = options.scenario
        self.requests = expected_calls(options)
        self.ok = 0
        self.bytes = 0
        self.sha256: str | None = None
        self.receipt = 0  # XOR of the nonces of the verified responses
        self.errors: list[str] = []
        self.t_entry_ns = t_entry_ns
        self.t_ready_ns: int | None = None
        self.t_done_ns: int | None = None

    def ready(self) -> None:
        """Imports and client set-up are done; the first request comes next."""
        self.t_ready_ns = time.time_ns()

    def done(self) -> None:
        """The last response has been verified."""
        self.t_done_ns = time.time_ns()

    def received(self, nonce: str | None) -> None:
        """Fold one verified response's `X-Polybench-Nonce` into the receipt.

        Call it last in the call's block, once every other check has passed.
        """
        if nonce is None or len(nonce) != 32 or not _HEX_DIGITS.issuperset(nonce):
            raise Mismatch(f"header {NONCE_HEADER} is {nonce!r}, expected 32 lowercase hex chars")
        self.receipt ^= int(nonce, 16)

    def call(self, what: str) -> _Call:
        """`with tally.call("GET /api"):` counts the block as one call.

        Any exception inside is recorded as that call's error, never re-raised.
        Only use it from one thread: thread pools hand results back first.
        """
        return _Call(self, what)

    def fail(self, what: str, exc: Exception) -> None:
        if len(self.errors) >= MAX_ERRORS:
            return
        reason = str(exc) if isinstance(exc, Mismatch) else f"{type(exc).__name__}: {exc}"
        self.errors.append(f"{what}: {reason}"[:300])


def expected_calls(options: Options) -> int:
    if options.scenario in ("sequential", "keepalive", "concurrent"):
        return options.requests
    if options.scenario == "rest":
        return REST_CALLS
    return 1


def expect_status(status: int, expected: int) -> None:
    if status != expected:
        raise Mismatch(f"status {status}, expected {expected}")


def expect_api(payload: object) -> None:
    if payload != EXPECTED_API:
        raise Mismatch(f"body {payload!r:.100}, expected {EXPECTED_API!r}")


def expect_delay(payload: object, delay_ms: int) -> None:
    if payload != {"delay_ms": delay_ms}:
        raise Mismatch(f"body {payload!r:.100}, expected {{'delay_ms': {delay_ms}}}")


def expect_stream(content_length: str | None, received: int, expected: int) -> None:
    """The size checks; the digest is reported, and the orchestrator compares it
    with what the server recorded sending."""
    if content_length != str(expected):
        raise Mismatch(f"Content-Length {content_length}, expected {expected}")
    if received != expected:
        raise Mismatch(f"read {received} bytes, expected {expected}")


class RestStep:
    """One call of the `rest` scenario: what to send and the status it must get."""

    def __init__(self, label: str, method: str, body: dict | None, status: int, check) -> None:
        self.label = label  # for error messages, e.g. "PUT /users/<id>"
        self.method = method
        self.body = body  # JSON to send, or None
        self.status = status
        self.returns_json = status != 204  # DELETE answers 204 with an empty body
        self.check = check  # check(payload, location); payload is bytes if not returns_json


class RestPlan:
    """The contract's five `rest` calls, in order, with their checks.

    The client sends each step with its own library, checks the status with
    `expect_status`, parses the body and passes it to `step.check`. The first
    call's `_links.self.href` becomes the path of all the later ones.
    """

    def __init__(self, run_id: str) -> None:
        self.name = f"polybench-{run_id}"
        self.renamed = f"polybench-{run_id}-renamed"
        self.email = f"{run_id}@example.invalid"
        self.href: str | None = None
        created = {"name": self.name, "email": self.email}
        renamed = {"name": self.renamed, "email": self.email}
        self.steps = (
            RestStep("POST /users", "POST", created, 201, self._check_created),
            RestStep("GET /users/<id>", "GET", None, 200, self._check_fetched),
            RestStep("PUT /users/<id>", "PUT", renamed, 200, self._check_renamed),
            RestStep("DELETE /users/<id>", "DELETE", None, 204, self._check_deleted),
            RestStep("GET /users/<id>", "GET", None, 404, self._check_gone),
        )

    def path(self, step: RestStep) -> str:
        """Where to send `step`: the collection first, then the link it returned."""
        if step is self.steps[0]:
            return "/users"
        if self.href is None:
            raise Mismatch("no _links.self.href to follow: the POST failed")
        return self.href

    def _check_created(self, payload: object, location: str | None) -> None:
        if not isinstance(payload, dict) or not {"id", "name", "email", "_links"} <= payload.keys():
            raise Mismatch(f"body {payload!r:.100}, expected id, name, email, _links")
        _expect_user(payload, self.name, self.email)
        try:
            href = payload["_links"]["self"]["href"]
        except (KeyError, TypeError):
            raise Mismatch(f"body {payload!r:.100} has no _links.self.href") from None
        if not isinstance(href, str) or href != location:
            raise Mismatch(f"_links.self.href {href!r} differs from Location {location!r}")
        self.href = href

    def _check_fetched(self, payload: object, location: str | None) -> None:
        _expect_user(payload, self.name, self.email)

    def _check_renamed(self, payload: object, location: str | None) -> None:
        _expect_user(payload, self.renamed, self.email)

    def _check_deleted(self, payload: object, location: str | None) -> None:
        if payload != b"":
            raise Mismatch(f"body {payload!r:.100}, expected none")

    def _check_gone(self, payload: object, location: str | None) -> None:
        if not isinstance(payload, dict) or "error" not in payload:
            raise Mismatch(f"body {payload!r:.100}, expected an 'error' key")


def _expect_user(payload: object, name: str, email: str) -> None:
    if not isinstance(payload, dict) or (payload.get("name"), payload.get("email")) != (name, email):
        raise Mismatch(f"body {payload!r:.100}, expected name {name!r}, email {email!r}")


def emit(tally: Tally) -> None:
    """Print the one JSON line and exit 0 if every call was verified, else 1."""
    text, code = result(tally)
    sys.stdout.write(text)
    sys.stdout.flush()
    if os.environ.get(FAST_EXIT_ENV) == "1":
        sys.stderr.flush()  # os._exit flushes nothing: the result line is already out
        os._exit(code)
    sys.exit(code)


def result(tally: Tally) -> tuple:
    """(the JSON line with its newline, the exit code: 0 if every call was verified, else 1)."""
    if tally.t_ready_ns is None:
        tally.ready()
    if tally.t_done_ns is None:
        tally.done()
    line = {
        "client": tally.client,
        "scenario": tally.scenario,
        "requests": tally.requests,
        "ok": tally.ok,
        "bytes": tally.bytes,
        "sha256": tally.sha256,
        "receipt": f"{tally.receipt:032x}",
        "errors": tally.errors,
        "t_entry_ns": tally.t_entry_ns,
        "t_ready_ns": tally.t_ready_ns,
        "t_done_ns": tally.t_done_ns,
    }
    passed = tally.ok == tally.requests and not tally.errors
    return json.dumps(line) + "\n", EXIT_OK if passed else EXIT_FAILED


def main(client: str, scenarios: dict, t_entry_ns: int) -> None:
    """Parse the command line, run the scenario, print the result and exit.

    `scenarios` maps a scenario name to `function(options, tally)`; the function
    calls `tally.ready()` once its client is set up and `tally.done()` after the
    last check. A scenario missing from the map exits 3.
    """
    try:
        options = parse_args(sys.argv[1:])
    except UsageError as exc:
        sys.stderr.write(f"{client}: {exc}; {USAGE}\n")
        sys.exit(EXIT_USAGE)
    run_scenario = scenarios.get(options.scenario)
    if run_scenario is None:
        sys.stderr.write(f"{client}: scenario {options.scenario!r} is not supported\n")
        sys.exit(EXIT_UNSUPPORTED)
    tally = Tally(client, options, t_entry_ns)
    try:
        run_scenario(options, tally)
    except Exception as exc:  # a failure outside any one call, e.g. in set-up
        tally.fail(options.scenario, exc)
    emit(tally)
