//! What an AI workload needs to keep running, so that a narrowing never cuts
//! it off: for each workload that runs as an identity (`ExecutesAs`), the
//! actions its links call for on the resources they name (a training job
//! reads its input bucket, writes its output bucket and uses its key; an
//! agent invokes its model and retrieves from its knowledge base), kept
//! only where the engine's `what_can` says the identity's own policies
//! allow them there. IAM's last-accessed report does not track data events
//! such as `s3:GetObject`, and a quiet month is not a month without
//! training: these actions stay whatever the report says.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::access::Access;
use crate::iam::pattern::wildcard_match;
use crate::iam::{Capabilities, what_can};
use crate::model::{Edge, EdgeKind, Inventory};

/// One action a workload needs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Need {
    /// `service:Action`.
    pub action: String,
    /// The resource it is needed on.
    pub resource: String,
    /// The workload that needs it.
    pub workload: String,
    /// The link that calls for it (`reads_data`, `encrypted_by`, ...).
    pub link: String,
}

/// What a link from a workload asks of the identity it runs as, on the
/// link's target: `(action, on the target's objects)`.
fn asks(kind: EdgeKind, to: &str) -> &'static [(&'static str, bool)] {
    let bucket = to.contains(":s3:::");
    match kind {
        EdgeKind::ReadsData | EdgeKind::DataSource | EdgeKind::ArtifactIn if bucket => {
            &[("s3:GetObject", true), ("s3:ListBucket", false)]
        }
        EdgeKind::WritesData if bucket => &[("s3:PutObject", true), ("s3:ListBucket", false)],
        EdgeKind::UsesModel => &[
            ("bedrock:InvokeModel", false),
            ("bedrock:InvokeModelWithResponseStream", false),
        ],
        EdgeKind::UsesKnowledgeBase => &[("bedrock:Retrieve", false)],
        EdgeKind::EncryptedBy => &[("kms:Decrypt", false), ("kms:GenerateDataKey", false)],
        _ => &[],
    }
}

/// Whether one of the capability's resource patterns covers `resource`
/// (for object actions, any object of the bucket).
fn covers(patterns: &[std::borrow::Cow<'_, str>], resource: &str, objects: bool) -> bool {
    let target = if objects {
        format!("{resource}/*")
    } else {
        resource.to_owned()
    };
    patterns.iter().any(|p| match p.strip_prefix("NOT ") {
        Some(not) => !wildcard_match(not, &target),
        None => wildcard_match(p, &target) || (objects && p.starts_with(&format!("{resource}/"))),
    })
}

fn granted(caps: &Capabilities<'_>, action: &str, resource: &str, objects: bool) -> bool {
    caps.action(action)
        .is_some_and(|c| covers(&c.resources, resource, objects))
}

/// The needs of every workload of `inv` that runs as a role or user of its
/// account, by identity ARN. An identity the engine cannot read needs
/// nothing it can vouch for and is left out.
pub fn needs(inv: &Inventory, access: &Access) -> BTreeMap<String, Vec<Need>> {
    let mut runs_as: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut from: BTreeMap<&str, Vec<&Edge>> = BTreeMap::new();
    for e in &inv.edges {
        if e.kind == EdgeKind::ExecutesAs {
            runs_as.entry(&e.to).or_default().insert(&e.from);
        }
        from.entry(&e.from).or_default().push(e);
    }
    let edges_from = |arn: &str| from.get(arn).into_iter().flatten().copied();
    let mut out = BTreeMap::new();
    for (identity, workloads) in runs_as {
        let Some(snap) = inv
            .asset(identity)
            .and_then(|a| access.account(&a.account_id))
        else {
            continue;
        };
        let Ok(caps) = what_can(snap, identity) else {
            continue;
        };
        // The workload's own links, and the keys of the data it links to.
        let mut links: Vec<(&str, EdgeKind, &str)> = Vec::new();
        for w in &workloads {
            for e in edges_from(w) {
                links.push((w, e.kind, &e.to));
                if matches!(
                    e.kind,
                    EdgeKind::ReadsData
                        | EdgeKind::WritesData
                        | EdgeKind::DataSource
                        | EdgeKind::ArtifactIn
                ) {
                    for k in edges_from(&e.to).filter(|k| k.kind == EdgeKind::EncryptedBy) {
                        links.push((w, EdgeKind::EncryptedBy, &k.to));
                    }
                }
            }
        }
        let mut found: BTreeSet<Need> = BTreeSet::new();
        for (workload, kind, to) in links {
            for (action, objects) in asks(kind, to) {
                if granted(&caps, action, to, *objects) {
                    found.insert(Need {
                        action: (*action).to_owned(),
                        resource: to.to_owned(),
                        workload: workload.to_owned(),
                        link: serde_json::to_value(kind)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default(),
                    });
                }
            }
        }
        if !found.is_empty() {
            out.insert(identity.to_owned(), found.into_iter().collect());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AssetType, Evidence};
    use crate::rules::testkit::asset;
    use serde_json::json;

    const ROLE: &str = "arn:aws:iam::111111111111:role/trainer";
    const JOB: &str = "arn:aws:sagemaker:us-east-1:111111111111:training-job/j";

    fn edge(from: &str, to: &str, kind: EdgeKind) -> Edge {
        Edge::new(from, to, kind, Evidence::new("test", "field"))
    }

    fn estate(statement: serde_json::Value) -> Inventory {
        let mut role = asset(AssetType::IamRole, ROLE, json!({}));
        role.attributes.insert(
            "inline_policies".into(),
            json!([{"name": "p", "document": {"Version": "2012-10-17", "Statement": [statement]}}]),
        );
        Inventory {
            assets: vec![role, asset(AssetType::SagemakerTrainingJob, JOB, json!({}))],
            edges: vec![
                edge(JOB, ROLE, EdgeKind::ExecutesAs),
                edge(JOB, "arn:aws:s3:::train", EdgeKind::ReadsData),
                edge(JOB, "arn:aws:s3:::out", EdgeKind::WritesData),
                edge(
                    "arn:aws:s3:::train",
                    "arn:aws:kms:us-east-1:111111111111:key/k",
                    EdgeKind::EncryptedBy,
                ),
            ],
            ..Inventory::default()
        }
    }

    fn actions(inv: &Inventory) -> Vec<(String, String)> {
        needs(inv, &Access::from_inventory(inv))
            .remove(ROLE)
            .unwrap_or_default()
            .into_iter()
            .map(|n| (n.action, n.resource))
            .collect()
    }

    #[test]
    fn a_training_role_keeps_reading_and_writing_its_data_and_its_key() {
        let inv = estate(json!({"Effect": "Allow", "Action": ["s3:*", "kms:*"], "Resource": "*"}));
        let got = actions(&inv);
        for (a, r) in [
            ("s3:GetObject", "arn:aws:s3:::train"),
            ("s3:ListBucket", "arn:aws:s3:::train"),
            ("s3:PutObject", "arn:aws:s3:::out"),
            ("kms:Decrypt", "arn:aws:kms:us-east-1:111111111111:key/k"),
        ] {
            assert!(got.contains(&(a.into(), r.into())), "{a} on {r}: {got:?}");
        }
        // Nothing beyond the links: no write to the input, no delete.
        assert!(!got.contains(&("s3:PutObject".into(), "arn:aws:s3:::train".into())));
        assert!(!got.iter().any(|(a, _)| a == "s3:DeleteObject"));
    }

    #[test]
    fn what_its_policies_do_not_allow_there_is_not_a_need() {
        // Reads only a prefix of another bucket: nothing on `train` or `out`.
        let inv = estate(json!({"Effect": "Allow", "Action": "s3:GetObject",
                                "Resource": "arn:aws:s3:::elsewhere/*"}));
        assert_eq!(actions(&inv), Vec::new());
        // A prefix of the input bucket is within it.
        let inv = estate(json!({"Effect": "Allow", "Action": "s3:GetObject",
                                "Resource": "arn:aws:s3:::train/data/*"}));
        assert_eq!(
            actions(&inv),
            vec![("s3:GetObject".into(), "arn:aws:s3:::train".into())]
        );
    }

    #[test]
    fn an_identity_no_workload_runs_as_needs_nothing() {
        let mut inv = estate(json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}));
        inv.edges.retain(|e| e.kind != EdgeKind::ExecutesAs);
        assert!(needs(&inv, &Access::from_inventory(&inv)).is_empty());
    }
}
