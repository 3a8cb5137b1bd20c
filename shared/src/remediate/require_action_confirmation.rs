//! `require_action_confirmation`: makes every function of a Bedrock agent's
//! enabled action groups ask the user before it acts
//! (`bedrock:UpdateAgentActionGroup` with `requireConfirmation: ENABLED`,
//! every other setting of the group written back as read), then prepares
//! the agent (`bedrock:PrepareAgent`). A mitigation: the agent's excessive
//! agency finding stays open while its tool's role still reaches too much.
//! The state is each group's functions and their `requireConfirmation`
//! (absent counts as `DISABLED`, AWS's default); rollback writes the old
//! values back and prepares again.

use aws_sdk_bedrockagent::types::{
    ActionGroupState, AgentActionGroup, Function, FunctionSchema, RequireConfirmation,
};
use serde_json::{Map, Value, json};

use super::Record;
use super::attach_bedrock_guardrail::{agent_id, prepare};
use crate::aws::{Clients, CollectError, SdkResultExt};

const DRAFT: &str = "DRAFT";

/// The agent's enabled action groups with function schemas, read whole.
async fn groups(c: &Clients, r: &Record) -> Result<Vec<AgentActionGroup>, CollectError> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .bedrock_agent
            .list_agent_action_groups()
            .agent_id(agent_id(r))
            .agent_version(DRAFT)
            .set_next_token(token.take())
            .send()
            .await
            .op("bedrock:ListAgentActionGroups")?;
        for s in page.action_group_summaries() {
            if s.action_group_state() != &ActionGroupState::Enabled {
                continue;
            }
            let g = c
                .bedrock_agent
                .get_agent_action_group()
                .agent_id(agent_id(r))
                .agent_version(DRAFT)
                .action_group_id(s.action_group_id())
                .send()
                .await
                .op("bedrock:GetAgentActionGroup")?;
            if let Some(g) = g.agent_action_group
                && matches!(g.function_schema(), Some(FunctionSchema::Functions(_)))
            {
                out.push(g);
            }
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_owned()),
            _ => return Ok(out),
        }
    }
}

fn functions(g: &AgentActionGroup) -> &[Function] {
    match g.function_schema() {
        Some(FunctionSchema::Functions(f)) => f,
        _ => &[],
    }
}

/// `{"actionGroups": {id: {name of function: "ENABLED" | "DISABLED"}}}`.
pub async fn read(c: &Clients, r: &Record) -> Result<Value, CollectError> {
    let mut all = Map::new();
    for g in groups(c, r).await? {
        let fs: Map<String, Value> = functions(&g)
            .iter()
            .map(|f| {
                let on = f
                    .require_confirmation()
                    .map_or("DISABLED", RequireConfirmation::as_str);
                (f.name().to_owned(), Value::from(on))
            })
            .collect();
        all.insert(g.action_group_id().to_owned(), Value::Object(fs));
    }
    Ok(json!({ "actionGroups": all }))
}

/// Whether every function asks first.
pub fn fixed(_: &Record, state: &Value) -> bool {
    state["actionGroups"].as_object().is_some_and(|gs| {
        gs.values().all(|fs| {
            fs.as_object()
                .is_some_and(|fs| fs.values().all(|v| v == "ENABLED"))
        })
    })
}

/// Writes each group whose functions differ from `want(group, function)`,
/// then prepares the agent.
async fn put(
    c: &Clients,
    r: &Record,
    want: impl Fn(&str, &str) -> &'static str,
) -> Result<(), CollectError> {
    let mut changed = false;
    for g in groups(c, r).await? {
        let id = g.action_group_id().to_owned();
        let fs: Vec<Function> = functions(&g)
            .iter()
            .map(|f| {
                let mut f = f.clone();
                f.require_confirmation = Some(RequireConfirmation::from(want(&id, f.name())));
                f
            })
            .collect();
        if fs.as_slice() == functions(&g) {
            continue;
        }
        c.bedrock_agent
            .update_agent_action_group()
            .agent_id(agent_id(r))
            .agent_version(DRAFT)
            .action_group_id(&id)
            .action_group_name(g.action_group_name())
            .set_description(g.description().map(str::to_owned))
            .set_parent_action_group_signature(g.parent_action_signature().cloned())
            .set_action_group_executor(g.action_group_executor().cloned())
            .action_group_state(g.action_group_state().clone())
            .set_api_schema(g.api_schema().cloned())
            .function_schema(FunctionSchema::Functions(fs))
            .send()
            .await
            .op("bedrock:UpdateAgentActionGroup")?;
        changed = true;
    }
    if changed {
        prepare(c, r).await?;
    }
    Ok(())
}

/// Makes every function ask first.
pub async fn write(c: &Clients, r: &Record, _before: &Value) -> Result<(), CollectError> {
    put(c, r, |_, _| "ENABLED").await
}

/// Writes the old values back.
pub async fn undo(c: &Clients, r: &Record, before: &Value) -> Result<(), CollectError> {
    put(c, r, |g, f| match before["actionGroups"][g][f].as_str() {
        Some("ENABLED") => "ENABLED",
        _ => "DISABLED",
    })
    .await
}
