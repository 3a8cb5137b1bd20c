//! The event map against the samples in `events/`, the resource specs and
//! the infrastructure's forwarding rules.

use serde_json::Value;

use super::map::{self, Call, Route};
use super::{Trigger, parse};
use crate::aws::CollectError;
use crate::collect::spec::{EventCalls, ResourceSpec, by_name, list_fn, read_fn};
use crate::collect::{Batch, Ctx, SPECS, Scope};
use crate::model::AssetType;

fn sample(path: &str) -> Value {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../events")
        .join(path);
    serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap()
}

#[test]
fn every_mapped_call_has_a_sample_that_parses_and_maps() {
    for (source, name) in map::calls() {
        let dir = source.split('.').next().unwrap_or_default();
        let v = sample(&format!("cloudtrail/{dir}/{name}.json"));
        let e = parse(&v).unwrap().expect("tracked");
        assert_eq!(e.account_id, "111122223333");
        assert_eq!(e.time.to_string(), "2026-11-20T10:00:00.000Z");
        match e.trigger {
            Trigger::Api {
                source: s,
                name: n,
                request,
                response,
                ..
            } => {
                assert_eq!((s.as_str(), n.as_str()), (source, name));
                let call = map::lookup(&s, &n).expect("mapped");
                let route = map::route(call, &n, &request, &response, None)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                if let Route::Resource { calls, id, .. } = &route {
                    assert!(
                        calls.id.is_empty() || !id.is_empty(),
                        "{name}: no identifier"
                    );
                } else {
                    assert!(!route.resource().is_empty(), "{name}: no identifier");
                }
            }
            other => panic!("{other:?}"),
        }
    }
    let h = parse(&sample("health/AWS_RISK_CREDENTIALS_EXPOSED.json"))
        .unwrap()
        .expect("tracked");
    assert_eq!(
        h.trigger,
        Trigger::CredentialsExposed {
            keys: vec!["AKIAEXAMPLEEXPOSED01".to_owned()]
        }
    );
}

#[test]
fn failed_calls_and_other_events_are_ignored_malformed_ones_say_why() {
    let mut failed = sample("cloudtrail/s3/PutBucketPolicy.json");
    failed["detail"]["errorCode"] = Value::String("AccessDenied".into());
    assert_eq!(parse(&failed).unwrap(), None);
    let other = serde_json::json!({"id": "1", "detail-type": "Scheduled Event", "detail": {}});
    assert_eq!(parse(&other).unwrap(), None);
    let err = |v: Value| parse(&v).unwrap_err().to_string();
    assert!(err(Value::Null).contains("not a JSON object"));
    let mut bad = sample("cloudtrail/s3/PutBucketPolicy.json");
    bad["detail"]["recipientAccountId"] = Value::String("12".into());
    assert!(err(bad).contains("account id `12`"));
    let mut bad = sample("cloudtrail/s3/PutBucketPolicy.json");
    bad["account"] = Value::String("999988887777".into());
    assert_eq!(
        err(bad),
        "malformed event: `account` `999988887777` is not `detail.recipientAccountId` `111122223333`"
    );
    let mut bad = sample("cloudtrail/s3/PutBucketPolicy.json");
    bad["detail"]["awsRegion"] = Value::String("mars-1".into());
    assert!(err(bad).contains("unknown region `mars-1`"));
    let mut bad = sample("health/AWS_RISK_CREDENTIALS_EXPOSED.json");
    bad["detail"]["affectedEntities"] = serde_json::json!([]);
    assert!(err(bad).contains("affectedEntities"));
    let mut bad = sample("cloudtrail/s3/PutBucketPolicy.json");
    bad.as_object_mut().unwrap().remove("detail");
    assert!(err(bad).starts_with("malformed event: no `detail` object"));
}

#[test]
fn rows_are_unique_and_the_infrastructure_forwards_exactly_them() {
    let mut seen = std::collections::BTreeSet::new();
    for (source, name) in map::calls() {
        assert!(seen.insert((source, name)), "{name} twice");
    }
    assert!(map::lookup("s3.amazonaws.com", "PutBucketPolicy").is_some());
    // The infrastructure forwards exactly the mapped calls, per service.
    let infra = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra");
    let member: Value =
        serde_json::from_str(&std::fs::read_to_string(infra.join("member-account.json")).unwrap())
            .unwrap();
    let template = std::fs::read_to_string(infra.join("template.yaml")).unwrap();
    for (source, rule) in [
        ("s3.amazonaws.com", "ForwardApiCalls"),
        ("iam.amazonaws.com", "ForwardIamCalls"),
        ("secretsmanager.amazonaws.com", "ForwardSecretsCalls"),
        ("sagemaker.amazonaws.com", "ForwardSageMakerCalls"),
        ("kms.amazonaws.com", "ForwardKmsCalls"),
        ("bedrock.amazonaws.com", "ForwardBedrockCalls"),
        ("bedrock-agentcore.amazonaws.com", "ForwardAgentCoreCalls"),
    ] {
        let names: Vec<&str> = map::calls()
            .into_iter()
            .filter(|(s, _)| *s == source)
            .map(|(_, n)| n)
            .collect();
        let forwarded =
            &member["Resources"][rule]["Properties"]["EventPattern"]["detail"]["eventName"];
        assert_eq!(forwarded, &serde_json::json!(names), "{rule}");
        let line = format!("eventName: [{}]", names.join(", "));
        assert_eq!(template.matches(&line).count(), 2, "template.yaml: {line}");
    }
    assert!(map::lookup("s3.amazonaws.com", "GetObject").is_none());
}

#[test]
fn every_spec_is_swept_and_its_calls_map_back_to_it() {
    for spec in SPECS {
        assert!(
            crate::collect::collector(spec.id)
                .is_some_and(|c| c.id == spec.id && c.events.len() == spec.events.len()),
            "{}: not in the sweep's table",
            spec.id
        );
        if !spec.events.is_empty() {
            assert!(spec.read.is_some(), "{}: calls but no reader", spec.id);
            assert!(spec.asset_type.is_some(), "{}: calls but no type", spec.id);
        }
        for calls in spec.events {
            for name in calls.names {
                match map::lookup(calls.source, name) {
                    Some(Call::Resource(s, c)) => {
                        assert_eq!(s.id, spec.id, "{name}");
                        assert_eq!(c.names, calls.names, "{name}");
                    }
                    other => panic!("{name} maps to {other:?}, not {}", spec.id),
                }
            }
        }
        if let Some(t) = spec.asset_type.filter(|_| spec.read.is_some()) {
            let found = crate::collect::spec::of_type(SPECS, t).map(|s| s.id);
            assert_eq!(found, Some(spec.id), "tag calls on a {t:?} re-read it");
        }
    }
}

/// A kind the catalog does not have, declared as a new collector file
/// would declare it: its reader and its spec. Listing it in a spec table is
/// the only other change; the event map then routes its calls.
mod new_kind {
    use super::*;

    async fn apps(_ctx: &Ctx) -> Result<Batch, CollectError> {
        Ok(Batch::default())
    }

    async fn app(_ctx: &Ctx, _id: &str) -> Result<Option<Batch>, CollectError> {
        Ok(None)
    }

    pub const SPEC: ResourceSpec = ResourceSpec::readable(
        "sagemaker.apps",
        Scope::Regional,
        AssetType::SagemakerUserProfile,
        list_fn!(apps),
        read_fn!(app),
        by_name,
    )
    .on(&[EventCalls {
        source: "sagemaker.amazonaws.com",
        names: &["CreateApp", "DeleteApp"],
        id: &["domainId+appName"],
        part: None,
    }]);

    pub static TABLE: [&ResourceSpec; 2] = [&SPEC, &crate::collect::sagemaker::models::SPEC];
}

#[test]
fn adding_a_resource_kind_is_a_spec_and_its_reader() {
    let request = serde_json::json!({"domainId": "d-1", "appName": "lab"});
    let call = map::lookup_in(&new_kind::TABLE, "sagemaker.amazonaws.com", "CreateApp")
        .expect("the new kind's call is mapped");
    let route = map::route(call, "CreateApp", &request, &Value::Null, None).unwrap();
    assert_eq!(route.scope("eu-west-1"), "eu-west-1");
    match route {
        Route::Resource { spec, id, .. } => {
            assert_eq!(spec.id, "sagemaker.apps");
            assert_eq!(id, "d-1/lab");
        }
        other => panic!("{other:?}"),
    }
    // The kinds already there keep their calls; the production table does
    // not know the new one.
    assert!(map::lookup_in(&new_kind::TABLE, "sagemaker.amazonaws.com", "CreateModel").is_some());
    assert!(map::lookup("sagemaker.amazonaws.com", "CreateApp").is_none());
    let err = map::route(call, "CreateApp", &Value::Null, &Value::Null, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "malformed event: CreateApp: no domainId+appName in the call"
    );
}

fn config(regions: &str, accounts: Option<&str>) -> crate::pipeline::PipelineConfig {
    crate::pipeline::PipelineConfig::from_env(|k| match k {
        "AISPM_TABLE" => Some("t".to_owned()),
        "AISPM_REGIONS" => Some(regions.to_owned()),
        "AISPM_ACCOUNTS" => accounts.map(str::to_owned),
        _ => None,
    })
    .unwrap()
}

/// Settings whose every request would fail: the cases below are decided
/// before any.
fn offline() -> crate::aws::AwsSettings {
    crate::aws::AwsSettings {
        endpoint_url: Some("http://127.0.0.1:9".to_owned()),
        connect_timeout: std::time::Duration::from_millis(200),
        max_attempts: 1,
        ..crate::aws::AwsSettings::default()
    }
}

#[tokio::test]
async fn events_of_unswept_accounts_and_regions_are_ignored_before_any_call() {
    let store = crate::store::MemoryStore::new();
    let policy = sample("cloudtrail/s3/PutBucketPolicy.json");
    let account = policy["account"].as_str().unwrap().to_owned();
    // a bucket is global: its events count from any region
    let mut kms = sample("cloudtrail/kms/PutKeyPolicy.json");
    kms["region"] = "ap-south-1".into();
    kms["detail"]["awsRegion"] = "ap-south-1".into();
    let out = super::handle(&offline(), &config("us-east-1", None), &store, &kms)
        .await
        .unwrap();
    assert!(!out.handled, "{out:?}");
    assert_eq!(out.requests, 0);
    // an account outside AISPM_ACCOUNTS
    let out = super::handle(
        &offline(),
        &config("us-east-1", Some("999999999999")),
        &store,
        &policy,
    )
    .await
    .unwrap();
    assert!(!out.handled, "{out:?}");
    // a configured one goes on to the network (and fails there, offline)
    let err = super::handle(
        &offline(),
        &config("us-east-1", Some(&account)),
        &store,
        &policy,
    )
    .await
    .unwrap_err();
    assert!(
        !err.to_string().contains("not the event's account"),
        "{err}"
    );
}

#[tokio::test]
async fn a_call_naming_another_accounts_resource_is_refused() {
    let store = crate::store::MemoryStore::new();
    let mut kms = sample("cloudtrail/kms/PutKeyPolicy.json");
    let account = kms["account"].as_str().unwrap().to_owned();
    kms["detail"]["requestParameters"]["keyId"] =
        "arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab".into();
    let err = super::handle(&offline(), &config("us-east-1", None), &store, &kms)
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("999999999999") && msg.contains(&format!("not the event's account {account}")),
        "{msg}"
    );
}
