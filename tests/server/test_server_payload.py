"""server/payload.py: the /bytes body is unpredictable, and recomputable from its seed."""

from __future__ import annotations

import hashlib

import pytest

from server.payload import CHUNK_SIZE, POOL, iter_body, new_seed, sent_sha256


@pytest.mark.parametrize("n", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 300 * CHUNK_SIZE + 1000])
def test_body_has_the_size_and_the_recomputed_digest(n: int) -> None:
    seed = new_seed()
    body = b"".join(iter_body(seed, n))
    assert len(body) == n
    assert sent_sha256(seed, n) == hashlib.sha256(body).hexdigest()


def test_chunks_are_slices_of_the_pool() -> None:
    chunks = list(iter_body(new_seed(), 2 * CHUNK_SIZE + 5))
    assert [len(chunk) for chunk in chunks] == [CHUNK_SIZE, CHUNK_SIZE, 5]
    assert all(chunk in POOL for chunk in chunks)


def test_same_seed_same_body_other_seed_other_body() -> None:
    seed = new_seed()
    n = 10 * CHUNK_SIZE
    assert b"".join(iter_body(seed, n)) == b"".join(iter_body(seed, n))
    assert b"".join(iter_body(seed, n)) != b"".join(iter_body(new_seed(), n))


def test_the_first_chunk_does_not_give_away_the_rest() -> None:
    """Two bodies that start alike still differ later: the offsets are per seed.

    (What a client sees of one body never determines another chunk's offset;
    here: for 200 random seeds, the second chunk never follows from the first.)
    """
    n = 2 * CHUNK_SIZE
    seconds_by_first: dict[bytes, set[bytes]] = {}
    for _ in range(200):
        first, second = iter_body(new_seed(), n)
        seconds_by_first.setdefault(first[:64], set()).add(second[:64])
    assert len({second for seconds in seconds_by_first.values() for second in seconds}) > 190


def test_a_prefix_digest_is_the_digest_of_what_was_sent() -> None:
    seed = new_seed()
    body = b"".join(iter_body(seed, 5 * CHUNK_SIZE))
    assert sent_sha256(seed, 3 * CHUNK_SIZE) == hashlib.sha256(body[: 3 * CHUNK_SIZE]).hexdigest()


def test_negative_size_is_an_error() -> None:
    with pytest.raises(ValueError):
        list(iter_body(new_seed(), -1))
