//! Verifying an applied action: the scanner re-reads the resource it
//! changed, as it does for the CloudTrail event of that change, and re-runs
//! the rules over the account's stored graph (`crate::events::handle`). The
//! record is `verified` only when that rescan no longer sees the finding;
//! a fix that did not hold is `failed` and the finding stays open. A
//! mitigation (`ActionKind::resolves` is false: a quarantine, a boundary,
//! an explicit deny) is verified by its state read back after the change,
//! and its finding stays open.

use serde_json::{Value, json};

use super::catalog::ActionKind;
use super::{Record, Status};
use crate::aws::AwsSettings;
use crate::model::{FindingStatus, Timestamp};
use crate::pipeline::PipelineConfig;
use crate::store::Store;

/// How the scanner enters accounts for the rescan (its own role, never the
/// remediator's).
#[derive(Debug, Clone)]
pub struct Verifier {
    /// Endpoint and timeouts.
    pub settings: AwsSettings,
    /// The scanner's settings (role, ExternalId, rules, suppressions).
    pub cfg: PipelineConfig,
}

/// The CloudTrail call an applied record made (source, name, request
/// parameters as CloudTrail records them), for the rescan; `None` for an
/// action this version does not apply.
fn call(r: &Record) -> Option<(&'static str, &'static str, Value)> {
    let last = |arn: &str| super::resource_name(arn).to_owned();
    let param = |k: &str| {
        r.calls
            .first()
            .and_then(|c| c.params.get(k))
            .cloned()
            .unwrap_or(Value::Null)
    };
    Some(match r.action {
        ActionKind::DeactivateAccessKey => (
            "iam.amazonaws.com",
            "UpdateAccessKey",
            json!({"userName": last(&r.resource_arn), "accessKeyId": param("AccessKeyId"),
                   "status": "Inactive"}),
        ),
        ActionKind::QuarantineAccessKey => (
            "iam.amazonaws.com",
            "AttachUserPolicy",
            json!({"userName": last(&r.resource_arn),
                   "policyArn": super::catalog::QUARANTINE_POLICY_ARN}),
        ),
        ActionKind::AttachPermissionsBoundary => (
            "iam.amazonaws.com",
            "PutRolePermissionsBoundary",
            json!({"roleName": last(&r.resource_arn),
                   "permissionsBoundary": param("PermissionsBoundary")}),
        ),
        ActionKind::DenyDataExfiltration => (
            "iam.amazonaws.com",
            "PutRolePolicy",
            json!({"roleName": last(&r.resource_arn),
                   "policyName": super::catalog::DENY_EXFILTRATION_POLICY}),
        ),
        ActionKind::EnableBedrockInvocationLogging => (
            "bedrock.amazonaws.com",
            "PutModelInvocationLoggingConfiguration",
            json!({}),
        ),
        ActionKind::S3RemoveForeignWrite => (
            "s3.amazonaws.com",
            "PutBucketPolicy",
            json!({"bucketName": last(&r.resource_arn)}),
        ),
        ActionKind::RotateSecret => (
            "secretsmanager.amazonaws.com",
            "RotateSecret",
            json!({"secretId": r.resource_arn}),
        ),
        ActionKind::AttachBedrockGuardrail => (
            "bedrock.amazonaws.com",
            "UpdateAgent",
            json!({"agentId": last(&r.resource_arn),
                   "guardrailConfiguration": param("guardrailConfiguration")}),
        ),
        ActionKind::RequireActionConfirmation => (
            "bedrock.amazonaws.com",
            "UpdateAgentActionGroup",
            json!({"agentId": last(&r.resource_arn), "agentVersion": "DRAFT",
                   "actionGroupId": r.after.as_ref()
                       .and_then(|a| a["actionGroups"].as_object())
                       .and_then(|g| g.keys().next().cloned())}),
        ),
        ActionKind::EnableKmsKeyRotation => (
            "kms.amazonaws.com",
            "EnableKeyRotation",
            json!({"keyId": r.resource_arn}),
        ),
        ActionKind::S3BlockPublicAccess => (
            "s3.amazonaws.com",
            "PutPublicAccessBlock",
            json!({"bucketName": last(&r.resource_arn)}),
        ),
        _ => return None,
    })
}

/// The calls a narrowing made, one per part of the identity it changed
/// (each inline policy written or deleted, the attachments, each managed
/// policy given a new version), as CloudTrail records them.
fn narrow_calls(r: &Record) -> Vec<(&'static str, &'static str, Value)> {
    let user = r.resource_arn.contains(":user/");
    let name = super::resource_name(&r.resource_arn);
    let who = |mut v: Value| {
        v[if user { "userName" } else { "roleName" }] = json!(name);
        v
    };
    let empty = serde_json::Map::new();
    let part = |s: &Option<Value>, k: &str| {
        s.as_ref()
            .and_then(|s| s[k].as_object())
            .cloned()
            .unwrap_or_else(|| empty.clone())
    };
    let (bi, ai) = (part(&r.before, "Inline"), part(&r.after, "Inline"));
    let (bm, am) = (part(&r.before, "Managed"), part(&r.after, "Managed"));
    let mut out = Vec::new();
    let names: std::collections::BTreeSet<&String> = bi.keys().chain(ai.keys()).collect();
    for n in names {
        if bi.get(n) != ai.get(n) {
            let call = match (ai.contains_key(n), user) {
                (true, true) => "PutUserPolicy",
                (true, false) => "PutRolePolicy",
                (false, true) => "DeleteUserPolicy",
                (false, false) => "DeleteRolePolicy",
            };
            out.push(("iam.amazonaws.com", call, who(json!({"policyName": n}))));
        }
    }
    for (arn, p) in &am {
        if bm.get(arn).is_some_and(|b| b["Version"] != p["Version"]) {
            out.push((
                "iam.amazonaws.com",
                "CreatePolicyVersion",
                json!({"policyArn": arn}),
            ));
        }
    }
    let attached = |m: &serde_json::Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
    if attached(&bm) != attached(&am) || out.is_empty() {
        let call = if user {
            "DetachUserPolicy"
        } else {
            "DetachRolePolicy"
        };
        out.push(("iam.amazonaws.com", call, who(json!({}))));
    }
    out
}

/// The EventBridge events of `r`'s change at `at` (none for an action this
/// version does not apply).
pub fn events(r: &Record, at: Timestamp) -> Vec<Value> {
    let calls = match r.action {
        ActionKind::NarrowRolePolicy => narrow_calls(r),
        ActionKind::HoldTraining => r
            .after
            .as_ref()
            .or(r.before.as_ref())
            .and_then(|s| s["Holds"].as_object())
            .map(|h| {
                h.keys()
                    .map(|role| {
                        (
                            "iam.amazonaws.com",
                            "PutRolePolicy",
                            json!({"roleName": role,
                                   "policyName": super::hold_training::HOLD_POLICY}),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        _ => call(r).into_iter().collect(),
    };
    let region = match r.region.as_str() {
        "global" => "us-east-1",
        region => region,
    };
    calls
        .into_iter()
        .enumerate()
        .map(|(i, (source, name, request))| {
            json!({
                "version": "0",
                "id": format!("aispm-verify-{}-{i}", r.action_id),
                "detail-type": "AWS API Call via CloudTrail",
                "source": "aws.aispm.remediation",
                "account": r.account_id,
                "time": at.to_string(),
                "region": region,
                "detail": {
                    "eventSource": source,
                    "eventName": name,
                    "awsRegion": region,
                    "eventTime": at.to_string(),
                    "recipientAccountId": r.account_id,
                    "requestParameters": request,
                    "responseElements": null,
                }
            })
        })
        .collect()
}

/// Rescans the resource `r` changes into the store (after a change or a
/// rollback), as the event of that change would.
pub async fn rescan<S: Store>(
    v: &Verifier,
    store: &S,
    r: &Record,
    at: Timestamp,
) -> Result<(), crate::pipeline::PipelineError> {
    for ev in events(r, at) {
        crate::events::handle(&v.settings, &v.cfg, store, &ev).await?;
    }
    Ok(())
}

/// Rescans what `r` changed and moves it to `verified` or `failed`; a
/// rescan that cannot run leaves it `applied`, saying why.
pub async fn verify<S: Store>(v: &Verifier, store: &S, r: &mut Record, at: Timestamp) {
    if let Err(e) = rescan(v, store, r, at).await {
        r.reason = Some(format!(
            "the rescan could not run: {e}; the finding stays open until a sweep sees it"
        ));
        return;
    }
    match store.finding(&r.finding_id).await {
        Ok(Some(f)) if f.status == FindingStatus::Open && !r.action.resolves_rule(&r.rule_id) => {
            r.status = Status::Verified;
            r.reason = Some(format!(
                "the change read back as made; {} limits the finding's risk without removing its cause, so the finding stays open",
                r.action
            ));
        }
        Ok(Some(f)) if f.status == FindingStatus::Open => {
            r.status = Status::Failed;
            r.reason = Some("the rescan still sees the finding: the fix did not hold".into());
        }
        Ok(Some(_)) => {
            r.status = Status::Verified;
            r.reason = None;
        }
        Ok(None) => {
            r.reason = Some("the finding is no longer stored; not verified".into());
        }
        Err(e) => {
            r.reason = Some(format!(
                "the finding could not be read after the rescan: {e}"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remediate::{Call, Mode};

    fn record(action: ActionKind, arn: &str, region: &str) -> Record {
        Record {
            action_id: "rem-00000000000000aa".into(),
            action,
            finding_id: "f".into(),
            rule_id: "r".into(),
            resource_arn: arn.into(),
            account_id: "111111111111".into(),
            region: region.into(),
            mode: Mode::Auto,
            status: Status::Applied,
            reason: None,
            calls: vec![Call {
                api: "iam:UpdateAccessKey".into(),
                params: json!({"AccessKeyId": "AKIAX"}),
            }],
            before: None,
            after: None,
        }
    }

    #[test]
    fn every_applied_action_has_a_rescan_event_the_event_handler_tracks() {
        let at = Timestamp::parse("2026-12-01T00:00:00Z").unwrap();
        for a in ActionKind::ALL {
            let (arn, region) = match a.resource_types()[0] {
                crate::model::AssetType::IamUser => ("arn:aws:iam::111111111111:user/u", "global"),
                crate::model::AssetType::IamRole => ("arn:aws:iam::111111111111:role/r", "global"),
                crate::model::AssetType::S3Bucket => ("arn:aws:s3:::b", "eu-west-1"),
                crate::model::AssetType::BedrockAgent => (
                    "arn:aws:bedrock:eu-west-1:111111111111:agent/AGENT00001",
                    "eu-west-1",
                ),
                crate::model::AssetType::SecretsmanagerSecret => (
                    "arn:aws:secretsmanager:eu-west-1:111111111111:secret:s-AbCdEf",
                    "eu-west-1",
                ),
                _ => (
                    "arn:aws:bedrock:eu-west-1:111111111111:model-invocation-logging",
                    "eu-west-1",
                ),
            };
            let mut r = record(a, arn, region);
            r.after = Some(json!({"actionGroups": {"GROUP00001": {}},
                                  "Holds": {"train-exec": {}}}));
            let evs = events(&r, at);
            assert!(!evs.is_empty(), "{a}");
            for ev in evs {
                assert!(crate::events::tracked(&ev).unwrap(), "{a}: {ev}");
            }
        }
        let key = events(
            &record(
                ActionKind::DeactivateAccessKey,
                "arn:aws:iam::111111111111:user/u",
                "global",
            ),
            at,
        )
        .remove(0);
        assert_eq!(key["detail"]["requestParameters"]["userName"], "u");
        assert_eq!(key["detail"]["requestParameters"]["accessKeyId"], "AKIAX");
        let mut hold = record(ActionKind::HoldTraining, "arn:aws:s3:::b", "us-east-1");
        hold.after = Some(json!({"Running": [], "Holds": {"train-exec": {}}}));
        let ev = events(&hold, at);
        assert_eq!(ev.len(), 1);
        assert_eq!(
            ev[0]["detail"]["requestParameters"],
            json!({"roleName": "train-exec", "policyName": "aispm-hold-training"})
        );
        // A narrowing is rescanned part by part: the inline policies it
        // wrote or deleted, its attachments, its managed policies' versions.
        let mut n = record(
            ActionKind::NarrowRolePolicy,
            "arn:aws:iam::111111111111:user/u",
            "global",
        );
        let m = "arn:aws:iam::111111111111:policy/p";
        n.before = Some(json!({"Inline": {"a": {"x": 1}, "gone": {}},
                               "Managed": {"arn:aws:iam::aws:policy/Full": {"Version": "v3"},
                                           m: {"Version": "v1"}}}));
        n.after = Some(json!({"Inline": {"a": {"x": 2}, "aispm-narrowed-Full": {}},
                              "Managed": {m: {"Version": "v2"}}}));
        let names: Vec<(String, Value)> = events(&n, at)
            .into_iter()
            .map(|e| {
                (
                    e["detail"]["eventName"].as_str().unwrap().to_owned(),
                    e["detail"]["requestParameters"].clone(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                (
                    "PutUserPolicy".to_owned(),
                    json!({"policyName": "a", "userName": "u"})
                ),
                (
                    "PutUserPolicy".to_owned(),
                    json!({"policyName": "aispm-narrowed-Full", "userName": "u"})
                ),
                (
                    "DeleteUserPolicy".to_owned(),
                    json!({"policyName": "gone", "userName": "u"})
                ),
                ("CreatePolicyVersion".to_owned(), json!({"policyArn": m})),
                ("DetachUserPolicy".to_owned(), json!({"userName": "u"})),
            ]
        );
    }
}
