"""The one exception type a user can cause.

Anything raised as PolybenchError is a mistake in input or environment that
the user can fix; the task layer prints its message as one line and exits
non-zero. Every other exception is a bug and keeps its traceback.
"""


class PolybenchError(Exception):
    """A user-fixable problem, reported as one line."""

    exit_code = 2


class ConfigError(PolybenchError):
    """polybench.yaml (or a --config file) is invalid."""


class Interrupted(PolybenchError):
    """Ctrl-C, SIGTERM or SIGHUP: stopped cleanly, finished runs kept (exit 130, like a shell)."""

    exit_code = 130


class NothingMeasured(PolybenchError):
    """A run or comparison that completed but produced nothing to stand on (exit 1)."""

    exit_code = 1
