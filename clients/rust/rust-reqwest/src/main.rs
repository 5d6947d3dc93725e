//! polybench client on reqwest: async calls on a one-thread tokio runtime,
//! one task per call in `concurrent`.
//!
//! The command line, checks and output are the contract's (`docs/contract.md`,
//! the `contract` crate); this file is only how reqwest makes the calls.

use std::process::ExitCode;
use std::sync::Arc;

use contract::rest::{Call, Reply, Session};
use contract::{
    Args, BodyDigest, NONCE_HEADER, Outcome, RUN_HEADER, Report, Scenario, check_api, check_delay,
    check_stream, describe, url,
};
use reqwest::Client;
use reqwest::header::{AsHeaderName, CONTENT_LENGTH, HeaderMap, LOCATION};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const CLIENT: &str = "rust-reqwest";

fn main() -> ExitCode {
    let t_entry_ns = contract::now_ns();
    let args = match Args::from_env() {
        Ok(args) => args,
        Err(usage) => return usage.exit(),
    };
    let mut report = Report::new(CLIENT, &args, t_entry_ns);
    // reqwest's `rustls-no-provider` asks for a crypto provider before any
    // Client is built (Cargo.toml: ring, as rust-ureq uses). It only
    // registers a static table; the TLS config is built in `client()`.
    if rustls::crypto::ring::default_provider()
        .install_default()
        .is_err()
    {
        report.fail("a rustls crypto provider was already installed".to_owned());
        return report.finish();
    }
    // What `#[tokio::main(flavor = "current_thread")]` builds, written out so
    // `t_entry_ns` is taken before the runtime starts. One thread, not the
    // multi-thread default: there, the pool gets a connection back on another
    // worker, after the next call has already opened a new one (measured:
    // `keepalive` used 2 connections for N = 1000, 1-4 for N = 50; here
    // always 1), and it starts 0.6 ms slower. The calls are I/O-bound, and
    // one thread holds 256 in flight (`concurrent`) as fast.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            report.fail(format!("cannot start the tokio runtime: {e}"));
            return report.finish();
        }
    };
    runtime.block_on(async {
        match args.scenario {
            Scenario::Single | Scenario::Keepalive | Scenario::Sequential => {
                serial(&args, &mut report).await
            }
            Scenario::Concurrent => concurrent(&args, &mut report).await,
            Scenario::Stream => stream(&args, &mut report).await,
            Scenario::Rest => rest(&args, &mut report).await,
        }
    });
    report.finish()
}

fn client(args: &Args) -> Result<Client, String> {
    // reqwest keeps any number of idle connections per host by default, so
    // `concurrent` needs no pool setting to reuse its C connections.
    // The roots are exactly --ca-file's (docs/contract.md), none for an
    // http:// run. Without `tls_certs_only` reqwest builds rustls' platform
    // verifier at Client build, which reads the system's whole CA store even
    // for http:// (measured: 25-30 ms here, under load) and fails on a
    // system without one.
    let roots = match args.ca_pem()? {
        Some(pem) => {
            vec![reqwest::Certificate::from_pem(&pem).map_err(|e| format!("--ca-file: {e}"))?]
        }
        None => Vec::new(),
    };
    let builder = Client::builder()
        .timeout(args.timeout())
        .tls_certs_only(roots);
    match args.scenario {
        // No idle connection kept: every call opens its own, and hyper
        // closes it once the response is read instead of pooling it.
        Scenario::Sequential => builder.pool_max_idle_per_host(0),
        _ => builder,
    }
    .build()
    .map_err(|e| describe(&e))
}

/// The one Client a scenario shares across its calls, built before the
/// first call and marked ready; `None` (with the error recorded) if it fails.
fn ready_client(args: &Args, report: &mut Report) -> Option<Client> {
    match client(args) {
        Ok(client) => {
            report.ready();
            Some(client)
        }
        Err(e) => {
            report.fail(format!("cannot build the client: {e}"));
            None
        }
    }
}

/// GETs `url` and reads the whole body: status, nonce header and body.
async fn get(
    client: &Client,
    url: &str,
    run_id: &str,
) -> reqwest::Result<(u16, Option<String>, Vec<u8>)> {
    let response = client.get(url).header(RUN_HEADER, run_id).send().await?;
    let status = response.status().as_u16();
    let nonce = header(response.headers(), NONCE_HEADER).map(str::to_owned);
    Ok((status, nonce, response.bytes().await?.to_vec()))
}

async fn get_api(client: &Client, args: &Args) -> Outcome {
    let (bytes, verdict) = match get(client, &url(&args.url, "/api"), &args.run_id).await {
        Ok((status, nonce, body)) => (
            body.len() as u64,
            check_api(status, nonce.as_deref(), &body),
        ),
        Err(e) => (0, Err(describe(&e))),
    };
    (bytes, verdict.map_err(|e| format!("GET /api: {e}")))
}

async fn get_delay(client: &Client, url: &str, run_id: &str, delay_ms: u64) -> Outcome {
    let (bytes, verdict) = match get(client, url, run_id).await {
        Ok((status, nonce, body)) => (
            body.len() as u64,
            check_delay(status, nonce.as_deref(), &body, delay_ms),
        ),
        Err(e) => (0, Err(describe(&e))),
    };
    (
        bytes,
        verdict.map_err(|e| format!("GET /delay/{delay_ms}: {e}")),
    )
}

/// `single`, `keepalive`: every call on one Client, so one connection.
/// `sequential`: the same loop, on a Client that pools no connection.
async fn serial(args: &Args, report: &mut Report) {
    let Some(client) = ready_client(args, report) else {
        return;
    };
    for _ in 0..args.calls() {
        let (bytes, verdict) = get_api(&client, args).await;
        report.record(bytes, verdict);
    }
}

/// N tasks on one Client, at most C of them past the semaphore at once.
async fn concurrent(args: &Args, report: &mut Report) {
    let Some(client) = ready_client(args, report) else {
        return;
    };
    let in_flight = Arc::new(Semaphore::new(args.concurrency.min(Semaphore::MAX_PERMITS)));
    let url = Arc::new(url(&args.url, &format!("/delay/{}", args.delay_ms)));
    let run_id = Arc::new(args.run_id.clone());
    let delay_ms = args.delay_ms;
    let mut calls = JoinSet::new();
    for _ in 0..args.requests {
        let (client, in_flight) = (client.clone(), Arc::clone(&in_flight));
        let (url, run_id) = (Arc::clone(&url), Arc::clone(&run_id));
        calls.spawn(async move {
            // The semaphore is never closed, so acquiring cannot fail.
            let _permit = in_flight.acquire_owned().await;
            get_delay(&client, &url, &run_id, delay_ms).await
        });
    }
    while let Some(joined) = calls.join_next().await {
        match joined {
            Ok((bytes, verdict)) => report.record(bytes, verdict),
            Err(e) => report.fail(format!("GET /delay/{delay_ms}: task failed: {e}")),
        }
    }
}

/// One `GET /bytes/B`, read chunk by chunk (as hyper hands them over) into
/// the SHA-256.
async fn stream(args: &Args, report: &mut Report) {
    let Some(client) = ready_client(args, report) else {
        return;
    };
    let path = format!("/bytes/{}", args.bytes);
    let (bytes, verdict) = match download(&client, args, &path).await {
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

async fn download(
    client: &Client,
    args: &Args,
    path: &str,
) -> reqwest::Result<(HeaderMap, u16, BodyDigest)> {
    let mut response = client
        .get(url(&args.url, path))
        .header(RUN_HEADER, &args.run_id)
        .send()
        .await?;
    let mut digest = BodyDigest::new();
    while let Some(chunk) = response.chunk().await? {
        digest.update(&chunk);
    }
    let status = response.status().as_u16();
    Ok((response.headers().clone(), status, digest))
}

fn header(headers: &HeaderMap, name: impl AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// The five `rest` calls, as the contract's session asks for them.
async fn rest(args: &Args, report: &mut Report) {
    let Some(client) = ready_client(args, report) else {
        return;
    };
    let mut session = Session::new(&args.url, &args.run_id);
    while let Some(call) = session.next_call() {
        let reply = send(&client, args, call).await.map_err(|e| describe(&e));
        session.record(reply, report);
    }
}

async fn send(client: &Client, args: &Args, call: Call) -> reqwest::Result<Reply> {
    let request = match call {
        Call::Get(url) => client.get(url),
        Call::Post(url, user) => client.post(url).json(&user),
        Call::Put(url, user) => client.put(url).json(&user),
        Call::Delete(url) => client.delete(url),
    };
    let response = request.header(RUN_HEADER, &args.run_id).send().await?;
    Ok(Reply {
        status: response.status().as_u16(),
        location: header(response.headers(), LOCATION).map(str::to_owned),
        nonce: header(response.headers(), NONCE_HEADER).map(str::to_owned),
        body: response.bytes().await?.to_vec(),
    })
}
