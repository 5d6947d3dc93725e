"""Read polybench.yaml's text into plain Python data, with bounds, before any validation.

Why not plain `yaml.safe_load`:
- Aliases: a few lines of anchors that refer to anchors (the "billion laughs")
  expand to billions of nodes. safe_load shares the objects, so loading is
  quick, but everything that walks the data afterwards (validation, the case
  grid) pays for every expanded node: measured 67 s and 3 GB before the fix.
  The node graph is sized (with aliases expanded, memoised per node, so the
  count is linear in the file) and refused over MAX_NODES.
- Duplicate keys: YAML 1.1 lets the last one win silently; a config with two
  `runs:` would run with settings nobody reads. Refused.
- Keys that are not strings (`1: x`, `on: x` is the boolean True in YAML 1.1):
  every key polybench reads is a name. Refused.
- Size and encoding: a config is a few kilobytes of UTF-8 text.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml

from ..errors import ConfigError

MAX_CONFIG_BYTES = 1 << 20  # 1 MiB: the shipped config is about 50 KiB
MAX_NODES = 100_000  # after alias expansion; the shipped config has about 3,000
MAX_DEPTH = 1_000  # levels of nesting (the shipped config has 6); Python's own recursion stops near it anyway
_DEPTH_SCAN_FROM = 10_000  # nesting the text could reach below which libyaml's composer is safe (20,000 was)

_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"


_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_STR = "tag:yaml.org,2002:str"
_SCALARS = {_STR, "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
            "tag:yaml.org,2002:float"}


class _Unusual(Exception):
    """A node the direct construction leaves to PyYAML's own constructor (a rarer tag, an odd merge)."""


# CSafeLoader: libyaml's parser (in the locked PyYAML wheels), where SafeLoader's pure-Python one took 0.36 s
# for the shipped config, which every verb loads; tests/config/test_config.py pins that both read it alike.
class _BoundedLoader(yaml.CSafeLoader):
    """SafeLoader that refuses duplicate and non-string keys and oversized alias expansion.

    The keys of every mapping are checked as the document writes them, before anything is built: a
    mapping that is only merged into another (`<<: {a: 1, a: 2}`) too, and in document order, so the first
    bad key named is the first in the file.

    A document of plain mappings, sequences and the core scalars (string, null, bool, int, float; merge
    keys) is then built directly, depth first: the same values as PyYAML's constructor, without its generator
    per node (a load of the shipped config: about 21 ms, against 60 through PyYAML's constructor, measured
    2026-12-01). Any other tag, or a merge PyYAML would refuse or retag, goes through PyYAML's own
    constructor on the untouched nodes. tests/config/test_safe_yaml.py compares both with SafeLoader.
    """

    def construct_document(self, node: yaml.Node) -> Any:
        size = _expanded_size(node, {}, set())
        if size > MAX_NODES:
            raise ConfigError(f"line {node.start_mark.line + 1}: the YAML expands to more than {MAX_NODES:,} "
                              "values (anchors and aliases); write the values out")
        for mapping in _mappings(node):
            self._check_keys(mapping)
        try:
            return self._build(node, {})
        except _Unusual:
            with _tag_errors(node):
                return super().construct_document(node)

    def _build(self, node: yaml.Node, built: dict[int, Any]) -> Any:
        """node's value; built memoises by node identity, so an alias is the same object, as in PyYAML."""
        key = id(node)
        if key in built:
            return built[key]
        tag = node.tag
        if isinstance(node, yaml.ScalarNode) and tag in _SCALARS:
            with _tag_errors(node):
                value = node.value if tag == _STR else self.yaml_constructors[tag](self, node)
            built[key] = value
            return value
        if isinstance(node, yaml.SequenceNode) and tag == _SEQ:
            items: list[Any] = []
            built[key] = items
            for child in node.value:  # a loop, not a comprehension: one frame per level of nesting
                items.append(self._build(child, built))
            return items
        if isinstance(node, yaml.MappingNode) and tag == _MAP:
            mapping: dict[Any, Any] = {}
            built[key] = mapping
            for key_node, value_node in _merged_pairs(node):
                mapping[self._build(key_node, built)] = self._build(value_node, built)
            return mapping
        raise _Unusual

    def _check_keys(self, node: yaml.MappingNode) -> None:
        """ConfigError for a key of node's own (merges aside) that is not a string, or comes twice."""
        seen: set[str] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            where = f"line {key_node.start_mark.line + 1}"
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag in (_STR, _VALUE_TAG):
                key = "=" if key_node.tag == _VALUE_TAG else key_node.value  # PyYAML reads `=` as the string
            else:
                with _tag_errors(key_node):
                    value = self.construct_object(key_node, deep=True)
                raise ConfigError(f"{where}: mapping key {value!r} must be a string (quote it)")
            if key in seen:
                raise ConfigError(f"{where}: duplicate key {key!r} (YAML would silently keep only the last)")
            seen.add(key)


@contextmanager
def _tag_errors(node: yaml.Node) -> Iterator[None]:
    """ConfigError naming node's line for a value its tag cannot read (`!!int x`, `!!bool x`): PyYAML's
    constructors raise ValueError, KeyError and the like there, not a YAMLError."""
    try:
        yield
    except (ValueError, KeyError, IndexError, AttributeError, TypeError, OverflowError) as exc:
        raise ConfigError(f"line {node.start_mark.line + 1}: not valid YAML (a value its tag cannot read: "
                          f"{type(exc).__name__}: {exc})") from None


def _merged_pairs(node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
    """node's key/value pairs with its merge keys (`<<: *anchor`, `<<: [*a, *b]`) replaced by the pairs they
    merge, in front, so that node's own keys win: SafeConstructor.flatten_mapping's order, without changing
    the nodes. _Unusual where flatten_mapping would raise or retag (a `=` key)."""
    merged: list[tuple[yaml.Node, yaml.Node]] = []
    own = []
    for key_node, value_node in node.value:
        if key_node.tag == _VALUE_TAG:
            raise _Unusual
        if key_node.tag != _MERGE_TAG:
            own.append((key_node, value_node))
        elif isinstance(value_node, yaml.MappingNode):
            merged += _merged_pairs(value_node)
        elif isinstance(value_node, yaml.SequenceNode):
            if not all(isinstance(sub, yaml.MappingNode) for sub in value_node.value):
                raise _Unusual
            for sub in reversed(value_node.value):  # the earlier mapping in the list wins
                merged += _merged_pairs(sub)
        else:
            raise _Unusual
    return merged + own


def _mappings(root: yaml.Node) -> list[yaml.MappingNode]:
    """Every mapping node under root, once each (aliases are the same node), in document order."""
    found, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            found.append(node)
            stack += [child for pair in reversed(node.value) for child in reversed(pair)]
        elif isinstance(node, yaml.SequenceNode):
            stack += reversed(node.value)
    return found


def _expanded_size(node: yaml.Node, sizes: dict[int, int], active: set[int]) -> int:
    """Values under node with aliases expanded (memoised by node identity: linear time)."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in active:  # a recursive alias: infinite when expanded
        return MAX_NODES + 1
    active.add(key)
    total = 1
    if isinstance(node, yaml.SequenceNode):
        children = node.value
    elif isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    else:
        children = []
    for child in children:
        total += _expanded_size(child, sizes, active)
        if total > MAX_NODES:
            break
    active.discard(key)
    sizes[key] = total
    return total


def _deeper_than(text: str, limit: int) -> bool:
    """Whether text nests more than limit collections deep.

    libyaml's composer recurses in C: past about 30,000 levels it overflows the stack and the process dies
    (measured: a 60 KB config of 30,000 `[`). Its parser keeps its own stack, so the depth is read from the
    parser's events, which cost about 10 ms for the shipped config; only when the text could nest that deep
    at all: each level needs a line, a `[`, `{`, `-` or `?` of its own, or shares one with at most one other
    (`[a: [b: c]]`: a sequence and a mapping per `[`). Below that bound the composer is safe, and the
    loader's own recursion stops at Python's limit (about 1,000 levels: "nested too deeply").
    """
    bound = 2 * (sum(text.count(char) for char in "\n\r[{-?") + 1)
    if bound <= _DEPTH_SCAN_FROM:
        return False
    depth = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > limit:
                return True
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
    return False


def load_yaml(data: bytes, name: str) -> Any:
    """Parse a config file's bytes; ConfigError with one line (naming the line) for anything refused."""
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{name}: {len(data):,} bytes, more than the {MAX_CONFIG_BYTES:,} a config may have")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{name} line {line}: not UTF-8 text (byte {data[exc.start]:#04x})") from None
    try:
        if _deeper_than(text, MAX_DEPTH):
            raise ConfigError(f"nested too deeply (more than {MAX_DEPTH:,} levels)")
        return yaml.load(text, Loader=_BoundedLoader)  # noqa: S506 - a SafeLoader subclass
    except ConfigError as exc:  # "line N: ..." from the loader, or a whole-file reason
        raise ConfigError(f"{name} {exc}" if str(exc).startswith("line ") else f"{name}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = str(getattr(exc, "problem", None) or exc).splitlines()[0]
        raise ConfigError(f"{name}{where}: not valid YAML ({problem})") from None
    except RecursionError:
        raise ConfigError(f"{name}: nested too deeply") from None
