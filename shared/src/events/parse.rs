//! Reading an EventBridge event: a CloudTrail API call, or an AWS Health
//! credentials-exposed event. Everything else is ignored; a malformed event
//! is an error naming what is missing or wrong.

use serde_json::Value;

use crate::aws::KNOWN_REGIONS;
use crate::model::Timestamp;
use crate::pipeline::PipelineError;

/// What an event is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    /// An API call recorded by CloudTrail.
    Api {
        /// `eventSource`.
        source: String,
        /// `eventName`.
        name: String,
        /// `requestParameters`.
        request: Value,
        /// `responseElements` (where a create call returns the new id).
        response: Value,
        /// `userIdentity.userName` of an IAM user caller (who may manage
        /// their own access keys without naming themselves).
        caller_user: Option<String>,
    },
    /// AWS Health `AWS_RISK_CREDENTIALS_EXPOSED`: these access key ids were
    /// found in public.
    CredentialsExposed {
        /// The exposed access key ids.
        keys: Vec<String>,
    },
}

/// A parsed event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The EventBridge event id.
    pub id: String,
    /// The account the change happened in.
    pub account_id: String,
    /// The region it happened in.
    pub region: String,
    /// When it happened (`detail.eventTime`, else the envelope's `time`):
    /// the observation time of what it changes.
    pub time: Timestamp,
    /// What happened.
    pub trigger: Trigger,
}

pub(super) fn malformed(what: impl Into<String>) -> PipelineError {
    PipelineError::Event(what.into())
}

pub(super) fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_str)
}

/// Parses an EventBridge event. `Ok(None)` for events aispm does not act on
/// (other detail types, failed calls, Health events of other types); an
/// error names what is missing or wrong.
pub fn parse(v: &Value) -> Result<Option<Event>, PipelineError> {
    if !v.is_object() {
        return Err(malformed("not a JSON object"));
    }
    let detail_type = str_at(v, &["detail-type"]).ok_or_else(|| malformed("no `detail-type`"))?;
    let id = str_at(v, &["id"])
        .ok_or_else(|| malformed("no `id`"))?
        .to_owned();
    let detail = v
        .get("detail")
        .filter(|d| d.is_object())
        .ok_or_else(|| malformed("no `detail` object"))?;
    let mut mismatch = None;
    let (account_id, region, trigger) = match detail_type {
        "AWS API Call via CloudTrail" => {
            if detail.get("errorCode").is_some_and(|e| !e.is_null()) {
                return Ok(None); // the call failed: nothing changed
            }
            let source = str_at(detail, &["eventSource"])
                .ok_or_else(|| malformed("no `detail.eventSource`"))?;
            let name =
                str_at(detail, &["eventName"]).ok_or_else(|| malformed("no `detail.eventName`"))?;
            let recipient = str_at(detail, &["recipientAccountId"]);
            let envelope = str_at(v, &["account"]);
            // The account the call changed is the one the event came from: a
            // member account cannot send aispm into another account (checked
            // once the ids are known to be ids).
            if let (Some(r), Some(e)) = (recipient, envelope)
                && r != e
            {
                mismatch = Some((e, r));
            }
            let account = recipient
                .or(envelope)
                .ok_or_else(|| malformed("no `detail.recipientAccountId` or `account`"))?;
            let region = str_at(detail, &["awsRegion"])
                .or_else(|| str_at(v, &["region"]))
                .ok_or_else(|| malformed("no `detail.awsRegion` or `region`"))?;
            let trigger = Trigger::Api {
                source: source.to_owned(),
                name: name.to_owned(),
                request: detail
                    .get("requestParameters")
                    .cloned()
                    .unwrap_or(Value::Null),
                response: detail
                    .get("responseElements")
                    .cloned()
                    .unwrap_or(Value::Null),
                caller_user: str_at(detail, &["userIdentity", "userName"]).map(str::to_owned),
            };
            (account, region, trigger)
        }
        "AWS Health Event" => {
            if str_at(detail, &["eventTypeCode"]) != Some("AWS_RISK_CREDENTIALS_EXPOSED") {
                return Ok(None);
            }
            let account = str_at(v, &["account"]).ok_or_else(|| malformed("no `account`"))?;
            let region = str_at(v, &["region"]).unwrap_or("us-east-1");
            let keys: Vec<String> = detail
                .get("affectedEntities")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|e| str_at(e, &["entityValue"]))
                .map(str::to_owned)
                .collect();
            if keys.is_empty() {
                return Err(malformed("no `detail.affectedEntities[].entityValue`"));
            }
            (account, region, Trigger::CredentialsExposed { keys })
        }
        _ => return Ok(None),
    };
    if account_id.len() != 12 || !account_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(format!("account id `{account_id}`")));
    }
    if let Some((envelope, recipient)) = mismatch {
        return Err(malformed(format!(
            "`account` `{envelope}` is not `detail.recipientAccountId` `{recipient}`"
        )));
    }
    if !KNOWN_REGIONS.contains(&region) {
        return Err(malformed(format!("unknown region `{region}`")));
    }
    let raw_time = str_at(detail, &["eventTime"])
        .or_else(|| str_at(v, &["time"]))
        .ok_or_else(|| malformed("no `detail.eventTime` or `time`"))?;
    let time = Timestamp::parse(raw_time).map_err(|e| malformed(e.to_string()))?;
    Ok(Some(Event {
        id,
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        time,
        trigger,
    }))
}
