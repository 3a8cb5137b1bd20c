//! Reading a policy document's JSON: each element with an error that says
//! what and where.

use super::*;

/// A string or a list of strings.
pub(super) fn string_list(v: &Value, at: &str) -> Result<Vec<String>, PolicyError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, x)| match x {
                Value::String(s) => Ok(s.clone()),
                other => Err(PolicyError::new(
                    format!("{at}[{i}]"),
                    format!("must be a string, got {other}"),
                )),
            })
            .collect(),
        other => Err(PolicyError::new(
            at,
            format!("must be a string or a list of strings, got {other}"),
        )),
    }
}

pub(super) fn one_of<'a>(
    obj: &'a Map<String, Value>,
    a: &str,
    b: &str,
    at: &str,
) -> Result<Option<(&'a Value, bool)>, PolicyError> {
    match (obj.get(a), obj.get(b)) {
        (Some(_), Some(_)) => Err(PolicyError::new(
            at,
            format!("has both {a} and {b}; use one"),
        )),
        (Some(v), None) => Ok(Some((v, false))),
        (None, Some(v)) => Ok(Some((v, true))),
        (None, None) => Ok(None),
    }
}

pub(super) fn statement(v: &Value, at: &str, variables: bool) -> Result<Statement, PolicyError> {
    let obj = v
        .as_object()
        .ok_or_else(|| PolicyError::new(at, "must be an object"))?;
    for key in obj.keys() {
        if !matches!(
            key.as_str(),
            "Sid"
                | "Effect"
                | "Principal"
                | "NotPrincipal"
                | "Action"
                | "NotAction"
                | "Resource"
                | "NotResource"
                | "Condition"
        ) {
            return Err(PolicyError::new(
                format!("{at}.{key}"),
                "unknown element; expected Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource or Condition",
            ));
        }
    }
    let sid = match obj.get("Sid") {
        None => None,
        Some(Value::String(s)) => Some(Arc::from(s.as_str())),
        Some(_) => return Err(PolicyError::new(format!("{at}.Sid"), "must be a string")),
    };
    let effect = match obj.get("Effect") {
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(other) => {
            return Err(PolicyError::new(
                format!("{at}.Effect"),
                format!("must be \"Allow\" or \"Deny\", got {other}"),
            ));
        }
        None => return Err(PolicyError::new(format!("{at}.Effect"), "is required")),
    };
    let (principal, not_principal) = match one_of(obj, "Principal", "NotPrincipal", at)? {
        None => (None, false),
        Some((pv, not)) => {
            let name = if not { "NotPrincipal" } else { "Principal" };
            (Some(principals(pv, &format!("{at}.{name}"))?), not)
        }
    };
    let actions = match one_of(obj, "Action", "NotAction", at)? {
        None => {
            return Err(PolicyError::new(
                format!("{at}.Action"),
                "is required (Action or NotAction)",
            ));
        }
        Some((av, not)) => {
            let name = if not { "NotAction" } else { "Action" };
            let written = string_list(av, &format!("{at}.{name}"))?;
            if written.is_empty() {
                return Err(PolicyError::new(format!("{at}.{name}"), "is empty"));
            }
            let patterns = written
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    ActionPattern::parse(a).ok_or_else(|| {
                        PolicyError::new(
                            format!("{at}.{name}[{i}]"),
                            format!("`{a}` is not `*` or `service:Action`"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Actions {
                not,
                patterns,
                written,
            }
        }
    };
    let resources = match one_of(obj, "Resource", "NotResource", at)? {
        None => None,
        Some((rv, not)) => {
            let name = if not { "NotResource" } else { "Resource" };
            let list = string_list(rv, &format!("{at}.{name}"))?;
            if list.is_empty() {
                return Err(PolicyError::new(format!("{at}.{name}"), "is empty"));
            }
            let patterns = list
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    Pattern::new(
                        r,
                        Syntax {
                            wildcards: true,
                            variables,
                            fold_case: false,
                        },
                    )
                    .map_err(|_| {
                        PolicyError::new(
                            format!("{at}.{name}[{i}]"),
                            format!("`{r}` has a `${{` without its closing `}}`"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Some(Resources { not, patterns })
        }
    };
    let conditions = match obj.get("Condition") {
        None => Vec::new(),
        Some(cv) => conditions(cv, &format!("{at}.Condition"), variables)?,
    };
    Ok(Statement {
        sid,
        effect,
        principal,
        not_principal,
        actions,
        resources,
        conditions,
    })
}

pub(super) fn principals(v: &Value, at: &str) -> Result<Principals, PolicyError> {
    match v {
        Value::String(s) if s == "*" => Ok(Principals {
            star: true,
            ..Principals::default()
        }),
        Value::Object(m) => {
            let mut p = Principals::default();
            for (k, list) in m {
                let values = string_list(list, &format!("{at}.{k}"))?;
                match k.as_str() {
                    "AWS" => p.aws = values,
                    "Service" => p.service = values,
                    "Federated" => p.federated = values,
                    "CanonicalUser" => p.canonical_user = values,
                    _ => {
                        return Err(PolicyError::new(
                            format!("{at}.{k}"),
                            "unknown principal type; expected AWS, Service, Federated or CanonicalUser",
                        ));
                    }
                }
            }
            if p.aws.is_empty()
                && p.service.is_empty()
                && p.federated.is_empty()
                && p.canonical_user.is_empty()
            {
                return Err(PolicyError::new(at, "names no principal"));
            }
            Ok(p)
        }
        other => Err(PolicyError::new(
            at,
            format!("must be \"*\" or an object such as {{\"AWS\": ...}}, got {other}"),
        )),
    }
}

pub(super) fn conditions(
    v: &Value,
    at: &str,
    variables: bool,
) -> Result<Vec<Condition>, PolicyError> {
    let ops = v
        .as_object()
        .ok_or_else(|| PolicyError::new(at, "must be an object of operators"))?;
    let mut out = Vec::new();
    for (op_name, keys) in ops {
        let op_at = format!("{at}.{op_name}");
        let operator = Operator::parse(op_name).ok_or_else(|| {
            PolicyError::new(&op_at, format!("unknown condition operator `{op_name}`"))
        })?;
        let keys = keys
            .as_object()
            .ok_or_else(|| PolicyError::new(&op_at, "must be an object of condition keys"))?;
        for (key, vals) in keys {
            let key_at = format!("{op_at}.{key}");
            let values = match vals {
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| scalar(x, &format!("{key_at}[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?,
                other => vec![scalar(other, &key_at)?],
            };
            out.push(Condition::new(operator, key, values, variables, &key_at)?);
        }
    }
    // Canonical order (AND is order-free): operator names are accepted in any
    // case, so the document's key order is not a stable order.
    out.sort_by_cached_key(|c| (c.operator.name(), c.key.clone()));
    Ok(out)
}

pub(super) fn scalar(v: &Value, at: &str) -> Result<String, PolicyError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(PolicyError::new(
            at,
            format!("must be a string, number or boolean, got {other}"),
        )),
    }
}
