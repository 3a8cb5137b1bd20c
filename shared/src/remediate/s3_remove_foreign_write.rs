//! `s3_remove_foreign_write`: removes from the bucket policy exactly the
//! statements the finding named (those that let principals outside the
//! organization write), and nothing else: the rest of the policy's text is
//! kept byte for byte (`s3:PutBucketPolicy`; `s3:DeleteBucketPolicy` when no
//! statement is left). The statements to remove are planned from the
//! finding's evidence; a policy that no longer holds any of them is left
//! alone. The state is `{"Policy": the policy's text | null}`; rollback puts
//! the old text back.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::Record;
use crate::aws::{Clients, CollectError, SdkResultExt};
use crate::model::NotAssessedReason;
use crate::rules::policy::statement_json;

const PUT: &str = "s3:PutBucketPolicy";

fn bucket(r: &Record) -> &str {
    let arn = r.resource_arn.as_str();
    arn.strip_prefix("arn:aws:s3:::").unwrap_or(arn)
}

/// Every `statement` object in a finding's evidence (the rule's own
/// evidence, or the writers step of an attack path), as the rules print
/// statements.
pub fn named_statements(evidence: &[Value]) -> Vec<Value> {
    fn walk(v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Object(m) => {
                if let Some(st) = m.get("statement").filter(|s| s.is_object()) {
                    if !out.contains(st) {
                        out.push(st.clone());
                    }
                } else {
                    m.values().for_each(|v| walk(v, out));
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    evidence.iter().for_each(|v| walk(v, &mut out));
    out
}

/// The statements the plan removes.
fn planned(r: &Record) -> &[Value] {
    r.calls
        .first()
        .and_then(|c| c.params["Statements"].as_array())
        .map_or(&[], Vec::as_slice)
}

#[derive(Deserialize)]
struct Doc<'a> {
    #[serde(borrow, rename = "Statement")]
    statement: Option<&'a RawValue>,
}

/// The byte range of `part` (a slice of `text`) in `text`.
fn span(text: &str, part: &str) -> (usize, usize) {
    let start = part.as_ptr() as usize - text.as_ptr() as usize;
    (start, start + part.len())
}

/// The policy text without the statements that print as one of `drop`,
/// every other byte kept; `None` when no statement is left. Errors name
/// what could not be read.
pub fn without(text: &str, drop: &[Value]) -> Result<Option<String>, String> {
    let doc: Doc<'_> =
        serde_json::from_str(text).map_err(|e| format!("the bucket policy is not JSON: {e}"))?;
    let Some(raw) = doc.statement else {
        return Ok(Some(text.to_owned()));
    };
    let single = !raw.get().trim_start().starts_with('[');
    let items: Vec<&RawValue> = if single {
        vec![raw]
    } else {
        serde_json::from_str(raw.get()).map_err(|e| format!("unreadable Statement: {e}"))?
    };
    // `items` borrow from `raw`, which borrows from `text`.
    let named = |item: &RawValue| -> Result<bool, String> {
        let v: Value = serde_json::from_str(item.get()).map_err(|e| e.to_string())?;
        let one = json!({"Version": "2012-10-17", "Statement": [v]});
        let printed = crate::iam::Policy::from_value(&one)
            .ok()
            .and_then(|p| p.statements.first().map(statement_json));
        Ok(printed.is_some_and(|p| drop.contains(&p)))
    };
    let mut keep = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if !named(item)? {
            keep.push(i);
        }
    }
    if keep.len() == items.len() {
        return Ok(Some(text.to_owned()));
    }
    if keep.is_empty() {
        return Ok(None);
    }
    let spans: Vec<(usize, usize)> = items.iter().map(|i| span(text, i.get())).collect();
    let (first, _) = spans[0];
    let (_, last) = spans[spans.len() - 1];
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..first]);
    for (n, &i) in keep.iter().enumerate() {
        if n > 0 {
            // The separator that stood before this statement.
            out.push_str(&text[spans[i - 1].1..spans[i].0]);
        }
        out.push_str(&text[spans[i].0..spans[i].1]);
    }
    out.push_str(&text[last..]);
    Ok(Some(out))
}

/// `{"Policy": text | null}`.
pub async fn read(c: &Clients, r: &Record) -> Result<Value, CollectError> {
    match c
        .s3
        .get_bucket_policy()
        .bucket(bucket(r))
        .send()
        .await
        .op("s3:GetBucketPolicy")
    {
        Ok(out) => Ok(json!({"Policy": out.policy()})),
        Err(e) if e.code.as_deref() == Some("NoSuchBucketPolicy") => Ok(json!({"Policy": null})),
        Err(e) => Err(e),
    }
}

/// Whether the policy holds none of the planned statements.
pub fn fixed(r: &Record, state: &Value) -> bool {
    match state["Policy"].as_str() {
        None => true,
        Some(text) => without(text, planned(r)).is_ok_and(|t| t.as_deref() == Some(text)),
    }
}

async fn put(c: &Clients, r: &Record, text: Option<&str>) -> Result<(), CollectError> {
    match text {
        Some(text) => {
            c.s3.put_bucket_policy()
                .bucket(bucket(r))
                .policy(text)
                .send()
                .await
                .op(PUT)?;
        }
        None => {
            c.s3.delete_bucket_policy()
                .bucket(bucket(r))
                .send()
                .await
                .op("s3:DeleteBucketPolicy")?;
        }
    }
    Ok(())
}

/// Writes the policy without the planned statements.
pub async fn write(c: &Clients, r: &Record, before: &Value) -> Result<(), CollectError> {
    let bad = |why: String| CollectError::other(PUT, NotAssessedReason::Error, why);
    if planned(r).is_empty() {
        return Err(bad("the plan names no statement to remove".into()));
    }
    let text = before["Policy"].as_str().unwrap_or_default();
    let rest = without(text, planned(r)).map_err(bad)?;
    put(c, r, rest.as_deref()).await
}

/// Puts the old policy text back.
pub async fn undo(c: &Clients, r: &Record, before: &Value) -> Result<(), CollectError> {
    put(c, r, before["Policy"].as_str()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printed(st: Value) -> Value {
        let p = crate::iam::Policy::from_value(&json!({"Statement": [st]})).unwrap();
        statement_json(&p.statements[0])
    }

    const POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Id": "training-data",
  "Statement": [
    {"Sid": "Ours", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
     "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
    {"Sid": "Vendor", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
     "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::b/*"},
    {"Sid": "TLS",   "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
  ]
}"#;

    fn vendor() -> Value {
        printed(json!({"Sid": "Vendor", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
            "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::b/*"}))
    }

    #[test]
    fn only_the_named_statement_goes_and_every_other_byte_stays() {
        let out = without(POLICY, &[vendor()]).unwrap().unwrap();
        let (before_vendor, rest) = POLICY.split_once(",\n    {\"Sid\": \"Vendor\"").unwrap();
        let (_, after_vendor) = rest.split_once("\"arn:aws:s3:::b/*\"}").unwrap();
        assert_eq!(out, format!("{before_vendor}{after_vendor}"));
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["Statement"].as_array().unwrap().len(), 2);
        assert_eq!(v["Id"], "training-data");
        // Nothing named: the text is returned as it is.
        assert_eq!(
            without(&out, &[vendor()]).unwrap().as_deref(),
            Some(out.as_str())
        );
    }

    #[test]
    fn the_first_statement_and_the_last_one_can_go() {
        let first = printed(json!({"Sid": "Ours", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}));
        let out = without(POLICY, &[first, vendor()]).unwrap().unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["Statement"][0]["Sid"], "TLS");
        assert!(out.starts_with("{\n  \"Version\": \"2012-10-17\",\n  \"Id\": \"training-data\",\n  \"Statement\": [\n    {\"Sid\": \"TLS\""));
        // A single statement object that is named leaves no policy.
        let single = r#"{"Statement": {"Sid": "Vendor", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::b/*"}}"#;
        assert_eq!(without(single, &[vendor()]).unwrap(), None);
    }

    #[test]
    fn broken_policies_are_errors_and_evidence_statements_are_found_anywhere() {
        assert!(
            without("{not json", &[vendor()])
                .unwrap_err()
                .contains("not JSON")
        );
        let ev = vec![
            json!({"statement": vendor(), "outside_principals": ["999988887777"]}),
            json!([{"statement": vendor()}, {"other": 1}]),
        ];
        assert_eq!(named_statements(&ev), vec![vendor()]);
        assert!(named_statements(&[json!({"used_by": ["x"]})]).is_empty());
    }
}
