//! `enable_kms_key_rotation`: turns on automatic yearly rotation of a
//! customer managed KMS key that protects AI assets
//! (`kms:EnableKeyRotation`). The state is whether rotation is on; rollback
//! turns it off again if it was off (`kms:DisableKeyRotation`; key material
//! already rotated stays, as KMS keeps every version to decrypt with).

use serde_json::{Value, json};

use super::Record;
use crate::aws::{Clients, CollectError, SdkResultExt};

/// `{"KeyRotationEnabled": bool}`.
pub async fn read(c: &Clients, r: &Record) -> Result<Value, CollectError> {
    let out = c
        .kms
        .get_key_rotation_status()
        .key_id(&r.resource_arn)
        .send()
        .await
        .op("kms:GetKeyRotationStatus")?;
    Ok(json!({"KeyRotationEnabled": out.key_rotation_enabled()}))
}

/// Whether rotation is on.
pub fn fixed(_: &Record, state: &Value) -> bool {
    state["KeyRotationEnabled"] == true
}

/// Turns rotation on.
pub async fn write(c: &Clients, r: &Record, _before: &Value) -> Result<(), CollectError> {
    c.kms
        .enable_key_rotation()
        .key_id(&r.resource_arn)
        .send()
        .await
        .op("kms:EnableKeyRotation")?;
    Ok(())
}

/// Turns rotation off again when it was off.
pub async fn undo(c: &Clients, r: &Record, before: &Value) -> Result<(), CollectError> {
    if before["KeyRotationEnabled"] == false {
        c.kms
            .disable_key_rotation()
            .key_id(&r.resource_arn)
            .send()
            .await
            .op("kms:DisableKeyRotation")?;
    }
    Ok(())
}
