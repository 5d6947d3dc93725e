"""Section: the machine, versions, settings and run counts behind the numbers; failed runs.

Also the warning at the top of the report when runs failed verification or
the matrix did not finish: a reader must not miss that before the findings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from ...results.records import Environment, Git, Host, ProcessEnvironment, Settings
from .. import fmt
from ..context import Context
from ..data import Source
from ..markdown import blocks, heading, table

REASON_WIDTH = 160
VALUE_WIDTH = 90
VERSION_WIDTH = 40


def _text(value: Any, missing: str = "unknown", width: int = VALUE_WIDTH) -> str:
    """A value for a table cell, cut at `width` (curl's version line alone is 200 characters)."""
    if value is None or value == "":
        return missing
    text = str(value)
    return text if len(text) <= width else text[:width - 1] + "…"


def _portable(path: Any) -> str:
    """A program path as the report shows it: relative to the repository as recorded, an absolute one by name."""
    text = _text(path)
    return PurePosixPath(text).name if text.startswith("/") else text


def _gib(value: Any) -> str:
    return fmt.num(value / (1 << 30)) + " GiB" if isinstance(value, (int, float)) else "unknown"


def _cpus(host: Host) -> str:
    count, usable = host.cpu_count, host.cpu_affinity
    if usable is not None and usable != count:
        return f"{_text(count)} ({usable} usable by polybench)"
    return _text(count)


def _commit(git: Git) -> str:
    if not git.commit:
        return "unknown (not a git checkout)"
    state = {True: "dirty: uncommitted changes", False: "clean", None: "state unknown"}[git.dirty]
    return f"{git.commit[:12]} ({state})"


def _container(container: Mapping[str, Any] | None) -> str:
    if not container:
        return "none (bare host)"
    if not container.get("image"):
        return "inside a container, image not recorded" if container.get("in_container") else "unknown"
    image_id = f", id {container['image_id']}" if container.get("image_id") else ""
    return f"{container['image']}{image_id}"


def _image_packages(container: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Rows from the image's manifest: its digest and sizes, then each Debian package pinned by upstream version.

    A package the final image holds shows its version there; one only the
    build stage had (the compilers) is marked so.
    """
    manifest = (container or {}).get("manifest")
    if not manifest or container is None:
        return []
    summary = (f"sha256 {_text(container.get('manifest_sha256'))[:16]}: {len(manifest.get('debian_packages', {}))} "
               f"Debian packages, {len(manifest.get('wheels', []))} wheels, {len(manifest.get('crates', []))} crates")
    if manifest.get("debian_snapshot"):
        summary += f"; Debian snapshot {manifest['debian_snapshot']}"
    rows = [("image manifest", summary)]
    pinned = manifest.get("pinned", {})
    final, build = pinned.get("final", {}), pinned.get("build", {})
    for package in sorted({*final, *build}):
        entry, stage = (final[package], "") if package in final else (build[package], "build stage; ")
        if entry.get("wanted"):
            rows.append((f"image package: {package}", f"{entry['installed']} ({stage}pinned {entry['wanted']})"))
    return rows


def _cell_counts(source: Source) -> str:
    counts = Counter(b.status for b in source.benches)
    return ", ".join(f"{n} {status}" for status, n in counts.most_common())


def _settings(settings: Settings) -> list[tuple[str, str]]:
    return [
        ("warm-up runs per client and per case", _text(settings.warmup)),
        ("counted runs per cell", f"{_text(settings.min_runs)} to {_text(settings.max_runs)}"),
        ("stop when the median's 95% CI half-width is within", fmt.pct(settings.target_rel_ci)),
        ("time budget per cell", f"{_text(settings.budget_s)} s"),
        ("timeout per run", f"{_text(settings.timeout_s)} s"),
    ]


def results_folder(source: Source) -> str:
    """The results folder's own name (its timestamp), never `latest` or a path of the machine."""
    folder = source.path.resolve().parent
    return folder.name


def server_address(url: Any, remote: bool = False) -> str:
    """The server's scheme and host without the port: a port chosen at start says nothing about the results.

    A remote server's URL is the user's own address (a host and port they chose), so it is shown whole.
    """
    parsed = urlsplit(str(url or ""))
    if not parsed.hostname:
        return "unknown"
    if remote:
        return str(url)
    return f"{parsed.scheme}://{parsed.hostname}" + (" (port chosen at start)" if parsed.port else "")


def _yes_no(flag: Any) -> str:
    return {True: "yes", False: "no"}.get(flag, "unknown")


def interpreter_rows(env: Environment) -> list[tuple[str, str]]:
    """How each Python interpreter was built: version, compiler, PGO and LTO (from sysconfig CONFIG_ARGS)."""
    return [(f"Python build: {name}", f"{_text(build.get('version'))}, {_text(build.get('compiler'))}, "
                                      f"PGO {_yes_no(build.get('pgo'))}, LTO {_yes_no(build.get('lto'))}")
            for name, build in (env.interpreters or {}).items()]


def steal_text(env: Environment) -> str:
    steal = env.steal_during_run
    if not steal or steal.steal_share is None:
        return "not recorded"
    return (f"{fmt.pct(steal.steal_share)} of all CPU time ({steal.steal_ticks} of {steal.total_ticks} "
            f"ticks, /proc/stat before and after the runs)")


def _system_rows(env: Environment) -> list[tuple[str, str]]:
    """What pyperf records about the machine (orchestrator/provenance/system_info.py), where the results have it."""
    system = env.system
    if not system:
        return []
    isolated = system.get("isolated_cpus")
    return [
        ("CPU frequency (pyperf)", _text(system.get("cpu_freq"))),
        ("CPU configuration (pyperf)", _text(system.get("cpu_config"), "nothing set")),
        ("CPU boost", _text(system.get("boost"), "unknown (not exposed)")),
        ("SMT (hyper-threading)", _text(system.get("smt"), "unknown (not exposed)")),
        ("isolated CPUs", ", ".join(map(str, isolated)) if isolated else "none"),
        ("ASLR", _text(system.get("aslr"))),
        ("virtualization", _text(system.get("virtualization"))),
        ("clocksource", _text(system.get("clocksource"))),
        ("CPU time stolen by the hypervisor during the runs", steal_text(env)),
    ]


def _rows(source: Source) -> list[tuple[str, str]]:
    env, data = source.environment, source.results
    host, server = env.host, env.server
    system = env.system or {}
    rows = [
        ("host", _text(host.hostname)),
        ("CPU", _text(system.get("cpu_model_name") or host.cpu_model)),
        ("CPUs", _cpus(host)),
        ("memory", _gib(host.memory_bytes)),
        ("OS", _text(host.os)),
        ("kernel", _text(host.kernel)),
        ("architecture", _text(host.machine)),
        ("CPU frequency governor", _text(host.cpu_governor, "unknown (not exposed)")),
        ("load average at start", ", ".join(f"{x:.2f}" for x in host.load_average)
         if host.load_average else "unknown"),
        *_system_rows(env),
        *interpreter_rows(env),
    ]
    rows += [(f"toolchain: {name}", _text(version, "missing")) for name, version in env.toolchains.items()]
    rows += [
        ("commit", _commit(env.git)),
        ("container image", _container(env.container)),
        *_image_packages(env.container),
        ("server", server_address(server.url, server.remote)),
        ("server location", "remote (another host)" if server.remote else "local (same host, loopback)"),
        ("server worker model", _text(server.worker_model)),
        *_process_environment(env.process_environment),
        ("profile", _text(data.profile)),
        ("config SHA-256", _text(data.config_sha256)[:16]),
        ("results written", _text(data.created)),
        ("matrix finished", "yes" if data.finished else "NO: the run stopped early"),
        *_settings(source.settings),
        ("cells (client × case)", _cell_counts(source)),
        ("counted runs", str(sum(len(b.runs) for b in source.benches))),
        ("warm-up runs", str(sum(b.cell.warmup_runs for b in source.benches))),
        ("runs that failed verification", str(len(source.failed_runs()))),
        ("results folder", results_folder(source)),
    ]
    return rows


def _process_environment(recorded: ProcessEnvironment | None) -> list[tuple[str, str]]:
    """Rows for what the clients' and server's processes got (orchestrator/provenance/process_env.py)."""
    if not recorded:
        return [("client environment", "not recorded (inherited the orchestrator's whole environment)")]
    base = recorded.base
    given = (", ".join(f"{k}={base[k]}" if k == "LANG" else k for k in base) if base
             else "the caller's whole environment")
    inherited = ", ".join(f"{k}={v}" if v is not None else f"{k} (value not recorded)"
                          for k, v in recorded.inherited.items())
    per_client = "; ".join(f"{name}: {', '.join(f'{k}={v}' for k, v in env.items())}"
                           for name, env in recorded.clients.items())
    private_tmp = recorded.temporary_folder
    return [
        ("client environment", f"{recorded.policy}: {given}"),
        ("clients' temporary folder", f"{', '.join(private_tmp.variables)}: {private_tmp.value}"
         if private_tmp else "the caller's (not recorded)"),
        ("inherited by the clients", (inherited or "nothing") + "".join(
            f"; {name} asked for but not set" for name in recorded.inherit_missing or [])),
        ("set by the config", _text(per_client, "nothing", width=REASON_WIDTH)),
        ("server environment", "fixed base only" if recorded.server else "not ours (remote server)"),
        ("environment warnings", "; ".join(recorded.warnings) or "none"),
    ]


def _environment_table(ctx: Context) -> str:
    per_host = [dict(_rows(source)) for source in ctx.sources]
    keys: list[str] = []
    for rows in per_host:
        keys += [k for k in rows if k not in keys]
    headers = ["", *(s.label for s in ctx.sources)] if ctx.multi_host else ["", "value"]
    body = [[key, *(rows.get(key, fmt.MISSING) for rows in per_host)] for key in keys]
    return table(headers, body)


def _binary_size(client: str, build: Mapping[str, Any] | None) -> str:
    outputs = (build or {}).get("outputs") or {}
    matching = [size for path, size in outputs.items() if PurePosixPath(path).name == client]
    if not matching and len(outputs) == 1:
        matching = list(outputs.values())
    return fmt.mib(matching[0]) if matching else fmt.MISSING


def _clients_table(ctx: Context) -> str:
    body = []
    for source in ctx.sources:
        for name, client in source.environment.clients.items():
            build = client.build
            body.append([*ctx.host_cells(source), name, _text(client.language), _text(client.library),
                         _text(client.library_version, width=VERSION_WIDTH),
                         _text(client.concurrency_model), _text((build or {}).get("status"), "no build record"),
                         _binary_size(name, build)])
    headers = [*ctx.host_headers(), "client", "language", "library", "version", "concurrency model", "build",
               "binary MiB"]
    return table(headers, body)


def _packages(ctx: Context) -> str | None:
    lines = []
    for source in ctx.sources:
        packages = {_normalised(name): (name, version)
                    for name, version in (source.environment.python_packages or {}).items()}
        shown = [" ".join(packages[key]) for key in dict.fromkeys(map(_normalised, source.packages_shown))
                 if key in packages]
        if shown:
            prefix = f"{source.label}: " if ctx.multi_host else ""
            lines.append(f"- {prefix}{', '.join(shown)} ({len(packages)} packages in the environment in all)")
    return "Python packages of the orchestrator's own environment (the server runs in it, no client does):\n\n" \
        + "\n".join(lines) if lines else None


def _normalised(name: str) -> str:
    """A distribution name as PEP 503 compares them (curl_cffi and curl-cffi are one package)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _client_packages(ctx: Context) -> str | None:
    """What each client with a `packages:` listing ran with (each Python client's own venv)."""
    lines = [f"- {prefix}{name} (`{_portable(client.interpreter)}`): "
             + (", ".join(f"{k} {v}" for k, v in client.packages.items()) or "standard library only")
             for source in ctx.sources for prefix in [f"{source.label}: " if ctx.multi_host else ""]
             for name, client in source.environment.clients.items() if client.packages is not None]
    return "Each client's own packages (the whole of its environment):\n\n" + "\n".join(lines) if lines else None


def grouped_failures(source: Source) -> list[tuple[str, int, str]]:
    """(reason, runs, which cells) for the runs that failed verification, most frequent first."""
    by_reason: dict[str, Counter[str]] = {}
    for bench, run in source.failed_runs():
        reason = _text(run.reason, "no reason recorded", width=REASON_WIDTH)
        by_reason.setdefault(reason, Counter())[f"{bench.client} {bench.case}"] += 1
    rows = [(reason, sum(cells.values()), ", ".join(f"{cell} ×{n}" for cell, n in cells.most_common()))
            for reason, cells in by_reason.items()]
    return sorted(rows, key=lambda row: -row[1])


def _failures(ctx: Context) -> str:
    body = [[*ctx.host_cells(source), reason, str(n), cells]
            for source in ctx.sources for reason, n, cells in grouped_failures(source)]
    unusable = [[*ctx.host_cells(source), b.client, b.case, b.status, _text(b.status_reason, "")]
                for source in ctx.sources for b in source.benches if not b.ok]
    parts = [heading(3, "Failed runs and missing cells")]
    if body:
        parts += ["Runs that failed verification, grouped by the first check they failed. They are left out of "
                  "every statistic in this report.",
                  table([*ctx.host_headers(), "reason", "runs", "cells"], body)]
    else:
        parts.append("Every run passed verification.")
    if unusable:
        parts += ["Cells without verified runs (not in any table below):",
                  table([*ctx.host_headers(), "client", "case", "status", "reason"], unusable)]
    return blocks(*parts)


def not_run_clients(source: Source) -> dict[str, str]:
    """Clients in the run's plan with no case run at all (not built, toolchain missing): client -> reason."""
    found: dict[str, str] = {}
    for client in source.clients():
        benches = [b for b in source.benches if b.client == client]
        if benches and all(b.status == "skipped" for b in benches):
            reasons = {b.status_reason for b in benches if b.status_reason}
            found[client] = "; ".join(sorted(reasons)) or "every case skipped"
    return found


def warnings(ctx: Context) -> str | None:
    """A blockquote for the top of the report, or None when every run verified and the matrix finished."""
    lines = []
    for source in ctx.sources:
        where = f" on {source.label}" if ctx.multi_host else ""
        failures = grouped_failures(source)
        if failures:
            total = sum(n for _, n, _ in failures)
            reasons = "; ".join(f"{n} × {reason}" for reason, n, _ in failures[:3])
            more = f"; and {len(failures) - 3} other reasons" if len(failures) > 3 else ""
            lines.append(f"**{total} run{'s' if total != 1 else ''} failed verification{where}** and "
                         f"{'are' if total != 1 else 'is'} left out of every statistic: {reasons}{more}.")
        recorded = source.environment.process_environment
        for line in recorded.warnings if recorded else []:
            lines.append(f"**Environment{where}**: {line}.")
        if not source.results.finished:
            lines.append(f"**The run{where} did not finish**: some cells have fewer runs than the profile asks for.")
        not_run = not_run_clients(source)
        if not_run:
            lines.append(f"**Clients not run{where}**: "
                         f"{'; '.join(f'{client} ({reason})' for client, reason in not_run.items())}.")
        failed_cells = [b for b in source.benches if b.status == "failed"]
        if failed_cells:
            lines.append(f"**{len(failed_cells)} cell{'s' if len(failed_cells) != 1 else ''}{where} had no verified "
                         f"run at all**: {', '.join(f'{b.client} {b.case}' for b in failed_cells)}.")
    if not lines:
        return None
    return "\n>\n".join(f"> {line}" for line in ["**Warning**", *lines, "See *Failed runs and missing cells*."])


def summary(ctx: Context) -> str:
    """A few lines for the main report: the machine, how quiet it was, the commit and the results folder."""
    lines = []
    for source in ctx.sources:
        env = source.environment
        host, system = env.host, env.system or {}
        builds = interpreter_rows(env)
        pythons = "; ".join(f"{name.removeprefix('Python build: ')}: {value}" for name, value in builds[:2])
        facts = [f"{_text(system.get('cpu_model_name') or host.cpu_model)}, {_cpus(host)} CPUs",
                 f"{_text(host.os)}, kernel {_text(host.kernel)}"]
        if system.get("virtualization"):
            facts.append(f"virtualization: {system['virtualization']}")
        facts.append(f"CPU time stolen during the runs: {steal_text(env)}")
        if pythons:
            facts.append(f"Python built with {pythons}")
        facts += [f"commit {_commit(env.git)}", f"results folder `{results_folder(source)}`"]
        lead = f"**{source.label}**: " if ctx.multi_host else ""
        lines.append(f"- {lead}{'; '.join(facts)}.")
    return blocks(heading(2, "Machine in brief"), "\n".join(lines))


def render(ctx: Context) -> str:
    return blocks(
        heading(2, "Environment and provenance"),
        _environment_table(ctx),
        heading(3, "Clients"),
        _clients_table(ctx),
        _client_packages(ctx),
        _packages(ctx),
        _failures(ctx),
    )
