"""The "Escaping the start-up tax" section and the start-up section's baselines, from synthetic results."""

from __future__ import annotations

import json
import re
from functools import cache

import pytest
from markdown_tables import assert_shows, find_table, parse_tables, read_report
from no_charts import no_chart_rendering
from synthetic import CLIENTS, MS, bench, make_results, walls, write_results

from orchestrator import stats
from orchestrator.config.model import BASELINE_LABEL
from orchestrator.report import fmt, generate_report
from orchestrator.report.analysis.speed import speedup
from orchestrator.results.model import assemble
from orchestrator.results.runlog import LoggedRun
from tests.once_per_session import once_per_session

SECTION = "Escaping the start-up tax"
PLAIN = CLIENTS["python-requests"]
# name -> (variant label, a CLIENTS spec): faster imports, a slow cold one, a Nuitka onefile one
VARIANTS = {
    "python-requests-nosite": ("python -S", (*PLAIN[:4], 70.0, *PLAIN[5:])),
    "python-requests-cold": ("bytecode cold", (*PLAIN[:4], 400.0, *PLAIN[5:])),
    "python-requests-run-pyc": ("python script.pyc", PLAIN),
    "python-requests-nuitka-onefile": ("Nuitka --standalone --onefile", (*PLAIN[:3], 60.0, 110.0, *PLAIN[5:])),
    "python-requests-worker": ("persistent worker", (*PLAIN[:3], 0.5, 0.3, PLAIN[5], 0.2)),  # faster than curl
}

pytestmark = pytest.mark.usefixtures("charts_not_rendered")  # the markdown is under test (conftest.py)


@cache
def _variants_results_text() -> str:
    variants = {name: spec for name, (_, spec) in VARIANTS.items()}
    return json.dumps(make_results(failed_run=False, extra_clients=variants))


def _results(tmp_path, with_build: bool = True):
    data = json.loads(_variants_results_text())  # a fresh copy of the one synthetic file (0.5 s to make)
    clients = data["environment"]["clients"]
    clients["curl"]["role"] = "reference"
    for name, (label, _) in VARIANTS.items():
        clients[name].update(role="variant", variant_of="python-requests", variant=label)
    clients["python-requests-run-pyc"]["shares_build_of"] = ["python-requests"]
    clients["python-requests-nuitka-onefile"]["shares_build_of"] = []
    if with_build:
        clients["python-requests-nuitka-onefile"]["build"] = {"status": "built", "message": "", "seconds": 212.5,
                                                       "outputs": {"build/nuitka/client.bin": 30 << 20}}
        # restored from the build cache: the manifest keeps the seconds of the build that made it
        clients["python-requests-nosite"]["build"] = {"status": "up-to-date", "seconds": 327.0,
                                                      "message": "restored from the build cache",
                                                      "outputs": {"build/bundle/client.bin": 20 << 20}}
        # no outputs of its own (the plain script's venv, run another way): its "build" took no time of its own
        clients["python-requests-cold"]["build"] = {"status": "built", "message": "", "seconds": 0.001,
                                                    "outputs": {}}
        clients["python-requests-cold"]["shares_build_of"] = ["python-requests"]
    else:
        for name in VARIANTS:
            clients[name]["build"] = {"status": "up-to-date", "message": ""}  # older manifests: no seconds
    return data, write_results(tmp_path / "r", data)


def _report(tmp_path, path) -> str:
    return read_report(generate_report([path], output_root=tmp_path / "out", quiet=True))


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    """The variants' results and their report (made once per session, whichever pytest-xdist worker asks
    first: three tests read it, none changes it)."""
    data, _ = _results(tmp_path_factory.mktemp("variants"))

    def make(folder):
        with no_chart_rendering():
            return generate_report([_results(folder)[1]], output_root=folder / "out", quiet=True)
    return data, once_per_session(tmp_path_factory, "variants-report", make)


def test_each_variant_against_the_plain_script_and_curl(variants):
    data, report_path = variants
    report = read_report(report_path)
    table = find_table(parse_tables(report), SECTION, "python-requests and its variants")
    rows = {row["client"]: row for row in table.rows}
    assert list(rows) == ["python-requests", *VARIANTS]  # the plain script first
    assert rows["python-requests"]["plain ÷ this: k× (95% CI)"] == "1.00x (reference)"
    plain = walls(bench(data, "python-requests", "single"))
    curl = walls(bench(data, "curl", "single"))
    for name, (label, _) in VARIANTS.items():
        mine = walls(bench(data, name, "single"))
        row = rows[name]
        assert row["how"] == label
        assert_shows(row["median ms"], bench(data, name, "single")["summary"]["wall_ms"]["median"])
        speed = stats.ratio_ci(plain, mine)
        assert_shows(row["plain ÷ this: k× (95% CI)"], speed.ratio)
        assert_shows(row["plain ÷ this: k× (95% CI)"], speed.low, 1)
        assert_shows(row["plain ÷ this: k× (95% CI)"], speed.high, 2)
        assert_shows(row["curl is k× faster (95% CI)"], stats.ratio_ci(mine, curl).ratio)
        assert row["imports + set-up ms"] != "—"
    assert_shows(rows["python-requests-nuitka-onefile"]["build s"], 212.5)
    assert_shows(rows["python-requests-nuitka-onefile"]["own build outputs MiB"], 30.0)
    # a variant that runs with python-requests' venv says so; a bundle has only its own; an old file: unknown
    assert rows["python-requests-run-pyc"]["runs with the build of"] == "its own + python-requests's (shared)"
    assert rows["python-requests-nuitka-onefile"]["runs with the build of"] == "its own only"
    assert rows["python-requests-nosite"]["runs with the build of"] == "not recorded"
    # one finding sentence per escape, with its verdict from the interval, in the report's one wording
    assert "**python -S** (python-requests-nosite)" in report
    assert "**python-requests-nosite** is **" in report and "faster** than **python-requests**" in report
    assert "**python-requests** is **" in report and "faster** than **python-requests-cold**" in report
    # the .pyc run: same spec as the plain one
    assert "**python-requests-run-pyc** and **python-requests** cannot be told apart" in report
    assert "faster** than **curl**" in report  # the worker; never "curl is 0.4x faster"
    assert not re.search(r"\b0\.\d+x faster", report)  # k < 1 is the other way round
    # a cached build shows the original build's seconds, labelled; no build of its own: no time, whose it shares
    assert rows["python-requests-nosite"]["build s"] == "327.0 (cached build)"
    assert rows["python-requests-cold"]["build s"] == "— (shares python-requests's build)"
    # the best escape against the fastest compiled contender
    fastest = min(("go-nethttp", "rust-ureq"), key=lambda c: bench(data, c, "single")["summary"]["wall_ms"]["median"])
    assert f"the fastest compiled client, {fastest}" in report
    # the best escape's verdict in the report's one wording (k >= 1, or "cannot be told apart"), never "still"
    best = next(line for line in report.splitlines() if line.startswith("The best escape"))
    worker, compiled = (walls(bench(data, c, "single")) for c in ("python-requests-worker", fastest))
    assert fmt.speedup_sentence(speedup("python-requests-worker", worker, fastest, compiled)) in best
    assert "still" not in best


def test_the_articles_rows_beside_this_runs_matched_variants(variants):
    table = find_table(parse_tables(read_report(variants[1])), SECTION, "python-requests and its variants",
                       header="the article's row")
    rows = {row["the article's row"]: row for row in table.rows}
    assert [row["article: ms"] for row in table.rows] == ["152.0", "160.0", "257.0"]
    assert rows["Pure Python"]["this run: client"] == "python-requests"
    assert rows["Python + compileall (python x.pyc)"]["this run: client"] == "python-requests-run-pyc"
    assert rows["Python + Nuitka --standalone --onefile"]["this run: client"] == "python-requests-nuitka-onefile"
    assert_shows(rows["Pure Python"]["article: ÷ its curl (6.20 ms)"], 152.0 / 6.2)


def test_the_article_rows_and_their_clients_come_from_the_results_file(tmp_path):
    """polybench.yaml `report.article.escapes`, as recorded: a row's client is named there, never guessed
    from a label, and a file's own rows win over today's config."""
    data, _ = _results(tmp_path)
    from orchestrator.config.model import load_config

    report = load_config().report.to_json()
    report["article"]["escapes"] = [{"row": "A row of another article", "ms": 99.0,
                                     "client": "python-requests-nosite"}]
    data["environment"]["report"] = report
    table = find_table(parse_tables(_report(tmp_path, write_results(tmp_path / "recorded", data))), SECTION,
                       "python-requests and its variants", header="the article's row")
    assert [(row["the article's row"], row["this run: client"]) for row in table.rows] == [
        ("A row of another article", "python-requests-nosite")]


def test_no_build_record_shows_a_dash_and_no_variants_no_section(tmp_path, markdown):
    _, path = _results(tmp_path, with_build=False)
    table = find_table(parse_tables(_report(tmp_path, path)), SECTION, "python-requests and its variants")
    assert all(row["build s"] == "—" for row in table.rows if row["client"] != "python-requests")
    assert SECTION not in markdown  # the session's report (conftest.py): synthetic results with no variant


def _with_baselines(tmp_path):
    data = make_results(failed_run=False)
    records = [LoggedRun(run_id=f"b{i}", client="python-pass", case="baseline", kind="counted", index=i,
                         wall_ns=int((12.0 + 0.1 * i) * MS), user_ns=MS, sys_ns=MS, peak_rss_kib=9000, exit_code=0,
                         timed_out=False, verified=False, reason=BASELINE_LABEL, round=i + 1, position=1,
                         extra={"baseline": True}) for i in range(8)]
    plan = [{"name": "python-pass", "about": "bare interpreter", "label": BASELINE_LABEL,
             "argv": ["/venv/bin/python", "-c", "pass"], "skipped": None, "stop_reason": "max-runs",
             "compare": {"client": "python-requests", "phase": "runtime_start"}},
            {"name": "python-import-x", "about": "import x", "label": BASELINE_LABEL,
             "argv": ["/nope/python", "-c", "import x"], "skipped": "/nope/python not found", "stop_reason": None,
             "compare": None}]
    meta = {"profile": data["profile"], "config_sha256": data["config_sha256"], "settings": data["settings"]}
    data["baselines"] = assemble(meta, records, [], data["environment"], True, baselines=plan).to_json()["baselines"]
    return data, write_results(tmp_path / "b", data)


def test_baselines_stand_beside_the_phases_with_the_articles_rows(tmp_path):
    data, path = _with_baselines(tmp_path)
    table = find_table(parse_tables(_report(tmp_path, path)), "Single call", "Baselines beside the phases")
    rows = {row["baseline, not a client"]: row for row in table.rows}
    bare = rows["python-pass"]
    assert_shows(bare["median ms"], data["baselines"][0]["summary"]["wall_ms"]["median"])
    assert bare["set beside"] == "python-requests: runtime start"
    phase = bench(data, "python-requests", "single")["summary"]["phases_ms"]["runtime_start"]["median"]
    assert_shows(bare["that phase: median ms"], phase)
    assert bare["article: ms (its command)"].startswith("54.0")
    assert rows["python-import-x"]["median ms"] == "skipped"


def test_results_without_baselines_still_report(tmp_path):
    data = make_results(failed_run=False)
    data.pop("baselines", None)
    report = _report(tmp_path, write_results(tmp_path / "old", data))
    assert "Baselines beside the phases" not in report


def test_one_main_finding_for_the_best_escape_and_variants_stay_out_of_the_contenders_sentence(variants):
    data, report_path = variants
    main = report_path.read_text(encoding="utf-8")
    best = min(VARIANTS, key=lambda c: bench(data, c, "single")["summary"]["wall_ms"]["median"])
    assert main.count("The best escape from the start-up tax") == 1
    assert f"({VARIANTS[best][0]})" in main and f"**{best}**" in main
    for line in main.splitlines():
        if "Against the fastest Python client" in line:
            assert not any(f"**{name}**" in line for name in VARIANTS)


def test_a_variant_of_the_reference_gets_no_ratio_to_itself_and_no_article_rows(tmp_path, monkeypatch):
    spec = ("shell", "curl + jq", "-", 3.0, 0.5, 20.0, 1.0)  # its network phase the largest, as measured
    data = make_results(failed_run=False, extra_clients={"curl-jq": spec})
    clients = data["environment"]["clients"]
    clients["curl"]["role"] = "reference"
    clients["curl-jq"].update(role="variant", variant_of="curl", variant="curl | jq",
                              setup_in_network="the pipeline starts curl and jq after t_ready")
    from orchestrator.report.sections import startup
    drawn: list[str] = []
    render = startup.phase_chart.render
    monkeypatch.setattr(startup.phase_chart, "render",
                        lambda bars, *args, **kwargs: (drawn.extend(b.label for b in bars), render(bars, *args,
                                                                                                  **kwargs))[1])
    report = _report(tmp_path, write_results(tmp_path / "r", data))
    # the single-call phases chart marks the bar whose network phase holds set-up, and only that one
    assert [label for label in drawn if "set-up in network" in label] == ["curl-jq [set-up in network]"]
    assert "curl" in drawn
    tables = parse_tables(report)
    # setup_in_network: one rule wherever phases are read (Source.setup_in_network). Its phase split is
    # marked, and its start + imports + exit is never called its fixed cost, nor its network the call itself
    why = next(line for line in report.splitlines() if line.startswith("- **curl-jq**"))
    assert "set-up as well as the call" in why and "the call itself" not in why and "t_ready" in why
    costs = find_table(tables, "Crossover", "Fixed and per-call costs")
    row = next(r for r in costs.rows if r["client"].startswith("curl-jq"))
    assert row["client"] == "curl-jq (set-up in its network phase: no phase split)"
    assert row["fixed ms"] == "—" and row["per call ms"] == "—"
    residual = find_table(tables, "Crossover", "Cross-check: the phase model against the measured totals")
    checked = [r["client"] for r in residual.rows]
    assert "curl-jq" not in checked and "go-nethttp" in checked
    finding = next(line for line in report.splitlines() if line.startswith("- **curl | jq** (curl-jq)"))
    assert finding.count("**curl** is **") == 1  # the plain one is the reference: one comparison, not two
    table = find_table(tables, SECTION, "curl and its variants")
    rows = {row["client"]: row for row in table.rows}
    assert rows["curl"]["curl is k× faster (95% CI)"] == "1.00x (reference)"
    assert_shows(rows["curl-jq"]["curl is k× faster (95% CI)"],
                 stats.ratio_ci(walls(bench(data, "curl-jq", "single")), walls(bench(data, "curl", "single"))).ratio)
    assert not [t for t in tables if t.section.startswith(SECTION) and "the article's row" in t.headers]


def test_without_the_plain_script_no_variant_is_its_own_reference(tmp_path):
    """python-requests not in the run: no "plain ÷ this" ratio can be computed, and none may read 1.00x
    (adversarial review: every variant showed "1.00x (reference)")."""
    data, _ = _results(tmp_path)
    data["benchmarks"] = [b for b in data["benchmarks"] if b["client"] != "python-requests"]
    path = write_results(tmp_path / "no-plain", data)
    table = find_table(parse_tables(_report(tmp_path, path)), SECTION, "python-requests and its variants")
    rows = {row["client"]: row for row in table.rows}
    assert "python-requests" not in rows and rows
    assert all(row["plain ÷ this: k× (95% CI)"] == "—" for row in rows.values())
