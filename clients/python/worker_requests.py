"""Resident worker of `python-requests-worker`: Python kept warm, driven per run by a launcher.

    python worker_requests.py SOCKET

The article's "persistent Python process": requests and the client are
imported once; the timed process is the small C launcher
(clients/worker/launch.c), which sends its entry timestamp and its contract
arguments over the Unix socket and prints what this worker answers. Each run
is client_requests.py's own scenario function, so it builds a fresh Session
(no connection survives from one run to the next: the server's per-run
connection counts still verify) and proves receipt with the run's nonces.
Prints one line ("ready") once it accepts runs; SIGTERM stops it.
"""

import os
import signal
import socket
import stat
import sys

import client_requests

import _contract

MAX_REQUEST_BYTES = 1 << 16


def answer(request: bytes) -> bytes:
    """One run: the launcher's `T_ENTRY\\0ARG\\0ARG...\\0` in, `CODE\\nTEXT` out."""
    fields = request.split(b"\0")
    if fields and fields[-1] == b"":
        fields.pop()
    try:
        t_entry_ns = int(fields[0])
        args = [field.decode() for field in fields[1:]]
        options = _contract.parse_args(args)
    except (ValueError, IndexError, UnicodeDecodeError, _contract.UsageError) as exc:
        return f"{_contract.EXIT_USAGE}\n{client_requests.CLIENT}: {exc}; {_contract.USAGE}\n".encode()
    run_scenario = client_requests.SCENARIOS.get(options.scenario)
    if run_scenario is None:
        return f"{_contract.EXIT_UNSUPPORTED}\nscenario {options.scenario!r} is not supported\n".encode()
    tally = _contract.Tally(client_requests.CLIENT, options, t_entry_ns)
    try:
        run_scenario(options, tally)
    except Exception as exc:  # a failure outside any one call, as _contract.main records it
        tally.fail(options.scenario, exc)
    text, code = _contract.result(tally)
    return f"{code}\n{text}".encode()


def _remove_if_ours(path: str, ours: os.stat_result) -> None:
    """Unlink path only if it is still the socket this worker bound (same file, not a newer one)."""
    try:
        now = os.lstat(path)
    except OSError:
        return
    if _identity(now) == _identity(ours):
        os.unlink(path)


def _identity(info: os.stat_result) -> tuple[int, int, int, int]:
    # an inode number is reused at once for the next file made: the type and change time tell them apart
    return info.st_dev, info.st_ino, info.st_mode, info.st_ctime_ns


def _stale_socket(path: str) -> bool:
    """Whether `path` is a Unix socket nobody listens on (its worker was killed): connecting is refused."""
    try:
        if not stat.S_ISSOCK(os.lstat(path).st_mode):
            return False
    except OSError:
        return False
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # Never blocking: once a live listener's backlog is full (it accepts nothing meanwhile), a blocking connect
    # waits until it does; with a timeout it fails at once (EAGAIN), and someone is there.
    probe.settimeout(2)
    try:
        probe.connect(path)
    except ConnectionRefusedError:
        return True
    except OSError:  # EAGAIN (a full backlog) among them: someone is there
        return False
    finally:
        probe.close()
    return False  # a live worker answers: leave it alone


def serve(path: str) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(path)  # never over something live: it is not this worker's to remove
    except OSError as exc:
        if not _stale_socket(path):
            sys.exit(f"worker_requests.py: cannot listen on {path}: {exc.strerror or exc}")
        os.unlink(path)  # a dead worker's socket (killed before it could remove it): nobody listens on it
        listener.bind(path)
    os.chmod(path, 0o600)
    ours = os.lstat(path)
    listener.listen(8)
    signal.signal(signal.SIGTERM, lambda signo, frame: sys.exit(0))
    try:
        print("ready", flush=True)  # inside: a SIGTERM right after it still removes the socket
        while True:
            connection, _ = listener.accept()
            with connection:
                try:
                    chunks, size = [], 0
                    while size <= MAX_REQUEST_BYTES:
                        chunk = connection.recv(65536)
                        if not chunk:
                            break
                        chunks.append(chunk)
                        size += len(chunk)
                    connection.sendall(answer(b"".join(chunks)))
                except OSError:
                    continue  # that launcher went away (killed at its time limit, say): serve the next one
    finally:
        listener.close()
        _remove_if_ours(path, ours)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: worker_requests.py SOCKET")
    serve(sys.argv[1])
