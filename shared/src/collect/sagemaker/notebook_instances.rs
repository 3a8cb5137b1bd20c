//! SageMaker notebook instances: the single-resource reader and the list collector
//! `sagemaker.notebook_instances`.

use std::collections::BTreeMap;

use super::prelude::*;

/// Lifecycle configurations' findings read in one collector run, by name:
/// notebooks sharing a configuration (a team's standard start-up script) cost
/// one DescribeNotebookInstanceLifecycleConfig between them. `None`: it could
/// not be read.
#[derive(Default)]
struct Lifecycles(tokio::sync::Mutex<BTreeMap<String, Option<Value>>>);

impl Lifecycles {
    /// The secrets found in `config`'s scripts, read on first ask. The lock is
    /// held across the read so concurrent notebooks never read it twice.
    async fn secrets(&self, ctx: &Ctx, config: &str) -> Option<Value> {
        let mut seen = self.0.lock().await;
        if let Some(v) = seen.get(config) {
            return v.clone();
        }
        let v = match lifecycle_secrets(ctx, config).await {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!(config, error = %e, "lifecycle configuration not read");
                None
            }
        };
        seen.insert(config.to_owned(), v.clone());
        v
    }
}

/// One notebook instance: internet access, root access, VPC, KMS, platform.
pub async fn notebook(ctx: &Ctx, name: &str) -> One {
    notebook_with(ctx, name, &Lifecycles::default()).await
}

/// [`notebook`], sharing lifecycle configuration reads with a collector run.
async fn notebook_with(ctx: &Ctx, name: &str, lifecycles: &Lifecycles) -> One {
    const DESCRIBE: &str = "sagemaker:DescribeNotebookInstance";
    let Some(d) = found(
        ctx.clients
            .sagemaker
            .describe_notebook_instance()
            .notebook_instance_name(name)
            .send()
            .await
            .op(DESCRIBE),
    )?
    else {
        return Ok(None);
    };
    let arn = d
        .notebook_instance_arn()
        .map(str::to_owned)
        .unwrap_or_else(|| ctx.arn("sagemaker", &format!("notebook-instance/{name}")));
    let mut a = ctx.asset(&arn, AssetType::SagemakerNotebookInstance, name);
    a.tags = tags(ctx, &arn).await?;
    a.set(
        "direct_internet_access",
        enabled(d.direct_internet_access().map(|v| v.as_str())),
    )
    .set("root_access", enabled(d.root_access().map(|v| v.as_str())))
    .set("subnet_id", s(d.subnet_id()))
    .set("kms_key_id", s(d.kms_key_id()))
    .set("role_arn", s(d.role_arn()))
    .set("platform_identifier", s(d.platform_identifier()))
    .set("instance_type", s(d.instance_type().map(|t| t.as_str())))
    .set(
        "status",
        s(d.notebook_instance_status().map(|t| t.as_str())),
    )
    .set(
        "lifecycle_config",
        s(d.notebook_instance_lifecycle_config_name()),
    )
    .set("creation_time", ts(d.creation_time()));
    match d.notebook_instance_lifecycle_config_name() {
        None => {
            a.set("lifecycle_secrets", Some(json!([])));
        }
        Some(config) => match lifecycles.secrets(ctx, config).await {
            Some(found) => {
                a.set("lifecycle_secrets", Some(found));
            }
            // The scripts could not be read: the secrets rule says so for
            // this notebook instead of passing it.
            None => {
                a.mark_unreported("lifecycle_secrets");
            }
        },
    }
    let mut edges = EdgeSink::new(DESCRIBE);
    edges.add(&arn, d.role_arn(), EdgeKind::ExecutesAs, "RoleArn");
    edges.add_kms(ctx, &arn, d.kms_key_id(), "KmsKeyId");
    Ok(Some(Batch::one(a, edges.edges)))
}

/// Credential-shaped tokens in the lifecycle configuration's scripts, as
/// `[{script, line, kind}]`: the scripts are scanned in memory and dropped,
/// never stored (`collect::secret_scan`).
async fn lifecycle_secrets(ctx: &Ctx, config: &str) -> Result<Value, CollectError> {
    let out = ctx
        .clients
        .sagemaker
        .describe_notebook_instance_lifecycle_config()
        .notebook_instance_lifecycle_config_name(config)
        .send()
        .await
        .op("sagemaker:DescribeNotebookInstanceLifecycleConfig")?;
    let scripts = out
        .on_create()
        .iter()
        .map(|h| ("OnCreate", h))
        .chain(out.on_start().iter().map(|h| ("OnStart", h)));
    let mut found = Vec::new();
    for (script, hook) in scripts {
        let Some(content) = hook.content() else {
            continue;
        };
        // A script that is not base64 was not read: never a clean one.
        let text = aws_smithy_types::base64::decode(content)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| {
                CollectError::other(
                    "sagemaker:DescribeNotebookInstanceLifecycleConfig",
                    crate::model::NotAssessedReason::Error,
                    format!("{script} script is not base64: {e}"),
                )
            })?;
        for f in crate::collect::secret_scan::scan(&text) {
            found.push(json!({"script": script, "line": f.line, "kind": f.kind}));
        }
    }
    Ok(Value::Array(found))
}

/// Notebook instances.
pub async fn notebook_instances(ctx: &Ctx) -> Result<Batch, CollectError> {
    let names = list!(
        ctx,
        list_notebook_instances,
        "sagemaker:ListNotebookInstances",
        notebook_instance_name
    );
    let lifecycles = Lifecycles::default();
    let lifecycles = &lifecycles;
    read_each(names, |n| async move {
        notebook_with(ctx, &n, lifecycles).await
    })
    .await
}

/// `sagemaker.notebook_instances`: listed by the sweep, re-read by its calls.
pub const SPEC: ResourceSpec = ResourceSpec::readable(
    "sagemaker.notebook_instances",
    Scope::Regional,
    AssetType::SagemakerNotebookInstance,
    list_fn!(notebook_instances),
    read_fn!(notebook),
    by_name,
)
.on(&[EventCalls {
    source: super::SOURCE,
    names: &[
        "CreateNotebookInstance",
        "UpdateNotebookInstance",
        "DeleteNotebookInstance",
    ],
    id: &["notebookInstanceName"],
    part: None,
}]);
