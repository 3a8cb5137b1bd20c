//! The IAM-derived part of the asset graph: what the identities around AI
//! workloads can read, write and invoke, and which principals outside an
//! account can reach its data stores. Each edge carries the action the IAM
//! engine evaluated (`aispm:iam-engine`, field = the action, e.g.
//! `s3:GetObject`), so every edge in the graph says what proved it.
//!
//! Identities: the roles AI workloads run as and the users holding access
//! keys (administrators who can read everything are not AI identities and
//! would only add noise). Outsiders: every grantee of a resource policy that
//! is not this account (another account or its principals, the organization,
//! anyone with conditions, anonymous `*`); services are left out.

use std::collections::BTreeSet;

use crate::access::Access;
use crate::iam::query::{Grantee, who_can};
use crate::model::{AssetType, Edge, EdgeKind, Evidence, Inventory};

/// What is checked per resource type: (action, resource ARN suffix, edge).
fn checks(t: AssetType) -> &'static [(&'static str, &'static str, EdgeKind)] {
    match t {
        AssetType::S3Bucket => &[
            ("s3:GetObject", "/*", EdgeKind::CanRead),
            ("s3:PutObject", "/*", EdgeKind::CanWrite),
        ],
        AssetType::SecretsmanagerSecret => {
            &[("secretsmanager:GetSecretValue", "", EdgeKind::CanRead)]
        }
        AssetType::SagemakerEndpoint => &[("sagemaker:InvokeEndpoint", "", EdgeKind::CanInvoke)],
        AssetType::BedrockCustomModel | AssetType::BedrockProvisionedThroughput => {
            &[("bedrock:InvokeModel", "", EdgeKind::CanInvoke)]
        }
        _ => &[],
    }
}

/// The principal an outside grantee names, as an edge target.
fn outsider(g: &Grantee) -> Option<String> {
    match g {
        Grantee::ExternalPrincipal(p) | Grantee::Account(p) | Grantee::Organization(p) => {
            Some(p.clone())
        }
        Grantee::AnyoneRestricted(_) | Grantee::Anonymous => Some("*".to_owned()),
        Grantee::Principal(_) | Grantee::Service(_) | Grantee::Federated(_) => None,
    }
}

/// The resources evaluated for an asset: its ARN plus `suffix` and, for a
/// bucket, one object under each prefix its policy names (a grant on
/// `bucket/labels/*` is found with `bucket/labels/x`, which `bucket/*`
/// alone, being literal, would miss).
fn probes(asset: &crate::model::Asset, suffix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::from([format!("{}{suffix}", asset.arn)]);
    if asset.asset_type != AssetType::S3Bucket {
        return out;
    }
    let prefix = format!("{}/", asset.arn);
    let mut add = |r: &str| {
        if r.starts_with(&prefix) {
            out.insert(r.replace(['*', '?'], "x"));
        }
    };
    let statements = asset
        .attributes
        .get("policy")
        .and_then(|p| p.get("Statement"))
        .map(|s| match s {
            serde_json::Value::Array(list) => list.clone(),
            one => vec![one.clone()],
        })
        .unwrap_or_default();
    for st in &statements {
        match st.get("Resource") {
            Some(serde_json::Value::String(r)) => add(r),
            Some(serde_json::Value::Array(rs)) => {
                rs.iter().filter_map(|r| r.as_str()).for_each(&mut add)
            }
            _ => {}
        }
    }
    out
}

/// The IAM-derived edges of `inv`, sorted and without duplicates.
pub fn iam_edges(inv: &Inventory, access: &Access) -> Vec<Edge> {
    let mut identities: BTreeSet<&str> =
        crate::rules::identity::ai_roles(inv).into_keys().collect();
    identities.extend(
        inv.assets
            .iter()
            .filter(|a| a.asset_type == AssetType::IamAccessKey)
            .filter_map(|k| k.str_attr("user_arn")),
    );
    let mut out = BTreeSet::new();
    for asset in &inv.assets {
        let Some(snap) = access.account(&asset.account_id) else {
            continue;
        };
        for (action, suffix, kind) in checks(asset.asset_type) {
            let mut grantees = Vec::new();
            for resource in probes(asset, suffix) {
                if let Ok(g) = who_can(snap, action, &resource) {
                    grantees.extend(g);
                }
            }
            for g in grantees {
                let field = if g.conditional {
                    format!("{action} (conditional)")
                } else {
                    (*action).to_owned()
                };
                let evidence = Evidence::new("aispm:iam-engine", &field);
                match &g.who {
                    Grantee::Principal(p) if identities.contains(p.as_str()) => {
                        out.insert(Edge::new(p.clone(), asset.arn.clone(), *kind, evidence));
                    }
                    who => {
                        if let Some(to) = outsider(who) {
                            out.insert(Edge::new(
                                asset.arn.clone(),
                                to,
                                EdgeKind::ReachableBy,
                                evidence,
                            ));
                        }
                    }
                }
            }
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{asset, inv};
    use serde_json::json;

    #[test]
    fn ai_roles_get_read_write_edges_and_outsiders_reach_edges() {
        let role = asset(
            AssetType::IamRole,
            "arn:aws:iam::111111111111:role/train",
            json!({
                "inline_policies": [{"name": "p", "document": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}}],
                "attached_policies": [],
            }),
        );
        let other = asset(
            AssetType::IamRole,
            "arn:aws:iam::111111111111:role/admin",
            json!({
                "inline_policies": [{"name": "p", "document": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "*", "Resource": "*"}]}}],
                "attached_policies": [],
            }),
        );
        let bucket = asset(
            AssetType::S3Bucket,
            "arn:aws:s3:::data",
            json!({"policy": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::data/labels/*"},
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}}),
        );
        let model = asset(AssetType::SagemakerModel, "arn:model", json!({}));
        let mut i = inv(vec![role, other, bucket, model]);
        i.edges.push(Edge::new(
            "arn:model",
            "arn:aws:iam::111111111111:role/train",
            EdgeKind::ExecutesAs,
            Evidence::new("sagemaker:DescribeModel", "ExecutionRoleArn"),
        ));
        let access = Access::from_inventory(&i);
        let edges = iam_edges(&i, &access);
        let has = |from: &str, kind: EdgeKind, to: &str| {
            edges
                .iter()
                .any(|e| e.from == from && e.kind == kind && e.to == to)
        };
        assert!(has(
            "arn:aws:iam::111111111111:role/train",
            EdgeKind::CanRead,
            "arn:aws:s3:::data"
        ));
        assert!(!has(
            "arn:aws:iam::111111111111:role/train",
            EdgeKind::CanWrite,
            "arn:aws:s3:::data"
        ));
        assert!(
            !edges.iter().any(|e| e.from.ends_with("role/admin")),
            "identities outside AI workloads are not graphed: {edges:?}"
        );
        assert!(has("arn:aws:s3:::data", EdgeKind::ReachableBy, "*"));
        assert!(edges.iter().any(|e| e.from == "arn:aws:s3:::data"
            && e.kind == EdgeKind::ReachableBy
            && e.to.contains("999988887777")
            && e.evidence.field.starts_with("s3:PutObject")));
    }
}
