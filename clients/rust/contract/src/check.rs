//! The checks that make a call "verified" (the contract's last column).
//!
//! Each takes what the HTTP library handed back (status, the
//! `X-Polybench-Nonce` header, body, other headers) and returns the
//! response's nonce, or a short message on failure, which becomes one entry
//! of `errors`.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::Nonce;

/// `single`, `sequential`, `keepalive`: `GET /api`.
pub fn check_api(status: u16, nonce: Option<&str>, body: &[u8]) -> Result<Nonce, String> {
    check_json(
        status,
        body,
        &json!({"message": "GET request received", "data": [1, 2, 3]}),
    )?;
    Nonce::parse(nonce)
}

/// `concurrent`: `GET /delay/D`.
pub fn check_delay(
    status: u16,
    nonce: Option<&str>,
    body: &[u8],
    delay_ms: u64,
) -> Result<Nonce, String> {
    check_json(status, body, &json!({ "delay_ms": delay_ms }))?;
    Nonce::parse(nonce)
}

fn check_json(status: u16, body: &[u8], expected: &Value) -> Result<(), String> {
    if status != 200 {
        return Err(format!("status {status}, expected 200"));
    }
    let payload: Value =
        serde_json::from_slice(body).map_err(|e| format!("body is not JSON: {e}"))?;
    if &payload == expected {
        Ok(())
    } else {
        Err(format!("body {payload} is not {expected}"))
    }
}

/// `stream`: counts and hashes a body chunk by chunk, so it is never held
/// whole. The digest is reported, not checked: the server never sends it,
/// and the orchestrator compares it with what the server recorded.
#[derive(Debug, Default, Clone)]
pub struct BodyDigest {
    sha256: Sha256,
    bytes: u64,
}

impl BodyDigest {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn update(&mut self, chunk: &[u8]) {
        self.sha256.update(chunk);
        self.bytes += chunk.len() as u64;
    }

    /// Body bytes seen so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The hex SHA-256 of the body.
    pub fn finish(self) -> String {
        format!("{:x}", self.sha256.finalize())
    }
}

/// Checks a streamed body: status 200, bytes read == `expected_bytes` ==
/// `Content-Length`.
pub fn check_stream(
    status: u16,
    nonce: Option<&str>,
    content_length: Option<&str>,
    expected_bytes: u64,
    bytes_read: u64,
) -> Result<Nonce, String> {
    if status != 200 {
        return Err(format!("status {status}, expected 200"));
    }
    if bytes_read != expected_bytes {
        return Err(format!(
            "read {bytes_read} bytes, asked for {expected_bytes}"
        ));
    }
    let content_length = content_length.ok_or("no Content-Length header")?;
    if content_length.trim().parse::<u64>() != Ok(expected_bytes) {
        return Err(format!(
            "Content-Length {content_length:?}, asked for {expected_bytes}"
        ));
    }
    Nonce::parse(nonce)
}

#[cfg(test)]
mod tests {
    use super::*;

    const API_BODY: &[u8] = br#"{"data":[1,2,3],"message":"GET request received"}"#;
    const NONCE: Option<&str> = Some("00112233445566778899aabbccddeeff");

    fn nonce() -> Result<Nonce, String> {
        Nonce::parse(NONCE)
    }

    #[test]
    fn api_body_is_compared_as_json_not_as_text() {
        assert_eq!(check_api(200, NONCE, API_BODY), nonce());
        let spaced = br#"{ "message": "GET request received", "data": [1, 2, 3] }"#;
        assert_eq!(check_api(200, NONCE, spaced), nonce());
    }

    #[test]
    fn api_rejects_wrong_status_body_or_non_json() {
        assert!(check_api(500, NONCE, API_BODY).is_err());
        let short = br#"{"message":"GET request received","data":[1,2]}"#;
        assert!(check_api(200, NONCE, short).is_err());
        assert!(check_api(200, NONCE, b"<html>").is_err());
        assert!(check_api(200, NONCE, b"").is_err());
    }

    #[test]
    fn a_response_without_a_nonce_is_not_verified() {
        let missing = check_api(200, None, API_BODY).unwrap_err();
        assert!(missing.contains("X-Polybench-Nonce"), "{missing}");
        assert!(check_api(200, Some("00"), API_BODY).is_err());
        let delay = br#"{"delay_ms": 200}"#;
        assert!(check_delay(200, None, delay, 200).is_err());
        assert!(check_stream(200, None, Some("100"), 100, 100).is_err());
    }

    #[test]
    fn delay_body_must_echo_the_delay() {
        assert_eq!(
            check_delay(200, NONCE, br#"{"delay_ms": 200}"#, 200),
            nonce()
        );
        assert!(check_delay(200, NONCE, br#"{"delay_ms": 20}"#, 200).is_err());
        assert!(check_delay(200, NONCE, br#"{"delay_ms": "200"}"#, 200).is_err());
    }

    /// A body in 65,536-byte blocks of `i % 251`, which never line up with
    /// the chunks.
    fn pattern(len: usize) -> Vec<u8> {
        (0..65_536)
            .map(|i| (i % 251) as u8)
            .cycle()
            .take(len)
            .collect()
    }

    #[test]
    fn digest_is_the_same_whatever_the_chunking() {
        let body = pattern(200_000);
        let mut whole = BodyDigest::new();
        whole.update(&body);
        let mut chunked = BodyDigest::new();
        for chunk in body.chunks(4096 + 7) {
            chunked.update(chunk);
        }
        assert_eq!(chunked.bytes(), 200_000);
        assert_eq!(whole.finish(), chunked.finish());
    }

    #[test]
    fn digest_of_nothing_is_the_empty_sha256() {
        assert_eq!(
            BodyDigest::new().finish(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn stream_check_needs_status_size_and_length_to_agree() {
        // No digest header to compare with: the server no longer sends one.
        assert_eq!(check_stream(200, NONCE, Some("100"), 100, 100), nonce());
        assert!(check_stream(404, NONCE, Some("100"), 100, 100).is_err());
        assert!(check_stream(200, NONCE, Some("100"), 100, 99).is_err());
        assert!(check_stream(200, NONCE, Some("99"), 100, 100).is_err());
        assert!(check_stream(200, NONCE, None, 100, 100).is_err());
    }
}
