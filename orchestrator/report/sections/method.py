"""Section: how the numbers were made, in plain words, with this run's settings."""

from __future__ import annotations

from collections import Counter

from ... import stats
from ...words import counted
from .. import fmt
from ..analysis.cpu import SPLIT_RULE
from ..context import Context
from ..data import Source
from ..markdown import blocks, heading


def _settings_text(source: Source) -> str:
    s = source.settings
    return (f"{s.warmup} warm-up run(s) per client and per case, then {s.min_runs} to "
            f"{s.max_runs} counted runs; a cell leaves the rotation once its median's 95% CI "
            f"half-width is within {fmt.pct(s.target_rel_ci)} "
            f"of the median, at the maximum, after {s.budget_s} s of runs, or when it keeps failing; "
            f"each run is killed after {s.timeout_s} s")


def _importtime_text(ctx: Context) -> str:
    per_client = Counter((s.label, b.client) for s in ctx.sources for b in s.benches if b.imports)
    if not per_client:
        return "none in this run"
    return f"at most {counted(max(per_client.values()), 'profile')} per client in this run"


def _stop_reasons(source: Source) -> str:
    counts = Counter(b.cell.stop_reason or "none recorded" for b in source.benches if b.ok)
    return ", ".join(f"{reason} {n}" for reason, n in counts.most_common()) or "no cells ran"


def _schedule_text(ctx: Context) -> str:
    parts = []
    for source in ctx.sources:
        schedule = source.results.schedule
        if schedule is None:
            continue
        pin = schedule.pin
        pinned = (f"; server pinned to CPU {pin['server']}, clients to CPU {pin['clients']}" if pin
                  else "; no CPU pinning")
        label = f"{source.label}: " if ctx.multi_host else ""
        parts.append(f"{label}{counted(schedule.rounds, 'round')}, seed {schedule.seed}{pinned}.")
    return (" " + " ".join(parts)) if parts else ""


def render(ctx: Context) -> str:
    per_host = {source.label: _settings_text(source) for source in ctx.sources}
    if len(set(per_host.values())) == 1:
        settings = f"Settings: {next(iter(per_host.values()))}."
    else:
        settings = "Settings:\n\n" + "\n".join(f"- {label}: {text}." for label, text in per_host.items())
    stops = "\n".join(f"- {f'{s.label}: ' if ctx.multi_host else ''}{_stop_reasons(s)}" for s in ctx.sources)
    # Described from the file's own record where it has one (older files: this code's constants).
    recorded = ctx.sources[0].results.statistics
    confidence = fmt.pct(recorded.confidence if recorded else stats.DEFAULT_CONFIDENCE).replace(".0%", "%")
    resamples = recorded.resamples if recorded else stats.DEFAULT_RESAMPLES
    outlier_z = recorded.outlier_z if recorded else stats.OUTLIER_Z
    noisy_cv = recorded.noisy_cv if recorded else stats.NOISY_CV
    return blocks(
        heading(2, "Method"),
        heading(3, "Timing"),
        "Every run is one fresh process. `polybench-launch`, a small C program, starts the client with "
        "`posix_spawn` (no shell in between), reaps it with `wait4`, and reports the wall time from the "
        "monotonic clock (spawn to reap) together with that one child's user and system CPU time and peak "
        "resident set from `wait4`'s rusage. Timing from a small launcher keeps the orchestrator's own memory "
        "and Python overhead out of the numbers. Each client also prints Unix-epoch timestamps at its first "
        "statement, when its client is ready and when the last response is checked; with the launcher's "
        "epoch times of spawn and reap they split the run into runtime start, imports + set-up, network and "
        "exit. "
        "Set-up (docs/contract.md, 'What counts as set-up') is every client object, its TLS trust and what the "
        "library would otherwise load inside its first request (a Python client's lazily imported modules: "
        "checked by conformance). Node's fetch and Java's HttpClient initialise their send path only at a first "
        "call, so those clients make one request to a throw-away server inside their own process, on loopback, "
        "before they are ready: that extra exchange is in their wall time and their imports + set-up phase, a "
        "cost a program making its one real request would not pay.",
        heading(3, "Verification"),
        "A run counts only if every check passes: exit code 0 within the time limit; one JSON line on stdout "
        "with `ok == requests ==` the calls the case needs and no errors (a client with `output: bodies`: every "
        "response body equals the expected payload); for `stream`, the byte count and a SHA-256 the orchestrator "
        "computes itself; "
        "the server's `/stats` for the run's id counts the expected requests and TCP connections (one per "
        "call for `sequential`; at most two for `keepalive`, since a pooled client may race one extra "
        "connection against the first one's return to the pool, as hyper does; one for `single` and "
        "`stream`); and the timestamps fall in order inside the "
        "spawn-to-reap window. A run that fails is kept in the results with the first check it failed, and "
        "left out of every statistic.",
        heading(3, "Order"),
        "Randomized multiple interleaved trials (Abedi & Brecht, ICPE 2017): each round runs every (client, "
        "case) cell of the profile once, in a fresh random order from a recorded seed, and rounds repeat "
        "until every cell has met its stopping rule (a cell that is done drops out of later rounds), so "
        "drift on a shared machine hits every cell alike. Warm-ups are per client and per case: a cell whose "
        "client has not run yet, or whose case has had no verified warm-up, makes the warm-up runs right "
        "before its first counted run (a resumed run warms up again), so no counted run is a client's first "
        "(its files not yet in the page cache) or its case's first at the server; a warm-up before every cell "
        "would only make each cell's first counted run warmer "
        "than its later ones, which follow other cells. Clients with an `importtime:` entry (CPython) make "
        f"one more run under `-X importtime` before each of their first cells ({_importtime_text(ctx)}), "
        "used only for the import table (per module, the median over those runs: the modules a client "
        "imports do not depend on the case)." + _schedule_text(ctx),
        settings,
        "Why each cell stopped (cells with verified runs):\n\n" + stops,
        heading(3, "Statistics"),
        f"Headline figures are medians: process times are skewed to the right (a cache miss only ever adds "
        f"time), and one slow run cannot drag a median. Each median has a distribution-free {confidence} "
        f"order-statistic (binomial) interval (below 6 runs it is the range of the runs, which covers less, "
        f"and says what it covers). The stopping rule is sequential: after every run from the minimum on, a "
        f"cell stops as soon as its median's interval is within the target (or its time budget is spent), so "
        f"the run count is chosen by the data, and an interval built for a fixed n would cover less than it "
        f"says at that count (simulated with this rule: 93% for \"95%\"). Every median interval of a stopped "
        f"cell is therefore a confidence sequence's: order-statistic ranks chosen so that the intervals at "
        "every possible stopping count, from the minimum (or 6 runs, below which the target cannot be met and so "
        f"no stop on it is possible) to the maximum runs, cover the median all at once "
        f"with at least {confidence} (computed exactly from the binomial random walk of how many runs fall "
        f"below the median; Darling & Robbins, PNAS 1967; Howard & Ramdas, Bernoulli 2022). It holds whatever "
        f"count the cell stopped at, costs about one order statistic per side against a fixed-n interval, "
        f"and is the very interval the stopping rule reads. A cell stopped below 6 runs (its maximum or time "
        f"budget reached) cannot reach {confidence}; its interval says what it covers. "
        f"Runs whose modified Z-score exceeds {outlier_z} are flagged as outliers and still counted, except "
        f"in a cell flagged *multimodal* (a kernel density with two or more separate modes), where a whole "
        f"mode would be called outlying, and in a cell with fewer than {stats.OUTLIERS_MIN_N} runs, where "
        f"outliers are *not assessed*: there a second mode is too often missed (a 65/35 mixture of two "
        f"well-separated levels is detected in 61% of samples of 15 runs, 91% of 20) and would be flagged "
        f"as outliers; a cell whose coefficient of variation exceeds {fmt.pct(noisy_cv)} is "
        f"flagged noisy, and one whose second half of runs differs from its first (Mann-Whitney, p < 0.01) "
        f"is flagged as drifting.",
        "One ratio convention throughout: *A is k× faster than B* means k = median(B) / median(A), with a "
        f"bootstrap interval ({resamples} resamples) that resamples each client's runs independently. A client "
        "is never compared with "
        "itself: the fastest client of a case is the *reference*, with no interval.",
        f"CPU time is reported as user + sys per run (accurate) and CPU/wall. The kernel splits a process's CPU "
        f"time between user and system mode by sampling at scheduler ticks, so a short run is often booked "
        f"wholly to one of them; the split is shown only where it is resolvable: {SPLIT_RULE}.",
        "Server time is the server's own record of how long it took to handle each run's requests (from the "
        "WSGI call to the response body's close), summed per run. Where the report speaks of a client's own "
        "cost per call, the server's time is subtracted run by run and the median taken of the differences "
        "(so it need not equal the median per-call cost minus the median server time).",
        "Crossover: fixed cost per process = runtime start + imports + set-up + exit, from the phases of every "
        "run; per-call cost = network phase / N in the largest keep-alive case; the model fixed + per call × N "
        "is checked against the measured median totals at every N (residuals shown). A client whose network "
        "phase also holds set-up by its own account (polybench.yaml `setup_in_network`) has no phase model: its "
        "row is marked, and only its measured totals and least-squares line are used. A break-even point is "
        "estimated three ways (the phases, interpolation between measured N, a least-squares line), each with a "
        "bootstrap interval from one set of resamples of every cell's runs. The three use the same runs, so "
        "they are not independent confirmations; the report states the range their intervals span (rounded "
        "to what it supports, never a number outside the measured N), and says *not determinable from this "
        "run* when it reaches outside the measured N, the two per-call costs' intervals overlap, or a "
        "*never* is not borne out by every estimator's interval. N spawns of a client are computed, never "
        "measured, by one formula wherever they appear: the sum of N draws from its single-call runs (each "
        "from a bootstrap resample of them, so the single-call distribution's own uncertainty is in the "
        "range), labelled *computed*.",
    )
