//! Proof of receipt: every response carries a fresh random nonce in
//! `X-Polybench-Nonce`, and the client reports the XOR of the nonces of the
//! responses it verified. The server records the same XOR, so a client that
//! did not receive its responses cannot print the right one.

use std::fmt;
use std::ops::BitXorAssign;

use serde::{Serialize, Serializer};

/// The response header that carries the nonce: 32 hex digits (16 bytes).
pub const NONCE_HEADER: &str = "X-Polybench-Nonce";

/// One response's 16-byte nonce or, as the report's `receipt`, the XOR of
/// several. XOR is order-independent, so concurrent calls need no ordering.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Nonce(u128);

impl Nonce {
    /// Reads the nonce header of a response; `None` if it had none.
    pub fn parse(header: Option<&str>) -> Result<Self, String> {
        let value = header.ok_or_else(|| format!("no {NONCE_HEADER} header"))?;
        // from_str_radix alone would also take a leading `+`.
        if value.len() != 32 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("{NONCE_HEADER} {value:?} is not 32 hex digits"));
        }
        u128::from_str_radix(value, 16)
            .map(Self)
            .map_err(|e| format!("{NONCE_HEADER} {value:?}: {e}"))
    }
}

impl BitXorAssign for Nonce {
    fn bitxor_assign(&mut self, other: Self) {
        self.0 ^= other.0;
    }
}

/// 32 lowercase hex digits, the bytes in the order the header gave them.
impl fmt::Display for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl Serialize for Nonce {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nonce(hex: &str) -> Nonce {
        Nonce::parse(Some(hex)).unwrap()
    }

    #[test]
    fn xor_of_known_vectors() {
        let mut receipt = Nonce::default();
        assert_eq!(receipt.to_string(), "0".repeat(32));
        receipt ^= nonce("00112233445566778899aabbccddeeff");
        receipt ^= nonce("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        assert_eq!(receipt.to_string(), "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f");
        receipt ^= nonce("ffffffffffffffffffffffffffffffff");
        assert_eq!(receipt.to_string(), "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0");
    }

    #[test]
    fn a_nonce_prints_as_it_was_read_in_lower_case() {
        let hex = "000102030405060708090a0b0c0d0e0f";
        assert_eq!(nonce(hex).to_string(), hex);
        assert_eq!(nonce(&hex.to_uppercase()).to_string(), hex);
        assert_eq!(
            serde_json::to_string(&nonce(hex)).unwrap(),
            format!("\"{hex}\"")
        );
    }

    #[test]
    fn malformed_or_missing_nonces_are_errors() {
        for bad in [
            "",
            "0011",
            "+0112233445566778899aabbccddeeff",
            "00112233445566778899aabbccddeeffe",
            "g0112233445566778899aabbccddeeff",
        ] {
            assert!(Nonce::parse(Some(bad)).is_err(), "{bad:?} parsed");
        }
        assert_eq!(
            Nonce::parse(None),
            Err("no X-Polybench-Nonce header".into())
        );
    }
}
