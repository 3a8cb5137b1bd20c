//! Event triggers: an API call seen by CloudTrail, or an AWS Health
//! credentials-exposed event, rescans exactly what it changed.
//!
//! [`parse`] reads the EventBridge envelope; [`map`] says which resource the
//! call changed and what to re-read; [`handle`] enters the account through the
//! scanner role, re-reads only that resource (reading current state, never
//! trusting the payload), puts it into the stored view of its scope, and
//! brings findings up to date with the same lifecycle as sweeps
//! ([`crate::pipeline`]). Findings that depend on the resource (attack paths
//! over it, jobs that read a bucket) are re-evaluated with it, because rules
//! run over the whole stored account graph.
//!
//! Each event reads current state and is applied at the time of the change
//! it reports, with the sweeps' lifecycle (an observation older than the
//! stored one changes nothing): the same event twice, or two events in
//! reverse order, leave the store as one ordered delivery would.

pub mod map;

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde_json::Value;
use tracing::{debug, info};

use crate::aws::{AwsSettings, Clients, KNOWN_REGIONS, RequestCounter, assume_role, base_config};
use crate::collect::{Batch, Ctx};
use crate::model::{Asset, AssetType, GLOBAL_REGION, Inventory};
use crate::pipeline::{MESSAGE_VERSION, PipelineConfig, PipelineError, ScanTask, timestamp};
use crate::store::{Part, Store};

use map::{Action, Kind};

/// What an event is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    /// An API call recorded by CloudTrail.
    Api {
        /// `eventSource`.
        source: String,
        /// `eventName`.
        name: String,
        /// `requestParameters`.
        request: Value,
        /// `responseElements` (where a create call returns the new id).
        response: Value,
        /// `userIdentity.userName` of an IAM user caller (who may manage
        /// their own access keys without naming themselves).
        caller_user: Option<String>,
    },
    /// AWS Health `AWS_RISK_CREDENTIALS_EXPOSED`: these access key ids were
    /// found in public.
    CredentialsExposed {
        /// The exposed access key ids.
        keys: Vec<String>,
    },
}

/// A parsed event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The EventBridge event id.
    pub id: String,
    /// The account the change happened in.
    pub account_id: String,
    /// The region it happened in.
    pub region: String,
    /// When it happened (`detail.eventTime`, else the envelope's `time`), in
    /// the store's timestamp format: the observation time of what it changes.
    pub time: String,
    /// What happened.
    pub trigger: Trigger,
}

/// An RFC 3339 time in the store's fixed-width format.
fn store_time(s: &str) -> Option<String> {
    let t = aws_smithy_types::DateTime::from_str(s, aws_smithy_types::date_time::Format::DateTime)
        .ok()?;
    let st = SystemTime::try_from(t).ok()?;
    Some(timestamp(st))
}

fn malformed(what: impl Into<String>) -> PipelineError {
    PipelineError::Event(what.into())
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_str)
}

/// Parses an EventBridge event. `Ok(None)` for events aispm does not act on
/// (other detail types, failed calls, Health events of other types); an
/// error names what is missing or wrong.
pub fn parse(v: &Value) -> Result<Option<Event>, PipelineError> {
    if !v.is_object() {
        return Err(malformed("not a JSON object"));
    }
    let detail_type = str_at(v, &["detail-type"]).ok_or_else(|| malformed("no `detail-type`"))?;
    let id = str_at(v, &["id"])
        .ok_or_else(|| malformed("no `id`"))?
        .to_owned();
    let detail = v
        .get("detail")
        .filter(|d| d.is_object())
        .ok_or_else(|| malformed("no `detail` object"))?;
    let (account_id, region, trigger) = match detail_type {
        "AWS API Call via CloudTrail" => {
            if detail.get("errorCode").is_some_and(|e| !e.is_null()) {
                return Ok(None); // the call failed: nothing changed
            }
            let source = str_at(detail, &["eventSource"])
                .ok_or_else(|| malformed("no `detail.eventSource`"))?;
            let name =
                str_at(detail, &["eventName"]).ok_or_else(|| malformed("no `detail.eventName`"))?;
            let account = str_at(detail, &["recipientAccountId"])
                .or_else(|| str_at(v, &["account"]))
                .ok_or_else(|| malformed("no `detail.recipientAccountId` or `account`"))?;
            let region = str_at(detail, &["awsRegion"])
                .or_else(|| str_at(v, &["region"]))
                .ok_or_else(|| malformed("no `detail.awsRegion` or `region`"))?;
            let trigger = Trigger::Api {
                source: source.to_owned(),
                name: name.to_owned(),
                request: detail
                    .get("requestParameters")
                    .cloned()
                    .unwrap_or(Value::Null),
                response: detail
                    .get("responseElements")
                    .cloned()
                    .unwrap_or(Value::Null),
                caller_user: str_at(detail, &["userIdentity", "userName"]).map(str::to_owned),
            };
            (account, region, trigger)
        }
        "AWS Health Event" => {
            if str_at(detail, &["eventTypeCode"]) != Some("AWS_RISK_CREDENTIALS_EXPOSED") {
                return Ok(None);
            }
            let account = str_at(v, &["account"]).ok_or_else(|| malformed("no `account`"))?;
            let region = str_at(v, &["region"]).unwrap_or("us-east-1");
            let keys: Vec<String> = detail
                .get("affectedEntities")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|e| str_at(e, &["entityValue"]))
                .map(str::to_owned)
                .collect();
            if keys.is_empty() {
                return Err(malformed("no `detail.affectedEntities[].entityValue`"));
            }
            (account, region, Trigger::CredentialsExposed { keys })
        }
        _ => return Ok(None),
    };
    if account_id.len() != 12 || !account_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(format!("account id `{account_id}`")));
    }
    if !KNOWN_REGIONS.contains(&region) {
        return Err(malformed(format!("unknown region `{region}`")));
    }
    let raw_time = str_at(detail, &["eventTime"])
        .or_else(|| str_at(v, &["time"]))
        .ok_or_else(|| malformed("no `detail.eventTime` or `time`"))?;
    let time = store_time(raw_time)
        .ok_or_else(|| malformed(format!("time `{raw_time}` is not RFC 3339")))?;
    Ok(Some(Event {
        id,
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        time,
        trigger,
    }))
}

/// What handling an event did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Outcome {
    /// False for events aispm does not act on.
    pub handled: bool,
    /// The resource re-read.
    pub resource: Option<String>,
    /// AWS requests made (the scanner role included).
    pub requests: u64,
    /// Findings whose state changed.
    pub changed: u64,
}

/// Handles one EventBridge event: see the module docs.
pub async fn handle<S: Store>(
    settings: &AwsSettings,
    cfg: &PipelineConfig,
    store: &S,
    raw: &Value,
) -> Result<Outcome, PipelineError> {
    let Some(event) = parse(raw)? else {
        debug!("event type not tracked; ignored");
        return Ok(Outcome::default());
    };
    let (mapping, resource) = match &event.trigger {
        Trigger::Api {
            source,
            name,
            request,
            response,
            caller_user,
        } => {
            let Some(m) = map::lookup(source, name) else {
                debug!(source = %source, name = %name, "API call not mapped; ignored");
                return Ok(Outcome::default());
            };
            let param = |key: &str| {
                str_at(request, &[key])
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
                    .ok_or_else(|| malformed(format!("{name}: no `requestParameters.{key}`")))
            };
            let resource = match m.action {
                Action::BucketFields(_) | Action::BucketCreated | Action::BucketDeleted => {
                    param("bucketName")?
                }
                Action::Identity(AssetType::IamRole, map::Part::Inline) => {
                    format!("{}/{}", param("roleName")?, param("policyName")?)
                }
                Action::Identity(AssetType::IamRole, _) => param("roleName")?,
                Action::Identity(_, map::Part::Inline) => {
                    format!("{}/{}", param("userName")?, param("policyName")?)
                }
                Action::Identity(_, _) => param("userName")?,
                Action::AccessKeys => match (param("userName"), caller_user) {
                    (Ok(u), _) => u,
                    (Err(_), Some(u)) => u.clone(),
                    (Err(e), None) => return Err(e),
                },
                Action::Secret => param("secretId").or_else(|_| param("name"))?,
                Action::Key => param("keyId")?,
                Action::ManagedPolicy => param("policyArn")?,
                Action::Tags(keys) => keys.iter().find_map(|k| param(k).ok()).ok_or_else(|| {
                    malformed(format!(
                        "{name}: no `requestParameters.{}`",
                        keys.join("` or `")
                    ))
                })?,
                Action::Resource(map::Kind::InvocationLogging) => {
                    "model-invocation-logging".to_owned()
                }
                Action::Resource(kind) => {
                    identifier(kind.id(name), request, response).ok_or_else(|| {
                        malformed(format!(
                            "{name}: no {} in the call",
                            kind.id(name).join(" or ")
                        ))
                    })?
                }
            };
            (Some(m), resource)
        }
        Trigger::CredentialsExposed { keys } => (None, keys.join(",")),
    };

    let counter = RequestCounter::default();
    let ctx = enter(settings, cfg, &event, &counter).await?;
    let snapshot = store.account(&event.account_id).await?;
    // Buckets, roles, users and access keys live in the account's global
    // scope; secrets, notebooks and KMS keys in their region.
    let scope = match mapping.map(|m| m.action) {
        Some(Action::Secret | Action::Key | Action::Resource(_) | Action::Tags(_)) => {
            event.region.clone()
        }
        _ => GLOBAL_REGION.to_owned(),
    };
    let mut fresh = stored_scope(&snapshot, &scope);

    let touched = match (mapping.map(|m| m.action), &event.trigger) {
        (Some(Action::Identity(kind, part)), _) => {
            refresh_identity(&ctx, &mut fresh, kind, part, &resource).await?
        }
        (Some(Action::AccessKeys), _) => refresh_keys(&ctx, &mut fresh, &resource).await?,
        (Some(Action::Secret), _) => refresh_secret(&ctx, &mut fresh, &resource).await?,
        (Some(Action::Resource(kind)), _) => {
            refresh_resource(&ctx, &mut fresh, kind, &resource).await?
        }
        (Some(Action::Tags(_)), _) => refresh_tagged(&ctx, &mut fresh, &resource).await?,
        (Some(Action::ManagedPolicy), _) => refresh_policy(&ctx, &mut fresh, &resource).await?,
        (Some(Action::Key), _) => {
            // `keyId` may be an id, an ARN or an alias.
            let current = crate::collect::kms::key(&ctx, &resource).await?;
            let current_arn = current.as_ref().map(|(a, _)| a.arn.clone());
            let stored = fresh.assets.iter().position(|a| {
                a.asset_type == AssetType::KmsKey
                    && (Some(&a.arn) == current_arn.as_ref()
                        || a.arn == resource
                        || a.str_attr("key_id") == Some(resource.as_str()))
            });
            replace(
                &mut fresh,
                stored,
                current.map(|(a, e)| Batch::one(a, e)),
                "kms.keys",
            )
        }
        (Some(action), _) => {
            refresh_bucket(&ctx, &mut fresh, &resource, &event.region, action).await?
        }
        (None, Trigger::CredentialsExposed { keys }) => {
            mark_exposed(&ctx, &mut fresh, keys, &event.time).await?
        }
        (None, Trigger::Api { .. }) => None,
    };

    let task = ScanTask {
        version: MESSAGE_VERSION,
        sweep_id: format!("event:{}", event.id),
        // The change's own time: a duplicate or late delivery replays an
        // observation already applied (or older than a later one), so the
        // store ends as one ordered delivery leaves it.
        sweep_at: event.time.clone(),
        account_id: event.account_id.clone(),
        scope,
        home_region: event.region.clone(),
        role_name: cfg.role_name.clone(),
        external_id_ref: cfg.external_id_ref.clone(),
        management_account: None,
    };
    // What the event read again (or found gone): the resource, and whatever
    // of the scope's stored assets its refresh dropped.
    let mut reread: std::collections::BTreeSet<String> = touched.iter().cloned().collect();
    let live: std::collections::BTreeSet<&str> =
        fresh.assets.iter().map(|a| a.arn.as_str()).collect();
    for it in snapshot.items.iter().filter(|i| i.scope == task.scope) {
        if let Part::Asset(a) = &it.part
            && !live.contains(a.arn.as_str())
        {
            reread.insert(a.arn.clone());
        }
    }
    let outcome =
        crate::pipeline::update_scope(store, cfg, &task, fresh, &snapshot, &reread).await?;
    let requests = counter.snapshot().total;
    info!(
        event_id = %event.id,
        resource = %resource,
        requests,
        changed = outcome.changed,
        "event handled"
    );
    Ok(Outcome {
        handled: true,
        resource: touched.or(Some(resource)),
        requests,
        changed: outcome.changed,
    })
}

/// Enters the event's account through the scanner role (one sts:AssumeRole).
async fn enter(
    settings: &AwsSettings,
    cfg: &PipelineConfig,
    event: &Event,
    counter: &RequestCounter,
) -> Result<Ctx, PipelineError> {
    let base = base_config(settings, &event.region).await;
    let partition = crate::scan::partition_of(&event.region);
    let role_arn = format!(
        "arn:{partition}:iam::{}:role/{}",
        event.account_id, cfg.role_name
    );
    let external_id = cfg.external_id(cfg.external_id_ref.as_deref())?;
    let sdk = assume_role(&base, counter, &role_arn, external_id.as_deref()).await?;
    Ok(Ctx {
        account_id: event.account_id.clone(),
        region: event.region.clone(),
        partition: partition.to_owned(),
        clients: Clients::new(&sdk, &event.region, counter),
        sdk,
        counter: counter.clone(),
        is_management: false,
    })
}

/// The stored view of one scope, as an inventory with the collectors that
/// produced each part (rule gaps are left out: the evaluation recomputes them).
fn stored_scope(snapshot: &crate::store::AccountSnapshot, scope: &str) -> Inventory {
    let mut inv = Inventory::default();
    for it in snapshot.items.iter().filter(|i| i.scope == scope) {
        match &it.part {
            Part::Asset(a) => {
                inv.provenance
                    .insert(Inventory::asset_key(a), it.collector.clone());
                inv.assets.push(a.clone());
            }
            Part::Edge(e) => {
                inv.provenance
                    .insert(Inventory::edge_key(e), it.collector.clone());
                inv.edges.push(e.clone());
            }
            Part::Coverage(c) if !c.collector.starts_with("rule:") => inv.coverage.push(c.clone()),
            Part::Coverage(_) => {}
        }
    }
    inv
}

/// Re-reads a bucket as `action` says and puts it into `fresh`; returns its ARN.
async fn refresh_bucket(
    ctx: &Ctx,
    fresh: &mut Inventory,
    name: &str,
    region: &str,
    action: Action,
) -> Result<Option<String>, PipelineError> {
    use crate::collect::s3::{Field, read_fields};
    let arn = format!("arn:{}:s3:::{name}", ctx.partition);
    let stored = fresh.assets.iter().position(|a| a.arn == arn);
    let (base, fields): (Asset, &[Field]) = match (action, stored) {
        (Action::BucketDeleted, Some(i)) => {
            let exists = crate::collect::s3::exists(ctx, name).await?;
            if !exists {
                fresh.assets.remove(i);
                return Ok(Some(arn));
            }
            (fresh.assets.remove(i), Field::ALL)
        }
        (Action::BucketDeleted, None) => return Ok(Some(arn)),
        (Action::BucketFields(fields), Some(i)) => (fresh.assets.remove(i), fields),
        (Action::BucketCreated, Some(i)) => (fresh.assets.remove(i), Field::CREATED),
        (Action::BucketCreated | Action::BucketFields(_), None) => (
            Asset::new(&arn, AssetType::S3Bucket, name, &ctx.account_id, region),
            Field::CREATED,
        ),
        (
            Action::Identity(..)
            | Action::AccessKeys
            | Action::Secret
            | Action::Key
            | Action::Resource(_)
            | Action::Tags(_)
            | Action::ManagedPolicy,
            _,
        ) => {
            return Ok(None);
        }
    };
    let (asset, coverage) = read_fields(ctx, base, fields).await?;
    fresh
        .provenance
        .insert(Inventory::asset_key(&asset), "s3.buckets".to_owned());
    fresh.assets.push(asset);
    fresh.coverage.extend(coverage);
    Ok(Some(arn))
}

/// Re-reads the changed part of a role or user (`name`, or `name/policy` for
/// an inline policy) into the stored view, with the managed policies it newly
/// needs and its attachment edges; returns its ARN. A role or user the stored
/// view does not know yet is left to the next sweep.
async fn refresh_identity(
    ctx: &Ctx,
    fresh: &mut Inventory,
    kind: AssetType,
    part: map::Part,
    resource: &str,
) -> Result<Option<String>, PipelineError> {
    use crate::collect::iam::{IdentityPart, refresh_identity as read};
    use crate::model::{Edge, EdgeKind, Evidence};
    let (name, policy) = match resource.split_once('/') {
        Some((n, p)) => (n, Some(p)),
        None => (resource, None),
    };
    let Some(i) = fresh
        .assets
        .iter()
        .position(|a| a.asset_type == kind && a.name == name)
    else {
        info!(
            name,
            "identity not in the stored graph yet; the next sweep adds it"
        );
        return Ok(None);
    };
    let part = match (part, policy) {
        (map::Part::Attached, _) => IdentityPart::Attached,
        (map::Part::Inline, Some(p)) => IdentityPart::Inline(p.to_owned()),
        (map::Part::Inline, None) => return Err(malformed("inline policy without a name")),
        (map::Part::Identity, _) => IdentityPart::Identity,
    };
    let known: std::collections::BTreeSet<String> = fresh
        .assets
        .iter()
        .filter(|a| a.asset_type == AssetType::IamPolicy)
        .map(|a| a.arn.clone())
        .collect();
    let mut asset = fresh.assets.remove(i);
    let policies = read(ctx, &mut asset, &part, &known).await?;
    let arn = asset.arn.clone();
    if part == IdentityPart::Attached {
        fresh
            .edges
            .retain(|e| !(e.from == arn && e.kind == EdgeKind::HasPolicy));
        let call = if kind == AssetType::IamRole {
            "iam:ListAttachedRolePolicies"
        } else {
            "iam:ListAttachedUserPolicies"
        };
        for p in crate::rules::identity::attached_policies(&asset) {
            let e = Edge::new(
                &arn,
                p,
                EdgeKind::HasPolicy,
                Evidence::new(call, "AttachedPolicies"),
            );
            fresh.provenance.insert(
                Inventory::edge_key(&e),
                "iam.authorization_details".to_owned(),
            );
            fresh.edges.push(e);
        }
    }
    for p in policies.into_iter().chain(std::iter::once(asset)) {
        fresh.provenance.insert(
            Inventory::asset_key(&p),
            "iam.authorization_details".to_owned(),
        );
        fresh.assets.push(p);
    }
    Ok(Some(arn))
}

/// Re-reads one secret's metadata (`id`: name or ARN) into the stored view of
/// its region, or drops it when it is gone; returns its ARN.
async fn refresh_secret(
    ctx: &Ctx,
    fresh: &mut Inventory,
    id: &str,
) -> Result<Option<String>, PipelineError> {
    let stored = fresh.assets.iter().position(|a| {
        a.asset_type == AssetType::SecretsmanagerSecret && (a.arn == id || a.name == id)
    });
    let current = crate::collect::secrets::secret(ctx, id).await?;
    Ok(replace(fresh, stored, current, "secretsmanager.secrets"))
}

/// The identifier a call names, per the paths of [`map::Kind::id`].
fn identifier(paths: &[&str], request: &Value, response: &Value) -> Option<String> {
    paths.iter().find_map(|alt| {
        let parts: Option<Vec<&str>> = alt
            .split('+')
            .map(|p| {
                let (root, path) = match p.strip_prefix("response.") {
                    Some(rest) => (response, rest),
                    None => (request, p),
                };
                let keys: Vec<&str> = path.split('.').collect();
                str_at(root, &keys).filter(|v| !v.is_empty())
            })
            .collect();
        parts.map(|p| p.join("/"))
    })
}

/// The asset type a kind's reader produces (for parts, their parent's) and
/// the collector that owns it.
fn target(kind: Kind) -> (AssetType, &'static str) {
    match kind {
        Kind::Notebook => (
            AssetType::SagemakerNotebookInstance,
            "sagemaker.notebook_instances",
        ),
        Kind::Domain => (AssetType::SagemakerDomain, "sagemaker.domains"),
        Kind::UserProfile => (AssetType::SagemakerUserProfile, "sagemaker.user_profiles"),
        Kind::Model => (AssetType::SagemakerModel, "sagemaker.models"),
        Kind::EndpointConfig => (
            AssetType::SagemakerEndpointConfig,
            "sagemaker.endpoint_configs",
        ),
        Kind::Endpoint => (AssetType::SagemakerEndpoint, "sagemaker.endpoints"),
        Kind::TrainingJob => (AssetType::SagemakerTrainingJob, "sagemaker.training_jobs"),
        Kind::ProcessingJob => (
            AssetType::SagemakerProcessingJob,
            "sagemaker.processing_jobs",
        ),
        Kind::TransformJob => (AssetType::SagemakerTransformJob, "sagemaker.transform_jobs"),
        Kind::TuningJob => (AssetType::SagemakerTuningJob, "sagemaker.tuning_jobs"),
        Kind::Pipeline => (AssetType::SagemakerPipeline, "sagemaker.pipelines"),
        Kind::FeatureGroup => (AssetType::SagemakerFeatureGroup, "sagemaker.feature_groups"),
        Kind::ModelPackageGroup => (
            AssetType::SagemakerModelPackageGroup,
            "sagemaker.model_package_groups",
        ),
        Kind::Guardrail => (AssetType::BedrockGuardrail, "bedrock.guardrails"),
        Kind::InvocationLogging => (
            AssetType::BedrockInvocationLogging,
            "bedrock.invocation_logging",
        ),
        Kind::CustomModel => (AssetType::BedrockCustomModel, "bedrock.custom_models"),
        Kind::CustomizationJob => (
            AssetType::BedrockCustomizationJob,
            "bedrock.customization_jobs",
        ),
        Kind::ProvisionedThroughput => (
            AssetType::BedrockProvisionedThroughput,
            "bedrock.provisioned_throughput",
        ),
        Kind::Agent | Kind::ActionGroup | Kind::AgentKnowledgeBases => {
            (AssetType::BedrockAgent, "bedrock_agent.agents")
        }
        Kind::KnowledgeBase | Kind::DataSource => (
            AssetType::BedrockKnowledgeBase,
            "bedrock_agent.knowledge_bases",
        ),
        Kind::AgentRuntime => (
            AssetType::BedrockAgentcoreRuntime,
            "bedrock_agentcore.runtimes",
        ),
        Kind::Gateway => (
            AssetType::BedrockAgentcoreGateway,
            "bedrock_agentcore.gateways",
        ),
    }
}

/// The kind that re-reads an asset of this type, and the identifier its
/// reader takes, for an asset already in the stored graph.
fn kind_of(a: &Asset) -> Option<(Kind, String)> {
    let name = a.name.clone();
    let attr = |k: &str| a.str_attr(k).map(str::to_owned);
    Some(match a.asset_type {
        AssetType::SagemakerNotebookInstance => (Kind::Notebook, name),
        AssetType::SagemakerDomain => (Kind::Domain, attr("domain_id").unwrap_or(a.arn.clone())),
        AssetType::SagemakerUserProfile => {
            (Kind::UserProfile, format!("{}/{name}", attr("domain_id")?))
        }
        AssetType::SagemakerModel => (Kind::Model, name),
        AssetType::SagemakerEndpointConfig => (Kind::EndpointConfig, name),
        AssetType::SagemakerEndpoint => (Kind::Endpoint, name),
        AssetType::SagemakerTrainingJob => (Kind::TrainingJob, name),
        AssetType::SagemakerProcessingJob => (Kind::ProcessingJob, name),
        AssetType::SagemakerTransformJob => (Kind::TransformJob, name),
        AssetType::SagemakerTuningJob => (Kind::TuningJob, name),
        AssetType::SagemakerPipeline => (Kind::Pipeline, name),
        AssetType::SagemakerFeatureGroup => (Kind::FeatureGroup, name),
        AssetType::SagemakerModelPackageGroup => (Kind::ModelPackageGroup, name),
        AssetType::BedrockGuardrail => (Kind::Guardrail, a.arn.clone()),
        AssetType::BedrockCustomModel => (Kind::CustomModel, a.arn.clone()),
        AssetType::BedrockCustomizationJob => (Kind::CustomizationJob, a.arn.clone()),
        AssetType::BedrockProvisionedThroughput => (Kind::ProvisionedThroughput, a.arn.clone()),
        AssetType::BedrockAgent => (Kind::Agent, attr("agent_id")?),
        AssetType::BedrockKnowledgeBase => (Kind::KnowledgeBase, attr("knowledge_base_id")?),
        AssetType::BedrockAgentcoreRuntime => (Kind::AgentRuntime, a.arn.clone()),
        AssetType::BedrockAgentcoreGateway => (Kind::Gateway, a.arn.clone()),
        _ => return None,
    })
}

/// Whether `id` (a name, an id, an ARN, or `PARENT/CHILD`) names the asset.
fn names(a: &Asset, id: &str) -> bool {
    a.arn == id
        || a.name == id
        || a.arn.ends_with(&format!("/{id}"))
        || a.arn.ends_with(&format!("/{}", id.to_lowercase()))
}

/// Reads one resource whole with its collector's reader.
async fn read(ctx: &Ctx, kind: Kind, id: &str) -> Result<Option<Batch>, PipelineError> {
    use crate::collect::{agentcore, bedrock, bedrock_agent as agents, sagemaker as sm};
    Ok(match kind {
        Kind::Notebook => sm::notebook(ctx, id).await?,
        Kind::Domain => sm::domain(ctx, id).await?,
        Kind::UserProfile => sm::user_profile(ctx, id).await?,
        Kind::Model => sm::model(ctx, id).await?,
        Kind::EndpointConfig => sm::endpoint_config(ctx, id).await?,
        Kind::Endpoint => sm::endpoint(ctx, id).await?,
        Kind::TrainingJob => sm::training_job(ctx, id).await?,
        Kind::ProcessingJob => sm::processing_job(ctx, id).await?,
        Kind::TransformJob => sm::transform_job(ctx, id).await?,
        Kind::TuningJob => sm::tuning_job(ctx, id).await?,
        Kind::Pipeline => sm::pipeline(ctx, id).await?,
        Kind::FeatureGroup => sm::feature_group(ctx, id).await?,
        Kind::ModelPackageGroup => sm::model_package_group(ctx, id).await?,
        Kind::Guardrail => bedrock::guardrail(ctx, id).await?,
        Kind::InvocationLogging => Some(bedrock::invocation_logging(ctx).await?),
        Kind::CustomModel => bedrock::custom_model(ctx, id).await?,
        Kind::CustomizationJob => bedrock::customization_job(ctx, id).await?,
        Kind::ProvisionedThroughput => bedrock::provisioned(ctx, id).await?,
        Kind::Agent | Kind::ActionGroup | Kind::AgentKnowledgeBases => {
            agents::agent(ctx, id).await?
        }
        Kind::KnowledgeBase | Kind::DataSource => agents::knowledge_base(ctx, id).await?,
        Kind::AgentRuntime => agentcore::runtime(ctx, id).await?,
        Kind::Gateway => agentcore::gateway(ctx, id).await?,
    })
}

/// Re-reads the resource a call changed into the stored view of its region
/// (or drops it when it is gone); returns its ARN. An agent or knowledge
/// base already stored has only its own configuration re-read: its tools,
/// knowledge bases and data sources change with their own calls.
async fn refresh_resource(
    ctx: &Ctx,
    fresh: &mut Inventory,
    kind: Kind,
    id: &str,
) -> Result<Option<String>, PipelineError> {
    use crate::collect::bedrock_agent as agents;
    use crate::model::EdgeKind;
    let (asset_type, collector) = target(kind);
    if matches!(
        kind,
        Kind::ActionGroup | Kind::AgentKnowledgeBases | Kind::DataSource
    ) {
        return refresh_part(ctx, fresh, kind, id).await;
    }
    let find = |fresh: &Inventory, arn: Option<&str>| {
        fresh.assets.iter().position(|a| {
            a.asset_type == asset_type && (Some(a.arn.as_str()) == arn || names(a, id))
        })
    };
    let stored = find(fresh, None);
    // What the configuration-only readers leave to the parts' own calls.
    let kept: Option<(&str, &[EdgeKind])> = match kind {
        Kind::Agent => Some((
            "action_groups",
            &[EdgeKind::InvokesTool, EdgeKind::UsesKnowledgeBase],
        )),
        Kind::KnowledgeBase => Some(("data_sources", &[EdgeKind::DataSource])),
        _ => None,
    };
    let current = match (kept, stored) {
        (Some((attr, edge_kinds)), Some(i)) => {
            let config = if kind == Kind::Agent {
                agents::agent_config(ctx, id).await?
            } else {
                agents::knowledge_base_config(ctx, id).await?
            };
            config.map(|mut b| {
                let old = &fresh.assets[i];
                if let Some(a) = b.assets.first_mut() {
                    a.set(attr, old.attributes.get(attr).cloned());
                }
                b.edges.extend(
                    fresh
                        .edges
                        .iter()
                        .filter(|e| e.from == old.arn && edge_kinds.contains(&e.kind))
                        .cloned(),
                );
                b
            })
        }
        _ => read(ctx, kind, id).await?,
    };
    let arn = current
        .as_ref()
        .and_then(|b| b.assets.first())
        .map(|a| a.arn.clone());
    let stored = stored.or_else(|| find(fresh, arn.as_deref()));
    Ok(replace(fresh, stored, current, collector))
}

/// Re-reads one part of a stored agent (an action group, its knowledge
/// bases) or knowledge base (a data source) and puts it into the stored
/// asset; a parent not stored yet is read whole.
async fn refresh_part(
    ctx: &Ctx,
    fresh: &mut Inventory,
    kind: Kind,
    id: &str,
) -> Result<Option<String>, PipelineError> {
    use crate::collect::bedrock_agent as agents;
    use crate::model::EdgeKind;
    let (parent_type, collector) = target(kind);
    let (parent_id, child) = match id.split_once('/') {
        Some((p, c)) => (p, Some(c)),
        None => (id, None),
    };
    let Some(i) = fresh
        .assets
        .iter()
        .position(|a| a.asset_type == parent_type && names(a, parent_id))
    else {
        let current = read(ctx, kind, parent_id).await?;
        return Ok(replace(fresh, None, current, collector));
    };
    let parent = fresh.assets.remove(i);
    let arn = parent.arn.clone();
    let (edges, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut fresh.edges)
        .into_iter()
        .partition(|e| e.from == arn);
    fresh.edges = rest;
    // The stored list, when every entry carries its id (entries stored
    // before ids were kept are re-listed whole).
    let list = |attr: &str| {
        parent
            .attributes
            .get(attr)
            .and_then(Value::as_array)
            .filter(|l| l.iter().all(|x| x.get("id").is_some()))
            .cloned()
    };
    let mut batch = Batch::one(parent.clone(), edges);
    match kind {
        Kind::ActionGroup => {
            let agent_id = parent.str_attr("agent_id").unwrap_or(parent_id);
            let groups = match (list("action_groups"), child) {
                (Some(mut groups), Some(g)) => {
                    groups.retain(|x| x.get("id").and_then(Value::as_str) != Some(g));
                    groups.extend(agents::action_group(ctx, agent_id, g).await?);
                    groups
                }
                _ => agents::action_groups(ctx, agent_id).await?,
            };
            agents::set_action_groups(&mut batch, groups);
        }
        Kind::AgentKnowledgeBases => {
            let agent_id = parent.str_attr("agent_id").unwrap_or(parent_id);
            let kbs = agents::agent_knowledge_bases(ctx, agent_id, &arn).await?;
            batch
                .edges
                .retain(|e| e.kind != EdgeKind::UsesKnowledgeBase);
            batch.edges.extend(kbs);
        }
        _ => {
            let kb_id = parent.str_attr("knowledge_base_id").unwrap_or(parent_id);
            let sources = match (list("data_sources"), child) {
                (Some(mut sources), Some(d)) => {
                    sources.retain(|x| x.get("id").and_then(Value::as_str) != Some(d));
                    sources.extend(agents::data_source(ctx, kb_id, d).await?);
                    sources
                }
                _ => agents::data_sources(ctx, kb_id).await?,
            };
            agents::set_data_sources(&mut batch, sources);
        }
    }
    Ok(replace(fresh, None, Some(batch), collector))
}

/// Re-reads a managed policy's default version into the stored graph;
/// a policy the graph does not hold (attached to nothing aispm tracks) is
/// left to the next sweep.
async fn refresh_policy(
    ctx: &Ctx,
    fresh: &mut Inventory,
    arn: &str,
) -> Result<Option<String>, PipelineError> {
    let Some(i) = fresh
        .assets
        .iter()
        .position(|a| a.asset_type == AssetType::IamPolicy && a.arn == arn)
    else {
        info!(
            arn,
            "policy not in the stored graph; the next sweep adds it if it matters"
        );
        return Ok(None);
    };
    let current = crate::collect::iam::managed_policy(ctx, arn).await?;
    Ok(replace(
        fresh,
        Some(i),
        current.map(|a| Batch::one(a, Vec::new())),
        "iam.authorization_details",
    ))
}

/// Re-reads the stored resource whose tags a call changed (`arn`); a
/// resource not stored yet is left to the next sweep.
async fn refresh_tagged(
    ctx: &Ctx,
    fresh: &mut Inventory,
    arn: &str,
) -> Result<Option<String>, PipelineError> {
    let Some((kind, id)) = fresh
        .assets
        .iter()
        .find(|a| a.arn.eq_ignore_ascii_case(arn))
        .and_then(kind_of)
    else {
        info!(
            arn,
            "tagged resource not in the stored graph yet; the next sweep adds it"
        );
        return Ok(None);
    };
    refresh_resource(ctx, fresh, kind, &id).await
}

/// Puts a re-read batch in place of the stored asset (whose edges are
/// dropped), or drops the stored one when the resource is gone; returns the
/// resource's ARN. A side read's failure replaces the scope's record for it
/// (a success leaves the record, which may speak for other resources).
fn replace(
    fresh: &mut Inventory,
    stored: Option<usize>,
    current: Option<Batch>,
    collector: &str,
) -> Option<String> {
    let mut arn = None;
    if let Some(i) = stored {
        let old = fresh.assets.remove(i);
        fresh.edges.retain(|e| e.from != old.arn);
        arn = Some(old.arn);
    }
    let Some(batch) = current else {
        return arn;
    };
    for e in batch.edges {
        fresh
            .provenance
            .insert(Inventory::edge_key(&e), collector.to_owned());
        fresh.edges.push(e);
    }
    for c in batch.coverage.into_iter().filter(|c| c.reason.is_some()) {
        fresh.coverage.retain(|x| x.collector != c.collector);
        fresh.coverage.push(c);
    }
    for a in batch.assets {
        fresh
            .provenance
            .insert(Inventory::asset_key(&a), collector.to_owned());
        arn = Some(a.arn.clone());
        fresh.assets.push(a);
    }
    arn
}

/// Re-reads one user's access keys into the stored view; returns the user's
/// ARN.
async fn refresh_keys(
    ctx: &Ctx,
    fresh: &mut Inventory,
    user: &str,
) -> Result<Option<String>, PipelineError> {
    use crate::model::{Edge, EdgeKind, Evidence};
    let Some(user_arn) = fresh
        .assets
        .iter()
        .find(|a| a.asset_type == AssetType::IamUser && a.name == user)
        .map(|a| a.arn.clone())
    else {
        info!(
            user,
            "user not in the stored graph yet; the next sweep adds it"
        );
        return Ok(None);
    };
    let current = crate::collect::iam::access_keys(ctx, user, &user_arn).await?;
    fresh.assets.retain(|a| {
        !(a.asset_type == AssetType::IamAccessKey && a.str_attr("user_arn") == Some(&user_arn))
    });
    fresh
        .edges
        .retain(|e| !(e.from == user_arn && e.kind == EdgeKind::HasAccessKey));
    // What events reported about a key (its exposure) is carried over from
    // the stored view by `pipeline::update_scope`, as for sweeps.
    for k in current {
        let e = Edge::new(
            &user_arn,
            &k.arn,
            EdgeKind::HasAccessKey,
            Evidence::new("iam:ListAccessKeys", "AccessKeyMetadata.AccessKeyId"),
        );
        fresh.provenance.insert(
            Inventory::edge_key(&e),
            "iam.authorization_details".to_owned(),
        );
        fresh.edges.push(e);
        fresh.provenance.insert(
            Inventory::asset_key(&k),
            "iam.authorization_details".to_owned(),
        );
        fresh.assets.push(k);
    }
    Ok(Some(user_arn))
}

/// Marks the exposed keys (found in the stored view by id) and re-reads
/// their users' keys; returns the first key's ARN.
async fn mark_exposed(
    ctx: &Ctx,
    fresh: &mut Inventory,
    keys: &[String],
    at: &str,
) -> Result<Option<String>, PipelineError> {
    let mut users: BTreeMap<String, String> = BTreeMap::new();
    for a in fresh
        .assets
        .iter()
        .filter(|a| a.asset_type == AssetType::IamAccessKey && keys.contains(&a.name))
    {
        if let (Some(user), Some(user_arn)) = (a.str_attr("user_name"), a.str_attr("user_arn")) {
            users.insert(user_arn.to_owned(), user.to_owned());
        }
    }
    let mut first = None;
    for (user_arn, user) in &users {
        let current = crate::collect::iam::access_keys(ctx, user, user_arn).await?;
        fresh.assets.retain(|a| {
            !(a.asset_type == AssetType::IamAccessKey && a.str_attr("user_arn") == Some(user_arn))
        });
        for mut k in current {
            if keys.contains(&k.name) {
                k.set("exposure_reported", Some(Value::Bool(true)));
                k.set("exposure_reported_at", Some(Value::String(at.to_owned())));
                first.get_or_insert_with(|| k.arn.clone());
            }
            fresh.provenance.insert(
                Inventory::asset_key(&k),
                "iam.authorization_details".to_owned(),
            );
            fresh.assets.push(k);
        }
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(path: &str) -> Value {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../events")
            .join(path);
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap()
    }

    #[test]
    fn every_mapped_call_has_a_sample_that_parses_and_maps() {
        for m in map::MAP {
            let dir = m.source.split('.').next().unwrap_or_default();
            let v = sample(&format!("cloudtrail/{dir}/{}.json", m.name));
            let e = parse(&v).unwrap().expect("tracked");
            assert_eq!(e.account_id, "111122223333");
            assert_eq!(e.time, "2026-11-20T10:00:00.000Z");
            match e.trigger {
                Trigger::Api {
                    source,
                    name,
                    request,
                    response,
                    ..
                } => {
                    assert_eq!(map::lookup(&source, &name), Some(m));
                    let key = match m.action {
                        Action::BucketFields(_) | Action::BucketCreated | Action::BucketDeleted => {
                            "bucketName"
                        }
                        Action::Identity(AssetType::IamRole, _) => "roleName",
                        Action::Identity(..) | Action::AccessKeys => "userName",
                        Action::Key => "keyId",
                        Action::ManagedPolicy => "policyArn",
                        Action::Tags(keys) => {
                            assert!(keys.iter().any(|k| request[*k].is_string()), "{}", m.name);
                            continue;
                        }
                        Action::Resource(Kind::InvocationLogging) => continue,
                        Action::Resource(kind) => {
                            let id = identifier(kind.id(&name), &request, &response);
                            assert!(id.is_some(), "{}: no identifier", m.name);
                            continue;
                        }
                        Action::Secret => {
                            if m.name == "CreateSecret" {
                                "name"
                            } else {
                                "secretId"
                            }
                        }
                    };
                    assert!(request[key].is_string(), "{}: no {key}", m.name);
                }
                other => panic!("{other:?}"),
            }
        }
        let h = parse(&sample("health/AWS_RISK_CREDENTIALS_EXPOSED.json"))
            .unwrap()
            .expect("tracked");
        assert_eq!(
            h.trigger,
            Trigger::CredentialsExposed {
                keys: vec!["AKIAEXAMPLEEXPOSED01".to_owned()]
            }
        );
    }

    #[test]
    fn failed_calls_and_other_events_are_ignored_malformed_ones_say_why() {
        let mut failed = sample("cloudtrail/s3/PutBucketPolicy.json");
        failed["detail"]["errorCode"] = Value::String("AccessDenied".into());
        assert_eq!(parse(&failed).unwrap(), None);
        let other = serde_json::json!({"id": "1", "detail-type": "Scheduled Event", "detail": {}});
        assert_eq!(parse(&other).unwrap(), None);
        let err = |v: Value| parse(&v).unwrap_err().to_string();
        assert!(err(Value::Null).contains("not a JSON object"));
        let mut bad = sample("cloudtrail/s3/PutBucketPolicy.json");
        bad["detail"]["recipientAccountId"] = Value::String("12".into());
        assert!(err(bad).contains("account id `12`"));
        let mut bad = sample("cloudtrail/s3/PutBucketPolicy.json");
        bad["detail"]["awsRegion"] = Value::String("mars-1".into());
        assert!(err(bad).contains("unknown region `mars-1`"));
        let mut bad = sample("health/AWS_RISK_CREDENTIALS_EXPOSED.json");
        bad["detail"]["affectedEntities"] = serde_json::json!([]);
        assert!(err(bad).contains("affectedEntities"));
        let mut bad = sample("cloudtrail/s3/PutBucketPolicy.json");
        bad.as_object_mut().unwrap().remove("detail");
        assert!(err(bad).starts_with("malformed event: no `detail` object"));
    }
}
