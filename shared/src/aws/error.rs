use std::error::Error as StdError;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use thiserror::Error;

use crate::model::NotAssessedReason;

/// An AWS call that failed, classified into the reason a coverage record shows.
#[derive(Debug, Error)]
#[error("{operation} failed ({}): {message}", reason.as_str())]
pub struct CollectError {
    /// `service:Operation` that failed.
    pub operation: String,
    /// Why, as coverage reports it.
    pub reason: NotAssessedReason,
    /// The error code and message as the service gave them.
    pub message: String,
    /// The service's error code, when it sent one.
    pub code: Option<String>,
    /// The SDK error.
    #[source]
    pub source: Option<Box<dyn StdError + Send + Sync>>,
}

impl CollectError {
    /// An error with no SDK source (e.g. an unparseable document).
    pub fn other(operation: &str, reason: NotAssessedReason, message: impl Into<String>) -> Self {
        Self {
            operation: operation.to_owned(),
            reason,
            message: message.into(),
            code: None,
            source: None,
        }
    }

    /// True when the resource vanished between list and describe, or a
    /// sub-resource (a bucket policy, a public access block) does not exist.
    pub fn is_not_found(&self) -> bool {
        match self.code.as_deref() {
            Some(c) => {
                c.contains("NotFound")
                    || c.starts_with("NoSuch")
                    || (c == "ValidationException"
                        && (self.message.contains("not found")
                            || self.message.contains("RecordNotFound")
                            || self.message.contains("does not exist")
                            || self.message.contains("Could not find")))
            }
            None => false,
        }
    }
}

const ACCESS_DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedException",
    "AuthorizationError",
    "Forbidden",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "UnrecognizedClientException",
    "AWSOrganizationsNotInUseException",
];

const THROTTLED: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "ProvisionedThroughputExceededException",
];

const UNAVAILABLE: &[&str] = &[
    "NotImplemented",
    "UnknownOperationException",
    "UnknownOperation",
    "InvalidAction",
    "UnsupportedOperation",
    "UnsupportedOperationException",
    "OptInRequired",
    "SubscriptionRequiredException",
];

/// Classifies an error code and HTTP status into a not-assessed reason.
pub(crate) fn classify(code: Option<&str>, status: Option<u16>) -> NotAssessedReason {
    if let Some(c) = code {
        if ACCESS_DENIED.contains(&c) {
            return NotAssessedReason::AccessDenied;
        }
        if THROTTLED.contains(&c) {
            return NotAssessedReason::Throttled;
        }
        if UNAVAILABLE.contains(&c) {
            return NotAssessedReason::ApiUnavailable;
        }
    }
    match status {
        Some(403) => NotAssessedReason::AccessDenied,
        Some(429) => NotAssessedReason::Throttled,
        // AWS's own failures (an error document with a 5xx, or a gateway's
        // 502/503/504) outlasted the retries: transient, run again later.
        Some(502..=504) => NotAssessedReason::ServiceError,
        Some(500 | 505..=599) if code.is_some() => NotAssessedReason::ServiceError,
        // A 501, a 500 without an error document (an endpoint that does not
        // implement the operation), or a 404 for the whole operation (how an
        // endpoint that lacks a service answers): not available here.
        Some(404 | 405 | 500 | 501 | 505..=599) if code.is_none() || status != Some(404) => {
            NotAssessedReason::ApiUnavailable
        }
        _ => NotAssessedReason::Error,
    }
}

/// Turns SDK results into [`CollectError`]s that name the operation.
pub trait SdkResultExt<T> {
    /// Maps an SDK error, naming the operation as `service:Operation`.
    fn op(self, operation: &str) -> Result<T, CollectError>;
}

impl<T, E> SdkResultExt<T> for Result<T, SdkError<E, HttpResponse>>
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    fn op(self, operation: &str) -> Result<T, CollectError> {
        self.map_err(|err| {
            let code = match &err {
                SdkError::ServiceError(ctx) => ctx.err().code().map(str::to_owned),
                _ => None,
            };
            let (reason, message) = match &err {
                SdkError::TimeoutError(_) => (NotAssessedReason::Timeout, "timed out".to_owned()),
                SdkError::DispatchFailure(d) => {
                    if d.is_timeout() {
                        (NotAssessedReason::Timeout, format!("timed out: {d:?}"))
                    } else {
                        (
                            NotAssessedReason::ApiUnavailable,
                            format!(
                                "could not reach the service endpoint: {}",
                                source_chain(&err)
                            ),
                        )
                    }
                }
                SdkError::ServiceError(ctx) => {
                    let e = ctx.err();
                    let status = ctx.raw().status().as_u16();
                    let reason = classify(e.code(), Some(status));
                    let message = match (e.code(), e.message()) {
                        (Some(c), Some(m)) => format!("{c}: {m} (HTTP {status})"),
                        (Some(c), None) => format!("{c} (HTTP {status})"),
                        // No error code: the response could not be read as the
                        // API's shape (an endpoint that omits or garbles fields).
                        _ => format!(
                            "unreadable response (HTTP {status}): {}",
                            source_chain(&err)
                        ),
                    };
                    (reason, message)
                }
                SdkError::ResponseError(r) => {
                    let status = r.raw().status().as_u16();
                    let reason = classify(None, Some(status));
                    (
                        reason,
                        format!(
                            "unreadable response (HTTP {status}): {}",
                            source_chain(&err)
                        ),
                    )
                }
                _ => (NotAssessedReason::Error, source_chain(&err)),
            };
            CollectError {
                operation: operation.to_owned(),
                reason,
                message,
                code,
                source: Some(Box::new(err)),
            }
        })
    }
}

/// The error and its causes on one line.
pub fn source_chain(err: &dyn StdError) -> String {
    let mut s = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let next = e.to_string();
        if !s.contains(&next) {
            s.push_str(": ");
            s.push_str(&next);
        }
        cur = e.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_denied_by_code_or_status() {
        assert_eq!(
            classify(Some("AccessDeniedException"), Some(400)),
            NotAssessedReason::AccessDenied
        );
        assert_eq!(classify(None, Some(403)), NotAssessedReason::AccessDenied);
    }

    #[test]
    fn throttling_and_unavailable() {
        assert_eq!(
            classify(Some("ThrottlingException"), Some(400)),
            NotAssessedReason::Throttled
        );
        assert_eq!(classify(None, Some(500)), NotAssessedReason::ApiUnavailable);
        assert_eq!(classify(None, Some(501)), NotAssessedReason::ApiUnavailable);
        assert_eq!(classify(None, Some(404)), NotAssessedReason::ApiUnavailable);
        assert_eq!(
            classify(Some("InternalFailure"), Some(500)),
            NotAssessedReason::ServiceError
        );
        assert_eq!(classify(None, Some(503)), NotAssessedReason::ServiceError);
    }

    #[test]
    fn a_missing_resource_is_not_an_unavailable_api() {
        assert_eq!(
            classify(Some("ResourceNotFoundException"), Some(404)),
            NotAssessedReason::Error
        );
        assert_eq!(
            classify(Some("ValidationException"), Some(400)),
            NotAssessedReason::Error
        );
    }

    #[test]
    fn sagemaker_record_not_found_means_gone() {
        // DescribeNotebookInstance on a deleted notebook answers
        // `ValidationException: RecordNotFound`.
        let e = |code: &str, message: &str| CollectError {
            operation: "sagemaker:DescribeNotebookInstance".into(),
            reason: NotAssessedReason::Error,
            message: message.into(),
            code: Some(code.into()),
            source: None,
        };
        assert!(
            e(
                "ValidationException",
                "ValidationException: RecordNotFound (HTTP 400)"
            )
            .is_not_found()
        );
        assert!(
            !e(
                "ValidationException",
                "ValidationException: bad name (HTTP 400)"
            )
            .is_not_found()
        );
        assert!(e("NoSuchBucket", "").is_not_found());
    }
}
