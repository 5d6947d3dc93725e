"""Run a Python client and report the modules it imported after `t_ready` (issue 10 section 4).

Usage (what tests/conformance/test_setup_before_ready.py runs, in the
client's own venv): `python modules_at_ready.py CLIENT_SCRIPT ARGS...`. It
wraps the contract's `Tally.ready()` and `Tally.done()` (clients/python/
_contract.py), runs the client script as `__main__`, and at `done()` writes
one line to stderr: `polybench-modules-after-ready: ["name", ...]`, the
modules in sys.modules at done() that were not there at ready(). Standard
library only: it runs in every client's venv.
"""

import json
import os
import runpy
import sys

MARKER = "polybench-modules-after-ready: "


def main() -> None:
    script = os.path.abspath(sys.argv[1])
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(script)  # where the client finds _contract, as when run directly
    import _contract

    at_ready: set[str] = set()
    ready, done = _contract.Tally.ready, _contract.Tally.done

    def ready_and_record(tally: "_contract.Tally") -> None:
        at_ready.update(sys.modules)
        ready(tally)

    def done_and_report(tally: "_contract.Tally") -> None:
        done(tally)
        sys.stderr.write(MARKER + json.dumps(sorted(set(sys.modules) - at_ready)) + "\n")
        sys.stderr.flush()

    _contract.Tally.ready, _contract.Tally.done = ready_and_record, done_and_report
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
