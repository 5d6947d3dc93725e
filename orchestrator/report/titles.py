"""Cases named in words for chart titles and table headers: `keepalive[requests=500]` -> "500 calls, keep-alive".

A scenario this module does not know (a new one, or a case with an extra
parameter such as a TLS switch) still gets a readable title: its known part
in words, the rest as `name=value`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..words import counted
from . import fmt

_WORDS: dict[str, Callable[[Mapping[str, int]], str]] = {
    "single": lambda p: "one call",
    "sequential": lambda p: f"{counted(p['requests'], 'call')}, a new connection each",
    "keepalive": lambda p: f"{counted(p['requests'], 'call')} over keep-alive",
    "concurrent": lambda p: f"{counted(p['requests'], 'call')} of {p['delay_ms']} ms, {p['concurrency']} in flight",
    "stream": lambda p: f"download of {fmt.mib(p['bytes'])} MiB",
    "rest": lambda p: "REST sequence (create, read, update, delete)",
    "fanout_sync": lambda p: (f"server makes {counted(p['requests'], 'call')} of {p['delay_ms']} ms in series "
                              "(sync view)"),
    "fanout_async": lambda p: (f"server makes {counted(p['requests'], 'call')} of {p['delay_ms']} ms gathered "
                               "(async view)"),
}
_USED: dict[str, tuple[str, ...]] = {
    "sequential": ("requests",), "keepalive": ("requests",), "concurrent": ("requests", "delay_ms", "concurrency"),
    "stream": ("bytes",), "fanout_sync": ("requests", "delay_ms"), "fanout_async": ("requests", "delay_ms"),
}


def case_title(scenario: str, params: Mapping[str, object]) -> str:
    """A case in words; unknown scenarios and extra parameters are shown as they are named."""
    used = _USED.get(scenario, ())
    words = _WORDS.get(scenario)
    try:
        text = words(params) if words else scenario.replace("_", " ")  # type: ignore[arg-type]
    except (KeyError, TypeError):
        text, used = scenario.replace("_", " "), ()
    extra = [f"{key}={value}" for key, value in sorted(params.items()) if key not in used]
    return f"{text} ({', '.join(extra)})" if extra else text


_SHORT: dict[str, Callable[[Mapping[str, int]], str]] = {
    "single": lambda p: "1 call",
    "sequential": lambda p: f"{counted(p['requests'], 'call')}, new conn.",
    "keepalive": lambda p: f"{counted(p['requests'], 'call')}, keep-alive",
    "concurrent": lambda p: f"{p['concurrency']} in flight",
    "stream": lambda p: f"{fmt.mib(p['bytes'])} MiB download",
}


def short_title(scenario: str, params: Mapping[str, object]) -> str:
    """A few words for a table header; the full title (case_title) goes in the text around it."""
    words = _SHORT.get(scenario)
    try:
        return words(params) if words else case_title(scenario, params)  # type: ignore[arg-type]
    except (KeyError, TypeError):
        return case_title(scenario, params)
