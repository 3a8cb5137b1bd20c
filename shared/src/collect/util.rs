//! Small helpers every collector uses.

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde_json::Value;

use std::future::Future;

use futures::{StreamExt, TryStreamExt};

use super::{Batch, Ctx};
use crate::aws::CollectError;
use crate::model::{Coverage, Edge, EdgeKind, Evidence};

/// The identifiers every page of a list call returns: `$call` is the
/// operation's builder, `$op` its IAM name (for the error), `$id` maps an
/// item to its identifier.
macro_rules! list_ids {
    ($call:expr, $op:expr, $id:expr) => {
        $call
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .op($op)?
            .into_iter()
            .map($id)
            .collect::<Vec<String>>()
    };
}
pub(crate) use list_ids;

/// Describe calls in flight at once inside one collector.
pub const DESCRIBE_CONCURRENCY: usize = 4;

/// Runs `f` over `items` with bounded concurrency, keeping the order and
/// dropping items that vanished (`Ok(None)`).
pub async fn describe_each<T, R, F, Fut>(items: Vec<T>, f: F) -> Result<Vec<R>, CollectError>
where
    F: FnMut(T) -> Fut,
    Fut: Future<Output = Result<Option<R>, CollectError>>,
{
    let out: Vec<Option<R>> = futures::stream::iter(items)
        .map(f)
        .buffered(DESCRIBE_CONCURRENCY)
        .try_collect()
        .await?;
    Ok(out.into_iter().flatten().collect())
}

/// Reads each resource with `read` (bounded concurrency, in order) and joins
/// the batches of those that still exist.
pub async fn read_each<T, F, Fut>(items: Vec<T>, read: F) -> Result<super::Batch, CollectError>
where
    F: FnMut(T) -> Fut,
    Fut: Future<Output = Result<Option<super::Batch>, CollectError>>,
{
    Ok(super::Batch::concat(describe_each(items, read).await?))
}

/// The last `/`-separated part of an ARN (`arn:...:domain/d-1` → `d-1`);
/// anything else as is. Readers accept an id or its ARN.
pub fn arn_tail(id: &str) -> &str {
    if id.starts_with("arn:") {
        id.rsplit('/').next().unwrap_or(id)
    } else {
        id
    }
}

/// `Ok(None)` for a resource that does not exist (deleted since it was listed,
/// or an optional sub-resource never set); other errors pass through.
pub fn found<T>(r: Result<T, CollectError>) -> Result<Option<T>, CollectError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// `s3://bucket/prefix` (or `https://bucket.s3...`) to `arn:aws:s3:::bucket`.
pub fn bucket_arn_from_s3_uri(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("s3://")?;
    let bucket = rest.split('/').next()?;
    if bucket.is_empty() {
        return None;
    }
    Some(format!("arn:aws:s3:::{bucket}"))
}

/// A KMS key reference (id, alias, or ARN) as an ARN in the context's account
/// and region.
pub fn kms_key_arn(ctx_partition: &str, region: &str, account: &str, key: &str) -> String {
    if key.starts_with("arn:") {
        key.to_owned()
    } else if key.starts_with("alias/") {
        format!("arn:{ctx_partition}:kms:{region}:{account}:{key}")
    } else {
        format!("arn:{ctx_partition}:kms:{region}:{account}:key/{key}")
    }
}

/// A timestamp as RFC 3339 text.
pub fn ts(dt: Option<&DateTime>) -> Option<Value> {
    dt.and_then(|d| d.fmt(Format::DateTime).ok())
        .map(Value::String)
}

/// A string as a JSON value, when present.
pub fn s(v: Option<&str>) -> Option<Value> {
    v.map(|x| Value::String(x.to_owned()))
}

/// A JSON array of strings.
pub fn strings<'a>(v: impl IntoIterator<Item = &'a str>) -> Value {
    Value::Array(v.into_iter().map(|x| Value::String(x.to_owned())).collect())
}

/// Builds edges that all carry evidence from one API call.
pub struct EdgeSink<'a> {
    source: &'a str,
    /// The edges built so far.
    pub edges: Vec<Edge>,
}

impl<'a> EdgeSink<'a> {
    /// Edges whose evidence names `source` (`service:Operation`).
    pub fn new(source: &'a str) -> Self {
        Self {
            source,
            edges: Vec::new(),
        }
    }

    /// Adds `from → to` when `to` is known.
    pub fn add(&mut self, from: &str, to: Option<&str>, kind: EdgeKind, field: &str) {
        if let Some(to) = to.filter(|t| !t.is_empty()) {
            self.edges
                .push(Edge::new(from, to, kind, Evidence::new(self.source, field)));
        }
    }

    /// Adds `from → bucket` for an S3 URI.
    pub fn add_s3(&mut self, from: &str, uri: Option<&str>, kind: EdgeKind, field: &str) {
        if let Some(arn) = uri.and_then(bucket_arn_from_s3_uri) {
            self.add(from, Some(&arn), kind, field);
        }
    }

    /// Adds `from → key` for a KMS key reference.
    pub fn add_kms(&mut self, ctx: &Ctx, from: &str, key: Option<&str>, field: &str) {
        if let Some(k) = key.filter(|k| !k.is_empty()) {
            let arn = kms_key_arn(&ctx.partition, &ctx.region, &ctx.account_id, k);
            self.add(from, Some(&arn), EdgeKind::EncryptedBy, field);
        }
    }
}

/// Decodes a URL-encoded IAM policy document and parses it as JSON. A document
/// that is not JSON is kept as a string so nothing is lost.
pub fn policy_json(raw: &str) -> Value {
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    serde_json::from_str(&decoded).unwrap_or_else(|_| Value::String(decoded.into_owned()))
}

/// Parses a JSON policy returned verbatim (S3, KMS, Lambda, Secrets Manager).
pub fn plain_policy_json(raw: &str) -> Value {
    serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()))
}

/// A Smithy document (as OpenSearch Serverless returns policies) as JSON.
pub fn document_json(d: &aws_smithy_types::Document) -> Value {
    use aws_smithy_types::{Document, Number};
    match d {
        Document::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), document_json(v)))
                .collect(),
        ),
        Document::Array(a) => Value::Array(a.iter().map(document_json).collect()),
        Document::Number(Number::PosInt(n)) => Value::from(*n),
        Document::Number(Number::NegInt(n)) => Value::from(*n),
        Document::Number(Number::Float(f)) => {
            serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        Document::String(s) => Value::String(s.clone()),
        Document::Bool(b) => Value::Bool(*b),
        Document::Null => Value::Null,
    }
}

/// Records the first failure of a side read; later ones add nothing new.
#[derive(Default)]
pub(crate) struct SideCoverage {
    failure: Option<CollectError>,
}

impl SideCoverage {
    pub(crate) fn fail(&mut self, e: CollectError) {
        if self.failure.is_none() {
            self.failure = Some(e);
        }
    }

    pub(crate) fn record(self, ctx: &Ctx, id: &str) -> Coverage {
        match self.failure {
            None => Coverage::assessed(&ctx.account_id, &ctx.region, id),
            Some(e) => {
                Coverage::not_assessed(&ctx.account_id, &ctx.region, id, e.reason, e.to_string())
            }
        }
    }
}

/// One coverage record per side collector: the first failure if any
/// resource's side read failed, else assessed.
pub(crate) fn merge_coverage(ctx: &Ctx, mut batch: Batch, ids: &[&str]) -> Batch {
    let records = std::mem::take(&mut batch.coverage);
    for id in ids {
        let failed = records
            .iter()
            .find(|c| c.collector == *id && c.reason.is_some())
            .cloned();
        batch
            .coverage
            .push(failed.unwrap_or_else(|| Coverage::assessed(&ctx.account_id, &ctx.region, id)));
    }
    batch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_uri_to_bucket_arn() {
        assert_eq!(
            bucket_arn_from_s3_uri("s3://fraud-data/train/2026/").as_deref(),
            Some("arn:aws:s3:::fraud-data")
        );
        assert_eq!(bucket_arn_from_s3_uri("s3://").as_deref(), None);
        assert_eq!(
            bucket_arn_from_s3_uri("https://example.com/x").as_deref(),
            None
        );
    }

    #[test]
    fn kms_references_become_arns() {
        assert_eq!(
            kms_key_arn("aws", "us-east-1", "111122223333", "1234abcd"),
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd"
        );
        assert_eq!(
            kms_key_arn("aws", "us-east-1", "111122223333", "alias/ml"),
            "arn:aws:kms:us-east-1:111122223333:alias/ml"
        );
        let arn = "arn:aws:kms:eu-west-1:444455556666:key/x";
        assert_eq!(kms_key_arn("aws", "us-east-1", "1", arn), arn);
    }

    #[test]
    fn url_encoded_policy_is_decoded() {
        let v = policy_json("%7B%22Version%22%3A%222012-10-17%22%7D");
        assert_eq!(v, serde_json::json!({"Version": "2012-10-17"}));
        assert_eq!(policy_json("not json"), Value::String("not json".into()));
    }
}
