//! The sweep log in the table: `SWEEPS` and `SWEEP#<id>` partitions.

use super::*;

impl Sweeps for DynamoStore {
    async fn create_sweep(&self, sw: &SweepRecord) -> Result<(), StoreError> {
        let mut item = to_item(&json_object(sw));
        item.insert("pk".to_owned(), s("SWEEPS"));
        item.insert("sk".to_owned(), s(sw.sweep_id.clone()));
        self.meter.add(write_units(item_size(&item)));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .op("dynamodb:PutItem")?;
        Ok(())
    }

    async fn sweep(&self, sweep_id: &str) -> Result<Option<SweepRecord>, StoreError> {
        self.get("SWEEPS".to_owned(), sweep_id.to_owned())
            .await?
            .map(|i| read_sweep(&i))
            .transpose()
    }

    async fn latest_sweep(&self) -> Result<Option<SweepRecord>, StoreError> {
        let resp = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s("SWEEPS"))
            .scan_index_forward(false)
            .limit(1)
            .consistent_read(true)
            .send()
            .await
            .op("dynamodb:Query")?;
        resp.items().first().map(read_sweep).transpose()
    }

    async fn tasks(&self, sweep_id: &str) -> Result<Vec<TaskRecord>, StoreError> {
        self.query_all(
            None,
            "pk = :pk",
            HashMap::from([(":pk".to_owned(), s(format!("SWEEP#{sweep_id}")))]),
            true,
        )
        .await?
        .iter()
        .map(read_body)
        .collect()
    }

    async fn task(
        &self,
        sweep_id: &str,
        account_id: &str,
        scope: &str,
    ) -> Result<Option<TaskRecord>, StoreError> {
        self.get(
            format!("SWEEP#{sweep_id}"),
            format!("T#{account_id}#{scope}"),
        )
        .await?
        .map(|i| read_body(&i))
        .transpose()
    }

    async fn complete_task(&self, t: &TaskRecord) -> Result<bool, StoreError> {
        // A redelivered task usually finds its record already: one strongly
        // consistent read instead of a transaction that fails its condition
        // (billed as writes on AWS; on the emulator a failed transaction
        // restores the whole table from a copy taken before it, undoing
        // writes other tasks made meanwhile).
        if self
            .task(&t.sweep_id, &t.account_id, &t.scope)
            .await?
            .is_some()
        {
            return Ok(false);
        }
        let mut task = body_item(
            format!("SWEEP#{}", t.sweep_id),
            format!("T#{}#{}", t.account_id, t.scope),
            t,
        );
        task.insert(
            "expires_at".to_owned(),
            AttributeValue::N((now_epoch() + TASK_TTL_DAYS * 86_400).to_string()),
        );
        self.meter.add(2 * (write_units(item_size(&task)) + 1));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(task))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(|e| corrupt("task", e))?;
        let count = Update::builder()
            .table_name(&self.table)
            .key("pk", s("SWEEPS"))
            .key("sk", s(t.sweep_id.clone()))
            .update_expression("ADD done_tasks :one")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":one", AttributeValue::N("1".to_owned()))
            .build()
            .map_err(|e| corrupt("sweep", e))?;
        let result = send_transaction(
            self.client
                .transact_write_items()
                .transact_items(TransactWriteItem::builder().put(put).build())
                .transact_items(TransactWriteItem::builder().update(count).build()),
        )
        .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if is_conditional_failure(&e) => {
                // Either the task was already counted, or the sweep is unknown.
                if self.sweep(&t.sweep_id).await?.is_none() {
                    return Err(StoreError::NotFound(format!("sweep {}", t.sweep_id)));
                }
                Ok(false)
            }
            Err(e) => Err(sdk_err(e, "dynamodb:TransactWriteItems")),
        }
    }
}
