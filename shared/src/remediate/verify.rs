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
        ActionKind::S3BlockPublicAccess => (
            "s3.amazonaws.com",
            "PutPublicAccessBlock",
            json!({"bucketName": last(&r.resource_arn)}),
        ),
        _ => return None,
    })
}

/// The EventBridge event of `r`'s change at `at`.
pub fn event(r: &Record, at: Timestamp) -> Option<Value> {
    let (source, name, request) = call(r)?;
    let region = match r.region.as_str() {
        "global" => "us-east-1",
        region => region,
    };
    Some(json!({
        "version": "0",
        "id": format!("aispm-verify-{}", r.action_id),
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
    }))
}

/// Rescans the resource `r` changes into the store (after a change or a
/// rollback), as the event of that change would.
pub async fn rescan<S: Store>(
    v: &Verifier,
    store: &S,
    r: &Record,
    at: Timestamp,
) -> Result<(), crate::pipeline::PipelineError> {
    match event(r, at) {
        Some(ev) => crate::events::handle(&v.settings, &v.cfg, store, &ev)
            .await
            .map(|_| ()),
        None => Ok(()),
    }
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
        Ok(Some(f)) if f.status == FindingStatus::Open && !r.action.resolves() => {
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
        for a in ActionKind::ALL.into_iter().filter(|a| a.can_apply()) {
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
            r.after = Some(json!({"actionGroups": {"GROUP00001": {}}}));
            let ev = event(&r, at).unwrap();
            assert!(crate::events::tracked(&ev).unwrap(), "{a}: {ev}");
        }
        let key = event(
            &record(
                ActionKind::DeactivateAccessKey,
                "arn:aws:iam::111111111111:user/u",
                "global",
            ),
            at,
        )
        .unwrap();
        assert_eq!(key["detail"]["requestParameters"]["userName"], "u");
        assert_eq!(key["detail"]["requestParameters"]["accessKeyId"], "AKIAX");
        assert!(event(&record(ActionKind::HoldTraining, "arn:x", "global"), at).is_none());
    }
}
