//! Outbound HTTP for the sinks: one attempt at a time ([`Client::once`]).
//! A timeout, no connection, or an answer 408, 429 or 5xx is a [`Failure`]
//! that may go better next time; any other answer, 4xx included, is an
//! answer. How often and how long to wait between attempts is [`Retry`];
//! the sinks retry a whole delivery (`super::sinks::deliver`), lookups
//! first.

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use thiserror::Error;
use tracing::debug;

/// A request to a sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `POST`, `PUT`, `PATCH`.
    pub method: &'static str,
    /// The whole URL.
    pub url: String,
    /// Headers beyond `content-type: application/json` (sent with a body).
    pub headers: Vec<(String, String)>,
    /// The body, empty for none.
    pub body: Vec<u8>,
}

impl Request {
    /// A request with a JSON body.
    pub fn json(method: &'static str, url: impl Into<String>, body: &serde_json::Value) -> Self {
        Self {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: serde_json::to_vec(body).unwrap_or_default(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// A sink's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The body as JSON (`null` when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The start of the body, for messages.
    pub fn snippet(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        text.chars().take(300).collect()
    }
}

/// A request that did not get a usable answer.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum HttpError {
    /// Answered with a status that retrying cannot change (4xx other than
    /// 408 and 429).
    #[error("{method} {url} was refused with {status}: {body}")]
    Rejected {
        /// The method.
        method: &'static str,
        /// The URL, without its query.
        url: String,
        /// The status code.
        status: u16,
        /// The start of the answer.
        body: String,
    },
    /// Every attempt failed.
    #[error("{method} {url} failed {attempts} times; last: {last}")]
    Exhausted {
        /// The method.
        method: &'static str,
        /// The URL, without its query.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// The request could not be built (a bad URL or header).
    #[error("{0}")]
    Invalid(String),
}

/// How hard to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts in all (at least 1).
    pub attempts: u32,
    /// The first backoff; each next one doubles, with up to 50% jitter.
    pub base: Duration,
    /// The longest wait between attempts (a longer `Retry-After` is capped).
    pub max: Duration,
    /// How long one attempt may take.
    pub timeout: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            attempts: 5,
            base: Duration::from_millis(500),
            max: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
        }
    }
}

impl Retry {
    /// The wait before attempt `n + 1` (after `n` failures), or what the
    /// sink asked for when that is longer, capped at `max`.
    pub fn backoff(&self, n: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .base
            .saturating_mul(2u32.saturating_pow(n.saturating_sub(1)));
        let jitter = exp.mul_f64(fastrand::f64() * 0.5);
        let wait = (exp + jitter).max(retry_after.unwrap_or_default());
        wait.min(self.max)
    }
}

/// The outbound client.
#[derive(Clone)]
pub struct Client {
    inner: HyperClient<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
    retry: Retry,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("retry", &self.retry)
            .finish()
    }
}

impl Client {
    /// A client trusting the system's root certificates.
    pub fn new(retry: Retry) -> Result<Self, HttpError> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::aws_lc_rs::default_provider())
            .map_err(|e| HttpError::Invalid(format!("cannot load the root certificates: {e}")))?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self {
            inner: HyperClient::builder(TokioExecutor::new()).build(https),
            retry,
        })
    }

    /// How hard this client tries.
    pub fn retry(&self) -> Retry {
        self.retry
    }

    /// One attempt: any answer but 408, 429 and 5xx, or why there was none
    /// (those answers, a timeout, no connection).
    pub async fn once(&self, req: &Request) -> Result<Response, Failure> {
        match self.attempt(req).await {
            Ok((resp, retry_after)) if retryable(resp.status) => Err(Failure {
                retry_after,
                timed_out: false,
                message: format!(
                    "{} {} answered {}: {}",
                    req.method,
                    strip_query(&req.url),
                    resp.status,
                    resp.snippet()
                ),
            }),
            Ok((resp, _)) => Ok(resp),
            Err((e, timed_out)) => Err(Failure {
                retry_after: None,
                message: format!("{} {}: {e}", req.method, strip_query(&req.url)),
                timed_out,
            }),
        }
    }

    /// One attempt: the answer and its `Retry-After`, or why there was none
    /// and whether it was a timeout (the sink may have acted on it).
    async fn attempt(&self, req: &Request) -> Result<(Response, Option<Duration>), (String, bool)> {
        let mut b = hyper::Request::builder()
            .method(req.method)
            .uri(&req.url)
            .header("user-agent", concat!("aispm/", env!("CARGO_PKG_VERSION")));
        if !req.body.is_empty() {
            b = b.header("content-type", "application/json");
        }
        for (k, v) in &req.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let request = b
            .body(Full::new(Bytes::from(req.body.clone())))
            .map_err(|e| (format!("cannot build the request: {e}"), false))?;
        let call = async {
            let resp = self.inner.request(request).await.map_err(|e| {
                let mut msg = e.to_string();
                let mut src = std::error::Error::source(&e);
                while let Some(s) = src {
                    msg.push_str(": ");
                    msg.push_str(&s.to_string());
                    src = s.source();
                }
                msg
            })?;
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let body = resp
                .into_body()
                .collect()
                .await
                .map_err(|e| format!("reading the answer: {e}"))?
                .to_bytes()
                .to_vec();
            Ok::<_, String>((Response { status, body }, retry_after))
        };
        match tokio::time::timeout(self.retry.timeout, call).await {
            Ok(r) => {
                if let Ok((resp, _)) = &r {
                    debug!(method = req.method, status = resp.status, "sink answered");
                }
                r.map_err(|e| (e, false))
            }
            Err(_) => Err((
                format!("no answer within {} ms", self.retry.timeout.as_millis()),
                true,
            )),
        }
    }
}

/// An attempt that may go better next time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What the sink asked for.
    pub retry_after: Option<Duration>,
    /// What happened.
    pub message: String,
    /// No answer in time: the sink may have acted on the request.
    pub timed_out: bool,
}

/// `resp` when it is 2xx, else the refusal.
pub fn expect_success(req: &Request, resp: Response) -> Result<Response, HttpError> {
    if (200..300).contains(&resp.status) {
        Ok(resp)
    } else {
        Err(HttpError::Rejected {
            method: req.method,
            url: strip_query(&req.url).to_owned(),
            status: resp.status,
            body: resp.snippet(),
        })
    }
}

fn strip_query(url: &str) -> &str {
    url.split('?').next().unwrap_or_default()
}

/// Whether another attempt may get another answer.
fn retryable(status: u16) -> bool {
    matches!(status, 408 | 429) || status >= 500
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_honours_retry_after_and_is_capped() {
        let r = Retry {
            attempts: 5,
            base: Duration::from_millis(100),
            max: Duration::from_secs(2),
            timeout: Duration::from_secs(1),
        };
        for _ in 0..50 {
            let w1 = r.backoff(1, None);
            assert!(w1 >= Duration::from_millis(100) && w1 <= Duration::from_millis(150));
            let w3 = r.backoff(3, None);
            assert!(w3 >= Duration::from_millis(400) && w3 <= Duration::from_millis(600));
        }
        assert_eq!(
            r.backoff(1, Some(Duration::from_secs(1))),
            Duration::from_secs(1)
        );
        assert_eq!(
            r.backoff(1, Some(Duration::from_secs(60))),
            Duration::from_secs(2)
        );
        assert_eq!(r.backoff(20, None), Duration::from_secs(2));
    }

    #[test]
    fn only_timeouts_throttles_and_server_errors_are_retried() {
        for s in [408, 429, 500, 502, 503] {
            assert!(retryable(s), "{s}");
        }
        for s in [200, 201, 204, 400, 401, 403, 404, 409, 422] {
            assert!(!retryable(s), "{s}");
        }
    }
}
