"""One run of one client in one case: argv, spawn, ask the server, verify, record."""

from __future__ import annotations

import re
import secrets
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..config.model import BASELINE_LABEL, BaselineSpec, Case, ClientSpec, Config, expand
from ..config.scenarios import SCENARIOS
from ..errors import PolybenchError
from ..provenance.process_env import EnvPolicy, config_env
from ..provenance.toolchains import placeholders
from ..results.runlog import LoggedRun
from ..server_control.checks import Server, require_alive
from .process import run_process
from .services import Services
from .verify import verify

IMPORTTIME_LINE = re.compile(r"^import time:\s+(\d+)\s*\|\s*(\d+)\s*\|(\s*)(\S+)")
IMPORTS_KEPT = 15
# After the client is reaped, how long to wait for the server to finish (write
# and close) the run's last responses before reading its records.
SETTLE_TIMEOUT_S = 5.0
SETTLE_POLL_S = 0.005


def new_run_id() -> str:
    # Matches the contract's [A-Za-z0-9._-]{1,64}; random so that runs of two
    # polybench processes against one server never share a count.
    return f"pb-{secrets.token_hex(8)}"


def client_argv(config: Config, client: ClientSpec, case: Case, url: str, run_id: str,
                extra_runtime_args: tuple[str, ...] = (), ca_file: str | None = None) -> list[str]:
    """The exact argv for a run: the contract's flags, or a bodies-client's own template.

    A TLS case (scenarios.py) gets the server's https:// `url`, `--ca-file` (or
    `{ca_file}`) and the plain scenario name.
    """
    scenario = SCENARIOS[case.scenario]
    values: dict[str, Any] = {**placeholders(config), "url": url, "run_id": run_id, **case.params}
    if scenario.tls:
        values["ca_file"] = ca_file
    if client.output == "bodies":
        return expand(client.scenario_argv[case.scenario], values)
    assert client.run is not None
    base = expand(client.run, values)
    argv = [base[0], *extra_runtime_args, *base[1:], scenario.client_scenario, "--url", url, "--run-id", run_id]
    if scenario.tls:
        argv += ["--ca-file", str(ca_file)]
    for name in ("requests", "concurrency", "delay_ms", "bytes"):
        if name in case.params:
            argv += [f"--{name.replace('_', '-')}", str(case.params[name])]
    return argv


def parse_importtime(stderr: str) -> list[dict[str, Any]]:
    """The slowest imports by cumulative time from `python -X importtime` output."""
    imports = []
    for line in stderr.splitlines():
        match = IMPORTTIME_LINE.match(line)
        if match:
            self_us, cumulative_us, indent, module = match.groups()
            imports.append({"module": module, "self_us": int(self_us), "cumulative_us": int(cumulative_us),
                            "depth": (len(indent) - 1) // 2})
    imports.sort(key=lambda item: item["cumulative_us"], reverse=True)
    return imports[:IMPORTS_KEPT]


@dataclass
class Runner:
    config: Config
    server: Server
    timeout_s: float
    on_record: Callable[[LoggedRun], None] = lambda record: None
    env_policy: EnvPolicy = field(default_factory=EnvPolicy)
    services: Services | None = None  # resident processes of clients with `service:` (started on first use)

    def close(self) -> None:
        """Stop the services this runner started."""
        if self.services is not None:
            self.services.close()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """close(): a runner's services (a warm worker on `{scratch}/NAME.sock`) end with it, whatever ended
        the block. One left running holds that path, the one a later runner of this process would start on."""
        self.close()

    def client_env(self, client: ClientSpec | BaselineSpec) -> dict[str, str]:
        """The whole environment `client` runs with: clean base + its `env:` + what the user inherits."""
        return self.env_policy.for_process(config_env(self.config, client))

    def run(self, client: ClientSpec | BaselineSpec, case: Case, kind: str, index: int, *, round_no: int | None = None,
            position: int | None = None) -> LoggedRun:
        """One run; ``round_no`` and ``position`` place it in the schedule (orchestrator.measure.rounds)."""
        if isinstance(client, BaselineSpec):
            return self.run_baseline(client, case, kind, index, round_no=round_no, position=position)
        run_id = new_run_id()
        runtime_args = client.importtime if kind == "importtime" and client.importtime else ()
        if SCENARIOS[case.scenario].tls:
            url, ca_file = self.server.tls_url, self.server.ca_file
            if url is None or ca_file is None:
                raise PolybenchError(f"{case.id}: the server has no TLS port")  # matrix.py leaves such cases out
        else:
            url, ca_file = self.server.url, None
        argv = client_argv(self.config, client, case, url, run_id, runtime_args, ca_file=ca_file)
        no_service: str | None = None
        if client.service is not None:  # before the spawn: the service is never inside a timing
            if self.services is None:
                self.services = Services(self.config)
            try:
                self.services.ensure(client, self.client_env(client))
            except PolybenchError as error:  # this client's runs fail, not the whole run
                print(f"polybench: warning: {error}", file=sys.stderr)
                no_service = str(error)
        result = run_process(argv, timeout_s=self.timeout_s, env=self.client_env(client))
        server_stats = settled_stats(self.server, run_id)
        if server_stats is None:
            require_alive(self.server)  # a dead server stops the run (ServerDied), not fails every run
        verdict = verify(result, client, case, server_stats, same_clock=self.server.shares_clock)
        if no_service is not None:
            # Failed whatever answered: a service that did not start is not the one that served the run (a
            # live one on the same socket path would answer, started by someone else with another environment).
            verdict = replace(verdict, verified=False, unsupported=False, reason=no_service)
        record = LoggedRun(
            run_id=run_id, client=client.name, case=case.id, kind=kind, index=index,
            wall_ns=result.wall_ns, user_ns=result.user_ns, sys_ns=result.sys_ns,
            peak_rss_kib=result.peak_rss_kib, exit_code=result.exit_code, timed_out=result.timed_out,
            verified=verdict.verified, unsupported=verdict.unsupported, reason=verdict.reason,
            phases_ns=dict(verdict.phases_ns) if verdict.phases_ns else None,
            output=dict(verdict.output) if verdict.output else None,
            server=_server_summary(server_stats), started_epoch_ns=result.spawn_epoch_ns,
            imports=parse_importtime(result.stderr) if kind == "importtime" else None,
            round=round_no, position=position,
        )
        self.on_record(record)
        return record


    def run_baseline(self, baseline: BaselineSpec, case: Case, kind: str, index: int, *,
                     round_no: int | None = None, position: int | None = None) -> LoggedRun:
        """One run of a baseline command: timed like a client, never verified (it makes no call).

        ``verified`` stays False; ``reason`` is the label, or why it failed
        (non-zero exit, timeout); rounds.py counts a run that exited 0.
        """
        argv = expand(baseline.run, placeholders(self.config))
        result = run_process(argv, timeout_s=self.timeout_s, env=self.client_env(baseline))
        failure = ("timed out" if result.timed_out
                   else f"exit code {result.exit_code}" if result.exit_code != 0 else None)
        record = LoggedRun(
            run_id=new_run_id(), client=baseline.name, case=case.id, kind=kind, index=index,
            wall_ns=result.wall_ns, user_ns=result.user_ns, sys_ns=result.sys_ns,
            peak_rss_kib=result.peak_rss_kib, exit_code=result.exit_code, timed_out=result.timed_out,
            verified=False, reason=f"{BASELINE_LABEL}: {failure}" if failure else BASELINE_LABEL,
            started_epoch_ns=result.spawn_epoch_ns, round=round_no, position=position,
            extra={"baseline": True},
        )
        self.on_record(record)
        return record


def baseline_ok(record: LoggedRun) -> bool:
    """A baseline run that counts: it exited 0 in time (nothing else can be checked)."""
    return record.exit_code == 0 and not record.timed_out


def settled_stats(server: Server, run_id: str, timeout_s: float = SETTLE_TIMEOUT_S) -> dict[str, Any] | None:
    """/stats for the run once none of its requests is in flight (or the time is up).

    A response counts as completed when the server has written its last byte
    and closed it, which can be a moment after the client read it and exited;
    a client that left early leaves requests the server is still handling.
    This runs after the process is reaped: it never enters a measurement.
    None if the server does not answer.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            stats = server.stats(run_id)
        except PolybenchError:
            return None
        if not stats.get("in_flight") or time.monotonic() >= deadline:
            return stats
        time.sleep(SETTLE_POLL_S)


def _server_summary(stats: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if stats is None:
        return None
    keep = ("requests", "connections", "server_ns", "server_max_ns", "statuses", "internal_requests",
            "completed", "aborted", "in_flight", "max_in_flight", "receipt", "server_median_ns", "streams",
            "first_arrival_epoch_ns", "last_response_epoch_ns")
    return {key: stats[key] for key in keep if key in stats}
