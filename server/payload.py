"""The body of GET /bytes/<n> and its digest (docs/contract.md, "The /bytes body pattern").

The body is one fixed 65,536-byte block repeated and cut to n bytes. 251 is
prime, so no chunk boundary ever lines up with the pattern: a client that drops
or repeats a chunk gets a different SHA-256.

This module imports only the standard library, so the orchestrator and tests
can recompute a digest without Flask.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import lru_cache

from .limits import DIGEST_CACHE_SIZE

BLOCK_SIZE = 65_536
BLOCK = bytes(i % 251 for i in range(BLOCK_SIZE))
# One block per chunk: every full chunk is the same immutable bytes object, so
# streaming allocates nothing but the final partial chunk.
CHUNK_SIZE = BLOCK_SIZE


def iter_body(n: int) -> Iterator[bytes]:
    """Yield the n-byte body in CHUNK_SIZE pieces; never holds it whole."""
    if n < 0:
        raise ValueError(f"body size must be >= 0, got {n}")
    full_blocks, tail = divmod(n, BLOCK_SIZE)
    for _ in range(full_blocks):
        yield BLOCK
    if tail:
        yield BLOCK[:tail]


@lru_cache(maxsize=DIGEST_CACHE_SIZE)
def expected_sha256(n: int) -> str:
    """Hex SHA-256 of the n-byte body.

    Cached because hashing is linear in n (about 0.7 s per GiB measured with
    SHA-NI) and the server sends the digest before the body on every request.
    """
    digest = hashlib.sha256()
    for chunk in iter_body(n):
        digest.update(chunk)
    return digest.hexdigest()
