"""The one exception type a user can cause.

Anything raised as PolybenchError is a mistake in input or environment that
the user can fix; the task layer prints its message as one line and exits
non-zero. Every other exception is a bug and keeps its traceback.
"""


class PolybenchError(Exception):
    """A user-fixable problem, reported as one line."""


class ConfigError(PolybenchError):
    """polybench.yaml (or a --config file) is invalid."""
