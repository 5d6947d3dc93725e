"""Start, health-check and stop the shared server (server/).

Why this shape:
- The orchestrator binds the listening socket itself (port 0 picks a free
  port) and hands the open descriptor to gunicorn (`--bind fd://N`), so no
  other process can take the port between "pick" and "bind".
- The socket is listening before gunicorn starts, so early connections wait in
  the kernel's queue instead of being refused; /health is polled until the
  worker answers.
- gunicorn leads its own process group (a new session): Ctrl-C in the
  terminal reaches only the orchestrator, which stops the server in order, and
  a SIGKILL fallback reaches the arbiter and its worker together.
- Only the standard library here (urllib, not requests): importing the
  orchestrator must not pull in a client library under test.
- TLS (docs/server.md): a second listening socket, bound the same way, served
  by the same worker process (server/tls_worker.py), with a certificate from
  a CA made per start (orchestrator/server_control/tls.py); its files live in a
  private temporary folder that every stop removes.
"""

from __future__ import annotations

import ctypes
import json
import os
import runpy
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from importlib import metadata
from types import TracebackType
from typing import IO, Any

from server.limits import STATS_TOKEN_ENV, STATS_TOKEN_HEADER
from server.tls import TLS_CERT_ENV, TLS_PORT_ENV

from ..errors import PolybenchError
from ..paths import ROOT
from ..provenance.process_env import server_environment
from .tls import TLSFiles, make_tls_files

GUNICORN_CONF = ROOT / "server" / "gunicorn_conf.py"
APP_SPEC = "server.app:create_app()"
TLS_WORKER_CLASS = "server.tls_worker.TLSGeventWorker"
LOOPBACK = "127.0.0.1"

STARTUP_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 5.0  # gunicorn's quick stop takes about 0.5 s; its graceful_timeout (2 s) bounds it, with margin
REQUEST_TIMEOUT_S = 5.0
STDERR_TAIL_CHARS = 3000
LISTEN_BACKLOG = 2048
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

# Direct connections only: an HTTP(S)_PROXY in the environment must not
# intercept calls to our own loopback server.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServerError(PolybenchError):
    """The shared server could not be started, reached or stopped."""


GENERATE = "generate"  # SharedServer's default: a fresh /stats token


def stats_headers(token: str | None) -> dict[str, str]:
    """The request headers that let the orchestrator read /stats (server/probes.py)."""
    return {STATS_TOKEN_HEADER: token} if token else {}


def _die_with_parent() -> None:
    """In the server's child, before exec: SIGTERM when the orchestrator dies, even by SIGKILL.

    Linux's PR_SET_PDEATHSIG (prctl(2)); gunicorn stops its worker on SIGTERM.
    Elsewhere (no prctl) nothing happens: Ctrl-C and SIGTERM still stop it.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def worker_model(dev: bool = False) -> str:
    """One line describing the server process model, for results provenance."""
    if dev:
        return f"werkzeug {_version('werkzeug')} development server (threaded), 1 process, Connection: close"
    conf = runpy.run_path(str(GUNICORN_CONF))
    workers = conf["workers"]
    return (
        f"gunicorn {_version('gunicorn')} {conf['worker_class']} {_version('gevent')}, "
        f"{workers} worker{'s' if workers != 1 else ''}, {conf['worker_connections']} connections, "
        f"keep-alive {conf['keepalive']} s"
    )


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # A fixed port must be reusable right after the previous server stopped.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(LISTEN_BACKLOG)
    except (OSError, OverflowError) as error:
        sock.close()
        reason = getattr(error, "strerror", None) or error
        raise ServerError(f"cannot listen on {host}:{port}: {reason}") from None
    return sock


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", ""):
        return LOOPBACK
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


class SharedServer:
    """The server every client run talks to, as a context manager.

        with SharedServer() as server:
            ...  # clients use server.url; verify with server.stats(run_id)

    Binds 127.0.0.1 unless `host` says otherwise: exposing the server beyond
    loopback is always an explicit choice. With `tls` (the default; not for
    the development server) it also listens with TLS on a port of its own:
    `server.tls_url`, trusted through `server.ca_file`.
    """

    shares_clock = True  # same machine: the clients' timestamps are checked against its records

    def __init__(self, port: int | None = None, *, host: str = LOOPBACK, dev: bool = False,
                 startup_timeout_s: float = STARTUP_TIMEOUT_S, inherit_output: bool = False,
                 stats_token: str | None = GENERATE, tls: bool = True, tls_port: int | None = None) -> None:
        """stats_token: who may read /stats (a fresh random token by default; None: open).
        tls: also listen with TLS (on tls_port, default a free one); ignored with dev."""
        self.stats_token = secrets.token_hex(16) if stats_token == GENERATE else stats_token
        self.host = host
        self.requested_port = port or 0
        self.dev = dev
        self.startup_timeout_s = startup_timeout_s
        # True for `invoke serve`: the server's log goes to the terminal.
        self.inherit_output = inherit_output
        self.port: int | None = None
        self.tls = tls and not dev
        self.requested_tls_port = tls_port or 0
        self.tls_port: int | None = None
        self._tls_files: TLSFiles | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    # -- lifecycle ---------------------------------------------------------

    def __enter__(self) -> SharedServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def start(self) -> SharedServer:
        """Spawn the server and return once /health answers."""
        if self._process is not None:
            raise ServerError("server already started")
        listeners = [_listening_socket(self.host, self.requested_port)]
        try:
            if self.tls:
                listeners.append(_listening_socket(self.host, self.requested_tls_port))
                self._tls_files = _tls_files()
        except BaseException:
            for listener in listeners:
                listener.close()
            self._remove_tls_files()
            raise
        self.port = listeners[0].getsockname()[1]
        self.tls_port = listeners[1].getsockname()[1] if self.tls else None
        fds = tuple(listener.fileno() for listener in listeners)
        if self.inherit_output:
            output: IO[bytes] | None = None
        else:
            # A file, not a pipe: nobody has to drain it while the server runs.
            self._log = output = tempfile.TemporaryFile()
        try:
            self._process = subprocess.Popen(
                self._argv(fds), cwd=ROOT, pass_fds=fds, start_new_session=True,
                # its own minimal environment (process_env.py), plus the /stats token and the TLS files
                env={**server_environment(), **({STATS_TOKEN_ENV: self.stats_token} if self.stats_token else {}),
                     **self._tls_environment()},
                preexec_fn=_die_with_parent,
                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT if output is not None else None,
            )
        except OSError as error:
            self._close_log()
            self._remove_tls_files()
            raise ServerError(f"cannot start the server: {error}") from None
        finally:
            # The child holds its own copy; ours would keep the port open after it exits.
            for listener in listeners:
                listener.close()
        try:
            self._wait_healthy()
        except BaseException:  # including Ctrl-C while waiting: never leave it running
            self.stop()
            raise
        return self

    def _argv(self, fds: tuple[int, ...]) -> list[str]:
        if self.dev:
            return [sys.executable, "-m", "server.dev", "--fd", str(fds[0])]
        argv = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF)]
        for fd in fds:
            argv += ["--bind", f"fd://{fd}"]
        if self.tls:
            argv += ["--worker-class", TLS_WORKER_CLASS]  # the gevent worker, TLS on the second listener
        return [*argv, APP_SPEC]

    def _tls_environment(self) -> dict[str, str]:
        if self._tls_files is None or self.tls_port is None:
            return {}
        return {TLS_PORT_ENV: str(self.tls_port), TLS_CERT_ENV: str(self._tls_files.server_file)}

    def _remove_tls_files(self) -> None:
        files, self._tls_files = self._tls_files, None
        if files is not None:
            files.remove()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        last_error = "no answer yet"
        while True:
            exit_code = self._process.poll() if self._process else None
            if exit_code is not None:
                tail = self.output_tail()
                raise ServerError(f"server exited with code {exit_code} before answering /health; "
                                  f"its output ends with:\n{tail}")
            try:
                if self.health().get("status") == "ok" and (not self.tls or self.tls_health().get("status") == "ok"):
                    return
                last_error = "status not ok"
            except ServerError as error:
                last_error = str(error)
            if time.monotonic() > deadline:
                tail = self.output_tail()
                raise ServerError(f"server not healthy after {self.startup_timeout_s:.0f} s "
                                  f"({last_error}); its output ends with:\n{tail}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGQUIT to gunicorn (its quick shutdown; SIGTERM to the dev server), then SIGKILL to the whole
        process group after STOP_TIMEOUT_S. Idempotent."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            # The arbiter stops its worker itself. Not SIGTERM, gunicorn's graceful stop: the gevent worker
            # notices it only at its once-a-second poll, then waits for open connections (1.4 s measured,
            # against 0.5 s), and a stop comes after the last run, so no request is left to finish.
            process.send_signal(signal.SIGTERM if self.dev else signal.SIGQUIT)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                # The group id cannot be reused while its leader is unreaped,
                # so this reaches only the arbiter and its worker.
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()
        self._close_log()
        self._remove_tls_files()

    def wait(self) -> int:
        """Block until the server exits on its own; its exit code."""
        if self._process is None:
            raise ServerError("server not started")
        return self._process.wait()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    # -- queries -------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. http://127.0.0.1:8123."""
        if self.port is None:
            raise ServerError("server not started")
        return f"http://{_url_host(self.host)}:{self.port}"

    @property
    def tls_url(self) -> str | None:
        """The TLS port's base URL (https://127.0.0.1:PORT), or None without TLS."""
        if self.port is None:
            raise ServerError("server not started")
        return f"https://{_url_host(self.host)}:{self.tls_port}" if self.tls_port is not None else None

    @property
    def ca_file(self) -> str | None:
        """The PEM file of the CA that signed the TLS port's certificate (the one CA clients trust)."""
        return str(self._tls_files.ca_file) if self._tls_files is not None else None

    @property
    def pid(self) -> int | None:
        """The gunicorn arbiter's (or dev server's) process id while running."""
        return self._process.pid if self._process is not None else None

    @property
    def worker_model(self) -> str:
        tls = "; TLS on a second port, same worker (ECDSA P-256 certificate, CA made per start)" if self.tls else ""
        return worker_model(self.dev) + tls

    def health(self) -> dict[str, Any]:
        return self._get_json("/health", timeout_s=1.0)

    def tls_health(self) -> dict[str, Any]:
        """/health over the TLS port, verified against the CA file like a client does."""
        if self.tls_url is None or self.ca_file is None:
            raise ServerError("the server has no TLS port")
        context = ssl.create_default_context(cafile=self.ca_file)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPSHandler(context=context))
        return self._get_json("/health", timeout_s=1.0, base_url=self.tls_url, opener=opener)

    def stats(self, run_id: str) -> dict[str, Any]:
        """The server's counts for one run (see docs/server.md for the shape)."""
        from .checks import checked_stats

        path = "/stats?" + urllib.parse.urlencode({"run": run_id})
        return checked_stats(self._get_json(path, timeout_s=REQUEST_TIMEOUT_S, headers=stats_headers(self.stats_token)),
                             self.url)

    def describe(self) -> dict[str, Any]:
        """The results' `server` record (server_checks.Server)."""
        return {"url": self.url, "remote": False, "worker_model": self.worker_model, "stats_token": True,
                "tls_url": self.tls_url}

    def exit_code(self) -> int | None:
        """The server process's exit code if it has stopped, else None."""
        return self._process.poll() if self._process is not None else None

    def output_tail(self) -> str:
        """The last part of the server's stdout/stderr."""
        if self._log is None:
            return "(the server's output went to the terminal)" if self.inherit_output else ""
        self._log.seek(0, os.SEEK_END)
        size = self._log.tell()
        self._log.seek(max(0, size - STDERR_TAIL_CHARS))
        return self._log.read().decode("utf-8", errors="replace")

    def _get_json(self, path: str, *, timeout_s: float, headers: dict[str, str] | None = None,
                  base_url: str | None = None, opener: urllib.request.OpenerDirector = _OPENER) -> dict[str, Any]:
        url = (base_url or self.url) + path
        try:
            with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=timeout_s) as response:
                data = json.loads(response.read())
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", errors="replace")[:300]
            raise ServerError(f"GET {url}: HTTP {error.code}: {body}") from None
        except (OSError, ValueError) as error:  # URLError, timeouts, resets, bad JSON
            raise ServerError(f"GET {url}: {error}") from None
        if not isinstance(data, dict):
            raise ServerError(f"GET {url}: a JSON {type(data).__name__}, not an object")
        return data


def serve_forever(port: int | None = None, dev: bool = False, *, host: str = LOOPBACK,
                  tls_port: int | None = None) -> None:
    """Run the shared server in the foreground until Ctrl-C (`invoke serve`).

    /stats takes the token in $POLYBENCH_STATS_TOKEN, if set (give the runner
    the same one); without it /stats is open, which a warning says.
    """
    token = os.environ.get(STATS_TOKEN_ENV) or None
    with SharedServer(port, host=host, dev=dev, inherit_output=True, stats_token=token, tls_port=tls_port) as server:
        print(f"polybench server at {server.url} ({server.worker_model}); Ctrl-C to stop", flush=True)
        if server.tls_url:
            print(f"TLS at {server.tls_url}, CA certificate {server.ca_file} (new at every start)", flush=True)
        if token is None:
            print(f"polybench: warning: /stats is open to every client (set {STATS_TOKEN_ENV} here and for the "
                  "runner to close it: docs/server.md)", file=sys.stderr, flush=True)
        try:
            exit_code = server.wait()
        except KeyboardInterrupt:
            return
    raise ServerError(f"server exited on its own with code {exit_code}")


def _tls_files() -> TLSFiles:
    try:
        return make_tls_files()
    except ImportError as error:
        raise ServerError(f"cannot make the TLS certificate: {error} (install from requirements.lock)") from None
    except (OSError, ValueError) as error:
        raise ServerError(f"cannot make the TLS certificate: {error}") from None
