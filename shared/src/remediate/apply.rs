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
use super::{
    Record, Status, attach_bedrock_guardrail as guardrail, attach_permissions_boundary as boundary,
    deactivate_access_key as key, deny_data_exfiltration as deny,
    enable_bedrock_invocation_logging as logging, enable_kms_key_rotation as kms,
    hold_training as hold, narrow_role_policy as narrow, quarantine_access_key as quarantine,
    require_action_confirmation as confirm, rotate_secret as rotate, s3_block_public_access as pab,
    s3_remove_foreign_write as foreign,
};
use crate::aws::{Clients, CollectError, RequestCounter, assume_role};

/// Reads the state an action changes (what `before` and `after` hold).
async fn read(c: &Clients, r: &Record) -> Result<Value, CollectError> {
    match r.action {
        ActionKind::DeactivateAccessKey => key::read(c, r).await,
        ActionKind::S3BlockPublicAccess => pab::read(c, r).await,
        ActionKind::RequireActionConfirmation => confirm::read(c, r).await,
        ActionKind::AttachBedrockGuardrail => guardrail::read(c, r).await,
        ActionKind::RotateSecret => rotate::read(c, r).await,
        ActionKind::S3RemoveForeignWrite => foreign::read(c, r).await,
        ActionKind::QuarantineAccessKey => quarantine::read(c, r).await,
        ActionKind::AttachPermissionsBoundary => boundary::read(c, r).await,
        ActionKind::DenyDataExfiltration => deny::read(c, r).await,
        ActionKind::EnableBedrockInvocationLogging => logging::read(c, r).await,
        ActionKind::NarrowRolePolicy => narrow::read(c, r).await,
        ActionKind::HoldTraining => hold::read(c, r).await,
        ActionKind::EnableKmsKeyRotation => kms::read(c, r).await,
    }
}

/// Whether `state` is the fixed one.
fn fixed(r: &Record, state: &Value) -> bool {
    match r.action {
        ActionKind::DeactivateAccessKey => key::fixed(r, state),
        ActionKind::S3BlockPublicAccess => pab::fixed(r, state),
        ActionKind::RequireActionConfirmation => confirm::fixed(r, state),
        ActionKind::AttachBedrockGuardrail => guardrail::fixed(r, state),
        ActionKind::RotateSecret => rotate::fixed(r, state),
        ActionKind::S3RemoveForeignWrite => foreign::fixed(r, state),
        ActionKind::QuarantineAccessKey => quarantine::fixed(r, state),
        ActionKind::AttachPermissionsBoundary => boundary::fixed(r, state),
        ActionKind::DenyDataExfiltration => deny::fixed(r, state),
        ActionKind::EnableBedrockInvocationLogging => logging::fixed(r, state),
        ActionKind::NarrowRolePolicy => narrow::fixed(r, state),
        ActionKind::HoldTraining => hold::fixed(r, state),
        ActionKind::EnableKmsKeyRotation => kms::fixed(r, state),
    }
}

/// Reads what an action decides its change on, into the record's calls
/// (the identity's last-accessed report for a narrowing), or why the
/// resource is left alone.
async fn prepare(c: &Clients, r: &mut Record) -> Result<Option<String>, CollectError> {
    match r.action {
        ActionKind::NarrowRolePolicy => narrow::prepare(c, r).await,
        _ => Ok(None),
    }
}

/// Makes the change, from the state read before.
async fn write(c: &Clients, r: &Record, before: &Value) -> Result<(), CollectError> {
    match r.action {
        ActionKind::DeactivateAccessKey => key::write(c, r, before).await,
        ActionKind::S3BlockPublicAccess => pab::write(c, r, before).await,
        ActionKind::RequireActionConfirmation => confirm::write(c, r, before).await,
        ActionKind::AttachBedrockGuardrail => guardrail::write(c, r, before).await,
        ActionKind::RotateSecret => rotate::write(c, r, before).await,
        ActionKind::S3RemoveForeignWrite => foreign::write(c, r, before).await,
        ActionKind::QuarantineAccessKey => quarantine::write(c, r, before).await,
        ActionKind::AttachPermissionsBoundary => boundary::write(c, r, before).await,
        ActionKind::DenyDataExfiltration => deny::write(c, r, before).await,
        ActionKind::EnableBedrockInvocationLogging => logging::write(c, r, before).await,
        ActionKind::NarrowRolePolicy => narrow::write(c, r, before).await,
        ActionKind::HoldTraining => hold::write(c, r, before).await,
        ActionKind::EnableKmsKeyRotation => kms::write(c, r, before).await,
    }
}

/// The part of a state rollback restores (compared before and after it).
fn restorable(r: &Record, state: &Value) -> Value {
    match r.action {
        ActionKind::HoldTraining => hold::restorable(state),
        _ => state.clone(),
    }
}

/// Puts `before` back.
async fn undo(c: &Clients, r: &Record, before: &Value) -> Result<(), CollectError> {
    match r.action {
        ActionKind::DeactivateAccessKey => key::undo(c, r, before).await,
        ActionKind::S3BlockPublicAccess => pab::undo(c, r, before).await,
        ActionKind::RequireActionConfirmation => confirm::undo(c, r, before).await,
        ActionKind::AttachBedrockGuardrail => guardrail::undo(c, r, before).await,
        ActionKind::RotateSecret => rotate::undo(c, r, before).await,
        ActionKind::S3RemoveForeignWrite => foreign::undo(c, r, before).await,
        ActionKind::QuarantineAccessKey => quarantine::undo(c, r, before).await,
        ActionKind::AttachPermissionsBoundary => boundary::undo(c, r, before).await,
        ActionKind::DenyDataExfiltration => deny::undo(c, r, before).await,
        ActionKind::EnableBedrockInvocationLogging => logging::undo(c, r, before).await,
        ActionKind::NarrowRolePolicy => narrow::undo(c, r, before).await,
        ActionKind::HoldTraining => hold::undo(c, r, before).await,
        ActionKind::EnableKmsKeyRotation => kms::undo(c, r, before).await,
    }
}

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

/// Applies every `planned` record; the others are left as they are.
pub async fn apply_planned(target: &Target, records: &mut [Record]) {
    let mut accounts: BTreeMap<String, Result<SdkConfig, String>> = BTreeMap::new();
    for r in records.iter_mut().filter(|r| r.status == Status::Planned) {
        match target.clients(&mut accounts, r).await {
            Ok(c) => fix(r, &c).await,
            Err(why) => fail(r, why),
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
    let c = match target.clients(&mut accounts, r).await {
        Ok(c) => c,
        Err(why) => return fail(r, why),
    };
    let Some(before) = r.before.clone() else {
        return fail(r, "no state before was recorded".into());
    };
    match read(&c, r).await {
        Ok(now) if restorable(r, &now) == restorable(r, &before) => {
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
    if let Err(e) = undo(&c, r, &before).await {
        r.after = read(&c, r).await.ok().or(r.after.take());
        return fail(r, format!("the rollback write failed: {e}"));
    }
    match read(&c, r).await {
        Ok(now) if restorable(r, &now) == restorable(r, &before) => {
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
    /// Clients for `r`'s account (entered once per account) in `r`'s
    /// region (`global`: the caller's region).
    async fn clients(
        &self,
        accounts: &mut BTreeMap<String, Result<SdkConfig, String>>,
        r: &Record,
    ) -> Result<Clients, String> {
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
        Ok(Clients::new(&sdk, &region, &self.counter))
    }
}

fn fail(r: &mut Record, why: String) {
    r.status = Status::Failed;
    r.reason = Some(why);
}

/// The one shape every action applies in: read the state before (a failure
/// changes nothing), leave a fixed resource alone, write, read the state
/// after and check it.
async fn fix(r: &mut Record, c: &Clients) {
    match prepare(c, r).await {
        Ok(None) => {}
        Ok(Some(why)) => {
            r.status = Status::Skipped;
            r.reason = Some(why);
            return;
        }
        Err(e) => {
            return fail(
                r,
                format!("could not read what the change is decided on: {e}; nothing was changed"),
            );
        }
    }
    let before = match read(c, r).await {
        Ok(b) => b,
        Err(e) => {
            return fail(
                r,
                format!("could not read the state before: {e}; nothing was changed"),
            );
        }
    };
    r.before = Some(before.clone());
    if fixed(r, &before) {
        r.after = Some(before);
        r.status = Status::Applied;
        r.reason = Some("already fixed: nothing was changed".into());
        return;
    }
    if let Err(e) = write(c, r, &before).await {
        r.after = read(c, r).await.ok();
        let what = match &r.after {
            Some(after) if *after == before => "nothing was changed".to_owned(),
            Some(_) => "part of the change was made: see `after`".to_owned(),
            None => "the state after could not be read".to_owned(),
        };
        return fail(r, format!("the write failed: {e}; {what}"));
    }
    match read(c, r).await {
        Ok(after) => {
            let ok = fixed(r, &after);
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
