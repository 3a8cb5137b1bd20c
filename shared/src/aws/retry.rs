//! How aispm retries AWS calls: standard mode (capped exponential backoff
//! with full jitter, no client-side rate limiter that would slow every call
//! after a throttle), enough attempts that a bad minute of throttling, 5xx
//! answers and dropped connections changes no finding, and a classifier
//! that stops retries of answers that cannot change.
//!
//! The SDK's classifiers retry throttling codes, 500/502/503/504 and
//! transient I/O errors; 404 and validation errors are never retried.
//! [`NeverRetry`] adds: a 501, and a 500 whose body is an HTML page rather
//! than an AWS error document (an endpoint that does not implement the
//! operation, as emulators answer), fail at once.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};

/// Attempts per call (the first and up to seven retries).
pub const MAX_ATTEMPTS: u32 = 8;
/// The first retry waits up to this long (full jitter), doubling each time.
pub const INITIAL_BACKOFF: Duration = Duration::from_millis(100);
/// No single wait is longer than this.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// The retry configuration for `max_attempts` attempts.
pub fn config(max_attempts: u32) -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(max_attempts.max(1))
        .with_initial_backoff(INITIAL_BACKOFF)
        .with_max_backoff(MAX_BACKOFF)
}

/// Forbids retries of answers that cannot change on retry.
#[derive(Debug, Clone, Copy, Default)]
pub struct NeverRetry;

/// Whether an HTTP answer is one that retrying cannot change: 501, or a 500
/// whose body is an HTML page (no AWS error code to act on).
pub fn is_permanent(status: u16, content_type: Option<&str>) -> bool {
    let html = content_type.is_some_and(|c| c.trim_start().starts_with("text/html"));
    status == 501 || (status == 500 && html)
}

impl ClassifyRetry for NeverRetry {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.response() {
            Some(r) if is_permanent(r.status().as_u16(), r.headers().get("content-type")) => {
                RetryAction::RetryForbidden
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "aispm::NeverRetry"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unimplemented_answers_are_permanent_and_aws_errors_are_not() {
        assert!(is_permanent(501, Some("application/json")));
        assert!(is_permanent(500, Some("text/html; charset=utf-8")));
        // AWS's own 500s and 503s carry an error document: retried.
        assert!(!is_permanent(500, Some("application/x-amz-json-1.1")));
        assert!(!is_permanent(500, None));
        assert!(!is_permanent(503, Some("text/html")));
        assert!(!is_permanent(200, Some("text/html")));
    }
}
