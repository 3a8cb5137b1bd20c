//! Where accounts sit in the organization, for the policy's OU scopes: for
//! each account, its parents up to the root (`organizations:ListParents`,
//! asked with the caller's credentials, each OU's own parents asked once).
//! An account whose placement cannot be read is left out, so an action
//! scoped to OUs skips its findings, saying the placement is unknown.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_organizations::types::ParentType;
use tracing::warn;

use crate::aws::{CollectError, RequestCounter, SdkResultExt};

/// Whether any action of `policy` is scoped to OUs.
pub fn uses_ous(policy: &super::RemediationPolicy) -> bool {
    super::ActionKind::ALL
        .into_iter()
        .any(|a| !policy.entry(a).ous.is_empty())
}

/// Each account's path from its direct parent to the root (`ou-…`, then
/// `r-…`).
pub async fn ou_paths(
    sdk: &aws_types::SdkConfig,
    counter: &RequestCounter,
    accounts: &BTreeSet<&str>,
) -> BTreeMap<String, Vec<String>> {
    let org = aws_sdk_organizations::Client::from_conf(
        aws_sdk_organizations::config::Builder::from(sdk)
            .interceptor(counter.clone())
            .build(),
    );
    let mut parent_of: BTreeMap<String, (String, bool)> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for account in accounts {
        match path(&org, account, &mut parent_of).await {
            Ok(p) => {
                out.insert((*account).to_owned(), p);
            }
            Err(e) => warn!(
                account,
                error = %e,
                "the account's place in the organization could not be read: actions scoped to OUs skip its findings"
            ),
        }
    }
    out
}

async fn path(
    org: &aws_sdk_organizations::Client,
    account: &str,
    parent_of: &mut BTreeMap<String, (String, bool)>,
) -> Result<Vec<String>, CollectError> {
    let mut path = Vec::new();
    let mut child = account.to_owned();
    // An organization is at most five OUs deep under its root.
    for _ in 0..8 {
        let (parent, root) = match parent_of.get(&child) {
            Some(p) => p.clone(),
            None => {
                let out = org
                    .list_parents()
                    .child_id(&child)
                    .send()
                    .await
                    .op("organizations:ListParents")?;
                let Some(p) = out.parents().first() else {
                    return Ok(path);
                };
                let found = (
                    p.id().unwrap_or_default().to_owned(),
                    p.r#type() == Some(&ParentType::Root),
                );
                parent_of.insert(child.clone(), found.clone());
                found
            }
        };
        path.push(parent.clone());
        if root || parent.is_empty() {
            break;
        }
        child = parent;
    }
    Ok(path)
}
