//! Narrowing a policy document to what its identity uses: the pure half of
//! `narrow_role_policy`.
//!
//! The input is IAM's last-accessed report for the identity
//! (`GetServiceLastAccessedDetails`, action-level where AWS tracks actions),
//! reduced to a [`Usage`]: per service namespace, whether the identity
//! authenticated to it in the tracking period, and which of the service's
//! tracked actions it did not use. A statement's `Allow` then loses
//! - every action of a service the identity never used;
//! - every tracked action of a used service it did not use.
//!
//! An action IAM does not track (S3's object reads and writes, Lambda's
//! invocations are data events) cannot be shown unused, so it is kept when
//! its service was used; so is every action of a service the report names
//! at the service level only, and every action the policy's `keep_actions`
//! patterns name. Wildcards are expanded through the embedded IAM action
//! catalog and folded back where a whole verb survives (`s3:Get*`), only
//! into patterns the original one covers. The result never allows an action
//! the original did not; `Deny` statements, resources and conditions are
//! left as written; a statement that loses nothing is left byte for byte.

use std::collections::{BTreeMap, BTreeSet};

use aispm_iam::Catalog;
use aispm_iam::catalog::Service;
use aispm_iam::policy::ActionPattern;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What the last-accessed report says of one service namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceUse {
    /// The identity authenticated to the service in the tracking period.
    pub used: bool,
    /// Tracked actions it did not use (lowercase names, no prefix).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub unused_actions: BTreeSet<String>,
}

/// The identity's use of services, by lowercase namespace. A namespace the
/// report does not name is left as the policy has it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// By namespace.
    pub services: BTreeMap<String, ServiceUse>,
}

impl Usage {
    /// Whether `service:name` (lowercase) is kept by the usage alone.
    fn keeps(&self, service: &str, name: &str) -> Option<bool> {
        self.services
            .get(service)
            .map(|u| u.used && !u.unused_actions.contains(name))
    }
}

/// What narrowing a document did.
#[derive(Debug, Clone, PartialEq)]
pub enum Narrowed {
    /// Nothing to remove: the document is left as it is.
    Unchanged,
    /// The narrowed document.
    Document(Value),
    /// No statement is left: the policy grants nothing the identity uses.
    Empty,
}

/// Narrows `doc` (a parsed policy document) to `usage`, keeping whatever
/// the `keep` patterns name.
pub fn narrow_document(
    doc: &Value,
    usage: &Usage,
    keep: &[ActionPattern],
    catalog: &Catalog,
) -> Narrowed {
    let Some(obj) = doc.as_object() else {
        return Narrowed::Unchanged;
    };
    let (statements, one) = match obj.get("Statement") {
        Some(Value::Array(list)) => (list.clone(), false),
        Some(s @ Value::Object(_)) => (vec![s.clone()], true),
        _ => return Narrowed::Unchanged,
    };
    let mut changed = false;
    let mut out = Vec::with_capacity(statements.len());
    for s in statements {
        match narrow_statement(&s, usage, keep, catalog) {
            None => out.push(s),
            Some(Some(n)) => {
                changed = true;
                out.push(n);
            }
            Some(None) => changed = true,
        }
    }
    if !changed {
        return Narrowed::Unchanged;
    }
    if out.is_empty() {
        return Narrowed::Empty;
    }
    let mut doc = obj.clone();
    doc.insert(
        "Statement".into(),
        if one && out.len() == 1 {
            out.remove(0)
        } else {
            Value::Array(out)
        },
    );
    Narrowed::Document(Value::Object(doc))
}

/// `None`: unchanged; `Some(None)`: removed; `Some(Some(s))`: narrowed.
fn narrow_statement(
    s: &Value,
    usage: &Usage,
    keep: &[ActionPattern],
    catalog: &Catalog,
) -> Option<Option<Value>> {
    let obj = s.as_object()?;
    if obj.get("Effect").and_then(Value::as_str) != Some("Allow") {
        return None;
    }
    let kept = if let Some(actions) = obj.get("Action") {
        let written = strings(actions)?;
        let mut kept = BTreeSet::new();
        for w in &written {
            match ActionPattern::parse(w) {
                Some(p) => kept.extend(narrow_pattern(w, &p, usage, keep, catalog)),
                None => {
                    kept.insert(w.clone());
                }
            }
        }
        let same = written.len() == kept.len()
            && written
                .iter()
                .all(|w| kept.iter().any(|k| k.eq_ignore_ascii_case(w)));
        if same {
            return None;
        }
        kept
    } else {
        let written = strings(obj.get("NotAction")?)?;
        let excluded: Vec<ActionPattern> = written
            .iter()
            .map(|w| ActionPattern::parse(w))
            .collect::<Option<_>>()?;
        narrow_not_action(&excluded, usage, keep, catalog)
    };
    if kept.is_empty() {
        return Some(None);
    }
    let mut n: Map<String, Value> = obj.clone();
    n.remove("NotAction");
    n.insert(
        "Action".into(),
        Value::Array(kept.into_iter().map(Value::String).collect()),
    );
    Some(Some(Value::Object(n)))
}

/// A string or a list of strings.
fn strings(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

fn kept_by(keep: &[ActionPattern], service: &str, name: &str) -> bool {
    keep.iter().any(|k| k.matches(service, name))
}

/// What is left of one `Action` pattern, as written patterns.
fn narrow_pattern(
    written: &str,
    p: &ActionPattern,
    usage: &Usage,
    keep: &[ActionPattern],
    catalog: &Catalog,
) -> Vec<String> {
    if p.service == "*" {
        // Every service: those the report names, each narrowed on its own.
        return usage
            .services
            .keys()
            .flat_map(|ns| {
                let all = format!("{ns}:*");
                ActionPattern::parse(&all)
                    .map(|sp| narrow_pattern(&all, &sp, usage, keep, catalog))
                    .unwrap_or_default()
            })
            .collect();
    }
    let Some(u) = usage.services.get(&p.service) else {
        return vec![written.to_owned()];
    };
    if u.used && u.unused_actions.is_empty() {
        return vec![written.to_owned()];
    }
    let Some(svc) = catalog.service(&p.service) else {
        // Not in the catalog: nothing to expand into.
        return if u.used {
            vec![written.to_owned()]
        } else {
            Vec::new()
        };
    };
    let matched: Vec<&str> = svc
        .actions
        .iter()
        .filter(|a| p.name.matches_plain(&a.lower))
        .map(|a| a.lower.as_str())
        .collect();
    let kept: BTreeSet<&str> = matched
        .iter()
        .copied()
        .filter(|a| usage.keeps(&p.service, a).unwrap_or(true) || kept_by(keep, &p.service, a))
        .collect();
    if kept.len() == matched.len() && !matched.is_empty() {
        return vec![written.to_owned()];
    }
    fold(svc, &kept, Some(p))
}

/// What is left of a `NotAction` statement, as `Action` patterns: the
/// actions of the services the report names that the exclusions leave,
/// narrowed to the usage.
fn narrow_not_action(
    excluded: &[ActionPattern],
    usage: &Usage,
    keep: &[ActionPattern],
    catalog: &Catalog,
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (ns, u) in &usage.services {
        let touched = excluded
            .iter()
            .any(|e| e.service == "*" || e.service == *ns);
        let Some(svc) = catalog.service(ns) else {
            if u.used && !touched {
                out.insert(format!("{ns}:*"));
            }
            continue;
        };
        let kept: BTreeSet<&str> = svc
            .actions
            .iter()
            .map(|a| a.lower.as_str())
            .filter(|a| !excluded.iter().any(|e| e.matches(ns, a)))
            .filter(|a| usage.keeps(ns, a).unwrap_or(true) || kept_by(keep, ns, a))
            .collect();
        if !touched && u.used && kept.len() == svc.actions.len() {
            out.insert(format!("{ns}:*"));
        } else {
            out.extend(fold(svc, &kept, None));
        }
    }
    out
}

/// The verb of an action name: its first capitalised word (`Get` of
/// `GetObject`).
fn verb(name: &str) -> &str {
    let end = name
        .char_indices()
        .skip(1)
        .find(|(_, c)| c.is_ascii_uppercase())
        .map_or(name.len(), |(i, _)| i);
    &name[..end]
}

/// Whether `within` (the pattern being narrowed) covers `prefix*` as a
/// pattern, not only over today's catalog: `*`, or a literal prefix of it
/// followed by `*`.
fn covers(within: Option<&ActionPattern>, prefix: &str) -> bool {
    let Some(p) = within else {
        return false;
    };
    let name = p.name.as_str().to_ascii_lowercase();
    match name.strip_suffix('*') {
        Some(head) => !head.contains(['*', '?']) && prefix.starts_with(head),
        None => false,
    }
}

/// The kept actions of `svc` as patterns: `verb*` where every action of
/// that verb is kept and the original pattern covers `verb*`, else each
/// action by its catalog name.
fn fold(svc: &Service, kept: &BTreeSet<&str>, within: Option<&ActionPattern>) -> Vec<String> {
    let mut out = Vec::new();
    let mut verbs: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for a in &svc.actions {
        if kept.contains(a.lower.as_str()) {
            verbs
                .entry(verb(&a.name).to_owned())
                .or_default()
                .push(&a.name);
        }
    }
    for (v, names) in verbs {
        let lower = v.to_ascii_lowercase();
        let all = svc
            .actions
            .iter()
            .filter(|a| a.lower.starts_with(&lower))
            .all(|a| kept.contains(a.lower.as_str()));
        if all && names.len() > 1 && covers(within, &lower) {
            out.push(format!("{}:{v}*", svc.prefix));
        } else {
            out.extend(names.iter().map(|n| format!("{}:{n}", svc.prefix)));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]
mod tests {
    use super::*;
    use serde_json::json;

    fn catalog() -> &'static Catalog {
        Catalog::global().unwrap()
    }

    /// Bedrock used for InvokeModel only (every other tracked action
    /// unused); KMS never used; S3 used, with its bucket-policy writes
    /// tracked and unused.
    fn usage() -> Usage {
        let bedrock = catalog().service("bedrock").unwrap();
        let mut u = Usage::default();
        u.services.insert(
            "bedrock".into(),
            ServiceUse {
                used: true,
                unused_actions: bedrock
                    .actions
                    .iter()
                    .map(|a| a.lower.clone())
                    .filter(|a| a != "invokemodel")
                    .collect(),
            },
        );
        u.services.insert("kms".into(), ServiceUse::default());
        u.services.insert(
            "s3".into(),
            ServiceUse {
                used: true,
                unused_actions: ["putbucketpolicy", "deletebucketpolicy"]
                    .map(str::to_owned)
                    .into(),
            },
        );
        u
    }

    fn narrowed(doc: Value, keep: &[&str]) -> Narrowed {
        let keep: Vec<ActionPattern> = keep
            .iter()
            .map(|k| ActionPattern::parse(k).unwrap())
            .collect();
        narrow_document(&doc, &usage(), &keep, catalog())
    }

    fn actions(n: &Narrowed) -> Vec<Value> {
        match n {
            Narrowed::Document(d) => d["Statement"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["Action"].clone())
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_whole_service_shrinks_to_the_actions_used() {
        let n = narrowed(
            json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "bedrock:*", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}]}),
            &[],
        );
        let Narrowed::Document(d) = &n else {
            panic!("{n:?}")
        };
        assert_eq!(d["Statement"][0]["Action"], json!(["bedrock:InvokeModel"]));
        assert_eq!(
            d["Statement"][0]["Condition"],
            json!({"StringEquals": {"aws:RequestedRegion": "us-east-1"}}),
            "conditions stay"
        );
    }

    #[test]
    fn unused_services_go_and_untracked_actions_of_used_ones_stay() {
        let n = narrowed(
            json!({"Statement": [
                {"Effect": "Allow", "Action": ["kms:Decrypt", "s3:GetObject", "s3:PutBucketPolicy"],
                 "Resource": "*"}]}),
            &[],
        );
        assert_eq!(actions(&n), [json!(["s3:GetObject"])]);
    }

    #[test]
    fn a_statement_of_unused_services_is_removed_and_a_document_of_them_is_empty() {
        let doc = json!({"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]});
        assert_eq!(narrowed(doc, &[]), Narrowed::Empty);
    }

    #[test]
    fn keep_patterns_survive_whatever_the_report_says() {
        let n = narrowed(
            json!({"Statement": [{"Effect": "Allow", "Action": ["kms:*"], "Resource": "*"}]}),
            &["kms:Decrypt"],
        );
        assert_eq!(actions(&n), [json!(["kms:Decrypt"])]);
    }

    #[test]
    fn wildcards_fold_back_where_a_whole_verb_is_kept() {
        let n = narrowed(
            json!({"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}),
            &[],
        );
        let Narrowed::Document(d) = &n else {
            panic!("{n:?}")
        };
        let list: Vec<&str> = d["Statement"]["Action"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert!(list.contains(&"s3:Get*"), "{list:?}");
        assert!(
            !list
                .iter()
                .any(|a| a.eq_ignore_ascii_case("s3:PutBucketPolicy"))
        );
        assert!(list.contains(&"s3:PutObject"), "{list:?}");
        assert!(d["Statement"].is_object(), "a single statement stays one");
    }

    #[test]
    fn deny_statements_and_statements_losing_nothing_are_left_as_written() {
        let doc = json!({"Statement": [
            {"Effect": "Deny", "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]});
        assert_eq!(narrowed(doc, &[]), Narrowed::Unchanged);
        let other = json!({"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]});
        assert_eq!(
            narrowed(other, &[]),
            Narrowed::Unchanged,
            "not in the report"
        );
    }

    #[test]
    fn a_star_becomes_the_used_services() {
        let n = narrowed(
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            &[],
        );
        let list = actions(&n).remove(0);
        let list: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert!(list.contains(&"bedrock:InvokeModel"), "{list:?}");
        assert!(list.contains(&"s3:Get*"), "{list:?}");
        assert!(!list.iter().any(|a| a.starts_with("kms:")), "{list:?}");
    }

    #[test]
    fn not_action_becomes_the_used_actions_it_allowed() {
        let n = narrowed(
            json!({"Statement": [{"Effect": "Allow", "NotAction": ["s3:*", "iam:*"],
                                   "Resource": "*"}]}),
            &[],
        );
        let Narrowed::Document(d) = &n else {
            panic!("{n:?}")
        };
        let s = &d["Statement"][0];
        assert!(s.get("NotAction").is_none());
        assert_eq!(s["Action"], json!(["bedrock:InvokeModel"]));
    }

    #[test]
    fn narrowing_twice_changes_nothing_the_second_time() {
        for doc in [
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            json!({"Statement": [{"Effect": "Allow", "Action": ["s3:*", "bedrock:*"], "Resource": "*"}]}),
            json!({"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}),
        ] {
            let Narrowed::Document(once) = narrowed(doc.clone(), &[]) else {
                panic!("{doc}")
            };
            assert_eq!(narrowed(once.clone(), &[]), Narrowed::Unchanged, "{once}");
        }
    }

    #[test]
    fn the_verb_is_the_first_capitalised_word() {
        assert_eq!(verb("GetObject"), "Get");
        assert_eq!(verb("Get"), "Get");
        assert_eq!(verb("InvokeModelWithResponseStream"), "Invoke");
    }

    mod never_widens {
        use super::*;
        use proptest::prelude::*;

        /// Whether any Allow statement of `doc` names `service:name`.
        fn allows(doc: &Value, service: &str, name: &str) -> bool {
            let list = match &doc["Statement"] {
                Value::Array(l) => l.clone(),
                s => vec![s.clone()],
            };
            list.iter().filter(|s| s["Effect"] == "Allow").any(|s| {
                let hit = |k: &str| {
                    strings(&s[k]).is_some_and(|ws| {
                        ws.iter()
                            .filter_map(|w| ActionPattern::parse(w))
                            .any(|p| p.matches(service, name))
                    })
                };
                if s.get("NotAction").is_some() {
                    !hit("NotAction")
                } else {
                    hit("Action")
                }
            })
        }

        const PATTERNS: &[&str] = &[
            "*",
            "s3:*",
            "s3:Get*",
            "s3:GetObject",
            "s3:Put*",
            "bedrock:*",
            "bedrock:Invoke*",
            "kms:*",
            "kms:Decrypt",
            "iam:*",
            "ec2:Describe*",
        ];

        proptest! {
            #[test]
            fn the_narrowed_document_allows_nothing_the_original_did_not(
                picks in proptest::collection::vec(0..PATTERNS.len(), 1..4),
                not_action in any::<bool>(),
                probe in 0..400usize,
            ) {
                let written: Vec<&str> = picks.iter().map(|i| PATTERNS[*i]).collect();
                let key = if not_action { "NotAction" } else { "Action" };
                let doc = json!({"Statement": [{"Effect": "Allow", key: written, "Resource": "*"}]});
                let after = match narrowed(doc.clone(), &[]) {
                    Narrowed::Unchanged => doc.clone(),
                    Narrowed::Empty => json!({"Statement": []}),
                    Narrowed::Document(d) => d,
                };
                for ns in ["s3", "bedrock", "kms", "iam", "ec2"] {
                    let svc = catalog().service(ns).unwrap();
                    let a = &svc.actions[probe % svc.actions.len()];
                    prop_assert!(
                        !allows(&after, ns, &a.lower) || allows(&doc, ns, &a.lower),
                        "{ns}:{} allowed by {after} but not by {doc}", a.name
                    );
                }
            }
        }
    }
}
