//! Applying planned actions: for each record in `planned` status whose action
//! this version can apply, in the record's account (through the remediator
//! role, never the scanner role) and region: read the state before, leave a
//! resource that is already fixed alone, write, read the state after. The
//! record ends `applied` with both states, or `failed` with what happened
//! and exactly what changed. The finding itself resolves only when a rescan
//! no longer sees it.

use std::collections::BTreeMap;

use aws_types::SdkConfig;
use serde_json::Value;

use super::catalog::ActionKind;
use super::{Record, Status, deactivate_access_key as key, s3_block_public_access as pab};
use crate::aws::{CollectError, RequestCounter, assume_role, s3_client};

/// Where and as whom changes are made.
#[derive(Debug, Clone)]
pub struct Target {
    /// The caller's configuration (credentials, endpoint).
    pub base: SdkConfig,
    /// The caller's account: changed with the caller's own credentials.
    pub caller_account: String,
    /// The role assumed in every other account (`aispm-remediator`).
    pub role_name: String,
    /// The ExternalId the role's trust policy asks for.
    pub external_id: Option<String>,
    /// Counts requests.
    pub counter: RequestCounter,
}

impl Target {
    async fn account(&self, account: &str) -> Result<SdkConfig, String> {
        if account == self.caller_account {
            return Ok(self.base.clone());
        }
        let arn = format!("arn:aws:iam::{account}:role/{}", self.role_name);
        assume_role(&self.base, &self.counter, &arn, self.external_id.as_deref())
            .await
            .map_err(|e| format!("cannot assume {arn}: {e}; nothing was changed"))
    }
}

/// Applies every `planned` record this version can apply; the others are
/// left as they are.
pub async fn apply_planned(target: &Target, records: &mut [Record]) {
    let mut accounts: BTreeMap<String, Result<SdkConfig, String>> = BTreeMap::new();
    for r in records
        .iter_mut()
        .filter(|r| r.status == Status::Planned && r.action.can_apply())
    {
        let sdk = match target.region_config(&mut accounts, r).await {
            Ok(sdk) => sdk,
            Err(why) => {
                fail(r, why);
                continue;
            }
        };
        match r.action {
            ActionKind::DeactivateAccessKey => deactivate(r, &sdk, &target.counter).await,
            ActionKind::S3BlockPublicAccess => {
                block(r, &s3_client(&sdk, &region_of(&sdk), &target.counter)).await
            }
            _ => {}
        }
    }
}

/// Why a record cannot be rolled back, if it cannot.
pub fn cannot_roll_back(r: &Record) -> Option<String> {
    match r.status {
        Status::RolledBack => Some("it is already rolled back".into()),
        Status::Applied | Status::Verified | Status::Failed => match &r.before {
            None => Some("no state before was recorded: nothing was changed".into()),
            Some(_) if r.after == r.before => {
                Some("the resource was not changed (it was already fixed)".into())
            }
            Some(_) if !r.action.can_apply() => Some(format!(
                "this version of aispm cannot roll back {}",
                r.action
            )),
            Some(_) => None,
        },
        s => Some(format!("it is {}: nothing was changed", s.as_str())),
    }
}

/// Puts the state recorded before back: the record ends `rolled_back` with
/// `after` the state read once restored, or `failed` saying what happened
/// (the state before stays recorded). Call it only when
/// [`cannot_roll_back`] says nothing.
pub async fn roll_back(target: &Target, r: &mut Record) {
    let mut accounts = BTreeMap::new();
    let sdk = match target.region_config(&mut accounts, r).await {
        Ok(sdk) => sdk,
        Err(why) => return fail(r, why),
    };
    let Some(before) = r.before.clone() else {
        return fail(r, "no state before was recorded".into());
    };
    match r.action {
        ActionKind::DeactivateAccessKey => {
            let iam = iam_client(&sdk, &target.counter);
            let (user, key_id) = (r.resource_arn.clone(), key_of(r));
            let status = before["Status"].as_str().unwrap_or("Active").to_owned();
            restore(
                r,
                &before,
                async || key::read(&iam, &user, &key_id).await,
                async || key::write(&iam, &user, &key_id, &status).await,
            )
            .await;
        }
        ActionKind::S3BlockPublicAccess => {
            let s3 = s3_client(&sdk, &region_of(&sdk), &target.counter);
            let bucket = r.resource_arn.clone();
            restore(
                r,
                &before,
                async || pab::read(&s3, &bucket).await,
                async || pab::write(&s3, &bucket, &before).await,
            )
            .await;
        }
        _ => fail(
            r,
            format!("this version of aispm cannot roll back {}", r.action),
        ),
    }
}

/// Restores `before`: a resource already as it was is left alone.
async fn restore(
    r: &mut Record,
    before: &Value,
    read: impl AsyncFn() -> Result<Value, CollectError>,
    write: impl AsyncFn() -> Result<(), CollectError>,
) {
    match read().await {
        Ok(now) if now == *before => {
            r.after = Some(now);
            r.status = Status::RolledBack;
            r.reason = Some("the resource was already as before: nothing was changed".into());
            return;
        }
        Ok(_) => {}
        Err(e) => {
            return fail(
                r,
                format!("could not read the current state: {e}; nothing was changed"),
            );
        }
    }
    if let Err(e) = write().await {
        r.after = read().await.ok().or(r.after.take());
        return fail(r, format!("the rollback write failed: {e}"));
    }
    match read().await {
        Ok(now) if now == *before => {
            r.after = Some(now);
            r.status = Status::RolledBack;
            r.reason = None;
        }
        Ok(now) => {
            r.after = Some(now);
            fail(
                r,
                "the state read after the rollback is not the state before".into(),
            );
        }
        Err(e) => fail(
            r,
            format!("the rollback was written but the state after could not be read: {e}"),
        ),
    }
}

impl Target {
    /// The configuration for `r`'s account (cached per account) in `r`'s
    /// region (`global`: the caller's region).
    async fn region_config(
        &self,
        accounts: &mut BTreeMap<String, Result<SdkConfig, String>>,
        r: &Record,
    ) -> Result<SdkConfig, String> {
        if !accounts.contains_key(&r.account_id) {
            let sdk = self.account(&r.account_id).await;
            accounts.insert(r.account_id.clone(), sdk);
        }
        let sdk = match accounts.get(&r.account_id) {
            Some(Ok(sdk)) => sdk.clone(),
            Some(Err(why)) => return Err(why.clone()),
            None => return Err(format!("account {} could not be entered", r.account_id)),
        };
        let region = match r.region.as_str() {
            "global" => sdk.region().map_or("us-east-1", |r| r.as_ref()).to_owned(),
            region => region.to_owned(),
        };
        Ok(sdk
            .to_builder()
            .region(aws_types::region::Region::new(region))
            .build())
    }
}

fn region_of(sdk: &SdkConfig) -> String {
    sdk.region().map_or("us-east-1", |r| r.as_ref()).to_owned()
}

fn iam_client(sdk: &SdkConfig, counter: &RequestCounter) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::config::Builder::from(sdk)
            .interceptor(counter.clone())
            .build(),
    )
}

fn key_of(r: &Record) -> String {
    r.calls
        .first()
        .and_then(|c| c.params["AccessKeyId"].as_str())
        .unwrap_or_default()
        .to_owned()
}

fn fail(r: &mut Record, why: String) {
    r.status = Status::Failed;
    r.reason = Some(why);
}

/// The one shape every action applies in: read the state before (a failure
/// changes nothing), leave a fixed resource alone, write, read the state
/// after and check it.
async fn fix(
    r: &mut Record,
    read: impl AsyncFn() -> Result<Value, CollectError>,
    fixed: fn(&Value) -> bool,
    write: impl AsyncFn() -> Result<(), CollectError>,
) {
    let before = match read().await {
        Ok(b) => b,
        Err(e) => {
            return fail(
                r,
                format!("could not read the state before: {e}; nothing was changed"),
            );
        }
    };
    r.before = Some(before.clone());
    if fixed(&before) {
        r.after = Some(before);
        r.status = Status::Applied;
        r.reason = Some("already fixed: nothing was changed".into());
        return;
    }
    if let Err(e) = write().await {
        r.after = read().await.ok();
        return fail(r, format!("the write failed: {e}"));
    }
    match read().await {
        Ok(after) => {
            let ok = fixed(&after);
            r.after = Some(after);
            if ok {
                r.status = Status::Applied;
                r.reason = None;
            } else {
                fail(
                    r,
                    "the state read after the change is not the fixed one".into(),
                );
            }
        }
        Err(e) => fail(
            r,
            format!("the change was made but the state after could not be read: {e}"),
        ),
    }
}

async fn deactivate(r: &mut Record, sdk: &SdkConfig, counter: &RequestCounter) {
    let iam = iam_client(sdk, counter);
    let key_id = key_of(r);
    if key_id.is_empty() {
        return fail(r, "the plan names no access key".into());
    }
    let user = r.resource_arn.clone();
    fix(
        r,
        async || key::read(&iam, &user, &key_id).await,
        key::fixed,
        async || key::write(&iam, &user, &key_id, "Inactive").await,
    )
    .await;
}

async fn block(r: &mut Record, s3: &aws_sdk_s3::Client) {
    let bucket = r.resource_arn.clone();
    fix(
        r,
        async || pab::read(s3, &bucket).await,
        pab::fixed,
        async || pab::write(s3, &bucket, &pab::all_on()).await,
    )
    .await;
}
