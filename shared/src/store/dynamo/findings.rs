//! An account's partition: its graph snapshot and its findings' states,
//! details and history.

use super::*;

impl Snapshots for DynamoStore {
    async fn account(&self, account_id: &str) -> Result<AccountSnapshot, StoreError> {
        // Only the graph's and the findings' key ranges: not the details
        // (`D#`) or the history (`H#`), which grow with every change.
        let range = |(lo, hi): (&str, &str)| {
            self.query_all(
                None,
                "pk = :pk AND sk BETWEEN :lo AND :hi",
                HashMap::from([
                    (":pk".to_owned(), s(pk_account(account_id))),
                    (":lo".to_owned(), s(lo)),
                    (":hi".to_owned(), s(hi)),
                ]),
                true,
            )
        };
        let [first, second] = GRAPH_RANGES;
        let (a, b) = futures::future::try_join(range(first), range(second)).await?;
        let mut snap = AccountSnapshot::default();
        for item in a.iter().chain(&b) {
            let sk = get_s(item, "sk").unwrap_or_default();
            let mut parts = sk.splitn(3, '#');
            match (parts.next(), parts.next()) {
                (Some("A" | "E" | "C"), Some(scope)) => {
                    let part: Part = read_body(item)?;
                    snap.items.push(SnapshotItem {
                        scope: scope.to_owned(),
                        sk: sk.to_owned(),
                        collector: get_s(item, "collector").unwrap_or_default().to_owned(),
                        hash: get_s(item, "h").unwrap_or_default().to_owned(),
                        part,
                        at: get_s(item, "at").map(str::to_owned),
                    });
                }
                (Some("F"), Some(_)) => snap.findings.push(read_state(item)?),
                _ => {}
            }
        }
        Ok(snap)
    }

    async fn write_snapshot(
        &self,
        account_id: &str,
        diff: &SnapshotDiff,
    ) -> Result<(), StoreError> {
        let pk = pk_account(account_id);
        let item_of = |it: &SnapshotItem| {
            let mut item = body_item(pk.clone(), it.sk.clone(), &it.part);
            item.insert("h".to_owned(), s(it.hash.clone()));
            item.insert("collector".to_owned(), s(it.collector.clone()));
            if let Some(at) = &it.at {
                item.insert("at".to_owned(), s(at.clone()));
            }
            item
        };
        if let Some(at) = &diff.at {
            return self.write_observed(&pk, at, diff, item_of).await;
        }
        let mut requests = Vec::with_capacity(diff.put.len() + diff.delete.len());
        for it in &diff.put {
            let put = PutRequest::builder()
                .set_item(Some(item_of(it)))
                .build()
                .map_err(|e| corrupt(&it.sk, e))?;
            requests.push(WriteRequest::builder().put_request(put).build());
        }
        for sk in &diff.delete {
            let del = DeleteRequest::builder()
                .key("pk", s(pk.clone()))
                .key("sk", s(sk.clone()))
                .build()
                .map_err(|e| corrupt(sk, e))?;
            requests.push(WriteRequest::builder().delete_request(del).build());
        }
        self.batch_write(requests).await
    }
}

/// Writes at once per item of an observed diff.
const OBSERVED_WRITES_AT_ONCE: usize = 16;

/// An observed write's outcome: a failed condition (a later observation is
/// stored) is not an error.
fn unless_later<T, E>(
    result: Result<T, SdkError<E, HttpResponse>>,
    operation: &str,
) -> Result<(), StoreError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Err(e) if is_conditional_failure(&e) => Ok(()),
        other => other.map(|_| ()).op(operation).map_err(StoreError::from),
    }
}

impl DynamoStore {
    /// Applies a diff observed at `at` item by item, each put and delete
    /// conditional on the stored item holding no later observation
    /// (`attribute_not_exists(at) OR at <= :at`); a failed condition means
    /// an event or a later sweep wrote meanwhile, and its item stays.
    async fn write_observed(
        &self,
        pk: &str,
        at: &str,
        diff: &SnapshotDiff,
        item_of: impl Fn(&SnapshotItem) -> HashMap<String, AttributeValue>,
    ) -> Result<(), StoreError> {
        const COND: &str = "attribute_not_exists(#at) OR #at <= :at";
        let names = HashMap::from([("#at".to_owned(), "at".to_owned())]);
        let values = HashMap::from([(":at".to_owned(), s(at.to_owned()))]);
        let mut writes = Vec::new();
        for it in &diff.put {
            let item = item_of(it);
            self.meter.add_snapshot(write_units(item_size(&item)));
            let req = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression(COND)
                .set_expression_attribute_names(Some(names.clone()))
                .set_expression_attribute_values(Some(values.clone()));
            writes.push(futures::future::Either::Left(async move {
                unless_later(req.send().await, "dynamodb:PutItem")
            }));
        }
        for sk in &diff.delete {
            self.meter.add_snapshot(1);
            let req = self
                .client
                .delete_item()
                .table_name(&self.table)
                .key("pk", s(pk.to_owned()))
                .key("sk", s(sk.clone()))
                .condition_expression(COND)
                .set_expression_attribute_names(Some(names.clone()))
                .set_expression_attribute_values(Some(values.clone()));
            writes.push(futures::future::Either::Right(async move {
                unless_later(req.send().await, "dynamodb:DeleteItem")
            }));
        }
        use futures::StreamExt;
        let results: Vec<Result<(), StoreError>> = futures::stream::iter(writes)
            .buffer_unordered(OBSERVED_WRITES_AT_ONCE)
            .collect()
            .await;
        results.into_iter().collect()
    }
}

impl DynamoStore {
    /// The stored version of a finding's state, if it exists.
    async fn stored_version(&self, pk: &str, finding_id: &str) -> Result<Option<u64>, StoreError> {
        let resp = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(pk.to_owned()))
            .key("sk", s(format!("F#{finding_id}")))
            .projection_expression("version")
            .consistent_read(true)
            .send()
            .await
            .op("dynamodb:GetItem")?;
        Ok(resp.item().map(|i| match i.get("version") {
            Some(AttributeValue::N(n)) => n.parse().unwrap_or(0),
            _ => 0,
        }))
    }
}

impl FindingWrites for DynamoStore {
    async fn apply(&self, c: &Change) -> Result<Applied, StoreError> {
        let (cond, version) = match c.expected_version {
            None => ("attribute_not_exists(pk)", None),
            Some(v) => ("version = :v", Some(AttributeValue::N(v.to_string()))),
        };
        let state = state_item(&c.state);
        self.meter
            .finding_writes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // A new finding, or one whose rank or status moved, also writes its
        // index entries (keys-only projections: nothing else touches them).
        let index_units = match c.expected_version {
            None => 2,
            Some(_) if c.events.is_empty() => 0,
            Some(_) => 1,
        };
        if c.detail.is_none() && c.events.is_empty() {
            self.meter
                .add_finding(write_units(item_size(&state)) + index_units);
            let result = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(state))
                .condition_expression(cond)
                .set_expression_attribute_values(
                    version.map(|v| HashMap::from([(":v".to_owned(), v)])),
                )
                .send()
                .await;
            return match result {
                Ok(_) => Ok(Applied::Done),
                Err(e) if is_conditional_failure(&e) => Ok(Applied::Conflict),
                Err(e) => Err(sdk_err(e, "dynamodb:PutItem")),
            };
        }
        let pk = pk_account(&c.state.account_id);
        // A transaction that fails its condition is billed as writes, and on
        // the emulator it restores the whole table from a copy taken before
        // it, undoing what concurrent writers did meanwhile. The version an
        // update was planned from can be minutes old (read with the
        // account's snapshot): one strongly consistent read of it first
        // answers most conflicts without a failing transaction. (A new
        // finding is not read first: the first sweep of an account creates
        // every finding, and a race to create one is rare.)
        if c.expected_version.is_some()
            && self.stored_version(&pk, &c.state.finding_id).await? != c.expected_version
        {
            return Ok(Applied::Conflict);
        }
        let mut tx_units = write_units(item_size(&state));
        let put_state = Put::builder()
            .table_name(&self.table)
            .set_item(Some(state))
            .condition_expression(cond)
            .set_expression_attribute_values(version.map(|v| HashMap::from([(":v".to_owned(), v)])))
            .build()
            .map_err(|e| corrupt("finding", e))?;
        let mut tx = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put_state).build());
        if let Some(d) = &c.detail {
            let item = body_item(pk.clone(), format!("D#{}", c.state.finding_id), d);
            tx_units += write_units(item_size(&item));
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .build()
                .map_err(|e| corrupt("detail", e))?;
            tx = tx.transact_items(TransactWriteItem::builder().put(put).build());
        }
        for e in &c.events {
            let mut item = body_item(pk.clone(), event_sk(e), e);
            item.insert(
                "expires_at".to_owned(),
                AttributeValue::N((now_epoch() + HISTORY_TTL_DAYS * 86_400).to_string()),
            );
            tx_units += write_units(item_size(&item));
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .build()
                .map_err(|e| corrupt("event", e))?;
            tx = tx.transact_items(TransactWriteItem::builder().put(put).build());
        }
        self.meter.add_finding(2 * tx_units + index_units);
        match send_transaction(tx).await {
            Ok(_) => Ok(Applied::Done),
            Err(e) if is_conditional_failure(&e) => Ok(Applied::Conflict),
            Err(e) => Err(sdk_err(e, "dynamodb:TransactWriteItems")),
        }
    }

    async fn state(
        &self,
        account_id: &str,
        finding_id: &str,
    ) -> Result<Option<FindingState>, StoreError> {
        self.get(pk_account(account_id), format!("F#{finding_id}"))
            .await?
            .map(|i| read_state(&i))
            .transpose()
    }
}

impl FindingReads for DynamoStore {
    async fn finding(&self, finding_id: &str) -> Result<Option<FindingState>, StoreError> {
        let keys = self
            .query_all(
                Some("by_id"),
                "finding_id = :id",
                HashMap::from([(":id".to_owned(), s(finding_id))]),
                false,
            )
            .await?;
        let Some(key) = keys.first() else {
            return Ok(None);
        };
        let (Some(pk), Some(sk)) = (get_s(key, "pk"), get_s(key, "sk")) else {
            return Err(corrupt(finding_id, "index entry without keys"));
        };
        self.get(pk.to_owned(), sk.to_owned())
            .await?
            .map(|i| read_state(&i))
            .transpose()
    }

    async fn detail(
        &self,
        account_id: &str,
        finding_id: &str,
    ) -> Result<Option<FindingDetail>, StoreError> {
        self.get(pk_account(account_id), format!("D#{finding_id}"))
            .await?
            .map(|i| read_body(&i))
            .transpose()
    }

    async fn history(
        &self,
        account_id: &str,
        finding_id: &str,
    ) -> Result<Vec<FindingEvent>, StoreError> {
        self.query_all(
            None,
            "pk = :pk AND begins_with(sk, :prefix)",
            HashMap::from([
                (":pk".to_owned(), s(pk_account(account_id))),
                (":prefix".to_owned(), s(format!("H#{finding_id}#"))),
            ]),
            true,
        )
        .await?
        .iter()
        .map(read_body)
        .collect()
    }

    async fn list(&self, filter: &FindingFilter) -> Result<Vec<FindingState>, StoreError> {
        let mut states = if let Some(account) = &filter.account_id {
            let items = self
                .query_all(
                    None,
                    "pk = :pk AND begins_with(sk, :prefix)",
                    HashMap::from([
                        (":pk".to_owned(), s(pk_account(account))),
                        (":prefix".to_owned(), s("F#")),
                    ]),
                    true,
                )
                .await?;
            items
                .iter()
                .map(read_state)
                .collect::<Result<Vec<_>, _>>()?
        } else {
            let statuses = match filter.status {
                Some(st) => vec![st],
                None => vec![
                    FindingStatus::Open,
                    FindingStatus::Suppressed,
                    FindingStatus::RiskAccepted,
                    FindingStatus::Resolved,
                ],
            };
            let mut keys = Vec::new();
            for st in statuses {
                let entries = self
                    .query_all(
                        Some("by_status"),
                        "#status = :st",
                        HashMap::from([(":st".to_owned(), s(st.as_str()))]),
                        false,
                    )
                    .await?;
                keys.extend(entries.iter().filter_map(|k| {
                    Some(HashMap::from([
                        ("pk".to_owned(), k.get("pk")?.clone()),
                        ("sk".to_owned(), k.get("sk")?.clone()),
                    ]))
                }));
            }
            self.states_by_keys(keys).await?
        };
        states.retain(|st| {
            filter.status.is_none_or(|x| st.status == x)
                && filter.rule_id.as_ref().is_none_or(|r| &st.rule_id == r)
        });
        states.sort_by_key(rank);
        Ok(states)
    }
}
