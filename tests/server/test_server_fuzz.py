"""Fuzz the real server (gunicorn + gevent): whatever a client sends, a 4xx, never a 5xx, never a dropped connection.

Hypothesis draws requests around every documented endpoint (docs/server.md):
valid and broken path parameters, odd methods, query strings, headers, and
bodies that are JSON, nearly JSON, nested thousands deep, not UTF-8, over the
64 KiB cap, sent with a Content-Length or chunked. The budget is fixed
(derandomized, a fixed number of examples) so the test is reproducible and
takes seconds. Cheap parameters only: /delay and /fanout waits stay in
milliseconds, /bytes sizes under a megabyte.

The only 5xx the server documents are 507 (POST /users with the store full)
and 502 (/fanout's inner call failed); neither may appear here either, since
the store is far from full and the inner calls go to the server itself.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.limits import MAX_BODY_BYTES

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

SEGMENT_ALPHABET = st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="/?#%")
segment = st.one_of(
    st.integers(min_value=-5, max_value=40).map(str),  # small, cheap numbers, and negatives
    st.sampled_from(["", "0", "00", "1e3", "0x10", "+5", " 5", "5.0", "99999999999999999999", "NaN", "-0"]),
    st.text(SEGMENT_ALPHABET, max_size=12),
    st.text(max_size=6).map(lambda text: urllib.parse.quote(text, safe="")),  # any Unicode, percent-encoded
)
small_bytes = st.one_of(st.integers(min_value=0, max_value=1 << 20).map(str), segment)

paths = st.one_of(
    st.just("/api"),
    st.builds(lambda s: f"/delay/{s}", segment),
    st.builds(lambda s: f"/bytes/{s}", small_bytes),
    st.just("/users"),
    st.builds(lambda s: f"/users/{s}", segment),
    st.builds(lambda s: f"/stats?run={urllib.parse.quote(s, safe='')}", st.text(max_size=80)),
    st.just("/stats"),
    st.just("/health"),
    st.builds(lambda m, c, d: f"/fanout/{m}/{c}/{d}", st.sampled_from(["sync", "async", "x", ""]),
              st.one_of(st.integers(min_value=-1, max_value=17).map(str), segment),
              st.one_of(st.integers(min_value=0, max_value=20).map(str), st.just("x"))),
    st.sampled_from(["/trivial/sync", "/trivial/async", "/", "/nope", "//api", "/api/", "/users/1/x",
                     "/%00", "/..%2f..%2fetc", "/api?x=%ff"]),
)

nested = st.integers(min_value=1, max_value=30_000).map(lambda depth: "[" * depth + "]" * depth)
user_like = st.fixed_dictionaries({}, optional={
    "name": st.one_of(st.text(max_size=300), st.integers(), st.none(), st.lists(st.integers(), max_size=3)),
    "email": st.one_of(st.text(max_size=300), st.booleans()),
    "extra": st.text(max_size=5),
}).map(json.dumps)
bodies = st.one_of(
    st.none(),
    user_like.map(str.encode),
    nested.map(str.encode),
    st.binary(max_size=512),
    st.just(b'{"name": "' + b"x" * (MAX_BODY_BYTES + 10) + b'", "email": "a@b"}'),
    st.just(b"\xff\xfe{\"name\": 1}"),
    st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
)
header_value = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
headers = st.dictionaries(
    st.sampled_from(["X-Polybench-Run", "Content-Type", "Accept", "Accept-Encoding", "Connection", "X-Other"]),
    header_value, max_size=4)


@pytest.fixture(scope="module")
def address(live_server):
    parsed = urllib.parse.urlsplit(live_server.url)
    return parsed.hostname, parsed.port


def send(address, method: str, path: str, body: bytes | None, chunked: bool, extra: dict[str, str]) -> int:
    """One request on a fresh connection; the status, or an AssertionError if the connection was dropped."""
    connection = http.client.HTTPConnection(*address, timeout=30)
    try:
        if chunked and body is not None:
            connection.request(method, path, body=iter([body[: len(body) // 2], body[len(body) // 2:]]),
                               headers=extra, encode_chunked=True)
        else:
            connection.request(method, path, body=body, headers=extra)
        response = connection.getresponse()
        response.read()
        return response.status
    except (ConnectionError, http.client.HTTPException, TimeoutError) as error:
        raise AssertionError(f"{method} {path}: connection dropped ({type(error).__name__}: {error})") from None
    finally:
        connection.close()


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "BREW"]),
       path=paths, body=bodies, chunked=st.booleans(), extra=headers)
def test_any_request_gets_an_answer_below_500(address, method, path, body, chunked, extra):
    status = send(address, method, path, body, chunked, extra)
    assert 100 <= status < 500, f"{method} {path} ({'chunked ' if chunked else ''}body {body[:60] if body else body!r}"\
                                f"...) -> {status}"


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_the_cap_is_413_however_it_is_sent(address, chunked):
    body = b'{"name": "' + b"x" * (MAX_BODY_BYTES + 10) + b'", "email": "a@b"}'
    assert send(address, "POST", "/users", body, chunked, {}) == 413


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_small_deeply_nested_body_is_400(address, chunked):
    depth = 30_000  # 60 KB: under the cap, far deeper than the parser's recursion limit
    assert send(address, "POST", "/users", b"[" * depth + b"]" * depth, chunked, {}) == 400
