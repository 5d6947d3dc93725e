"""polybench's verbs: `invoke build run report` is the main job.

Each task is a thin door into orchestrator/ (the same functions as
`python -m orchestrator VERB`); user errors come back as one line and a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import inspect
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass

from invoke import Exit, Task, task

from orchestrator.cli import main as polybench
from orchestrator.cli import parser as cli_parser


def _call(argv: list[str]) -> None:
    code = polybench(argv)
    if code:
        raise Exit(code=code)


# --- the CLI's verbs as invoke tasks, generated from its argparse parser -------
# One home for every option and its help text (orchestrator/cli.py): a task
# takes exactly the verb's options and hands them back to the same parser, so
# the two cannot drift (tests/test_tasks.py). invoke has no optional
# positional arguments (a missing one is an error, which would break `invoke
# build run report`), so an optional positional (report's results, export's)
# becomes a flag here: `invoke report --results A,B`.


@dataclass(frozen=True)
class _Option:
    name: str  # the task's parameter (argparse dest)
    flag: str | None  # the CLI flag, None for a positional
    kind: str  # "switch" (store_true), "maybe" (nargs="?" with const), "value", "list" (nargs="*"), "positional"
    help: str


def _verbs() -> dict[str, argparse.ArgumentParser]:
    subparsers = next(a for a in cli_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(subparsers.choices)


def _help(action: argparse.Action) -> str:
    text = action.help or ""
    if action.choices and "|" not in text:
        text += f" (one of {', '.join(map(str, action.choices))})"
    if action.default not in (None, False, argparse.SUPPRESS) and "default" not in text:
        text += f" (default {action.default})"
    return text.strip()


def _options(verb: argparse.ArgumentParser) -> tuple[list[_Option], bool]:
    """The verb's options as task parameters, and whether it takes a command after `--`."""
    options, remainder = [], False
    for action in verb._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if not action.option_strings:
            if action.nargs == argparse.REMAINDER:
                remainder = True
            elif action.nargs in ("*", "?"):
                kind = "list" if action.nargs == "*" else "value"
                extra = "; several, comma-separated" if kind == "list" else ""
                options.append(_Option(action.dest, None, kind, f"{action.help or ''}{extra}"))
            else:
                options.append(_Option(action.dest, None, "positional", action.help or ""))
            continue
        flag = max(action.option_strings, key=len)
        if isinstance(action, argparse._StoreTrueAction):
            kind = "switch"
        elif action.nargs == "?" and action.const is not None:
            kind = "maybe"
        else:
            kind = "value"
        options.append(_Option(action.dest, flag, kind, _help(action)))
    return options, remainder


def _argv(verb: str, options: list[_Option], values: dict[str, object], remainder: bool, c: object) -> list[str]:
    argv = [verb]
    for option in options:
        value = values.get(option.name)
        if option.kind == "positional":
            if value is not None:  # not given: the CLI's parser says it is required
                argv.append(str(value))
        elif value is None or value is False:  # not given ("" is given: the CLI says what is wrong with it)
            continue
        elif option.flag is None:  # an optional positional, given as a flag here
            argv += [p for p in str(value).split(",") if p] if option.kind == "list" else [str(value)]
        elif option.kind == "switch" or (option.kind == "maybe" and value is True):
            argv.append(option.flag)
        else:
            argv += [option.flag, str(value)]
    if remainder:
        argv += ["--", *_remainder_words(getattr(c, "remainder", ""))]
    return argv


def _make_task(verb: str, parser: argparse.ArgumentParser) -> Task:
    options, remainder = _options(parser)
    required = [o for o in options if o.kind == "positional"]
    rest = [o for o in options if o.kind != "positional"]
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    signature = inspect.Signature([
        inspect.Parameter("c", kind),
        *[inspect.Parameter(o.name, kind) for o in required],
        *[inspect.Parameter(o.name, kind, default=False if o.kind in ("switch", "maybe") else None) for o in rest],
    ])

    def body(*args: object, **kwargs: object) -> None:
        bound = signature.bind(*args, **kwargs)
        c = bound.arguments.pop("c")
        _call(_argv(verb, options, bound.arguments, remainder, c))

    body.__signature__ = signature  # type: ignore[attr-defined]
    body.__name__ = verb
    body.__doc__ = (parser.description or next(
        (a.help for a in cli_parser()._subparsers._group_actions[0]._choices_actions if a.dest == verb), verb))
    return _VerbTask(body, name=verb, auto_shortflags=False, help={o.name: o.help for o in options if o.help},
                     optional=[o.name for o in options if o.kind == "maybe"],
                     positional=[o.name for o in required])


class _VerbTask(Task):
    """A verb's task whose `invoke VERB --help` shows its help even when it has required positional arguments.

    invoke takes a `--help` given after such a task, before any of its positional values, as the value of
    the first one (pyinvoke/invoke#982, open as of invoke 3.0.3): `invoke compare --help` failed with
    "'compare' did not receive required positional arguments". In that one case the positional arguments are
    declared as flags (`--old`, `--new`), which they also are, so invoke parses `--help` as help. Where a
    positional value comes first (`invoke compare OLD --help`), invoke already hands `--help` on, and the
    CLI's parser shows the help.
    """

    def get_arguments(self, ignore_unknown_help: bool | None = None) -> list:
        arguments = super().get_arguments(ignore_unknown_help)
        if _help_before_any_positional(self.name, arguments):
            for argument in arguments:
                argument.positional = False
        return arguments


def _help_before_any_positional(verb: str, arguments: list) -> bool:
    """Whether the process's command line has -h or --help after VERB, with only VERB's flags between them.

    A word that is no flag of VERB's (a positional value, the next task's name) or `--` ends the search:
    invoke parses what follows as it would anyway. A flag's value given as the next word is skipped, the first
    time the flag is given (as invoke's parser does: a repeated flag takes no next word).
    """
    words = sys.argv[1:]
    if verb not in words:
        return False
    takes_value = {f"--{name}": argument.takes_value for argument in arguments for name in argument.names}
    given: set[str] = set()
    rest = iter(words[words.index(verb) + 1:])
    for word in rest:
        if word in ("-h", "--help"):
            return True
        flag = word.split("=", 1)[0]
        if flag not in takes_value:
            return False
        if takes_value[flag] and "=" not in word and flag not in given:  # invoke waits for a value only once
            next(rest, None)
        given.add(flag)
    return False


for _verb, _parser in _verbs().items():
    globals()[f"{_verb}_task"] = _make_task(_verb, _parser)


def _remainder_words(remainder: str) -> list[str]:
    """The words after `--` exactly as the shell passed them.

    invoke gives the remainder re-joined with spaces (quoting lost, so
    `echo "it's"` would not split back); the process's own argv still has
    the words, so they are taken from there.
    """
    if "--" in sys.argv:
        return sys.argv[sys.argv.index("--") + 1:]
    try:
        return shlex.split(remainder)
    except ValueError as error:
        print(f"polybench: error: cannot split the command after --: {error}", file=sys.stderr)
        raise Exit(code=2) from None


@task
def lint(c):
    """ruff over the whole repository (ruff.toml), then mypy (strict on orchestrator/ and server/: mypy.ini).

    `invoke test` runs it first; CI runs `invoke test`."""
    for argv in ([sys.executable, "-m", "ruff", "check", "--quiet", "."],
                 [sys.executable, "-m", "mypy"]):  # its files and rules: mypy.ini
        code = subprocess.run(argv, check=False).returncode
        if code:
            raise Exit(code=code)


@task(help={"all": "the full tier: also the tests marked slow, which build every client and run each against "
                   "the server (what the README and CI run)",
            "docker": "also the Docker image tests (needs a Docker engine; CI runs them after the full tier)",
            "k": "only tests matching this expression (pytest -k)",
            "workers": "pytest-xdist worker processes (default: one per CPU with --all, one more for the "
                       "fast tier; 0: none, in this process)"})
def test(c, all=False, docker=False, k=None, workers=None):
    """Run `invoke lint` (ruff, mypy), then the tests: the fast tier by default, everything but Docker with --all.

    The fast tier starts no configured client (tests/tiers.py keeps it so).
    """
    lint(c)
    marks = ([] if all else ["not slow"]) + ([] if docker else ["not docker"])
    argv = [sys.executable, "-m", "pytest", "-q"]
    if marks:
        argv += ["-m", " and ".join(marks)]
    # On workers for both tiers: the tests that wait on a server or a fake client overlap, and the
    # report tests' CPU spreads over the cores (each worker collects and imports the suite once, ~3 s CPU).
    # The fast tier takes one worker more than the cores: a third of its test time is waiting (fake clients
    # that hold connections, servers starting), and on 2 cores 3 workers took 70-73 s where 2 took 81-83 s
    # (measured idle, 2026-12-01 at 20:00; 4 took 80 s), and 53-61 s where 2 took 67 s at 23:55. The full
    # tier starts real clients that verify their own overlap and timing: it keeps one worker per core, so
    # they do not compete with an extra one.
    if workers is None:
        workers = "auto" if all else str(len(os.sched_getaffinity(0)) + 1)
    if str(workers) != "0":
        argv += ["-n", str(workers)]
    if k:
        argv += ["-k", k]
    code = subprocess.run(argv, check=False).returncode
    if code:
        raise Exit(code=code)


@task(help={
    "local_base": "no image registry needed: debootstrap the Debian trixie base and vendor the wheels and "
                  "crates on the host (needs root and debootstrap; see docs/docker.md)",
    "tag": "the image's tag (default polybench)",
})
def docker(c, local_base=False, tag="polybench"):
    """Build the pinned Docker image; `docker run --rm polybench` then runs a profile and prints the report."""
    from orchestrator.errors import PolybenchError
    from orchestrator.image.docker import build_image

    try:
        image_id = build_image(local_base=local_base, tag=tag)
    except PolybenchError as error:
        print(f"polybench: error: {error}", file=sys.stderr)
        raise Exit(code=2) from None
    print(f"built {tag} ({image_id}); run it with:")
    print(f"  docker run --rm -e POLYBENCH_IMAGE_ID={image_id} {tag} --profile quick")


@task
def lock(c):
    """Regenerate requirements.lock (hashed pins) from requirements.in (needs pip-tools installed)."""
    argv = [sys.executable, "-m", "piptools", "compile", "--generate-hashes", "--allow-unsafe",
            "--strip-extras", "--no-emit-index-url", "--no-emit-find-links",
            "-o", "requirements.lock", "requirements.in"]
    code = subprocess.run(argv, check=False).returncode
    if code:
        raise Exit(code=code)
