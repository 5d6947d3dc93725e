"""checks.checked_url (--server-url, --server-tls-url): an explicit port, a real host, nothing else;
fuzzed with hypothesis, so what it accepts is always a URL every client reads the same way."""

from __future__ import annotations

import ipaddress
import string
import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator.errors import PolybenchError
from orchestrator.server_control.checks import checked_server_url, checked_url
from orchestrator.server_control.remote_server import checked_tls_url


@pytest.mark.parametrize(("url", "why"), [
    ("http://127.0.0.1", "no port"),
    ("http://127.0.0.1:", "no port"),
    ("http://[::1]", "no port"),
    ("http://::1:8123", "needs brackets"),
    ("http://h:80:90", "needs brackets"),
    ("http://[fe80::1%25eth0]:80", "zone"),
    ("http://[1.2.3.4]:80", "cannot be in brackets"),
    ("http://[::g]:80", "IPv6"),
    ("http://1.2.3:80", "not an IPv4 address"),
    ("http://999.1.1.1:80", "not an IPv4 address"),
    ("http://a_b:80", "not a host name"),
    ("http://-a:80", "not a host name"),
    ("http://a..b:80", "not a host name"),
    ("http://%41:80", "not a host name"),
    ("http://bücher:80", "punycode"),
    ("http://h:+80", "not a number"),
    ("http://h:٣٣", "not a number"),
    ("http://h:0", "port 0"),
    ("http://h:80/?", "no user, query or fragment"),
    ("http://h:80#", "no user, query or fragment"),
    ("http://:@h:80", "no user, query or fragment"),
    ("http://h:80//", "no path"),
    ("https://h:80", "must start with http://"),
    ("http:h:80", "must start with http://"),
])
def test_malformed_server_urls_are_one_line_saying_what_is_wrong(url: str, why: str) -> None:
    with pytest.raises(PolybenchError, match="--server-url must look like http://HOST:PORT") as caught:
        checked_server_url(url)
    assert why in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(("url", "canonical"), [
    ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
    ("http://server:8123/", "http://server:8123"),  # compose.yaml's
    ("HTTP://Bench-A.example:08123", "http://bench-a.example:8123"),
    ("http://[::1]:8123", "http://[::1]:8123"),
])
def test_good_server_urls_come_back_canonical(url: str, canonical: str) -> None:
    assert checked_server_url(url) == canonical
    assert checked_tls_url("https" + url[len("http"):]) == "https" + canonical[len("http"):]


def _accepted_is_plain(url: str, scheme: str) -> None:
    """What checked_url returns: scheme://HOST:PORT that urllib splits into exactly that, and a fixed point."""
    parts = urllib.parse.urlsplit(url)
    assert parts.scheme == scheme and parts.port is not None and 1 <= parts.port <= 65535
    assert not (parts.path or parts.query or parts.fragment or parts.username or parts.password)
    assert url == f"{scheme}://{parts.netloc}"
    host = parts.hostname or ""
    if ":" in host:
        ipaddress.IPv6Address(host)
    assert checked_url(url, scheme) == url


HOSTISH = st.sampled_from(["127.0.0.1", "localhost", "[::1]", "::1", "h_1", "a..b", "999.1.1.1", "",
                           "bücher", "-x", "x-", "server", "[::1", "%41", "me@h", "[fe80::1%25e]", "1.2.3"])
PORTISH = st.one_of(st.integers(-5, 70_000).map(str), st.sampled_from(["", "+80", "٣٣", "80x", "0080", " 80"]))
TAIL = st.sampled_from(["", "/", "//", "/x", "?", "?q=1", "#", "#f", "/?", ":9"])


@settings(max_examples=400, deadline=None)
@given(scheme=st.sampled_from(["http", "https", "HTTP", "ftp", ""]), sep=st.sampled_from(["://", ":/", ":", "//"]),
       host=HOSTISH, colon=st.sampled_from([":", ""]), port=PORTISH, tail=TAIL)
def test_assembled_urls_are_accepted_plain_or_refused_in_one_line(scheme, sep, host, colon, port, tail) -> None:
    url = f"{scheme}{sep}{host}{colon}{port}{tail}"
    try:
        accepted = checked_server_url(url)
    except PolybenchError as error:
        assert str(error).startswith("--server-url must look like http://HOST:PORT") and "\n" not in str(error)
        return
    _accepted_is_plain(accepted, "http")


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=string.printable).map(lambda t: "http://" + t)))
def test_any_text_is_accepted_plain_or_refused_in_one_line(text: str) -> None:
    try:
        accepted = checked_server_url(text)
    except PolybenchError as error:
        assert "\n" not in str(error) and str(error).startswith("--server-url")
        return
    _accepted_is_plain(accepted, "http")
