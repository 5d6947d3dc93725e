//! The checks that make a call "verified" (the contract's last column).
//!
//! Each takes what the HTTP library handed back (status, body, headers) and
//! returns a short message on failure, which becomes one entry of `errors`.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// `single`, `sequential`, `keepalive`: `GET /api`.
pub fn check_api(status: u16, body: &[u8]) -> Result<(), String> {
    check_json(
        status,
        body,
        &json!({"message": "GET request received", "data": [1, 2, 3]}),
    )
}

/// `concurrent`: `GET /delay/D`.
pub fn check_delay(status: u16, body: &[u8], delay_ms: u64) -> Result<(), String> {
    check_json(status, body, &json!({ "delay_ms": delay_ms }))
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
/// whole, then checks it against the size asked for and the server's headers.
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
/// `Content-Length`, and the digest equals the `X-Polybench-SHA256` header.
pub fn check_stream(
    status: u16,
    content_length: Option<&str>,
    sha256_header: Option<&str>,
    expected_bytes: u64,
    bytes_read: u64,
    sha256: &str,
) -> Result<(), String> {
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
    let announced = sha256_header.ok_or("no X-Polybench-SHA256 header")?;
    if !announced.trim().eq_ignore_ascii_case(sha256) {
        return Err(format!("SHA-256 {sha256}, server announced {announced}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const API_BODY: &[u8] = br#"{"data":[1,2,3],"message":"GET request received"}"#;

    #[test]
    fn api_body_is_compared_as_json_not_as_text() {
        assert_eq!(check_api(200, API_BODY), Ok(()));
        let spaced = br#"{ "message": "GET request received", "data": [1, 2, 3] }"#;
        assert_eq!(check_api(200, spaced), Ok(()));
    }

    #[test]
    fn api_rejects_wrong_status_body_or_non_json() {
        assert!(check_api(500, API_BODY).is_err());
        assert!(check_api(200, br#"{"message":"GET request received","data":[1,2]}"#).is_err());
        assert!(check_api(200, b"<html>").is_err());
        assert!(check_api(200, b"").is_err());
    }

    #[test]
    fn delay_body_must_echo_the_delay() {
        assert_eq!(check_delay(200, br#"{"delay_ms": 200}"#, 200), Ok(()));
        assert!(check_delay(200, br#"{"delay_ms": 20}"#, 200).is_err());
        assert!(check_delay(200, br#"{"delay_ms": "200"}"#, 200).is_err());
    }

    /// The documented `/bytes` pattern, as the server sends it.
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
    fn stream_check_needs_size_length_and_digest_to_agree() {
        let mut digest = BodyDigest::new();
        digest.update(&pattern(100));
        let sha = digest.finish();
        let upper = sha.to_uppercase();
        assert_eq!(
            check_stream(200, Some("100"), Some(&sha), 100, 100, &sha),
            Ok(())
        );
        assert_eq!(
            check_stream(200, Some("100"), Some(&upper), 100, 100, &sha),
            Ok(())
        );
        assert!(check_stream(404, Some("100"), Some(&sha), 100, 100, &sha).is_err());
        assert!(check_stream(200, Some("100"), Some(&sha), 100, 99, &sha).is_err());
        assert!(check_stream(200, Some("99"), Some(&sha), 100, 100, &sha).is_err());
        assert!(check_stream(200, None, Some(&sha), 100, 100, &sha).is_err());
        assert!(check_stream(200, Some("100"), None, 100, 100, &sha).is_err());
        assert!(check_stream(200, Some("100"), Some("00"), 100, 100, &sha).is_err());
    }
}
