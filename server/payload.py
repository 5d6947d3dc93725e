"""The body of GET /bytes/<n>: unpredictable per request, cheap to send, and
recomputable by the server afterwards (docs/contract.md, "Proof of receipt").

The body is cut into CHUNK_SIZE chunks, each a slice of one random POOL taken
at an offset derived from a secret per-request seed (SHAKE-128 of the seed).
The pool is drawn once per process; what makes a body unpredictable is the
offsets: a client that has read some chunks (even one that knows the whole
pool) has one chance in POOL_SIZE - CHUNK_SIZE + 1 of guessing each chunk it
did not read. Sending costs a slice per chunk, nothing else; the SHA-256 of
what was sent is computed only when /stats asks (`sent_sha256`), after the run.

This module imports only the standard library.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator

CHUNK_SIZE = 65_536
POOL_SIZE = 1 << 20
# Drawn once per process: 1 MiB of memory for every /bytes body ever sent.
POOL = os.urandom(POOL_SIZE)
SEED_BYTES = 32
_OFFSET_RANGE = POOL_SIZE - CHUNK_SIZE + 1
# Offsets are derived in batches (one SHAKE call per batch), so a 1 GiB body
# costs 64 small hashes, spread over the transfer.
_OFFSETS_PER_BATCH = 256
# Let other requests run this often (chunks): under gevent a greenlet only
# yields when its socket buffer is full, and a fast reader on loopback keeps it
# from filling, so one download could hold the worker for a whole body.
_YIELD_EVERY_CHUNKS = 16


def new_seed() -> bytes:
    """A fresh secret seed for one response."""
    return os.urandom(SEED_BYTES)


def _offsets(seed: bytes) -> Iterator[int]:
    """The pool offset of each chunk, forever: 4 bytes of SHAKE-128 output each."""
    batch = 0
    while True:
        stream = hashlib.shake_128(seed + batch.to_bytes(8, "big")).digest(4 * _OFFSETS_PER_BATCH)
        for i in range(0, len(stream), 4):
            yield int.from_bytes(stream[i:i + 4], "big") % _OFFSET_RANGE
        batch += 1


def iter_body(seed: bytes, n: int) -> Iterator[bytes]:
    """Yield the n-byte body for `seed` in CHUNK_SIZE pieces; never holds it whole.

    Every 1 MiB it sleeps(0): under gevent's monkey-patched sleep the one
    worker then serves other requests (sending, and recomputing a digest
    for /stats, both stay cooperative).
    """
    if n < 0:
        raise ValueError(f"body size must be >= 0, got {n}")
    remaining = n
    for index, offset in enumerate(_offsets(seed), start=1):
        if remaining <= 0:
            return
        size = min(CHUNK_SIZE, remaining)
        yield POOL[offset:offset + size]
        remaining -= size
        if index % _YIELD_EVERY_CHUNKS == 0:
            time.sleep(0)


def sent_sha256(seed: bytes, n: int) -> str:
    """Hex SHA-256 of the first n bytes of the body for `seed` (about 1 s per GiB
    on the 2-core machine; cooperative, like sending)."""
    digest = hashlib.sha256()
    for chunk in iter_body(seed, n):
        digest.update(chunk)
    return digest.hexdigest()
