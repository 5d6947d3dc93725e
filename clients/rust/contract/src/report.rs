//! The one line of JSON a client prints, and its exit code.

use std::io::{self, Write};
use std::process::ExitCode;

use serde::Serialize;

use crate::{Args, Nonce, UsageError, now_ns};

/// Exit code when every call was made and verified.
const EXIT_OK: u8 = 0;
/// Exit code when at least one call failed (the JSON line is still printed).
const EXIT_FAILED: u8 = 1;
/// Exit code for a bad or missing flag.
const EXIT_USAGE: u8 = 2;
/// The contract's code for a scenario this client does not support.
const EXIT_UNSUPPORTED: u8 = 3;
/// At most this many error messages are kept.
const MAX_ERRORS: usize = 10;

/// The record of one run, printed as one JSON line by [`Report::finish`].
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    client: &'static str,
    scenario: &'static str,
    requests: u64,
    ok: u64,
    bytes: u64,
    sha256: Option<String>,
    /// The XOR of the nonces of every verified response.
    receipt: Nonce,
    errors: Vec<String>,
    t_entry_ns: u64,
    t_ready_ns: u64,
    t_done_ns: u64,
}

impl Report {
    /// A report of no calls yet, for the calls `args` asks for.
    pub fn new(client: &'static str, args: &Args, t_entry_ns: u64) -> Self {
        Self {
            client,
            scenario: args.scenario.name(),
            requests: args.calls() as u64,
            ok: 0,
            bytes: 0,
            sha256: None,
            receipt: Nonce::default(),
            errors: Vec::new(),
            t_entry_ns,
            t_ready_ns: t_entry_ns,
            t_done_ns: t_entry_ns,
        }
    }

    /// Marks the end of set-up: the client is built, no request made yet.
    pub fn ready(&mut self) {
        self.t_ready_ns = now_ns();
    }

    /// Records one call: `bytes` of body read and whether it was verified;
    /// a verified call's nonce goes into the receipt.
    pub fn record(&mut self, bytes: u64, verdict: Result<Nonce, String>) {
        self.bytes += bytes;
        match verdict {
            Ok(nonce) => {
                self.ok += 1;
                self.receipt ^= nonce;
            }
            Err(message) => self.fail(message),
        }
    }

    /// Records a failure that is not one call's verdict (set-up, a skipped call).
    pub fn fail(&mut self, message: String) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(message);
        }
    }

    /// The hex digest of the streamed body.
    pub fn set_sha256(&mut self, sha256: String) {
        self.sha256 = Some(sha256);
    }

    /// Timestamps the end, prints the JSON line and gives the exit code.
    pub fn finish(mut self) -> ExitCode {
        self.t_done_ns = now_ns();
        let printed = serde_json::to_string(&self)
            .map_err(io::Error::from)
            .and_then(|line| writeln!(io::stdout().lock(), "{line}"));
        match printed {
            Ok(()) => ExitCode::from(self.exit_code()),
            Err(e) => {
                eprintln!("cannot print the result: {e}");
                ExitCode::from(EXIT_FAILED)
            }
        }
    }

    fn exit_code(&self) -> u8 {
        if self.ok == self.requests && self.errors.is_empty() {
            EXIT_OK
        } else {
            EXIT_FAILED
        }
    }
}

impl UsageError {
    /// Prints the usage error on stderr and gives the exit code for it.
    pub fn exit(&self) -> ExitCode {
        eprintln!("{self}");
        ExitCode::from(if self.unsupported {
            EXIT_UNSUPPORTED
        } else {
            EXIT_USAGE
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn nonce(hex: &str) -> Nonce {
        Nonce::parse(Some(hex)).unwrap()
    }

    fn report(line: &str) -> Report {
        let args = Args::parse(line.split_whitespace().map(str::to_owned)).unwrap();
        Report::new("rust-test", &args, 1_000)
    }

    #[test]
    fn json_has_every_key_of_the_contract() {
        let mut report = report("keepalive --url http://h --run-id r --requests 2");
        report.ready();
        report.record(52, Ok(nonce("00112233445566778899aabbccddeeff")));
        report.record(3, Err("status 500, expected 200".into()));
        let json: Value = serde_json::to_value(&report).unwrap();
        assert_eq!(json["client"], "rust-test");
        assert_eq!(json["scenario"], "keepalive");
        assert_eq!(json["requests"], 2);
        assert_eq!(json["ok"], 1);
        assert_eq!(json["bytes"], 55);
        assert_eq!(json["sha256"], Value::Null);
        assert_eq!(json["receipt"], "00112233445566778899aabbccddeeff");
        assert_eq!(json["errors"][0], "status 500, expected 200");
        assert_eq!(json["t_entry_ns"], 1_000);
        assert!(json["t_ready_ns"].as_u64().unwrap() > 1_000);
        assert_eq!(json.as_object().unwrap().len(), 11);
    }

    #[test]
    fn receipt_is_the_xor_of_the_verified_calls_nonces() {
        let mut report = report("sequential --url http://h --run-id r --requests 4");
        let receipt = |report: &Report| serde_json::to_value(report).unwrap()["receipt"].clone();
        assert_eq!(receipt(&report), "0".repeat(32));
        report.record(0, Ok(nonce("00112233445566778899aabbccddeeff")));
        report.record(0, Ok(nonce("0f1e2d3c4b5a69788796a5b4c3d2e1f0")));
        assert_eq!(receipt(&report), "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f");
        report.record(0, Err("status 500, expected 200".into()));
        report.record(0, Ok(nonce("ffffffffffffffffffffffffffffffff")));
        assert_eq!(receipt(&report), "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0");
        assert_eq!(report.ok, 3);
    }

    #[test]
    fn errors_are_capped_at_ten() {
        let mut report = report("sequential --url http://h --run-id r --requests 20");
        for call in 0..20 {
            report.record(0, Err(format!("call {call}")));
        }
        assert_eq!(report.errors.len(), 10);
        assert_eq!(report.errors[9], "call 9");
        assert_eq!(report.ok, 0);
    }

    #[test]
    fn exit_code_is_zero_only_when_every_call_was_verified() {
        let mut report = report("single --url http://h --run-id r");
        assert_eq!(report.exit_code(), EXIT_FAILED);
        report.record(10, Ok(Nonce::default()));
        assert_eq!(report.exit_code(), EXIT_OK);
        report.fail("set-up failed".into());
        assert_eq!(report.exit_code(), EXIT_FAILED);
    }
}
