//! IAM reasoning over an inventory: one [`AccountSnapshot`] per account, built
//! from what the IAM collector read (roles with trust policies, users with
//! groups, inline and attached policies, permission boundaries) and the
//! resource policies of buckets, keys and functions. Rules ask the engine
//! (`what_can`, `who_can`, `who_can_assume`) instead of matching strings.
//!
//! Not modelled yet: SCPs and RCPs (the organizations collector does not read
//! the OU tree that places them), so answers are upper bounds where an SCP
//! would restrict.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::Value;

use crate::iam::query::{Identity, IdentityKind};
use crate::iam::{AccountSnapshot, Policy};
use crate::model::{Asset, AssetType, Inventory};

/// Policies with their names (inline `arn:inline/name`, managed ARN).
type Named = Vec<(String, Arc<Policy>)>;

/// Per-account IAM snapshots of an inventory.
#[derive(Debug, Default)]
pub struct Access {
    snapshots: BTreeMap<String, AccountSnapshot>,
    unreadable: Vec<Unreadable>,
}

/// A document the engine could not parse and so left out of an account's
/// snapshot: the engine's answers there may be incomplete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The account whose snapshot lacks it.
    pub account_id: String,
    /// The region of the resource holding it (`global` for IAM documents).
    pub region: String,
    /// Which document (`ARN`, `ARN:inline/NAME`, `ARN trust policy`, ...).
    pub what: String,
    /// The parse error.
    pub error: String,
}

fn parsed(doc: Option<&Value>) -> Option<Result<Arc<Policy>, String>> {
    let doc = doc.filter(|d| !d.is_null())?;
    Some(
        Policy::from_value(doc)
            .map(Arc::new)
            .map_err(|e| e.to_string()),
    )
}

/// Parses `doc`; a document that does not parse is recorded against `owner`.
fn policy(
    doc: Option<&Value>,
    what: &str,
    owner: &Asset,
    errors: &mut Vec<Unreadable>,
) -> Option<Arc<Policy>> {
    match parsed(doc)? {
        Ok(p) => Some(p),
        Err(error) => {
            errors.push(Unreadable {
                account_id: owner.account_id.clone(),
                region: owner.region.clone(),
                what: what.to_owned(),
                error,
            });
            None
        }
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

impl Access {
    /// Builds a snapshot for every account with IAM assets.
    pub fn from_inventory(inv: &Inventory) -> Self {
        let mut errors: Vec<Unreadable> = Vec::new();
        let mut missing: Vec<String> = Vec::new();
        // Managed policies by ARN (AWS managed ones are the same in every
        // account); one that does not parse counts where it is attached.
        let mut managed: HashMap<&str, Arc<Policy>> = HashMap::new();
        let mut broken: HashMap<&str, String> = HashMap::new();
        for p in inv
            .assets
            .iter()
            .filter(|a| a.asset_type == AssetType::IamPolicy)
        {
            if managed.contains_key(p.arn.as_str()) {
                continue;
            }
            match parsed(p.attributes.get("document")) {
                Some(Ok(pol)) => {
                    managed.insert(&p.arn, pol);
                }
                Some(Err(e)) => {
                    broken.insert(&p.arn, e);
                }
                None => {}
            }
        }
        let mut out = Self::default();
        let mut groups: HashMap<(&str, &str), Named> = HashMap::new();
        let attached = |a: &Asset, errors: &mut Vec<Unreadable>, missing: &mut Vec<String>| {
            let mut pols = Vec::new();
            for p in a
                .attributes
                .get("inline_policies")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let name = p.get("name").and_then(Value::as_str).unwrap_or("inline");
                let what = format!("{}:inline/{name}", a.arn);
                if let Some(pol) = policy(p.get("document"), &what, a, errors) {
                    pols.push((what, pol));
                }
            }
            for arn in strings(a.attributes.get("attached_policies")) {
                match (managed.get(arn.as_str()), broken.get(arn.as_str())) {
                    (Some(p), _) => pols.push((arn, p.clone())),
                    (None, Some(e)) => errors.push(Unreadable {
                        account_id: a.account_id.clone(),
                        region: a.region.clone(),
                        what: format!("{arn} (attached to {})", a.arn),
                        error: e.clone(),
                    }),
                    (None, None) => {
                        missing.push(format!("{}: attached policy {arn} was not read", a.arn));
                    }
                }
            }
            pols
        };
        for g in inv
            .assets
            .iter()
            .filter(|a| a.asset_type == AssetType::IamGroup)
        {
            let pols = attached(g, &mut errors, &mut missing);
            groups.insert((g.account_id.as_str(), g.name.as_str()), pols);
        }
        for a in &inv.assets {
            let kind = match a.asset_type {
                AssetType::IamRole => IdentityKind::Role,
                AssetType::IamUser => IdentityKind::User,
                _ => continue,
            };
            let mut pols = attached(a, &mut errors, &mut missing);
            for g in strings(a.attributes.get("groups")) {
                pols.extend(
                    groups
                        .get(&(a.account_id.as_str(), g.as_str()))
                        .into_iter()
                        .flatten()
                        .cloned(),
                );
            }
            let boundary = a
                .str_attr("permissions_boundary")
                .and_then(|arn| managed.get(arn).map(|p| (arn.to_owned(), p.clone())));
            let trust = if kind == IdentityKind::Role {
                policy(
                    a.attributes.get("trust_policy"),
                    &format!("{} trust policy", a.arn),
                    a,
                    &mut errors,
                )
            } else {
                None
            };
            out.snapshot_mut(&a.account_id).identities.push(Identity {
                arn: a.arn.clone(),
                kind,
                policies: pols,
                boundary,
                trust,
                tags: a.tags.clone(),
            });
        }
        for a in &inv.assets {
            if !matches!(
                a.asset_type,
                AssetType::S3Bucket
                    | AssetType::KmsKey
                    | AssetType::LambdaFunction
                    | AssetType::SecretsmanagerSecret
            ) {
                continue;
            }
            if let Some(doc) = a.attributes.get("policy").filter(|d| d.is_object()) {
                let snap = out.snapshot_mut(&a.account_id);
                if let Err(e) = snap.add_resource_policy(&a.arn, doc) {
                    errors.push(Unreadable {
                        account_id: a.account_id.clone(),
                        region: a.region.clone(),
                        what: format!("{} policy", a.arn),
                        error: e.to_string(),
                    });
                }
            }
        }
        for e in &errors {
            tracing::warn!(document = %e.what, error = %e.error, "IAM document not understood; left out of IAM reasoning");
        }
        for m in missing {
            tracing::debug!(detail = %m, "attached policy not in the inventory");
        }
        out.unreadable = errors;
        out
    }

    fn snapshot_mut(&mut self, account: &str) -> &mut AccountSnapshot {
        self.snapshots
            .entry(account.to_owned())
            .or_insert_with(|| AccountSnapshot {
                account: account.to_owned(),
                ..AccountSnapshot::default()
            })
    }

    /// The documents left out because the engine could not parse them.
    pub fn unreadable(&self) -> &[Unreadable] {
        &self.unreadable
    }

    /// The snapshot of one account.
    pub fn account(&self, account: &str) -> Option<&AccountSnapshot> {
        self.snapshots.get(account)
    }

    /// Every account's snapshot, by account id.
    pub fn accounts(&self) -> impl Iterator<Item = &AccountSnapshot> {
        self.snapshots.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::{Grantee, what_can, who_can_assume};
    use crate::rules::testkit::asset;
    use serde_json::json;

    #[test]
    fn roles_users_groups_and_managed_policies_become_a_snapshot() {
        let mut admin = asset(
            AssetType::IamPolicy,
            "arn:aws:iam::aws:policy/AdministratorAccess",
            json!({
            "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}),
        );
        admin.account_id = "111111111111".into();
        let role = asset(
            AssetType::IamRole,
            "arn:aws:iam::111111111111:role/notebook",
            json!({
            "trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]},
            "inline_policies": [{"name": "read", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
            "attached_policies": []}),
        );
        let group = asset(
            AssetType::IamGroup,
            "arn:aws:iam::111111111111:group/admins",
            json!({
            "inline_policies": [], "attached_policies": ["arn:aws:iam::aws:policy/AdministratorAccess"]}),
        );
        let user = asset(
            AssetType::IamUser,
            "arn:aws:iam::111111111111:user/alice",
            json!({
            "inline_policies": [], "attached_policies": [], "groups": ["admins"]}),
        );
        let inv = Inventory {
            assets: vec![admin, role, group, user],
            ..Inventory::default()
        };
        let access = Access::from_inventory(&inv);
        let snap = access.account("111111111111").unwrap();
        assert_eq!(snap.identities.len(), 2);
        let alice = what_can(snap, "arn:aws:iam::111111111111:user/alice").unwrap();
        assert!(
            alice.action("iam:CreateUser").is_some(),
            "admin through her group"
        );
        let notebook = what_can(snap, "arn:aws:iam::111111111111:role/notebook").unwrap();
        assert_eq!(notebook.actions, 1);
        let assume = who_can_assume(snap, "arn:aws:iam::111111111111:role/notebook").unwrap();
        assert!(assume.iter().any(|a| a.who == Grantee::Anonymous));
    }
}
