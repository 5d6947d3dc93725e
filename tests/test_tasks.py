"""invoke's tasks are the CLI's verbs: same options, same help, handed back to the same parser (issue 14)."""

from __future__ import annotations

import argparse

import pytest
from invoke import Collection, MockContext

import tasks
from orchestrator.cli import parser


def _verbs() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _flags(verb: argparse.ArgumentParser) -> set[str]:
    return {max(a.option_strings, key=len).lstrip("-") for a in verb._actions
            if a.option_strings and not isinstance(a, argparse._HelpAction)}


@pytest.mark.parametrize("verb", sorted(_verbs()))
def test_every_cli_option_is_a_task_option_with_its_help(verb):
    task = Collection.from_module(tasks)[verb]
    arguments = {arg.name.replace("_", "-"): arg for arg in task.get_arguments()}
    cli = _verbs()[verb]
    assert _flags(cli) <= set(arguments), f"invoke {verb} lacks {_flags(cli) - set(arguments)}"
    for action in cli._actions:
        if action.option_strings and action.help and not isinstance(action, argparse._HelpAction):
            name = max(action.option_strings, key=len).lstrip("-")
            assert action.help.split("%")[0][:30] in arguments[name].help


def _argv_of(monkeypatch, verb: str, **kwargs) -> list[str]:
    seen: list[list[str]] = []
    monkeypatch.setattr(tasks, "_call", seen.append)
    Collection.from_module(tasks)[verb](MockContext(), **kwargs)
    return seen[0]


def test_task_values_go_back_to_the_cli_unchanged(monkeypatch):
    assert _argv_of(monkeypatch, "run", profile="quick", resume=True, quiet=True) == [
        "run", "--profile", "quick", "--resume", "--quiet"]
    assert _argv_of(monkeypatch, "run", resume="results/x") == ["run", "--resume", "results/x"]
    assert _argv_of(monkeypatch, "report", results="a,b", stdout=True) == ["report", "a", "b", "--stdout"]
    assert _argv_of(monkeypatch, "compare", old="o", new="n", fail_on_regression=True) == [
        "compare", "o", "n", "--fail-on-regression"]


def test_a_bad_value_is_the_cli_s_one_line_error(capsys):
    with pytest.raises(SystemExit) as stopped:
        Collection.from_module(tasks)["time"](MockContext(), max_runs="many")
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("polybench: error: time: argument --max-runs: invalid int value") and err.count("\n") == 1


@pytest.mark.parametrize("value", ["", ",", " , "])
def test_a_client_list_that_names_nothing_is_an_error_not_all(capsys, value):
    from orchestrator.cli import main
    assert main(["run", "--clients", value]) == 2
    assert "names nothing" in capsys.readouterr().err


@pytest.mark.parametrize("words", [["--help"], ["-h"], ["--threshold", "0.1", "--help"], ["--threshold=0.1", "-h"],
                                   ["--fail-on-regression", "--help"], ["--threshold", "0.1", "--threshold", "--help"],
                                   ["--old", "a", "--help"]])
def test_help_after_a_verb_with_required_positionals_is_its_help(monkeypatch, capsys, words):
    """`invoke compare --help` (pyinvoke/invoke#982 took --help as compare's first positional value)."""
    from invoke import Program

    argv = ["invoke", "compare", *words]
    monkeypatch.setattr("sys.argv", argv)
    Program(namespace=Collection.from_module(tasks)).run(argv, exit=False)
    out = capsys.readouterr().out
    assert out.startswith("Usage: ") and " compare " in out.splitlines()[0] and "--fail-on-regression" in out


@pytest.mark.parametrize("words", [["a", "b"], ["a", "--help"], ["a", "b", "--help"], ["--", "--help"],
                                   ["--old", "--help"], ["a", "b", "report", "--help"],
                                   ["--threshold", "0.1", "--threshold", "0.2", "--help"]])
def test_positional_values_stay_positional_unless_help_comes_first(monkeypatch, words):
    """Only a help flag before any positional value changes how invoke parses compare (the others it parses
    well: `compare a --help` hands --help to the CLI's parser, which shows the help)."""
    monkeypatch.setattr("sys.argv", ["invoke", "compare", *words])
    arguments = {a.name: a for a in Collection.from_module(tasks)["compare"].get_arguments()}
    assert arguments["old"].positional and arguments["new"].positional


def test_a_positional_value_not_given_is_the_cli_s_one_line_error(capsys):
    """Never the text "None" as a results path: the CLI's parser says what is missing."""
    from orchestrator.cli import main

    argv = tasks._argv("compare", tasks._options(tasks._verbs()["compare"])[0], {"old": "a", "new": None}, False,
                       None)
    assert argv == ["compare", "a"]
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "required: new" in err and err.count("\n") == 1 and "None" not in err
