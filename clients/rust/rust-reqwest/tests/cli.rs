//! rust-reqwest's exit codes and output line, without a server (checks shared in ../cli_checks.rs).

#[path = "../../cli_checks.rs"]
mod cli_checks;

const BIN: &str = env!("CARGO_BIN_EXE_rust-reqwest");

#[test]
fn usage_error_exits_2_with_the_reason_on_stderr_only() {
    cli_checks::usage_error_exits_2_with_the_reason_on_stderr_only(BIN);
}

#[test]
fn failed_calls_exit_1_with_one_json_line() {
    cli_checks::failed_calls_exit_1_with_one_json_line(BIN, "rust-reqwest");
}
