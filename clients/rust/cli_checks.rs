//! The checks every Rust client binary's CLI test runs: exit codes and the
//! output line, without a server (a usage error, and every call failing
//! against a closed port), and the proof of receipt against a stub server.
//! Included by each binary's `tests/cli.rs`.

use std::hash::{BuildHasher, RandomState};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::thread;

use contract::{BodyDigest, NONCE_HEADER, Nonce};
use serde_json::Value;

/// Port 1 on loopback: nothing listens there, so connecting fails at once.
const CLOSED: &str = "http://127.0.0.1:1";

pub fn usage_error_exits_2_with_the_reason_on_stderr_only(bin: &str) {
    let output = Command::new(bin)
        .args(["single", "--url", CLOSED])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("missing --run-id"), "{stderr}");
}

pub fn failed_calls_exit_1_with_one_json_line(bin: &str, client: &str) {
    let output = Command::new(bin)
        .args([
            "sequential",
            "--url",
            CLOSED,
            "--run-id",
            "cli-test",
            "--requests",
            "3",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    let line: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(line["client"], client);
    assert_eq!(line["scenario"], "sequential");
    assert_eq!(
        (line["requests"].as_u64(), line["ok"].as_u64()),
        (Some(3), Some(0))
    );
    assert_eq!(line["errors"].as_array().unwrap().len(), 3);
    let (entry, ready, done) = (&line["t_entry_ns"], &line["t_ready_ns"], &line["t_done_ns"]);
    assert!(entry.as_u64() <= ready.as_u64() && ready.as_u64() <= done.as_u64());
}

/// What the stub server sent: the XOR of its nonces, the SHA-256 of the
/// last `/bytes` body.
#[derive(Default)]
struct Sent {
    receipt: Nonce,
    sha256: String,
}

/// A stand-in for the polybench server on std alone: HTTP/1.1 with
/// keep-alive, `/api`, `/delay/D` and `/bytes/B`, a fresh random nonce on
/// every response (unless `nonces` is false) and, for `/bytes`, random
/// content and no `X-Polybench-SHA256` header. Serves until the test ends.
struct Stub {
    url: String,
    sent: Arc<Mutex<Sent>>,
}

impl Stub {
    fn start(nonces: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let sent = Arc::new(Mutex::new(Sent::default()));
        let shared = Arc::clone(&sent);
        thread::spawn(move || {
            for connection in listener.incoming() {
                let sent = Arc::clone(&shared);
                thread::spawn(move || serve(connection.unwrap(), &sent, nonces));
            }
        });
        Self { url, sent }
    }

    /// Runs the client binary against the stub: exit code and JSON line.
    fn run(&self, bin: &str, args: &[&str]) -> (Option<i32>, Value) {
        let output = Command::new(bin)
            .args(args)
            .args(["--url", &self.url, "--run-id", "cli-test"])
            .output()
            .unwrap();
        let line = serde_json::from_slice(&output.stdout).unwrap();
        (output.status.code(), line)
    }
}

fn serve(connection: TcpStream, sent: &Mutex<Sent>, nonces: bool) {
    let random = RandomState::new();
    let mut draws = 0_u64;
    let mut draw = || {
        draws += 1;
        random.hash_one(draws)
    };
    let mut writer = connection.try_clone().unwrap();
    let mut reader = BufReader::new(connection);
    let mut request_line = String::new();
    while reader.read_line(&mut request_line).unwrap_or(0) > 0 {
        let mut header_line = String::new();
        while reader.read_line(&mut header_line).unwrap_or(0) > 2 {
            header_line.clear();
        }
        let path = request_line.split(' ').nth(1).unwrap_or("").to_owned();
        request_line.clear();
        let body = if path == "/api" {
            br#"{"message": "GET request received", "data": [1, 2, 3]}"#.to_vec()
        } else if let Some(delay) = path.strip_prefix("/delay/") {
            format!(r#"{{"delay_ms": {delay}}}"#).into_bytes()
        } else if let Some(size) = path.strip_prefix("/bytes/") {
            let size: usize = size.parse().unwrap();
            let body: Vec<u8> = (0..size.div_ceil(8))
                .flat_map(|_| draw().to_le_bytes())
                .take(size)
                .collect();
            let mut digest = BodyDigest::new();
            digest.update(&body);
            sent.lock().unwrap().sha256 = digest.finish();
            body
        } else {
            b"{}".to_vec()
        };
        let mut head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n", body.len());
        if nonces {
            let nonce = format!("{:016x}{:016x}", draw(), draw());
            sent.lock().unwrap().receipt ^= Nonce::parse(Some(&nonce)).unwrap();
            head += &format!("{NONCE_HEADER}: {nonce}\r\n");
        }
        head += "\r\n";
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(&body).is_err() {
            return;
        }
    }
}

pub fn receipt_is_the_xor_of_the_nonces_the_server_sent(bin: &str) {
    for args in [
        &["single"][..],
        &["keepalive", "--requests", "5"],
        &["sequential", "--requests", "3"],
        &["concurrent", "--requests", "12", "--concurrency", "4"],
    ] {
        let stub = Stub::start(true);
        let (code, line) = stub.run(bin, args);
        let receipt = stub.sent.lock().unwrap().receipt.to_string();
        assert_eq!(
            (code, &line["receipt"]),
            (Some(0), &Value::from(receipt)),
            "{args:?}: {line}"
        );
    }
}

pub fn stream_needs_no_sha256_header(bin: &str) {
    let stub = Stub::start(true);
    let (code, line) = stub.run(bin, &["stream", "--bytes", "300000"]);
    let sent = stub.sent.lock().unwrap();
    assert_eq!(code, Some(0), "{line}");
    assert_eq!(line["bytes"], 300_000);
    assert_eq!(line["sha256"], sent.sha256);
    assert_eq!(line["receipt"], sent.receipt.to_string());
}

pub fn responses_without_a_nonce_are_not_verified(bin: &str) {
    for args in [
        &["keepalive", "--requests", "2"][..],
        &["stream", "--bytes", "1000"],
    ] {
        let (code, line) = Stub::start(false).run(bin, args);
        assert_eq!(code, Some(1), "{args:?}: {line}");
        assert_eq!(line["ok"], 0);
        assert_eq!(line["receipt"], "0".repeat(32));
        let error = line["errors"][0].as_str().unwrap();
        assert!(error.contains("no X-Polybench-Nonce header"), "{error}");
    }
}
