"""server/payload.py: the /bytes pattern the orchestrator also recomputes."""

from __future__ import annotations

import hashlib

import pytest

from server.payload import BLOCK, BLOCK_SIZE, expected_sha256, iter_body


def _reference_body(n: int) -> bytes:
    # Straight from docs/contract.md: the block repeated and cut to n.
    block = bytes(i % 251 for i in range(65536))
    return (block * (n // len(block) + 1))[:n]


@pytest.mark.parametrize("n", [0, 1, 251, BLOCK_SIZE - 1, BLOCK_SIZE, BLOCK_SIZE + 1, 4 * BLOCK_SIZE + 1000])
def test_body_and_digest_match_the_contract(n: int) -> None:
    body = b"".join(iter_body(n))
    assert body == _reference_body(n)
    assert expected_sha256(n) == hashlib.sha256(body).hexdigest()


def test_known_digests() -> None:
    # Pinned so an accidental change to the pattern fails loudly.
    assert expected_sha256(0) == hashlib.sha256(b"").hexdigest()
    assert expected_sha256(1_000_000) == "b07eee5c54f5841ccc945f3333c119b1dbed4d3c4e1b98efe719499de4e95f32"


def test_full_chunks_are_the_shared_block() -> None:
    chunks = list(iter_body(2 * BLOCK_SIZE + 5))
    assert [len(chunk) for chunk in chunks] == [BLOCK_SIZE, BLOCK_SIZE, 5]
    assert chunks[0] is BLOCK


def test_negative_size_is_an_error() -> None:
    with pytest.raises(ValueError):
        list(iter_body(-1))
