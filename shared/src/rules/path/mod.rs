//! Attack paths: toxic combinations found on the asset graph and the IAM
//! engine's answers, each reported as one finding on the path's head asset
//! whose evidence lists every step (edge or IAM answer) with where it came
//! from. [`crate::rules::evaluate`] links a path to the findings on the assets
//! it crosses and ranks it above them.
//!
//! Every path finding carries two pieces of evidence from `aispm:path`:
//! `steps` (ordered `{from, relation, to, source, field}`) and `assets` (every
//! ARN on the path, used for linking).

pub mod agent_excessive_agency;
pub mod cross_account_training_data;
pub mod exposed_key_blast_radius;
pub mod poisonable_training_data;
pub mod rag_poisoning;
pub mod unowned_endpoint_reads_data;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::iam::query::Capabilities;
use crate::model::{Edge, FindingEvidence};

/// Source of the evidence a path adds.
pub(crate) const SOURCE: &str = "aispm:path";

/// Collects a path's steps and assets.
#[derive(Debug, Default)]
pub(crate) struct PathBuilder {
    steps: Vec<Value>,
    assets: BTreeSet<String>,
}

impl PathBuilder {
    /// A path starting at `head`.
    pub(crate) fn new(head: &str) -> Self {
        let mut p = Self::default();
        p.assets.insert(head.to_owned());
        p
    }

    /// A step proven by a graph edge.
    pub(crate) fn edge(&mut self, e: &Edge) -> &mut Self {
        let relation = serde_json::to_value(e.kind).unwrap_or(Value::Null);
        self.steps.push(json!({
            "from": e.from, "relation": relation, "to": e.to,
            "source": e.evidence.source, "field": e.evidence.field,
        }));
        self.assets.insert(e.from.clone());
        self.assets.insert(e.to.clone());
        self
    }

    /// A step proven by something other than an edge (the IAM engine, a
    /// policy statement); `to` is not an asset ARN when it names actions.
    pub(crate) fn step(
        &mut self,
        from: &str,
        relation: &str,
        to: Value,
        source: &str,
        field: &str,
    ) -> &mut Self {
        self.steps.push(json!({
            "from": from, "relation": relation, "to": to, "source": source, "field": field,
        }));
        self.assets.insert(from.to_owned());
        self
    }

    /// Adds an asset that is on the path without a step of its own.
    pub(crate) fn asset(&mut self, arn: &str) -> &mut Self {
        self.assets.insert(arn.to_owned());
        self
    }

    /// The path's evidence, followed by `extra`.
    pub(crate) fn evidence(self, extra: Vec<FindingEvidence>) -> Vec<FindingEvidence> {
        let mut out = vec![
            FindingEvidence::new(SOURCE, "steps", Value::Array(self.steps)),
            FindingEvidence::new(SOURCE, "assets", json!(self.assets)),
        ];
        out.extend(extra);
        out
    }
}

/// Follows what data readers (jobs, pipelines) produce to the models and
/// the endpoints serving them: models trained into the buckets a reader
/// writes, custom models it produces, registries it registers into, then
/// the endpoint configurations serving those models and their endpoints.
/// Adds every edge taken to `path`; returns the models and endpoints.
pub(crate) fn follow_to_endpoints(
    inv: &crate::model::Inventory,
    path: &mut PathBuilder,
    readers: &[&Edge],
) -> (BTreeSet<String>, BTreeSet<String>) {
    use crate::model::EdgeKind;
    let mut models = BTreeSet::new();
    let mut endpoints = BTreeSet::new();
    for read in readers {
        path.edge(read);
        for out in inv.edges_from(&read.from) {
            match out.kind {
                EdgeKind::Produces | EdgeKind::RegistersIn => {
                    path.edge(out);
                    models.insert(out.to.clone());
                }
                EdgeKind::WritesData => {
                    for art in inv
                        .edges_to(&out.to)
                        .filter(|e| e.kind == EdgeKind::ArtifactIn)
                    {
                        path.edge(out).edge(art);
                        models.insert(art.from.clone());
                    }
                }
                _ => {}
            }
        }
    }
    for model in &models {
        for serves in inv
            .edges_to(model)
            .filter(|e| e.kind == EdgeKind::ServesModel)
        {
            for uses in inv
                .edges_to(&serves.from)
                .filter(|e| e.kind == EdgeKind::UsesEndpointConfig)
            {
                path.edge(serves).edge(uses);
                endpoints.insert(uses.from.clone());
            }
        }
    }
    (models, endpoints)
}

/// The asset ARNs a path finding crosses (its `aispm:path` `assets`).
pub fn path_assets(evidence: &[FindingEvidence]) -> Vec<&str> {
    evidence
        .iter()
        .find(|e| e.source == SOURCE && e.field == "assets")
        .and_then(|e| e.value.as_array())
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Reads of customer data an identity can make.
pub(crate) const DATA_READS: &[&str] = &[
    "s3:GetObject",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:BatchGetItem",
    "rds-data:ExecuteStatement",
    "rds-data:BatchExecuteStatement",
    "secretsmanager:GetSecretValue",
];

/// Ways an identity can send data to people or systems outside the account.
pub(crate) const OUTBOUND: &[&str] = &[
    "ses:SendEmail",
    "ses:SendRawEmail",
    "ses:SendTemplatedEmail",
    "sns:Publish",
];

/// The rules whose hits are buckets untrusted principals can write: anyone,
/// or a named account outside the organization.
pub(crate) const WRITE_RULES: [&crate::rules::Rule; 2] = [
    &crate::rules::s3::bucket_public_write::RULE,
    &crate::rules::s3::bucket_writable_outside_org::RULE,
];

/// The buckets (in AI data scope) untrusted principals can write, each with
/// every grant that lets them (policy statement, ACL grant): the first step
/// of a poisoning path.
pub(crate) fn untrusted_writers(
    inv: &crate::model::Inventory,
    cfg: &crate::rules::RuleConfig,
    scope: &crate::rules::s3::scope::AiScope,
) -> BTreeMap<String, Vec<Value>> {
    let mut writable: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for rule in WRITE_RULES {
        for hit in rule.hits_in_scope(inv, cfg, scope) {
            let grants = writable.entry(hit.resource_arn).or_default();
            for e in hit.evidence {
                if e.source.starts_with("s3:") && !grants.contains(&e.value) {
                    grants.push(e.value);
                }
            }
        }
    }
    writable
}

/// The granted actions among `actions`, as `{action: resources}`; `None` when
/// none is granted.
pub(crate) fn granted_among(caps: &Capabilities<'_>, actions: &[&str]) -> Option<Value> {
    let v = crate::rules::identity::granted(caps, |s, n| {
        actions.contains(&format!("{s}:{n}").as_str())
    });
    v.as_object().is_some_and(|m| !m.is_empty()).then_some(v)
}
