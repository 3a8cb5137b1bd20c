//! The journal on the table: a change is one transaction of the head's
//! conditional put (over the version it was made from) and its log entry.

use super::*;
use crate::store::journal::{Journal, JournalHead, heads_pk, log_pk, log_sk};

fn read_head(item: &HashMap<String, AttributeValue>) -> Result<JournalHead, StoreError> {
    let id = get_s(item, "sk").unwrap_or("?").to_owned();
    let version = match item.get("version") {
        Some(AttributeValue::N(n)) => n.parse().map_err(|e| corrupt(&id, e))?,
        _ => return Err(corrupt(&id, "no version")),
    };
    Ok(JournalHead {
        body: read_body(item)?,
        id,
        version,
    })
}

impl Journal for DynamoStore {
    async fn journal_write(
        &self,
        kind: &str,
        head: &JournalHead,
        expected: Option<u64>,
        entry: &Value,
    ) -> Result<Applied, StoreError> {
        let version = expected.map_or(1, |v| v + 1);
        let mut item = body_item(heads_pk(kind), head.id.clone(), &head.body);
        item.insert("version".to_owned(), AttributeValue::N(version.to_string()));
        let mut put = Put::builder().table_name(&self.table).set_item(Some(item));
        put = match expected {
            None => put.condition_expression("attribute_not_exists(pk)"),
            Some(v) => put
                .condition_expression("version = :v")
                .expression_attribute_values(":v", AttributeValue::N(v.to_string())),
        };
        let log = body_item(log_pk(kind, &head.id), log_sk(version), entry);
        self.meter
            .add(2 * (write_units(item_size(&log)) + write_units(head.body.to_string().len())));
        let log = Put::builder()
            .table_name(&self.table)
            .set_item(Some(log))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(|e| corrupt("journal entry", e))?;
        let put = put.build().map_err(|e| corrupt("journal head", e))?;
        match send_transaction(
            self.client
                .transact_write_items()
                .transact_items(TransactWriteItem::builder().put(put).build())
                .transact_items(TransactWriteItem::builder().put(log).build()),
        )
        .await
        {
            Ok(_) => Ok(Applied::Done),
            Err(e) if is_conditional_failure(&e) => Ok(Applied::Conflict),
            Err(e) => Err(sdk_err(e, "dynamodb:TransactWriteItems")),
        }
    }

    async fn journal_head(&self, kind: &str, id: &str) -> Result<Option<JournalHead>, StoreError> {
        self.get(heads_pk(kind), id.to_owned())
            .await?
            .map(|i| read_head(&i))
            .transpose()
    }

    async fn journal_log(&self, kind: &str, id: &str) -> Result<Vec<Value>, StoreError> {
        let items = self
            .query_all(
                None,
                "pk = :pk",
                HashMap::from([(":pk".to_owned(), s(log_pk(kind, id)))]),
                true,
            )
            .await?;
        items.iter().map(read_body).collect()
    }

    async fn journal_heads(&self, kind: &str) -> Result<Vec<JournalHead>, StoreError> {
        let items = self
            .query_all(
                None,
                "pk = :pk",
                HashMap::from([(":pk".to_owned(), s(heads_pk(kind)))]),
                true,
            )
            .await?;
        items.iter().map(read_head).collect()
    }
}
