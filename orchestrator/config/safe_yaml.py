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

from typing import Any

import yaml

from ..errors import ConfigError

MAX_CONFIG_BYTES = 1 << 20  # 1 MiB: the shipped config is about 10 KiB
MAX_NODES = 100_000  # after alias expansion; the shipped config has about 600

_MERGE_TAG = "tag:yaml.org,2002:merge"


# CSafeLoader: libyaml's parser (in the locked PyYAML wheels) with PyYAML's own safe constructor, which the
# checks below extend. The same data as SafeLoader, about 5x faster: 0.07 s against 0.36 s for the shipped
# config, which every verb loads (tests/config/test_config.py pins that both read it alike).
class _BoundedLoader(yaml.CSafeLoader):
    """SafeLoader that refuses duplicate and non-string keys and oversized alias expansion."""

    def construct_document(self, node: yaml.Node) -> Any:
        size = _expanded_size(node, {}, set())
        if size > MAX_NODES:
            raise ConfigError(f"line {node.start_mark.line + 1}: the YAML expands to more than {MAX_NODES:,} "
                              "values (anchors and aliases); write the values out")
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            where = f"line {key_node.start_mark.line + 1}"
            if not isinstance(key, str):
                raise ConfigError(f"{where}: mapping key {key!r} must be a string (quote it)")
            if key in seen:
                raise ConfigError(f"{where}: duplicate key {key!r} (YAML would silently keep only the last)")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


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
        return yaml.load(text, Loader=_BoundedLoader)  # noqa: S506 - a SafeLoader subclass
    except ConfigError as exc:
        raise ConfigError(f"{name} {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = str(getattr(exc, "problem", None) or exc).splitlines()[0]
        raise ConfigError(f"{name}{where}: not valid YAML ({problem})") from None
    except RecursionError:
        raise ConfigError(f"{name}: nested too deeply") from None
