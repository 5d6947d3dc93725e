"""What pyperf records about a benchmark machine, and what it leaves out, for results `environment`.

pyperf's own collectors (pyperf._collect_metadata, the code behind
`python -m pyperf collect_metadata`) give the CPU model name, frequency,
configuration (driver, governor, turbo, isolated and nohz_full CPUs, idle
driver), affinity, quota and ASLR. Read here beside them: SMT, CPU boost,
virtualization, the clocksource, the CPU time stolen by a hypervisor during
the run (/proc/stat before and after), and how each Python interpreter was
built (sysconfig CONFIG_ARGS: PGO, LTO). Nothing here is measured timing; a
value that cannot be read is left out.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pyperf import _collect_metadata as pyperf_metadata

# Keys kept from pyperf's metadata: the machine, not this Python process or the moment.
PYPERF_KEYS = ("cpu_model_name", "cpu_count", "cpu_affinity", "cpu_freq", "cpu_config", "cpu_quota", "aslr",
               "platform")
SYS_CPU = Path("/sys/devices/system/cpu")
# /proc/stat's cpu line, in order (proc(5)); all in USER_HZ ticks
STAT_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
INTERPRETER_TIMEOUT_S = 10
_BUILD_PROBE = ("import json, platform, sysconfig; v = sysconfig.get_config_var; "
                "print(json.dumps({'version': platform.python_version(), 'compiler': platform.python_compiler(), "
                "'config_args': v('CONFIG_ARGS') or '', 'cflags': v('PY_CFLAGS') or ''}))")


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _virtualization() -> str | None:
    """The hypervisor, where the kernel says (/sys/hypervisor/type, or the cpuinfo `hypervisor` flag)."""
    kind = _read(Path("/sys/hypervisor/type"))
    if kind:
        return kind
    cpuinfo = _read(Path("/proc/cpuinfo")) or ""
    flags = next((line for line in cpuinfo.splitlines() if line.startswith("flags")), "")
    if " hypervisor" in flags:
        return "virtual machine (hypervisor flag set)"
    return "none detected" if flags else None


def _boost() -> str | None:
    value = _read(SYS_CPU / "cpufreq" / "boost")
    if value is None:
        value = _read(SYS_CPU / "intel_pstate" / "no_turbo")
        return None if value is None else {"0": "on (intel_pstate)", "1": "off (intel_pstate)"}.get(value, value)
    return {"1": "on", "0": "off"}.get(value, value)


def system() -> dict[str, Any]:
    """pyperf's machine metadata (PYPERF_KEYS present) plus smt, boost, virtualization, clocksource."""
    collected: dict[str, Any] = {}
    for collect in (pyperf_metadata.collect_system_metadata, pyperf_metadata.collect_cpu_metadata):
        try:
            collect(collected)
        except (OSError, ValueError):
            continue
    found = {key: collected[key] for key in PYPERF_KEYS if key in collected}
    found["pyperf_version"] = pyperf_metadata.pyperf.__version__
    smt = _read(SYS_CPU / "smt" / "active")
    extra = {
        "smt": {"1": "on", "0": "off"}.get(smt or "", smt),
        "isolated_cpus": pyperf_metadata.get_isolated_cpus(),
        "boost": _boost(),
        "virtualization": _virtualization(),
        "clocksource": _read(Path("/sys/devices/system/clocksource/clocksource0/current_clocksource")),
    }
    return found | {key: value for key, value in extra.items() if value is not None}


def cpu_times() -> dict[str, int] | None:
    """The machine's cumulative CPU time per mode from /proc/stat's `cpu` line, in ticks; None if unreadable."""
    text = _read(Path("/proc/stat"))
    if not text or not text.startswith("cpu "):
        return None
    values = [int(v) for v in text.splitlines()[0].split()[1:]]
    return dict(zip(STAT_FIELDS, values, strict=False))


def steal(before: Mapping[str, int] | None, after: Mapping[str, int] | None) -> dict[str, Any] | None:
    """CPU time stolen by the hypervisor between two cpu_times() readings, as ticks and a share of all CPU time."""
    if not before or not after:
        return None
    delta = {key: after.get(key, 0) - before.get(key, 0) for key in STAT_FIELDS}
    total = sum(delta.values())
    return {"steal_ticks": delta["steal"], "total_ticks": total,
            "steal_share": delta["steal"] / total if total > 0 else None}


def _flags(config_args: str) -> dict[str, bool]:
    return {"pgo": "--enable-optimizations" in config_args, "lto": "--with-lto" in config_args}


def interpreter_build(executable: str) -> dict[str, Any] | None:
    """How a Python interpreter was built (version, compiler, CONFIG_ARGS with PGO/LTO read off); None if it
    cannot be asked. `executable` is run as argv[0] (no shell)."""
    try:
        done = subprocess.run([executable, "-I", "-S", "-c", _BUILD_PROBE], capture_output=True, text=True,
                              timeout=INTERPRETER_TIMEOUT_S, check=False)
        found = json.loads(done.stdout) if done.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return None
    return found | _flags(found["config_args"]) if isinstance(found, dict) else None


def interpreters(executables: Iterable[str]) -> dict[str, dict[str, Any]]:
    """interpreter_build of each distinct executable that answers."""
    builds = {}
    for executable in dict.fromkeys(executables):
        build = interpreter_build(executable)
        if build is not None:
            builds[executable] = build
    return builds
