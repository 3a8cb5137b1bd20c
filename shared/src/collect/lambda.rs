//! Lambda functions (agent tools): execution role and resource policy. A policy
//! statement that lets `bedrock.amazonaws.com` invoke the function with an agent
//! ARN as `aws:SourceArn` becomes an agent → function edge. Attribute keys:
//! `role_arn`, `runtime`, `policy`, `environment_keys` (names only, never values),
//! `kms_key_arn`, `vpc_configured`.

use serde_json::{Value, json};

use super::spec::{ResourceSpec, list_fn};
use super::util::{EdgeSink, describe_each, found, plain_policy_json, s, strings};
use super::{Batch, Ctx, Scope};
use crate::aws::{CollectError, SdkResultExt};
use crate::model::{AssetType, EdgeKind};

/// Agent ARNs a Lambda resource policy lets Bedrock invoke the function for.
pub fn bedrock_source_arns(policy: &Value) -> Vec<String> {
    let statements = match policy.get("Statement") {
        Some(Value::Array(a)) => a.clone(),
        Some(v @ Value::Object(_)) => vec![v.clone()],
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for st in statements {
        if st.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        let service = st.pointer("/Principal/Service");
        let is_bedrock = match service {
            Some(Value::String(s)) => s == "bedrock.amazonaws.com",
            Some(Value::Array(a)) => a
                .iter()
                .any(|s| s.as_str() == Some("bedrock.amazonaws.com")),
            _ => false,
        };
        if !is_bedrock {
            continue;
        }
        let Some(cond) = st.get("Condition").and_then(Value::as_object) else {
            continue;
        };
        for (_op, keys) in cond {
            let Some(keys) = keys.as_object() else {
                continue;
            };
            for (k, v) in keys {
                if !k.eq_ignore_ascii_case("aws:SourceArn") {
                    continue;
                }
                let vals = match v {
                    Value::String(s) => vec![s.clone()],
                    Value::Array(a) => a
                        .iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect(),
                    _ => Vec::new(),
                };
                out.extend(vals.into_iter().filter(|a| a.contains(":agent/")));
            }
        }
    }
    out
}

/// Every function in the region with its role and resource policy.
pub async fn functions(ctx: &Ctx) -> Result<Batch, CollectError> {
    const GET_POLICY: &str = "lambda:GetPolicy";
    let lambda = &ctx.clients.lambda;
    let fns = lambda
        .list_functions()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .op("lambda:ListFunctions")?;
    let described = describe_each(fns, |f| async move {
        let Some(name) = f.function_name().map(str::to_owned) else {
            return Ok(None);
        };
        let policy = found(
            lambda
                .get_policy()
                .function_name(&name)
                .send()
                .await
                .op(GET_POLICY),
        )?
        .and_then(|p| p.policy)
        .map(|p| plain_policy_json(&p));
        Ok(Some((name, f, policy)))
    })
    .await?;
    let mut batch = Batch::default();
    let mut edges = EdgeSink::new("lambda:ListFunctions");
    let mut policy_edges = EdgeSink::new(GET_POLICY);
    for (name, f, policy) in described {
        let arn = f
            .function_arn()
            .map(str::to_owned)
            .unwrap_or_else(|| ctx.arn("lambda", &format!("function:{name}")));
        let mut a = ctx.asset(&arn, AssetType::LambdaFunction, &name);
        let env_keys: Vec<&str> = f
            .environment()
            .and_then(|e| e.variables())
            .map(|v| v.keys().map(String::as_str).collect())
            .unwrap_or_default();
        a.set("role_arn", s(f.role()))
            .set("runtime", s(f.runtime().map(|r| r.as_str())))
            .set("environment_keys", Some(strings(env_keys)))
            .set("kms_key_arn", s(f.kms_key_arn()))
            .set(
                "vpc_configured",
                Some(Value::Bool(
                    f.vpc_config().is_some_and(|v| !v.subnet_ids().is_empty()),
                )),
            );
        edges.add(&arn, f.role(), EdgeKind::ExecutesAs, "Role");
        if let Some(p) = &policy {
            for agent in bedrock_source_arns(p) {
                policy_edges.add(
                    &agent,
                    Some(&arn),
                    EdgeKind::InvokesTool,
                    "Policy.Statement.Condition.aws:SourceArn",
                );
            }
        }
        a.set("policy", policy.map(|p| json!(p)));
        batch.assets.push(a);
    }
    batch.edges = edges.edges;
    batch.edges.extend(policy_edges.edges);
    Ok(batch)
}

/// `lambda.functions`: functions, kept where they are agent tools.
pub const SPEC: ResourceSpec =
    ResourceSpec::listed("lambda.functions", Scope::Regional, list_fn!(functions));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bedrock_invoke_permission_names_the_agent() {
        let p = json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "bedrock.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Resource": "arn:aws:lambda:us-east-1:1:function:lookup",
            "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:bedrock:us-east-1:1:agent/ABC123"}}
        }]});
        assert_eq!(
            bedrock_source_arns(&p),
            vec!["arn:aws:bedrock:us-east-1:1:agent/ABC123"]
        );
    }

    #[test]
    fn other_principals_are_not_agent_links() {
        let p = json!({"Statement": {
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:bedrock:us-east-1:1:agent/ABC123"}}
        }});
        assert!(bedrock_source_arns(&p).is_empty());
    }
}
