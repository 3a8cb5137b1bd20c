//! The table and its indexes, for the emulator and local runs.

use super::*;

fn built<T>(
    table: &str,
    r: Result<T, aws_sdk_dynamodb::error::BuildError>,
) -> Result<T, StoreError> {
    r.map_err(|e| corrupt(table, e))
}

/// Whether the table exists: one quick call that also shows the endpoint
/// answers (give `sdk` short timeouts, see `AwsSettings::probe`).
pub async fn table_exists(sdk: &aws_types::SdkConfig, table: &str) -> Result<bool, StoreError> {
    match Client::new(sdk)
        .describe_table()
        .table_name(table)
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error()
                .is_some_and(|x| x.is_resource_not_found_exception()) =>
        {
            Ok(false)
        }
        Err(e) => Err(sdk_err(e, "dynamodb:DescribeTable")),
    }
}

/// Creates the table with its indexes and TTL when it does not exist (for the
/// emulator and `aispm sweep --local`; in AWS the SAM template owns it).
pub async fn ensure_table(sdk: &aws_types::SdkConfig, table: &str) -> Result<(), StoreError> {
    if table_exists(sdk, table).await? {
        return Ok(());
    }
    let client = Client::new(sdk);
    let attr = |n: &str| {
        AttributeDefinition::builder()
            .attribute_name(n)
            .attribute_type(ScalarAttributeType::S)
            .build()
    };
    let key = |n: &str, t: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(n)
            .key_type(t)
            .build()
    };
    let keys_only = Projection::builder()
        .projection_type(ProjectionType::KeysOnly)
        .build();
    let by_status = GlobalSecondaryIndex::builder()
        .index_name("by_status")
        .key_schema(built(table, key("status", KeyType::Hash))?)
        .key_schema(built(table, key("rank", KeyType::Range))?)
        .projection(keys_only.clone())
        .build();
    let by_id = GlobalSecondaryIndex::builder()
        .index_name("by_id")
        .key_schema(built(table, key("finding_id", KeyType::Hash))?)
        .projection(keys_only)
        .build();
    client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(built(table, attr("pk"))?)
        .attribute_definitions(built(table, attr("sk"))?)
        .attribute_definitions(built(table, attr("status"))?)
        .attribute_definitions(built(table, attr("rank"))?)
        .attribute_definitions(built(table, attr("finding_id"))?)
        .key_schema(built(table, key("pk", KeyType::Hash))?)
        .key_schema(built(table, key("sk", KeyType::Range))?)
        .global_secondary_indexes(built(table, by_status)?)
        .global_secondary_indexes(built(table, by_id)?)
        .send()
        .await
        .op("dynamodb:CreateTable")?;
    for _ in 0..50 {
        let d = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .op("dynamodb:DescribeTable")?;
        if d.table()
            .and_then(|t| t.table_status())
            .is_some_and(|s| s.as_str() == "ACTIVE")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}
