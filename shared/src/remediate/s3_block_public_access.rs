//! `s3_block_public_access`: turns on all four settings of the bucket's
//! public access block (`s3:PutBucketPublicAccessBlock`). The state is the
//! block as it was (`null` when the bucket had none); rollback puts it back,
//! or deletes the block when there was none.

use aws_sdk_s3::types::PublicAccessBlockConfiguration;
use serde_json::{Value, json};

use crate::aws::{CollectError, SdkResultExt};

fn bucket(arn: &str) -> &str {
    arn.strip_prefix("arn:aws:s3:::").unwrap_or(arn)
}

/// The four settings, or `null` when the bucket has no block.
pub async fn read(s3: &aws_sdk_s3::Client, bucket_arn: &str) -> Result<Value, CollectError> {
    match s3
        .get_public_access_block()
        .bucket(bucket(bucket_arn))
        .send()
        .await
        .op("s3:GetBucketPublicAccessBlock")
    {
        Ok(out) => Ok(out
            .public_access_block_configuration()
            .map_or(Value::Null, |c| {
                json!({"BlockPublicAcls": c.block_public_acls().unwrap_or(false),
                       "IgnorePublicAcls": c.ignore_public_acls().unwrap_or(false),
                       "BlockPublicPolicy": c.block_public_policy().unwrap_or(false),
                       "RestrictPublicBuckets": c.restrict_public_buckets().unwrap_or(false)})
            })),
        Err(e) if e.code.as_deref() == Some("NoSuchPublicAccessBlockConfiguration") => {
            Ok(Value::Null)
        }
        Err(e) => Err(e),
    }
}

/// Whether every setting is on.
pub fn fixed(state: &Value) -> bool {
    [
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ]
    .iter()
    .all(|k| state[*k] == true)
}

/// Puts `state` back as the bucket's block (every setting on to fix), or
/// deletes the block when `state` is `null`.
pub async fn write(
    s3: &aws_sdk_s3::Client,
    bucket_arn: &str,
    state: &Value,
) -> Result<(), CollectError> {
    let name = bucket(bucket_arn);
    if state.is_null() {
        s3.delete_public_access_block()
            .bucket(name)
            .send()
            .await
            .op("s3:DeleteBucketPublicAccessBlock")?;
        return Ok(());
    }
    let on = |k: &str| state[k] == true;
    s3.put_public_access_block()
        .bucket(name)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(on("BlockPublicAcls"))
                .ignore_public_acls(on("IgnorePublicAcls"))
                .block_public_policy(on("BlockPublicPolicy"))
                .restrict_public_buckets(on("RestrictPublicBuckets"))
                .build(),
        )
        .send()
        .await
        .op("s3:PutBucketPublicAccessBlock")?;
    Ok(())
}

/// The fixed state: every setting on.
pub fn all_on() -> Value {
    json!({"BlockPublicAcls": true, "IgnorePublicAcls": true,
           "BlockPublicPolicy": true, "RestrictPublicBuckets": true})
}
