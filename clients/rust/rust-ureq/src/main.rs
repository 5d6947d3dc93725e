//! polybench client on ureq 3: blocking calls, std threads for `concurrent`.
//!
//! The command line, checks and output are the contract's (`docs/contract.md`,
//! the `contract` crate); this file is only how ureq makes the calls.

use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use contract::rest::{Call, Reply, Session};
use contract::{
    Args, BodyDigest, CHUNK_BYTES, NONCE_HEADER, Outcome, RUN_HEADER, Report, Scenario, check_api,
    check_delay, check_stream, describe, url,
};
use ureq::Agent;
use ureq::config::Config;
use ureq::http::HeaderMap;
use ureq::http::header::{AsHeaderName, CONTENT_LENGTH, LOCATION};
use ureq::tls::{Certificate, RootCerts, TlsConfig};

const CLIENT: &str = "rust-ureq";

fn main() -> ExitCode {
    let t_entry_ns = contract::now_ns();
    let args = match Args::from_env() {
        Ok(args) => args,
        Err(usage) => return usage.exit(),
    };
    let mut report = Report::new(CLIENT, &args, t_entry_ns);
    // The one Agent every scenario makes its calls on, built before ready.
    let agent = match tls_config(&args) {
        Ok(tls) => config(&args, tls).new_agent(),
        Err(e) => {
            report.fail(e);
            return report.finish();
        }
    };
    report.ready();
    match args.scenario {
        Scenario::Single | Scenario::Keepalive | Scenario::Sequential => {
            serial(&agent, &args, &mut report)
        }
        Scenario::Concurrent => concurrent(&agent, &args, &mut report),
        Scenario::Stream => stream(&agent, &args, &mut report),
        Scenario::Rest => rest(&agent, &args, &mut report),
    }
    report.finish()
}

/// Over TLS, the root store holds only the CA in --ca-file (never the
/// bundled webpki roots); for http:// ureq's default, unused. ureq builds its
/// rustls config from it at the first TLS connection.
fn tls_config(args: &Args) -> Result<TlsConfig, String> {
    let Some(pem) = args.ca_pem()? else {
        return Ok(TlsConfig::default());
    };
    let ca = Certificate::from_pem(&pem).map_err(|e| format!("--ca-file: {e}"))?;
    Ok(TlsConfig::builder()
        .root_certs(RootCerts::Specific(Arc::new(vec![ca])))
        .build())
}

fn config(args: &Args, tls: TlsConfig) -> Config {
    Agent::config_builder()
        .tls_config(tls)
        // Statuses are the contract's to check, `rest`'s 404 included.
        .http_status_as_error(false)
        // A whole-call timeout, the way ureq offers one. To bound the name
        // lookup too, ureq resolves on a new thread for every call once any
        // timeout is set, even for an IP literal on a pooled connection
        // (measured: one thread per call, +0.2-0.4 ms each in `keepalive`).
        // Kept: it is what every ureq user who sets a timeout pays.
        .timeout_global(Some(args.timeout()))
        // ureq keeps 3 idle connections per host by default; `concurrent`
        // needs C, or each call past the third would open a new one.
        // `sequential` keeps none: every call opens its own connection, and
        // ureq closes it when the response is read instead of pooling it.
        .max_idle_connections(idle_connections(args))
        .max_idle_connections_per_host(idle_connections(args))
        .build()
}

fn idle_connections(args: &Args) -> usize {
    match args.scenario {
        Scenario::Sequential => 0,
        _ => args.concurrency,
    }
}

/// GETs `path` and reads the whole body: status, nonce header and body.
fn get(
    agent: &Agent,
    args: &Args,
    path: &str,
) -> Result<(u16, Option<String>, Vec<u8>), ureq::Error> {
    let mut response = agent
        .get(url(&args.url, path))
        .header(RUN_HEADER, &args.run_id)
        .call()?;
    let nonce = header(response.headers(), NONCE_HEADER).map(str::to_owned);
    let body = response.body_mut().read_to_vec()?;
    Ok((response.status().as_u16(), nonce, body))
}

fn get_api(agent: &Agent, args: &Args) -> Outcome {
    let (bytes, verdict) = match get(agent, args, "/api") {
        Ok((status, nonce, body)) => (
            body.len() as u64,
            check_api(status, nonce.as_deref(), &body),
        ),
        Err(e) => (0, Err(describe(&e))),
    };
    (bytes, verdict.map_err(|e| format!("GET /api: {e}")))
}

fn get_delay(agent: &Agent, args: &Args) -> Outcome {
    let path = format!("/delay/{}", args.delay_ms);
    let (bytes, verdict) = match get(agent, args, &path) {
        Ok((status, nonce, body)) => (
            body.len() as u64,
            check_delay(status, nonce.as_deref(), &body, args.delay_ms),
        ),
        Err(e) => (0, Err(describe(&e))),
    };
    (bytes, verdict.map_err(|e| format!("GET {path}: {e}")))
}

/// `single`, `keepalive`: every call on one Agent, so one connection.
/// `sequential`: the same loop, on an Agent that pools no connection.
fn serial(agent: &Agent, args: &Args, report: &mut Report) {
    for _ in 0..args.calls() {
        let (bytes, verdict) = get_api(agent, args);
        report.record(bytes, verdict);
    }
}

/// C threads share one Agent (its pool holds C connections) and take calls
/// from a shared counter until N are made.
fn concurrent(agent: &Agent, args: &Args, report: &mut Report) {
    let taken = AtomicUsize::new(0);
    let take_call = || taken.fetch_add(1, Ordering::Relaxed) < args.requests;
    let outcomes: Vec<Vec<Outcome>> = thread::scope(|scope| {
        let workers: Vec<_> = (0..args.concurrency.min(args.requests))
            .map(|_| {
                scope.spawn(|| {
                    let mut outcomes = Vec::new();
                    while take_call() {
                        outcomes.push(get_delay(agent, args));
                    }
                    outcomes
                })
            })
            .collect();
        // A worker cannot panic (panic = "abort"): a lost one shows as ok < N.
        workers
            .into_iter()
            .map(|worker| worker.join().unwrap_or_default())
            .collect()
    });
    for (bytes, verdict) in outcomes.into_iter().flatten() {
        report.record(bytes, verdict);
    }
}

/// One `GET /bytes/B`, read in 64 KiB chunks into the SHA-256.
fn stream(agent: &Agent, args: &Args, report: &mut Report) {
    let path = format!("/bytes/{}", args.bytes);
    let (bytes, verdict) = match download(agent, args, &path) {
        Ok((headers, status, digest)) => {
            let bytes = digest.bytes();
            let verdict = check_stream(
                status,
                header(&headers, NONCE_HEADER),
                header(&headers, CONTENT_LENGTH),
                args.bytes,
                bytes,
            );
            report.set_sha256(digest.finish());
            (bytes, verdict)
        }
        Err(e) => (0, Err(describe(&e))),
    };
    report.record(bytes, verdict.map_err(|e| format!("GET {path}: {e}")));
}

fn download(
    agent: &Agent,
    args: &Args,
    path: &str,
) -> Result<(HeaderMap, u16, BodyDigest), ureq::Error> {
    let response = agent
        .get(url(&args.url, path))
        .header(RUN_HEADER, &args.run_id)
        .call()?;
    let (parts, body) = response.into_parts();
    let mut reader = body.into_reader();
    let mut chunk = vec![0; CHUNK_BYTES];
    let mut digest = BodyDigest::new();
    loop {
        match reader.read(&mut chunk)? {
            0 => break,
            read => digest.update(&chunk[..read]),
        }
    }
    Ok((parts.headers, parts.status.as_u16(), digest))
}

fn header(headers: &HeaderMap, name: impl AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// The five `rest` calls, as the contract's session asks for them.
fn rest(agent: &Agent, args: &Args, report: &mut Report) {
    let mut session = Session::new(&args.url, &args.run_id);
    while let Some(call) = session.next_call() {
        let reply = send(agent, args, call).map_err(|e| describe(&e));
        session.record(reply, report);
    }
}

fn send(agent: &Agent, args: &Args, call: Call) -> Result<Reply, ureq::Error> {
    let run_id = args.run_id.as_str();
    let mut response = match call {
        Call::Get(url) => agent.get(url).header(RUN_HEADER, run_id).call(),
        Call::Post(url, user) => agent.post(url).header(RUN_HEADER, run_id).send_json(user),
        Call::Put(url, user) => agent.put(url).header(RUN_HEADER, run_id).send_json(user),
        Call::Delete(url) => agent.delete(url).header(RUN_HEADER, run_id).call(),
    }?;
    Ok(Reply {
        status: response.status().as_u16(),
        location: header(response.headers(), LOCATION).map(str::to_owned),
        nonce: header(response.headers(), NONCE_HEADER).map(str::to_owned),
        body: response.body_mut().read_to_vec()?,
    })
}
