"""orchestrator/config/safe_yaml.py builds plain documents itself, without PyYAML's constructor: on any
document, it must give what PyYAML's own constructor (with the same checks) gives, value or one error line,
and never accept what SafeLoader refuses."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator.config import safe_yaml
from orchestrator.errors import ConfigError

# Scalars YAML 1.1 reads as strings, nulls, booleans, ints and floats; then rarer ones: timestamps, binary,
# merge and value keys in the wrong place, explicit and unknown tags.
SCALARS = ["a", "b", "name", "'quoted'", '"dq\\n"', "~", "null", "", "yes", "on", "off", "True", "1", "-3", "0x1f",
           "0o17", "017", "1_000", "1.5", "1e3", "1.0e+3", ".nan", "-.inf", "{}", "[]"]
ODD_SCALARS = ["2001-12-14", "2001-12-14t21:59:43.10-05:00", "<<", "=", "!!str 1", "!!int '7'", "!!binary aGVsbG8=",
               "!!float 3", "!custom x"]
NAMES = ["a", "b", "c", "d", "name"]
ODD_KEYS = ["1", "on", "~", "'a'", "=", "[a]", "{a: 1}", "!!str 2", "a"]  # "a": a duplicate where a is drawn


def _document() -> st.SearchStrategy[str]:
    """YAML text: nested block and flow mappings and sequences of the scalars above, with anchors,
    aliases to them (defined earlier only), merge keys and odd tags."""
    @st.composite
    def doc(draw: Any) -> str:
        anchors: list[str] = []
        maps: list[str] = []  # the anchors of mappings: what a merge key merges (now and then, another)

        def value(depth: int) -> str:
            kind = draw(st.sampled_from(["scalar"] * 8 + ["alias"] * 4 + ["map"] * 6 + ["seq"] * 4 + ["set", "omap"])
                        if depth < 3 else st.just("scalar"))
            if kind == "alias" and anchors:
                return "*" + draw(st.sampled_from(anchors))
            if kind in ("map", "seq", "set", "omap"):
                text = {"map": flow_map, "seq": flow_seq, "set": lambda d: "!!set " + flow_map(d),
                        "omap": lambda d: "!!omap [{a: " + value(d) + "}, {b: " + value(d) + "}]"}[kind](depth + 1)
                if draw(st.booleans()):
                    name = f"n{len(anchors)}"
                    anchors.append(name)  # after its node: an alias inside would be recursive (refused first)
                    if kind == "map":
                        maps.append(name)
                    return f"&{name} {text}"
                return text
            return draw(st.sampled_from(ODD_SCALARS if draw(st.integers(0, 15)) == 0 else SCALARS))

        def flow_map(depth: int) -> str:
            pairs = []
            for name in draw(st.lists(st.sampled_from(NAMES), max_size=4, unique=True)):
                if maps and draw(st.integers(0, 2)) == 0:
                    merge = draw(st.sampled_from(anchors if draw(st.integers(0, 7)) == 0 else maps))
                    pairs.append(f"<<: *{merge}" if draw(st.booleans()) else f"<<: [*{merge}, {{z: 1}}]")
                if draw(st.integers(0, 15)) == 0:  # now and then, a key the loader refuses or PyYAML retags
                    name = draw(st.sampled_from(ODD_KEYS))
                pairs.append(f"{name}: {value(depth)}")
            return "{" + ", ".join(pairs) + "}"

        def flow_seq(depth: int) -> str:
            return "[" + ", ".join(value(depth) for _ in range(draw(st.integers(0, 3)))) + "]"

        lines = [f"{key}: {value(0)}" for key in draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=5,
                                                                     unique=True))]
        return "\n".join(lines) + "\n"
    return doc()


def _outcome(text: str) -> tuple[str, str]:
    try:
        return "value", repr(safe_yaml.load_yaml(text.encode(), "c.yaml"))
    except ConfigError as error:
        return "error", str(error)


def _through_pyyaml(monkeypatch: pytest.MonkeyPatch, text: str) -> tuple[str, str]:
    """The outcome when every document goes through PyYAML's own constructor (the loader before it built
    plain documents itself)."""
    def unusual(*_: Any) -> Any:
        raise safe_yaml._Unusual
    with monkeypatch.context() as patch:
        patch.setattr(safe_yaml._BoundedLoader, "_build", unusual)
        return _outcome(text)


@pytest.mark.slow  # three loads of each document, one by the pure-Python SafeLoader: 2-4 s (tests/tiers.py)
@settings(max_examples=400, deadline=None)
@given(text=_document())
def test_plain_documents_are_built_as_pyyamls_constructor_builds_them(text: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        direct, through = _outcome(text), _through_pyyaml(monkeypatch, text)
    # Both refuse, or both give the same value. Which of two bad keys is named may differ: PyYAML's
    # constructor fills mappings breadth first, the direct one depth first.
    assert direct[0] == through[0], (text, direct, through)
    if direct[0] == "value":  # the same value, and what SafeLoader itself makes of the text
        assert direct == through, text
        assert direct[1] == repr(yaml.load(text, Loader=yaml.SafeLoader)), text  # noqa: S506


@pytest.mark.parametrize("text", [
    "base: &b {a: 1, b: 2}\nmid: &m {<<: *b, a: 3}\ntop: {<<: *m, c: 4}\n",
    "a: &x {k: 1}\nb: &y {k: 2, j: 3}\nc: {<<: [*x, *y], j: 9}\n",
    "a: &s [1, 2]\nb: *s\nc: [*s, *s]\n",
])
def test_merges_and_aliases_read_as_safeloader_reads_them(text: str) -> None:
    value = safe_yaml.load_yaml(text.encode(), "c.yaml")
    assert value == yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506
    if "b: *s" in text:
        assert value["b"] is value["a"]  # an alias is the same object, as in PyYAML


@pytest.mark.parametrize(("text", "fragment"), [
    ("a: !!set {x, y}\n", ""),  # a rarer tag: PyYAML's constructor, same value
    ("a: 2001-12-14\n", ""),
    # PyYAML flattens n1 into c before it fills n1 (breadth first): n1's own key a is not a duplicate
    ("a: &n0 {a: a}\nc: {x: {y: &n1 {<<: *n0, a: b}}, <<: *n1}\nt: 2001-12-14\n", ""),
    ("a: {<<: 3}\n", "not valid YAML"),  # a merge of a scalar: PyYAML's own error
    ("a: &x {k: 1}\nb: {<<: [*x, 3]}\n", "not valid YAML"),
    ("a: {<<: {[x]: 1}}\n", "must be a string"),  # a list key that only a merge brings
    ("a: {=: 1}\n", ""),  # a `=` key is the string "=" to SafeLoader (its value-key retag)
    ("a: {<<: {=: 1}, b: 2}\n", ""),
    ("a: !!omap [{1: x}, {1: y}]\n", "must be a string"),  # inside an ordered map too
    ("zz: !!int x\n", "not valid YAML"),  # a value its tag cannot read: one line, not a ValueError
    ("a: {b: 1, b: 2}\n", "duplicate key 'b'"),
    ("a: {1: x}\n", "must be a string"),
])
def test_rarer_documents_go_through_pyyamls_constructor(text: str, fragment: str) -> None:
    outcome = _outcome(text)
    if fragment:
        assert outcome[0] == "error" and fragment in outcome[1]
    else:
        assert outcome == ("value", repr(yaml.load(text, Loader=yaml.SafeLoader)))  # noqa: S506
