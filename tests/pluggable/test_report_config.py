"""polybench.yaml's `report:` key and each client's report keys: validated, recorded, read back."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from orchestrator.config.model import ROOT, load_config
from orchestrator.errors import ConfigError
from orchestrator.report.data import Source

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from synthetic import results_of  # noqa: E402

BASE = (ROOT / "polybench.yaml").read_text()


def _with_report(tmp_path: Path, report: str):
    start = BASE.index("\nreport:\n")
    path = tmp_path / "polybench.yaml"
    path.write_text(BASE[:start] + "\n" + report + "\n")
    return load_config(path)


def test_the_repository_config_names_a_configured_focus():
    config = load_config()
    assert config.report.focus in {c.name for c in config.clients}
    article = config.report.article
    assert article is not None and article["baseline"] in article["mean_ms"]


@pytest.mark.parametrize("report, message", [
    ("report: {focus: no-such-client}", "report.focus: unknown client 'no-such-client'"),
    ("report: {focus: curl, colour: red}", "report: unknown key 'colour'"),
    ("report: {article: {title: t, baseline: x, mean_ms: {curl: 6.2}}}", "report.article.baseline"),
    ("report: {article: {title: t, baseline: curl, mean_ms: {curl: -1}}}", "report.article.mean_ms.curl"),
    ("report: [focus]", "report: expected a mapping"),
])
def test_a_bad_report_key_is_one_config_error(tmp_path, report, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(".", r"\.")):
        _with_report(tmp_path, report)


def test_no_report_key_is_fine(tmp_path):
    config = _with_report(tmp_path, "")
    assert config.report.focus is None and config.report.article is None


def _source(environment: dict, languages: dict[str, str]) -> Source:
    benchmarks = [{"client": name, "language": language, "case": "single", "scenario": "single",
                   "status": "ok", "runs": [], "failed_runs": [], "summary": None}
                  for name, language in languages.items()]
    return Source("host", Path("results.json"), results_of(benchmarks, environment))


def test_the_report_reads_what_the_results_file_recorded_not_the_config():
    environment = {
        "report": {"focus": "toy-interp", "article": None},
        "clients": {"toy-interp": {"compiled": False, "role": "contender"},
                    "toy-native": {"compiled": True, "role": "contender"},
                    "toy-ref": {"compiled": True, "role": "reference"}},
    }
    source = _source(environment, {"toy-interp": "lisp", "toy-native": "zig", "toy-ref": "zig",
                                   "other-interp": "lisp"})
    assert source.focus == "toy-interp"
    assert source.compiled_contender("toy-native") and not source.compiled_contender("toy-ref")
    assert source.focus_side("other-interp") and not source.focus_side("toy-native")


def test_an_older_results_file_falls_back_to_todays_config():
    config = load_config()
    compiled = next(c for c in config.clients if c.compiled and c.role == "contender")
    interpreted = next(c for c in config.clients if not c.compiled)
    source = _source({"clients": {compiled.name: {}, interpreted.name: {}}},
                     {compiled.name: compiled.language, interpreted.name: interpreted.language})
    assert source.focus == config.report.focus
    assert source.compiled(compiled.name) and not source.compiled(interpreted.name)
    assert source.role(compiled.name) == "contender"  # older files: every client a contender, as before


def test_a_run_without_the_focus_client_still_compares_its_language():
    """`run --clients` without the focus: the other clients of its language are still its side."""
    config = load_config()
    focus = config.client(config.report.focus)
    same = next(c for c in config.clients if c.language == focus.language and c.name != focus.name
                and not c.compiled)
    source = _source({"report": config.report.to_json(), "clients": {same.name: {"compiled": False}}},
                     {same.name: same.language})
    assert source.focus_side(same.name)
