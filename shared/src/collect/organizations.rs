//! Organization accounts and service control policies, read from the management
//! account only (other accounts cannot list them). Attribute keys: `status`,
//! `email`, `content` (the SCP document), `targets`.

use serde_json::{Value, json};

use super::spec::{ResourceSpec, list_fn};
use super::util::{describe_each, found, plain_policy_json, s, ts};
use super::{Batch, Ctx, Scope};
use crate::aws::{CollectError, SdkResultExt};
use crate::model::{Asset, AssetType, GLOBAL_REGION};

/// Accounts and SCPs with their content and targets.
pub async fn policies(ctx: &Ctx) -> Result<Batch, CollectError> {
    let mut batch = Batch::default();
    if !ctx.is_management {
        return Ok(batch);
    }
    let org = &ctx.clients.organizations;
    let pages = org
        .list_accounts()
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("organizations:ListAccounts")?;
    for acct in pages.iter().flat_map(|p| p.accounts()) {
        let (Some(id), Some(arn)) = (acct.id(), acct.arn()) else {
            continue;
        };
        let mut a = Asset::new(
            arn,
            AssetType::OrganizationsAccount,
            acct.name().unwrap_or(id),
            &ctx.account_id,
            GLOBAL_REGION,
        );
        a.set("account_id", Some(json!(id)))
            .set("email", s(acct.email()))
            .set("status", s(acct.status().map(|s| s.as_str())))
            .set("joined", ts(acct.joined_timestamp()));
        batch.assets.push(a);
    }
    let pages = org
        .list_policies()
        .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("organizations:ListPolicies")?;
    let ids: Vec<String> = pages
        .iter()
        .flat_map(|p| p.policies())
        .filter_map(|p| p.id().map(str::to_owned))
        .collect();
    let described = describe_each(ids, |id| async move {
        let Some(policy) = found(
            org.describe_policy()
                .policy_id(&id)
                .send()
                .await
                .op("organizations:DescribePolicy"),
        )?
        .and_then(|o| o.policy) else {
            return Ok(None);
        };
        let targets: Vec<_> = org
            .list_targets_for_policy()
            .policy_id(&id)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .op("organizations:ListTargetsForPolicy")?
            .into_iter()
            .flat_map(|p| p.targets.unwrap_or_default())
            .collect();
        Ok(Some((policy, targets)))
    })
    .await?;
    for (policy, targets) in described {
        let Some(summary) = policy.policy_summary() else {
            continue;
        };
        let (Some(arn), Some(name)) = (summary.arn(), summary.name()) else {
            continue;
        };
        let mut a = Asset::new(
            arn,
            AssetType::OrganizationsPolicy,
            name,
            &ctx.account_id,
            GLOBAL_REGION,
        );
        a.set("content", policy.content().map(plain_policy_json))
            .set("aws_managed", Some(Value::Bool(summary.aws_managed())))
            .set(
                "targets",
                Some(Value::Array(
                    targets
                        .iter()
                        .map(|t| json!({"id": t.target_id(), "type": t.r#type().map(|x| x.as_str())}))
                        .collect(),
                )),
            );
        batch.assets.push(a);
    }
    Ok(batch)
}

/// `organizations.policies`: the organization's SCPs (management account only).
pub const SPEC: ResourceSpec =
    ResourceSpec::listed("organizations.policies", Scope::Global, list_fn!(policies));
