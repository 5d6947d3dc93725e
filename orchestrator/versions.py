"""A client library's version, from where its config entry says to look.

Used at build time (recorded in build/manifest.json) and at run time (in the
results), so that an image without compilers still knows what it was built with.
"""

from __future__ import annotations

import re
from importlib import metadata

from .config import ClientSpec, Config, expand
from .toolchains import first_line, placeholders


def library_version(config: Config, client: ClientSpec) -> str | None:
    """A client library's version, from where its config entry says to look."""
    source = client.library_version
    if "python_package" in source:
        try:
            return metadata.version(str(source["python_package"]))
        except metadata.PackageNotFoundError:
            return None
    if "cargo_lock" in source:
        lock = config.root / str(source["cargo_lock"]["file"])
        crate = str(source["cargo_lock"]["crate"])
        try:
            text = lock.read_text()
        except OSError:
            return None
        match = re.search(rf'name = "{re.escape(crate)}"\nversion = "([^"]+)"', text)
        return match.group(1) if match else None
    if "command" in source:
        return first_line(expand(tuple(source["command"]), placeholders(config)))
    return None
