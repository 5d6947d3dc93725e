"""The shared server's TLS material: a certificate authority made per server start.

`trustme` (python-trio/trustme) makes a throw-away CA and a server
certificate it signed, for IP 127.0.0.1 and ::1 and DNS localhost (the loopback names `serve --host`
takes): ECDSA P-256 keys,
trustme's default (and what most sites serve today). The CA's private key
never leaves this process's memory; the server's key and chain are written to
a private temporary folder (mode 0700) that `remove()` deletes, and the
clients get only the CA certificate (`ca.pem`). Nothing of it is ever in the
repository, and no two server starts share a CA.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..paths import sweep_folders_of_dead_processes

CA_FILE = "ca.pem"
SERVER_FILE = "server.pem"  # the server's key, its certificate and the chain to the CA
IDENTITIES = ("127.0.0.1", "::1", "localhost")
PREFIX = "polybench-tls-"


@dataclass(frozen=True)
class TLSFiles:
    """Where one server start's TLS files are: `ca_file` for clients, `server_file` for the server."""

    directory: Path

    @property
    def ca_file(self) -> Path:
        return self.directory / CA_FILE

    @property
    def server_file(self) -> Path:
        return self.directory / SERVER_FILE

    def remove(self) -> None:
        """Delete the folder and everything in it. Idempotent."""
        shutil.rmtree(self.directory, ignore_errors=True)


def make_tls_files() -> TLSFiles:
    """A new CA and a server certificate for IDENTITIES, written to a new private folder.

    Imports trustme (and cryptography) only here: about 0.1-0.2 s, once per
    server start, outside every measurement.
    """
    import trustme

    sweep_stale()
    # mode 0700: only this user reads the key
    directory = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    files = TLSFiles(directory)
    try:
        ca = trustme.CA(organization_name="polybench (made per server start)")
        leaf = ca.issue_cert(*IDENTITIES)
        ca.cert_pem.write_to_path(str(files.ca_file))
        leaf.private_key_and_cert_chain_pem.write_to_path(str(files.server_file))
    except BaseException:
        files.remove()
        raise
    return files


def sweep_stale(root: Path | None = None) -> list[Path]:
    """Delete the TLS folders that a killed server start left behind; return them.

    A start killed with SIGKILL cannot run ``remove()``; its folder (with a
    server key in it) would stay in the temporary directory
    (paths.sweep_folders_of_dead_processes).
    """
    return sweep_folders_of_dead_processes(PREFIX, root)
