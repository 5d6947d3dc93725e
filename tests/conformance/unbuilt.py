"""What a conformance test does with a client that did not build here."""

import pytest

from tests.shipped import shipped_config

_CONFIG = shipped_config()


def unbuilt(name: str, message: str) -> None:
    """Skip an optional client (the Nuitka/PyInstaller bundles: `run` skips them too, with one line); fail any other."""
    if _CONFIG.client(name).build.optional:
        pytest.skip(f"{name}: optional build not made on this machine ({message.splitlines()[0] if message else ''})")
    pytest.fail(f"{name} did not build: {message}")
