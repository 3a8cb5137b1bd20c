//! Signed approval callbacks: how a person's decision on an action awaiting
//! approval reaches the deployed remediate function (its Lambda function
//! URL) from a ticket, a chat button or another tool.
//!
//! The request is a `POST` of JSON,
//! `{"action_id": "rem-…", "decision": "approve" | "deny", "by": "who",
//!   "note": "…"}` (`reason` instead of `note` for a denial, and required
//! there), with the header
//! `X-Aispm-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
//! A request signed more than [`REPLAY_WINDOW_SECS`] from the function's
//! clock, or not with the secret, changes nothing. The decision is the same
//! as `aispm remediation approve|deny`.

use serde::Deserialize;

use crate::signing::SignatureError;
pub use crate::signing::{REPLAY_WINDOW_SECS, hmac_sha256, sign};

/// Why a callback was refused before any decision.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
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
    /// The body is not a decision.
    #[error("the body is not a decision: {0}")]
    Body(String),
}

impl From<SignatureError> for CallbackError {
    fn from(e: SignatureError) -> Self {
        match e {
            SignatureError::Unsigned => Self::Unsigned,
            SignatureError::Stale(s) => Self::Stale(s),
            SignatureError::BadSignature => Self::BadSignature,
        }
    }
}

/// Checks `header` against `body` at `now` (unix seconds)
/// ([`crate::signing::verify`]).
pub fn verify(secret: &[u8], header: &str, body: &[u8], now: i64) -> Result<(), CallbackError> {
    crate::signing::verify(secret, header, body, now).map_err(CallbackError::from)
}

/// What a person decided.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// The record awaiting approval.
    pub action_id: String,
    /// `approve` or `deny`.
    pub decision: Verdict,
    /// Who decided (recorded in the audit).
    pub by: String,
    /// A note kept with an approval.
    #[serde(default)]
    pub note: Option<String>,
    /// Why it was denied (required for a denial).
    #[serde(default)]
    pub reason: Option<String>,
}

/// Approve or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Release the action: it is applied and verified now.
    Approve,
    /// Cancel it.
    Deny,
}

impl Decision {
    /// Parses and checks a callback's body.
    pub fn parse(body: &[u8]) -> Result<Self, CallbackError> {
        let d: Decision =
            serde_json::from_slice(body).map_err(|e| CallbackError::Body(e.to_string()))?;
        if d.action_id.trim().is_empty() || d.by.trim().is_empty() {
            return Err(CallbackError::Body(
                "`action_id` and `by` must not be empty".into(),
            ));
        }
        if d.decision == Verdict::Deny && d.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(CallbackError::Body("a denial needs a `reason`".into()));
        }
        Ok(d)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn a_signed_body_verifies_and_anything_else_does_not() {
        let body = br#"{"action_id":"rem-1","decision":"approve","by":"ana"}"#;
        let header = sign(b"s3cret", 1_000_000, body);
        assert_eq!(verify(b"s3cret", &header, body, 1_000_100), Ok(()));
        assert_eq!(
            verify(b"other", &header, body, 1_000_100),
            Err(CallbackError::BadSignature)
        );
        let mut changed = body.to_vec();
        changed[5] ^= 1;
        assert_eq!(
            verify(b"s3cret", &header, &changed, 1_000_100),
            Err(CallbackError::BadSignature)
        );
        assert_eq!(
            verify(b"s3cret", &header, body, 1_000_301),
            Err(CallbackError::Stale(301))
        );
        assert_eq!(
            verify(b"s3cret", &header, body, 999_600),
            Err(CallbackError::Stale(-400))
        );
        assert_eq!(
            verify(b"s3cret", "v1=abc", body, 1_000_000),
            Err(CallbackError::Unsigned)
        );
        // A rotated secret: either signature may match.
        let both = format!("{header},v1=00");
        assert_eq!(verify(b"s3cret", &both, body, 1_000_000), Ok(()));
    }

    #[test]
    fn decisions_are_checked() {
        let d = Decision::parse(
            br#"{"action_id":"rem-1","decision":"approve","by":"ana","note":"ok"}"#,
        )
        .unwrap();
        assert_eq!(
            (d.decision, d.note.as_deref()),
            (Verdict::Approve, Some("ok"))
        );
        let e = |b: &str| Decision::parse(b.as_bytes()).unwrap_err().to_string();
        assert!(e(r#"{"action_id":"rem-1","decision":"deny","by":"ana"}"#).contains("reason"));
        assert!(e(r#"{"action_id":"rem-1","decision":"maybe","by":"ana"}"#).contains("maybe"));
        assert!(
            e(r#"{"action_id":"rem-1","decision":"approve","by":"ana","force":true}"#)
                .contains("force")
        );
        assert!(e(r#"{"action_id":"","decision":"approve","by":"ana"}"#).contains("empty"));
    }
}
