"""Machine metadata beside pyperf's: steal time from /proc/stat, interpreter builds, what pyperf records."""

from __future__ import annotations

import sys

from orchestrator.provenance import system_info


def test_steal_is_the_share_of_stolen_ticks_between_two_readings() -> None:
    before = {"user": 100, "nice": 0, "system": 50, "idle": 800, "iowait": 10, "irq": 0, "softirq": 5, "steal": 35}
    after = {"user": 300, "nice": 0, "system": 100, "idle": 1500, "iowait": 10, "irq": 0, "softirq": 5, "steal": 85}
    found = system_info.steal(before, after)
    assert found == {"steal_ticks": 50, "total_ticks": 1000, "steal_share": 0.05}
    assert system_info.steal(None, after) is None
    assert system_info.steal(before, before)["steal_share"] is None  # no time passed: no share, not a division by 0


def test_cpu_times_reads_the_machine_line_of_proc_stat() -> None:
    times = system_info.cpu_times()
    if times is None:  # not Linux
        return
    assert set(times) <= set(system_info.STAT_FIELDS) and times["user"] >= 0 and times["idle"] > 0


def test_interpreter_build_reads_pgo_and_lto_from_config_args() -> None:
    build = system_info.interpreter_build(sys.executable)
    assert build is not None
    assert build["version"] == ".".join(map(str, sys.version_info[:3]))
    import sysconfig
    args = sysconfig.get_config_var("CONFIG_ARGS") or ""
    assert build["pgo"] == ("--enable-optimizations" in args) and build["lto"] == ("--with-lto" in args)
    assert system_info.interpreter_build("/nonexistent/python") is None
    assert system_info.interpreters([sys.executable, sys.executable, "/nonexistent"]).keys() == {sys.executable}


def test_system_keeps_pyperfs_machine_fields_only() -> None:
    found = system_info.system()
    assert found["pyperf_version"]
    assert set(found) <= {*system_info.PYPERF_KEYS, "pyperf_version", "smt", "isolated_cpus", "boost",
                          "virtualization", "clocksource"}
    assert "python_executable" not in found and "date" not in found  # the process and the moment are not the machine
