//! The command line: `SCENARIO --url URL --run-id ID [--flag value ...]`.
//!
//! Hand-written on purpose: start-up is what the benchmark measures, and the
//! contract forbids an argument-parsing library just for this.

use std::ffi::OsString;
use std::fmt;
use std::time::Duration;

use crate::TIMEOUT_SECS;

/// One of the six scenarios of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Single,
    Sequential,
    Keepalive,
    Concurrent,
    Stream,
    Rest,
}

impl Scenario {
    /// The scenario's name on the command line and in the output.
    pub fn name(self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::Sequential => "sequential",
            Self::Keepalive => "keepalive",
            Self::Concurrent => "concurrent",
            Self::Stream => "stream",
            Self::Rest => "rest",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        [
            Self::Single,
            Self::Sequential,
            Self::Keepalive,
            Self::Concurrent,
            Self::Stream,
            Self::Rest,
        ]
        .into_iter()
        .find(|scenario| scenario.name() == name)
    }
}

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    pub scenario: Scenario,
    /// Server base URL, without a trailing slash.
    pub url: String,
    pub run_id: String,
    pub requests: usize,
    pub concurrency: usize,
    pub delay_ms: u64,
    pub bytes: u64,
    /// The one CA to trust, for an `https://` URL (required then); `None`
    /// for `http://`, where `--ca-file` is ignored.
    pub ca_file: Option<String>,
}

impl Args {
    /// The PEM bytes of `--ca-file` for an `https://` run, `None` for `http://`.
    ///
    /// Each client turns them into its library's root store holding only this
    /// CA, before `ready`; a file that cannot be read is the run's error.
    pub fn ca_pem(&self) -> Result<Option<Vec<u8>>, String> {
        match &self.ca_file {
            None => Ok(None),
            Some(path) => std::fs::read(path)
                .map(Some)
                .map_err(|e| format!("--ca-file {path:?}: {e}")),
        }
    }

    /// The number of calls the scenario makes: what `requests` reports.
    pub fn calls(&self) -> usize {
        match self.scenario {
            Scenario::Single | Scenario::Stream => 1,
            Scenario::Sequential | Scenario::Keepalive | Scenario::Concurrent => self.requests,
            Scenario::Rest => crate::rest::CALLS,
        }
    }

    /// The timeout of one request: 30 s, plus the server-side delay in
    /// `concurrent`.
    pub fn timeout(&self) -> Duration {
        let timeout = Duration::from_secs(TIMEOUT_SECS);
        match self.scenario {
            Scenario::Concurrent => timeout + Duration::from_millis(self.delay_ms),
            _ => timeout,
        }
    }

    /// Parses the process's own command line.
    pub fn from_env() -> Result<Self, UsageError> {
        let args: Result<Vec<String>, OsString> = std::env::args_os()
            .skip(1)
            .map(OsString::into_string)
            .collect();
        Self::parse(args.map_err(|arg| UsageError::new(format!("argument {arg:?} is not UTF-8")))?)
    }

    /// Parses the arguments after the program name.
    pub fn parse<I>(args: I) -> Result<Self, UsageError>
    where
        I: IntoIterator<Item = String>,
    {
        let mut args = args.into_iter();
        let scenario = args
            .next()
            .ok_or_else(|| UsageError::new("missing SCENARIO"))?;
        let scenario = Scenario::from_name(&scenario)
            .ok_or_else(|| UsageError::unsupported(format!("unsupported scenario {scenario:?}")))?;

        let mut url = None;
        let mut run_id = None;
        let mut ca_file = None;
        let mut parsed = Self {
            scenario,
            url: String::new(),
            run_id: String::new(),
            requests: 1,
            concurrency: 1,
            delay_ms: 0,
            bytes: 1_048_576,
            ca_file: None,
        };
        while let Some(flag) = args.next() {
            let value = args
                .next()
                .ok_or_else(|| UsageError::new(format!("{flag} needs a value")))?;
            match flag.as_str() {
                "--url" => url = Some(value),
                "--run-id" => run_id = Some(value),
                "--requests" => parsed.requests = positive(&flag, &value)?,
                "--concurrency" => parsed.concurrency = positive(&flag, &value)?,
                "--delay-ms" => parsed.delay_ms = number(&flag, &value)?,
                "--bytes" => parsed.bytes = number(&flag, &value)?,
                "--ca-file" => ca_file = Some(value),
                _ => return Err(UsageError::new(format!("unknown flag {flag:?}"))),
            }
        }

        let url = url.ok_or_else(|| UsageError::new("missing --url"))?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(UsageError::new(format!("--url {url:?} is not an http URL")));
        }
        if url.starts_with("https://") {
            parsed.ca_file = Some(ca_file.ok_or_else(|| {
                UsageError::new("an https:// --url needs --ca-file (the CA to trust)")
            })?);
        }
        parsed.url = url.trim_end_matches('/').to_owned();
        let run_id = run_id.ok_or_else(|| UsageError::new("missing --run-id"))?;
        if !is_run_id(&run_id) {
            return Err(UsageError::new(format!(
                "--run-id {run_id:?} is not [A-Za-z0-9._-]{{1,64}}"
            )));
        }
        parsed.run_id = run_id;
        Ok(parsed)
    }
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, UsageError> {
    value
        .parse()
        .map_err(|_| UsageError::new(format!("{flag} {value:?} is not a whole number")))
}

fn positive(flag: &str, value: &str) -> Result<usize, UsageError> {
    match number(flag, value)? {
        0 => Err(UsageError::new(format!("{flag} must be at least 1"))),
        n => Ok(n),
    }
}

fn is_run_id(run_id: &str) -> bool {
    (1..=64).contains(&run_id.len())
        && run_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// A bad or missing flag: the client prints it on stderr and exits with 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError {
    message: String,
    /// A scenario this client does not know: the contract's exit 3, not a usage error.
    pub unsupported: bool,
}

impl UsageError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            unsupported: false,
        }
    }

    pub(crate) fn unsupported(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            unsupported: true,
        }
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\nusage: SCENARIO --url URL --run-id ID [--requests N] [--concurrency C] \
             [--delay-ms D] [--bytes B] [--ca-file PATH]\n  SCENARIO: single, sequential, keepalive, \
             concurrent, stream, rest",
            self.message
        )
    }
}

impl std::error::Error for UsageError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Args, UsageError> {
        Args::parse(line.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn defaults_apply_when_flags_are_left_out() {
        let args = parse("single --url http://127.0.0.1:8123 --run-id r1").unwrap();
        assert_eq!(
            args,
            Args {
                scenario: Scenario::Single,
                url: "http://127.0.0.1:8123".into(),
                run_id: "r1".into(),
                requests: 1,
                concurrency: 1,
                delay_ms: 0,
                bytes: 1_048_576,
                ca_file: None,
            }
        );
    }

    #[test]
    fn ca_file_is_kept_for_https_and_ignored_for_http() {
        let https = parse("single --url https://127.0.0.1:8443 --run-id r --ca-file /x/ca.pem");
        assert_eq!(https.unwrap().ca_file.as_deref(), Some("/x/ca.pem"));
        let http = parse("single --url http://h --run-id r --ca-file /x/ca.pem").unwrap();
        assert_eq!(http.ca_file, None);
        assert_eq!(http.ca_pem(), Ok(None));
        let missing = parse("single --url https://h --run-id r --ca-file /nonexistent/ca.pem");
        assert!(missing.unwrap().ca_pem().is_err());
    }

    #[test]
    fn every_flag_is_read_in_any_order() {
        let args = parse(
            "concurrent --delay-ms 200 --requests 50 --run-id a.B_c-9 \
             --concurrency 8 --bytes 7 --url http://h:1/",
        )
        .unwrap();
        assert_eq!(args.scenario, Scenario::Concurrent);
        assert_eq!(args.url, "http://h:1");
        assert_eq!(args.run_id, "a.B_c-9");
        assert_eq!((args.requests, args.concurrency), (50, 8));
        assert_eq!((args.delay_ms, args.bytes), (200, 7));
    }

    #[test]
    fn calls_follow_the_scenario() {
        let calls = |line: &str| parse(line).unwrap().calls();
        assert_eq!(calls("single --url http://h --run-id r --requests 9"), 1);
        assert_eq!(calls("keepalive --url http://h --run-id r --requests 9"), 9);
        assert_eq!(calls("stream --url http://h --run-id r --requests 9"), 1);
        assert_eq!(calls("rest --url http://h --run-id r"), 5);
    }

    #[test]
    fn timeout_allows_for_the_delay_in_concurrent_only() {
        let timeout = |line: &str| parse(line).unwrap().timeout();
        let concurrent = "concurrent --url http://h --run-id r --delay-ms 200";
        assert_eq!(timeout(concurrent), Duration::from_millis(30_200));
        let single = "single --url http://h --run-id r --delay-ms 200";
        assert_eq!(timeout(single), Duration::from_secs(30));
    }

    #[test]
    fn scenario_names_round_trip() {
        for name in [
            "single",
            "sequential",
            "keepalive",
            "concurrent",
            "stream",
            "rest",
        ] {
            assert_eq!(Scenario::from_name(name).unwrap().name(), name);
        }
    }

    #[test]
    fn bad_command_lines_are_usage_errors() {
        for line in [
            "",
            "fetch --url http://h --run-id r",
            "single --run-id r",
            "single --url http://h",
            "single --url h:1 --run-id r",
            "single --url http://h --run-id r --requests",
            "single --url http://h --run-id r --requests ten",
            "single --url http://h --run-id r --requests -1",
            "concurrent --url http://h --run-id r --concurrency 0",
            "single --url http://h --run-id r --verbose yes",
            "single --url http://h --run-id has/slash",
            "single --url=http://h --run-id r",
            "single --url https://h --run-id r",
            "single --url https://h --run-id r --ca-file",
        ] {
            assert!(parse(line).is_err(), "{line:?} parsed");
        }
        let long_id = format!("single --url http://h --run-id {}", "x".repeat(65));
        assert!(parse(&long_id).is_err());
    }

    #[test]
    fn usage_error_names_the_problem_and_the_usage() {
        let message = parse("single --run-id r").unwrap_err().to_string();
        assert!(message.starts_with("missing --url\nusage: SCENARIO"));
    }
}
