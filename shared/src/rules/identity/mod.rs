//! Identity rules: what AI workloads' roles and the keys around them can
//! actually do, answered by the IAM engine over [`crate::access::Access`]
//! (effective permissions after inline, managed, group policies and
//! permission boundaries), never by matching policy text.

pub mod access_key_can_invoke_models;
pub mod access_key_unused;
pub mod ai_full_access_policy_attached;
pub mod ai_role_admin;
pub mod ai_role_broad_data_access;
pub mod ai_role_unused;
pub mod ai_role_whole_service;
pub mod bedrock_api_key_admin_user;
pub mod bedrock_api_key_long_term;
pub mod compromised_key_quarantine_attached;
pub mod invoke_without_guardrail_enforcement;
pub mod role_trust_any_principal;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::iam::query::Capabilities;
use crate::model::{AssetType, EdgeKind, Inventory};

/// The roles AI workloads run as, each with the workloads using it. A Lambda
/// function counts only as an agent's tool.
pub(crate) fn ai_roles(inv: &Inventory) -> BTreeMap<&str, BTreeSet<&str>> {
    let tools: BTreeSet<&str> = inv
        .edges
        .iter()
        .filter(|e| e.kind == EdgeKind::InvokesTool)
        .map(|e| e.to.as_str())
        .collect();
    let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in inv.edges.iter().filter(|e| e.kind == EdgeKind::ExecutesAs) {
        let is_ai = match inv.asset(&e.from).map(|a| a.asset_type) {
            Some(AssetType::LambdaFunction) => tools.contains(e.from.as_str()),
            Some(_) => true,
            None => false,
        };
        if is_ai {
            out.entry(e.to.as_str())
                .or_default()
                .insert(e.from.as_str());
        }
    }
    out
}

/// Each role AI workloads run as, with the workloads using it and its
/// effective permissions (roles whose account has no snapshot, or that the
/// engine does not know, are left out).
pub(crate) fn ai_role_capabilities<'a>(
    inv: &'a Inventory,
    access: &'a crate::access::Access,
) -> impl Iterator<Item = (&'a str, BTreeSet<&'a str>, Capabilities<'a>)> {
    ai_roles(inv).into_iter().filter_map(move |(role, users)| {
        let snap = access.account(&inv.asset(role)?.account_id)?;
        let caps = crate::iam::what_can(snap, role).ok()?;
        Some((role, users, caps))
    })
}

/// Granted actions matching `pred`, as `{action: resources}` evidence (with
/// `(conditional)` marked), sorted.
pub(crate) fn granted(caps: &Capabilities<'_>, pred: impl Fn(&str, &str) -> bool) -> Value {
    let mut out = serde_json::Map::new();
    for levels in caps.services.values() {
        for list in levels.values() {
            for c in list.iter().filter(|c| pred(c.service, c.name)) {
                let mut res: Vec<String> = c.resources.iter().map(|r| r.to_string()).collect();
                if c.conditional {
                    res.push("(conditional)".into());
                }
                out.insert(c.action(), json!(res));
            }
        }
    }
    Value::Object(out)
}

/// Evidence that `a` has been idle since before `limit` (unix seconds): its
/// `used` timestamp is older, or it was never used and `created` is older.
/// `None` when it was used (or created) since, or the dates are unknown.
pub(crate) fn idle_since(
    a: &crate::model::Asset,
    used: &str,
    created: &str,
    limit: i64,
) -> Option<Vec<crate::model::FindingEvidence>> {
    let secs = |key: &str| {
        a.str_attr(key).and_then(|s| {
            aws_smithy_types::DateTime::from_str(s, aws_smithy_types::date_time::Format::DateTime)
                .ok()
                .map(|d| d.secs())
        })
    };
    let ev = |field: &str, v: Option<&str>| {
        crate::model::FindingEvidence::new("iam:GetAccountAuthorizationDetails", field, json!(v))
    };
    match (secs(used), secs(created)) {
        (Some(u), _) if u < limit => Some(vec![ev("LastUsedDate", a.str_attr(used))]),
        (None, Some(c)) if c < limit => Some(vec![
            ev("LastUsedDate", None),
            ev("CreateDate", a.str_attr(created)),
        ]),
        _ => None,
    }
}

/// Whether the capability is unconditional on every resource.
pub(crate) fn everywhere(c: &crate::iam::query::Capability<'_>) -> bool {
    !c.conditional && c.resources.iter().any(|r| r == "*")
}

#[cfg(test)]
pub(crate) mod fixture {
    use serde_json::json;

    use crate::model::{Asset, AssetType, Edge, EdgeKind, Evidence, Inventory};
    use crate::rules::testkit::asset;

    /// A role with the given inline policy statements.
    pub fn role(name: &str, statements: serde_json::Value) -> Asset {
        asset(
            AssetType::IamRole,
            &format!("arn:aws:iam::111111111111:role/{name}"),
            json!({
                "trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "inline_policies": [{"name": "inline", "document": {"Version": "2012-10-17", "Statement": statements}}],
                "attached_policies": []
            }),
        )
    }

    /// An inventory where a SageMaker endpoint runs as each role.
    pub fn used_by_endpoint(roles: Vec<Asset>) -> Inventory {
        let mut inv = Inventory::default();
        for (i, r) in roles.into_iter().enumerate() {
            let ep = format!("arn:aws:sagemaker:us-east-1:111111111111:endpoint/ep-{i}");
            inv.edges.push(Edge::new(
                &ep,
                &r.arn,
                EdgeKind::ExecutesAs,
                Evidence::new("sagemaker:DescribeModel", "ExecutionRoleArn"),
            ));
            inv.assets
                .push(asset(AssetType::SagemakerEndpoint, &ep, json!({})));
            inv.assets.push(r);
        }
        inv
    }
}
