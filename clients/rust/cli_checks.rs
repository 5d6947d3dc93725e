//! The checks every Rust client binary's CLI test runs: exit codes and the
//! output line, without a server (a usage error, and every call failing
//! against a closed port). Included by each binary's `tests/cli.rs`.

use std::process::Command;

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
