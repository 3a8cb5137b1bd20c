//! Which buckets hold AI data. A bucket is in AI scope when an AI workload
//! reads or writes it (the graph's edges), when it is tagged as AI data
//! (`ai-data` by default), or when an AI workload identity can read or write
//! its objects: the IAM engine's what-can over the roles of notebooks, jobs,
//! models, agents, knowledge bases and agent tools, and the users whose
//! active access keys can invoke models. A data-science role with `s3:*`
//! puts every bucket of its account in scope. Each bucket carries the
//! evidence that brought it in.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::access::Access;
use crate::iam::pattern::wildcard_match;
use crate::iam::what_can;
use crate::model::{Asset, AssetType, FindingEvidence, Inventory};
use crate::rules::identity::ai_roles;
use crate::rules::{RuleConfig, of_type};

/// Object reads and writes that put a bucket in scope.
const DATA_ACTIONS: &[&str] = &["s3:GetObject", "s3:PutObject", "s3:DeleteObject"];

/// At most this many identities are named per bucket (`reachable_by_more`
/// counts the others).
const NAMED: usize = 5;

/// The AI data buckets of an inventory, each with why it is in scope: built
/// once per evaluation for the rules that read it ([`crate::rules::Evaluate::DataScope`]).
#[derive(Debug, Default, Clone)]
pub struct AiScope {
    buckets: BTreeMap<String, Why>,
    /// Every bucket (of its own account) each AI identity can read objects
    /// of, with the grant: unbounded, unlike the evidence's named five.
    reads: BTreeMap<String, BTreeMap<String, Value>>,
}

impl AiScope {
    /// Why the bucket `arn` is in scope; `None` when it is not.
    pub fn get(&self, arn: &str) -> Option<&Why> {
        self.buckets.get(arn)
    }

    /// The buckets the AI identity `identity` can read objects of, each with
    /// the grant (`identity`, `action`, `resource`, `conditional`).
    pub fn readable_by(&self, identity: &str) -> impl Iterator<Item = (&str, &Value)> {
        self.reads
            .get(identity)
            .into_iter()
            .flatten()
            .map(|(b, g)| (b.as_str(), g))
    }
}

/// Why one bucket is in AI scope.
#[derive(Debug, Default, Clone)]
pub struct Why {
    used_by: Vec<String>,
    tagged: Option<(String, String)>,
    reachable_by: Vec<Value>,
    more_identities: usize,
}

impl Why {
    /// Evidence naming what brought the bucket into scope.
    pub fn evidence(&self) -> Vec<FindingEvidence> {
        let mut out = Vec::new();
        if !self.used_by.is_empty() {
            out.push(FindingEvidence::new(
                "aispm:graph",
                "used_by",
                json!(self.used_by),
            ));
        }
        if let Some((k, v)) = &self.tagged {
            out.push(FindingEvidence::new(
                "s3:GetBucketTagging",
                &format!("Tag[{k}]"),
                json!(v),
            ));
        }
        if !self.reachable_by.is_empty() {
            out.push(FindingEvidence::new(
                "aispm:iam-engine",
                "reachable_by",
                json!(self.reachable_by),
            ));
        }
        if self.more_identities > 0 {
            out.push(FindingEvidence::new(
                "aispm:iam-engine",
                "reachable_by_more",
                json!(self.more_identities),
            ));
        }
        out
    }
}

/// The AI data buckets of `inv`.
pub(crate) fn ai_buckets(inv: &Inventory, cfg: &RuleConfig, access: &Access) -> AiScope {
    let mut out: BTreeMap<String, Why> = BTreeMap::new();
    let mut reads: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    let buckets: Vec<&Asset> = of_type(inv, AssetType::S3Bucket).collect();
    for b in &buckets {
        let users = super::ai_users(inv, &b.arn);
        if !users.is_empty() {
            out.entry(b.arn.clone()).or_default().used_by =
                users.into_iter().map(str::to_owned).collect();
        }
        if let Some((k, v)) = ai_data_tag(b, cfg) {
            out.entry(b.arn.clone()).or_default().tagged = Some((k.to_owned(), v.to_owned()));
        }
    }
    for identity in ai_identities(inv, access) {
        let Some(asset) = inv.asset(identity) else {
            continue;
        };
        let Some(snap) = access.account(&asset.account_id) else {
            continue;
        };
        let Ok(caps) = what_can(snap, identity) else {
            continue;
        };
        for b in buckets.iter().filter(|b| b.account_id == asset.account_id) {
            let Some(name) = b.arn.strip_prefix("arn:aws:s3:::") else {
                continue;
            };
            let grant = |a: &str| {
                let c = caps.action(a)?;
                let r = c.resources.iter().find(|r| reaches_objects(r, name))?;
                Some(
                    json!({"identity": identity, "action": a, "resource": r, "conditional": c.conditional}),
                )
            };
            // The read (DATA_ACTIONS[0]) is kept for every bucket; the first
            // grant of any data action is the scope's evidence.
            let read = grant(DATA_ACTIONS[0]);
            if let Some(read) = &read {
                reads
                    .entry(identity.to_owned())
                    .or_default()
                    .insert(b.arn.clone(), read.clone());
            }
            if let Some(g) = read.or_else(|| DATA_ACTIONS[1..].iter().find_map(|a| grant(a))) {
                let why = out.entry(b.arn.clone()).or_default();
                if why.reachable_by.len() < NAMED {
                    why.reachable_by.push(g);
                } else {
                    why.more_identities += 1;
                }
            }
        }
    }
    AiScope {
        buckets: out,
        reads,
    }
}

/// The AI data tag on `b`, if any: one of the configured keys with a value
/// other than `false` / `no`.
fn ai_data_tag<'a>(b: &'a Asset, cfg: &'a RuleConfig) -> Option<(&'a str, &'a str)> {
    cfg.ai_data_tag_keys.iter().find_map(|k| {
        let v = b.tag(k)?;
        (!matches!(v.to_ascii_lowercase().as_str(), "false" | "no" | "0"))
            .then_some((k.as_str(), v))
    })
}

/// The identities AI workloads act as: their roles, and users whose active
/// access keys can invoke models.
fn ai_identities<'a>(inv: &'a Inventory, access: &Access) -> Vec<&'a str> {
    let mut out: Vec<&str> = ai_roles(inv).into_keys().collect();
    for key in of_type(inv, AssetType::IamAccessKey) {
        if key.str_attr("status") != Some("Active") {
            continue;
        }
        if let Some(user) = key.str_attr("user_arn")
            && !out.contains(&user)
            && crate::rules::identity::access_key_can_invoke_models::invoke_evidence(
                access, inv, user,
            )
            .is_some()
        {
            out.push(user);
        }
    }
    out
}

/// Whether a resource pattern of an allowing statement covers objects of
/// `bucket`: `*`, `arn:aws:s3:::<glob>/<anything>` whose bucket glob matches,
/// `arn:aws:s3:::<glob>*`; `NOT p` (NotResource) unless `p` covers every
/// object of the bucket.
fn reaches_objects(pattern: &str, bucket: &str) -> bool {
    if let Some(not) = pattern.strip_prefix("NOT ") {
        return !wildcard_match(not, &format!("arn:aws:s3:::{bucket}/*"));
    }
    if pattern == "*" {
        return true;
    }
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    let [arn, _, service, region, account, resource] = parts[..] else {
        return false;
    };
    if arn != "arn" || !wildcard_match(service, "s3") || !region.is_empty() && region != "*" {
        return false;
    }
    if !account.is_empty() && account != "*" {
        return false;
    }
    match resource.split_once('/') {
        Some((glob, _)) => wildcard_match(glob, bucket),
        // `train*` matches `train/key`; `train` (the bucket itself) does not.
        None => resource.ends_with('*') && wildcard_match(resource, &format!("{bucket}/")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::identity::fixture::{role, used_by_endpoint};
    use crate::rules::testkit::asset;

    fn bucket(name: &str, tags: Value) -> Asset {
        let mut b = asset(
            AssetType::S3Bucket,
            &format!("arn:aws:s3:::{name}"),
            json!({}),
        );
        b.account_id = "111111111111".into();
        if let Value::Object(t) = tags {
            for (k, v) in t {
                b.tags.insert(k, v.as_str().unwrap_or_default().to_owned());
            }
        }
        b
    }

    fn scope(inv: &Inventory) -> BTreeMap<String, Why> {
        ai_buckets(inv, &RuleConfig::default(), &Access::from_inventory(inv)).buckets
    }

    #[test]
    fn a_wildcard_role_puts_every_bucket_of_its_account_in_scope() {
        let mut inv = used_by_endpoint(vec![role(
            "ds",
            json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
        )]);
        inv.assets.push(bucket("scratch", json!({})));
        let mut other = bucket("elsewhere", json!({}));
        other.account_id = "222222222222".into();
        inv.assets.push(other);
        let s = scope(&inv);
        let why = &s["arn:aws:s3:::scratch"];
        assert!(why.used_by.is_empty() && why.tagged.is_none());
        let ev = why.evidence();
        assert_eq!(ev[0].field, "reachable_by");
        assert_eq!(ev[0].value[0]["action"], "s3:GetObject");
        assert_eq!(ev[0].value[0]["resource"], "*");
        assert!(
            ev[0].value[0]["identity"]
                .as_str()
                .unwrap()
                .ends_with("role/ds")
        );
        assert!(
            !s.contains_key("arn:aws:s3:::elsewhere"),
            "another account's bucket"
        );
    }

    #[test]
    fn past_five_identities_the_evidence_counts_the_rest() {
        let roles = (0..7)
            .map(|i| {
                role(
                    &format!("ds-{i}"),
                    json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
                )
            })
            .collect();
        let mut inv = used_by_endpoint(roles);
        inv.assets.push(bucket("scratch", json!({})));
        let ev = scope(&inv)["arn:aws:s3:::scratch"].evidence();
        assert_eq!(ev[0].field, "reachable_by");
        assert_eq!(ev[0].value.as_array().map(Vec::len), Some(5));
        assert_eq!(ev[1].field, "reachable_by_more");
        assert_eq!(ev[1].value, json!(2));
    }

    #[test]
    fn scoped_roles_reach_only_their_buckets_and_tags_count() {
        let mut inv = used_by_endpoint(vec![role(
            "trainer",
            json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::train-*/datasets/*"},
                   {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::payroll"}]),
        )]);
        inv.assets.push(bucket("train-fraud", json!({})));
        inv.assets.push(bucket("payroll", json!({})));
        inv.assets
            .push(bucket("eval-sets", json!({"ai-data": "true"})));
        inv.assets.push(bucket("logs", json!({"ai-data": "false"})));
        let s = scope(&inv);
        let names: Vec<&str> = s.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            ["arn:aws:s3:::eval-sets", "arn:aws:s3:::train-fraud"]
        );
        assert_eq!(
            s["arn:aws:s3:::eval-sets"].evidence()[0].field,
            "Tag[ai-data]"
        );
    }

    #[test]
    fn resource_patterns_cover_objects_as_iam_matches_them() {
        assert!(reaches_objects("*", "b"));
        assert!(reaches_objects("arn:aws:s3:::*", "b"));
        assert!(reaches_objects("arn:aws:s3:::b/*", "b"));
        assert!(reaches_objects("arn:aws:s3:::b*", "b"));
        assert!(reaches_objects("arn:*:s3:::b/x/*", "b"));
        assert!(!reaches_objects("arn:aws:s3:::b", "b"));
        assert!(!reaches_objects("arn:aws:s3:::c/*", "b"));
        assert!(!reaches_objects(
            "arn:aws:dynamodb:us-east-1:1:table/*",
            "b"
        ));
        assert!(reaches_objects("NOT arn:aws:s3:::payroll/*", "b"));
        assert!(!reaches_objects("NOT arn:aws:s3:::*", "b"));
    }

    #[test]
    fn readable_by_lists_every_bucket_an_identity_reads() {
        let mut inv = used_by_endpoint(vec![role(
            "reader",
            json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::docs-*/*"}]),
        )]);
        for i in 0..7 {
            inv.assets.push(bucket(&format!("docs-{i}"), json!({})));
        }
        inv.assets.push(bucket("other", json!({})));
        let s = ai_buckets(&inv, &RuleConfig::default(), &Access::from_inventory(&inv));
        let read: Vec<&str> = s
            .readable_by("arn:aws:iam::111111111111:role/reader")
            .map(|(b, g)| {
                assert_eq!(g["action"], "s3:GetObject");
                b
            })
            .collect();
        assert_eq!(read.len(), 7, "{read:?}");
        assert!(!read.contains(&"arn:aws:s3:::other"));
        assert_eq!(
            s.readable_by("arn:aws:iam::111111111111:role/nobody")
                .count(),
            0
        );
    }
}
