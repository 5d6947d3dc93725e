//! rust-ureq's exit codes and output line, against no server and a stub one (checks shared in ../cli_checks.rs).

#[path = "../../cli_checks.rs"]
mod cli_checks;

const BIN: &str = env!("CARGO_BIN_EXE_rust-ureq");

#[test]
fn usage_error_exits_2_with_the_reason_on_stderr_only() {
    cli_checks::usage_error_exits_2_with_the_reason_on_stderr_only(BIN);
}

#[test]
fn failed_calls_exit_1_with_one_json_line() {
    cli_checks::failed_calls_exit_1_with_one_json_line(BIN, "rust-ureq");
}

#[test]
fn receipt_is_the_xor_of_the_nonces_the_server_sent() {
    cli_checks::receipt_is_the_xor_of_the_nonces_the_server_sent(BIN);
}

#[test]
fn stream_needs_no_sha256_header() {
    cli_checks::stream_needs_no_sha256_header(BIN);
}

#[test]
fn responses_without_a_nonce_are_not_verified() {
    cli_checks::responses_without_a_nonce_are_not_verified(BIN);
}
