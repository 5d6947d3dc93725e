//! The polybench client contract (`docs/contract.md`), shared by the Rust
//! clients: the command line, the checks that make a call "verified", and the
//! one-line JSON record with its exit code.
//!
//! Everything here is independent of the HTTP library, so the binaries hold
//! only what differs between libraries: how a request is made.

mod args;
mod check;
mod receipt;
mod report;
pub mod rest;

use std::error::Error;
use std::time::{SystemTime, UNIX_EPOCH};

pub use args::{Args, Scenario, UsageError};
pub use check::{BodyDigest, check_api, check_delay, check_stream};
pub use receipt::{NONCE_HEADER, Nonce};
pub use report::Report;

/// One call's result: body bytes read, and its response's nonce if it was
/// verified (or why not).
pub type Outcome = (u64, Result<Nonce, String>);

/// Header that tags every request with the run, for the server's `/stats`.
pub const RUN_HEADER: &str = "X-Polybench-Run";
/// Per-request timeout; `concurrent` adds the server-side delay to it.
pub const TIMEOUT_SECS: u64 = 30;
/// Read buffer for `stream`: the contract allows chunks up to 1 MiB.
pub const CHUNK_BYTES: usize = 64 * 1024;

/// Nanoseconds since the Unix epoch: the one clock every client and the
/// orchestrator share.
pub fn now_ns() -> u64 {
    // A clock before 1970 or past 2554 is not a case worth a code path.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
        })
}

/// The absolute URL of a server path such as `/api` or a `_links` href.
pub fn url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

/// An error and its causes on one line, each cause once: HTTP libraries
/// often print only "error sending request" and keep the reason in `source`.
pub fn describe(error: &dyn Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !message.contains(&cause_text) {
            message = format!("{message}: {cause_text}");
        }
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[derive(Debug)]
    struct Wrapper(io::Error);

    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("error sending request")
        }
    }

    impl Error for Wrapper {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn describe_adds_each_cause_once() {
        let refused = || io::Error::new(io::ErrorKind::ConnectionRefused, "refused");
        assert_eq!(
            describe(&Wrapper(refused())),
            "error sending request: refused"
        );
        assert_eq!(describe(&refused()), "refused");
    }

    #[test]
    fn url_joins_base_and_path_with_one_slash() {
        assert_eq!(url("http://h:1", "/api"), "http://h:1/api");
        assert_eq!(url("http://h:1/", "/users/3"), "http://h:1/users/3");
        assert_eq!(url("http://h:1", "delay/5"), "http://h:1/delay/5");
    }

    #[test]
    fn now_ns_is_after_2020() {
        assert!(now_ns() > 1_577_836_800_000_000_000);
    }
}
