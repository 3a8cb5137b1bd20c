//! Signed requests: `X-Aispm-Signature: t=<unix seconds>,v1=<hex
//! HMAC-SHA256(secret, "<t>.<raw body>")>`, the one scheme aispm uses both
//! ways (approval callbacks it receives, ticket webhooks it sends). A
//! receiver checks that one `v1` is the body's under the shared secret and
//! that `t` is within [`REPLAY_WINDOW_SECS`] of its clock.

use sha2::{Digest, Sha256};

/// How far a signature's time may be from the function's clock.
pub const REPLAY_WINDOW_SECS: i64 = 300;

/// Why a signed request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No signature header, or one that does not parse.
    #[error("the request has no valid X-Aispm-Signature header (t=<unix seconds>,v1=<hex>)")]
    Unsigned,
    /// Signed too long ago, or in the future.
    #[error(
        "the signature's time is {0} seconds from the function's clock, outside the {REPLAY_WINDOW_SECS}-second window"
    )]
    Stale(i64),
    /// Not signed with the secret.
    #[error("the signature does not match the request (wrong secret, or the body was changed)")]
    BadSignature,
}

/// HMAC-SHA256 (RFC 2104) of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `X-Aispm-Signature` value for `body` sent at `t` (unix seconds).
pub fn sign(secret: &[u8], t: i64, body: &[u8]) -> String {
    let mut message = format!("{t}.").into_bytes();
    message.extend_from_slice(body);
    format!("t={t},v1={}", hex(&hmac_sha256(secret, &message)))
}

/// Checks `header` against `body` at `now` (unix seconds): one of its `v1`
/// signatures must be the body's under `secret`, made within the window.
pub fn verify(secret: &[u8], header: &str, body: &[u8], now: i64) -> Result<(), SignatureError> {
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.push(v.to_ascii_lowercase()),
            _ => {}
        }
    }
    let Some(t) = t.filter(|_| !signatures.is_empty()) else {
        return Err(SignatureError::Unsigned);
    };
    let skew = now.saturating_sub(t);
    if skew.abs() > REPLAY_WINDOW_SECS {
        return Err(SignatureError::Stale(skew));
    }
    let want = sign(secret, t, body);
    let want = want.rsplit('=').next().unwrap_or_default().as_bytes();
    let equal = |s: &String| {
        s.len() == want.len()
            && s.bytes()
                .zip(want.iter())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    };
    if signatures.iter().any(equal) {
        Ok(())
    } else {
        Err(SignatureError::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test cases 1, 2 and 6 (a key longer than the block).
        for (key, msg, want) in [
            (
                vec![0x0b; 20],
                &b"Hi There"[..],
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe".to_vec(),
                &b"what do ya want for nothing?"[..],
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                vec![0xaa; 131],
                &b"Test Using Larger Than Block-Size Key - Hash Key First"[..],
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
        ] {
            assert_eq!(hmac_sha256(&key, msg).to_vec(), unhex(want));
        }
    }

    #[test]
    fn a_signed_body_verifies_and_anything_else_does_not() {
        let body = br#"{"a":1}"#;
        let header = sign(b"s3cret", 1_000_000, body);
        assert_eq!(verify(b"s3cret", &header, body, 1_000_100), Ok(()));
        assert_eq!(
            verify(b"other", &header, body, 1_000_100),
            Err(SignatureError::BadSignature)
        );
        let mut changed = body.to_vec();
        changed[5] = b'2';
        assert_eq!(
            verify(b"s3cret", &header, &changed, 1_000_100),
            Err(SignatureError::BadSignature)
        );
        assert_eq!(
            verify(b"s3cret", &header, body, 1_000_301),
            Err(SignatureError::Stale(301))
        );
        assert_eq!(
            verify(b"s3cret", "v1=abc", body, 1_000_000),
            Err(SignatureError::Unsigned)
        );
    }
}
