//! Reading a policy document in two steps: its shape (which elements, of
//! which JSON types) into a [`RawPolicy`] that borrows its text, then its
//! meaning (effects, patterns, operators) into a [`Policy`]. The shape comes
//! from a typed deserializer straight off the text ([`super::fast`]) or,
//! when that refuses a document, from a `serde_json::Value`, which says what
//! and where; the meaning is read once, here, for both.

use std::borrow::Cow;

use super::check::{check_statement, may_apply};
use super::*;

/// Text of a document, borrowed where the JSON has no escapes.
pub(super) type Text<'a> = Cow<'a, str>;

/// A policy's elements, shape-checked.
#[derive(Debug, Default)]
pub(super) struct RawPolicy<'a> {
    pub version: Option<Text<'a>>,
    pub id: Option<Text<'a>>,
    /// `Statement` was one object (errors then say `Statement`, not
    /// `Statement[0]`).
    pub single: bool,
    pub statements: Vec<RawStatement<'a>>,
}

/// A statement's elements, shape-checked.
#[derive(Debug, Default)]
pub(super) struct RawStatement<'a> {
    pub sid: Option<Text<'a>>,
    pub effect: Option<Text<'a>>,
    pub principal: Option<RawPrincipals<'a>>,
    pub not_principal: Option<RawPrincipals<'a>>,
    pub action: Option<Vec<Text<'a>>>,
    pub not_action: Option<Vec<Text<'a>>>,
    pub resource: Option<Vec<Text<'a>>>,
    pub not_resource: Option<Vec<Text<'a>>>,
    /// Operator → condition key → values (booleans and numbers as text).
    pub condition: Option<RawConditions<'a>>,
}

/// `"*"` (or another string, refused when read), or principal type → names.
#[derive(Debug)]
pub(super) enum RawPrincipals<'a> {
    Text(Text<'a>),
    Map(Vec<(Text<'a>, Vec<Text<'a>>)>),
}

pub(super) const STATEMENT_KEYS: &str = "unknown element; expected Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource or Condition";

/// The JSON form of a string, for messages (`"Permit"`).
pub(super) fn quoted(s: &str) -> Value {
    Value::String(s.to_owned())
}

// ---- shape, from a Value (located errors) ----

pub(super) fn raw_policy(value: &Value) -> Result<RawPolicy<'_>, PolicyError> {
    let obj = value
        .as_object()
        .ok_or_else(|| PolicyError::new("policy", "must be a JSON object"))?;
    let mut raw = RawPolicy::default();
    for (key, v) in obj {
        match key.as_str() {
            "Version" => match v {
                Value::String(s) => raw.version = Some(Cow::Borrowed(s)),
                other => {
                    return Err(PolicyError::new(
                        "Version",
                        format!("must be \"2012-10-17\" or \"2008-10-17\", got {other}"),
                    ));
                }
            },
            "Id" => match v {
                Value::String(s) => raw.id = Some(Cow::Borrowed(s)),
                _ => return Err(PolicyError::new("Id", "must be a string")),
            },
            "Statement" => match v {
                Value::Array(items) => {
                    raw.statements = items
                        .iter()
                        .enumerate()
                        .map(|(i, s)| raw_statement(s, &format!("Statement[{i}]")))
                        .collect::<Result<_, _>>()?;
                }
                s @ Value::Object(_) => {
                    raw.single = true;
                    raw.statements = vec![raw_statement(s, "Statement")?];
                }
                _ => {
                    return Err(PolicyError::new(
                        "Statement",
                        "must be an object or a list of objects",
                    ));
                }
            },
            _ => {
                return Err(PolicyError::new(
                    format!("policy.{key}"),
                    "unknown element; expected Version, Id or Statement",
                ));
            }
        }
    }
    if !obj.contains_key("Statement") {
        return Err(PolicyError::new("policy", "has no Statement"));
    }
    Ok(raw)
}

fn raw_statement<'a>(v: &'a Value, at: &str) -> Result<RawStatement<'a>, PolicyError> {
    let obj = v
        .as_object()
        .ok_or_else(|| PolicyError::new(at, "must be an object"))?;
    let mut st = RawStatement::default();
    for (key, v) in obj {
        let here = || format!("{at}.{key}");
        match key.as_str() {
            "Sid" => match v {
                Value::String(s) => st.sid = Some(Cow::Borrowed(s)),
                _ => return Err(PolicyError::new(here(), "must be a string")),
            },
            "Effect" => match v {
                Value::String(s) => st.effect = Some(Cow::Borrowed(s)),
                other => {
                    return Err(PolicyError::new(
                        here(),
                        format!("must be \"Allow\" or \"Deny\", got {other}"),
                    ));
                }
            },
            "Principal" => st.principal = Some(raw_principals(v, &here())?),
            "NotPrincipal" => st.not_principal = Some(raw_principals(v, &here())?),
            "Action" => st.action = Some(string_list(v, &here())?),
            "NotAction" => st.not_action = Some(string_list(v, &here())?),
            "Resource" => st.resource = Some(string_list(v, &here())?),
            "NotResource" => st.not_resource = Some(string_list(v, &here())?),
            "Condition" => st.condition = Some(raw_conditions(v, &here())?),
            _ => return Err(PolicyError::new(here(), STATEMENT_KEYS)),
        }
    }
    Ok(st)
}

/// A string or a list of strings.
fn string_list<'a>(v: &'a Value, at: &str) -> Result<Vec<Text<'a>>, PolicyError> {
    match v {
        Value::String(s) => Ok(vec![Cow::Borrowed(s)]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, x)| match x {
                Value::String(s) => Ok(Cow::Borrowed(s.as_str())),
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

fn raw_principals<'a>(v: &'a Value, at: &str) -> Result<RawPrincipals<'a>, PolicyError> {
    match v {
        Value::String(s) => Ok(RawPrincipals::Text(Cow::Borrowed(s))),
        Value::Object(m) => m
            .iter()
            .map(|(k, list)| {
                Ok((
                    Cow::Borrowed(k.as_str()),
                    string_list(list, &format!("{at}.{k}"))?,
                ))
            })
            .collect::<Result<_, _>>()
            .map(RawPrincipals::Map),
        other => Err(not_principals(at, other)),
    }
}

pub(super) fn not_principals(at: &str, got: &Value) -> PolicyError {
    PolicyError::new(
        at,
        format!("must be \"*\" or an object such as {{\"AWS\": ...}}, got {got}"),
    )
}

pub(super) type RawConditions<'a> = Vec<(Text<'a>, Vec<(Text<'a>, Vec<Text<'a>>)>)>;

fn raw_conditions<'a>(v: &'a Value, at: &str) -> Result<RawConditions<'a>, PolicyError> {
    let ops = v
        .as_object()
        .ok_or_else(|| PolicyError::new(at, "must be an object of operators"))?;
    let mut out = Vec::with_capacity(ops.len());
    for (op_name, keys) in ops {
        let op_at = || format!("{at}.{op_name}");
        let keys = keys
            .as_object()
            .ok_or_else(|| PolicyError::new(op_at(), "must be an object of condition keys"))?;
        let mut entries = Vec::with_capacity(keys.len());
        for (key, vals) in keys {
            let key_at = || format!("{}.{key}", op_at());
            let values = match vals {
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| scalar(x, || format!("{}[{i}]", key_at())))
                    .collect::<Result<Vec<_>, _>>()?,
                other => vec![scalar(other, key_at)?],
            };
            entries.push((Cow::Borrowed(key.as_str()), values));
        }
        out.push((Cow::Borrowed(op_name.as_str()), entries));
    }
    Ok(out)
}

fn scalar(v: &Value, at: impl Fn() -> String) -> Result<Text<'_>, PolicyError> {
    match v {
        Value::String(s) => Ok(Cow::Borrowed(s)),
        Value::Bool(b) => Ok(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Number(n) => Ok(Cow::Owned(n.to_string())),
        other => Err(PolicyError::new(
            at(),
            format!("must be a string, number or boolean, got {other}"),
        )),
    }
}

// ---- meaning, for both readers ----

/// The policy a shape-checked document describes.
pub(super) fn build(raw: RawPolicy<'_>) -> Result<Policy, PolicyError> {
    build_for(raw, None)
}

/// Builds a policy: every statement, or, for `only`, those that can apply
/// to its service (the others are checked, not built), validated for its
/// use.
pub(super) fn build_for(raw: RawPolicy<'_>, only: Option<Only<'_>>) -> Result<Policy, PolicyError> {
    let version = match raw.version.as_deref() {
        None => None,
        Some("2012-10-17") => Some(Version::V2012_10_17),
        Some("2008-10-17") => Some(Version::V2008_10_17),
        Some(other) => {
            return Err(PolicyError::new(
                "Version",
                format!(
                    "must be \"2012-10-17\" or \"2008-10-17\", got {}",
                    quoted(other)
                ),
            ));
        }
    };
    let variables = version == Some(Version::V2012_10_17);
    let single = raw.single;
    let within = |e: PolicyError, i: usize| {
        if single {
            e.within("Statement")
        } else {
            e.within(&format!("Statement[{i}]"))
        }
    };
    let mut statements = Vec::with_capacity(raw.statements.len());
    let mut numbers = Vec::new();
    // As `validate` after parsing: a use's error counts only once every
    // statement has parsed.
    let mut misuse = None;
    for (i, s) in raw.statements.into_iter().enumerate() {
        let Some(only) = only else {
            statements.push(statement(s, variables).map_err(|e| within(e, i))?);
            continue;
        };
        if misuse.is_none() {
            let principal = match (&s.principal, &s.not_principal) {
                (Some(_), _) => Some(false),
                (None, Some(_)) => Some(true),
                (None, None) => None,
            };
            let resources = s.resource.is_some() || s.not_resource.is_some();
            misuse = only.kind.check(i, principal, resources).err();
        }
        if may_apply(&s, only.service) {
            statements.push(statement(s, variables).map_err(|e| within(e, i))?);
            numbers.push(i);
        } else {
            check_statement(s, variables).map_err(|e| within(e, i))?;
        }
    }
    if let Some(e) = misuse {
        return Err(e);
    }
    let mut policy = Policy::new(version, raw.id.map(Cow::into_owned), statements);
    if numbers.len() != policy.statements.len() || numbers.iter().enumerate().any(|(a, b)| a != *b)
    {
        policy.numbers = numbers;
    }
    Ok(policy)
}

pub(super) fn one_of<T>(
    a: Option<T>,
    b: Option<T>,
    names: (&str, &str),
) -> Result<Option<(T, bool)>, PolicyError> {
    match (a, b) {
        (Some(_), Some(_)) => Err(PolicyError::new(
            "",
            format!("has both {} and {}; use one", names.0, names.1),
        )),
        (Some(v), None) => Ok(Some((v, false))),
        (None, Some(v)) => Ok(Some((v, true))),
        (None, None) => Ok(None),
    }
}

/// A statement; errors are placed relative to it.
fn statement(raw: RawStatement<'_>, variables: bool) -> Result<Statement, PolicyError> {
    let effect = match raw.effect.as_deref() {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        Some(other) => {
            return Err(PolicyError::new(
                "Effect",
                format!("must be \"Allow\" or \"Deny\", got {}", quoted(other)),
            ));
        }
        None => return Err(PolicyError::new("Effect", "is required")),
    };
    let (principal, not_principal) = match one_of(
        raw.principal,
        raw.not_principal,
        ("Principal", "NotPrincipal"),
    )? {
        None => (None, false),
        Some((p, not)) => {
            let name = if not { "NotPrincipal" } else { "Principal" };
            (Some(principals(p).map_err(|e| e.within(name))?), not)
        }
    };
    let actions = match one_of(raw.action, raw.not_action, ("Action", "NotAction"))? {
        None => {
            return Err(PolicyError::new(
                "Action",
                "is required (Action or NotAction)",
            ));
        }
        Some((written, not)) => {
            let name = if not { "NotAction" } else { "Action" };
            if written.is_empty() {
                return Err(PolicyError::new(name, "is empty"));
            }
            let patterns = written
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    ActionPattern::parse(a).ok_or_else(|| {
                        PolicyError::new(
                            format!("{name}[{i}]"),
                            format!("`{a}` is not `*` or `service:Action`"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Actions {
                not,
                patterns,
                written: written.into_iter().map(Cow::into_owned).collect(),
            }
        }
    };
    let resources = match one_of(raw.resource, raw.not_resource, ("Resource", "NotResource"))? {
        None => None,
        Some((list, not)) => {
            let name = if not { "NotResource" } else { "Resource" };
            if list.is_empty() {
                return Err(PolicyError::new(name, "is empty"));
            }
            let syntax = Syntax {
                wildcards: true,
                variables,
                fold_case: false,
            };
            let patterns = list
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    Pattern::new(r, syntax).map_err(|_| {
                        PolicyError::new(
                            format!("{name}[{i}]"),
                            format!("`{r}` has a `${{` without its closing `}}`"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Some(Resources { not, patterns })
        }
    };
    let conditions = match raw.condition {
        None => Vec::new(),
        Some(c) => conditions(c, variables).map_err(|e| e.within("Condition"))?,
    };
    Ok(Statement {
        sid: raw.sid.map(|s| Arc::from(&*s)),
        effect,
        principal,
        not_principal,
        actions,
        resources,
        conditions,
    })
}

fn principals(raw: RawPrincipals<'_>) -> Result<Principals, PolicyError> {
    match raw {
        RawPrincipals::Text(s) if s == "*" => Ok(Principals {
            star: true,
            ..Principals::default()
        }),
        RawPrincipals::Text(s) => Err(not_principals("", &quoted(&s))),
        RawPrincipals::Map(mut m) => {
            // Both readers report the same unknown type first, whatever the
            // document's order (a `Value` object iterates by key).
            m.sort_by(|a, b| a.0.cmp(&b.0));
            let mut p = Principals::default();
            for (k, names) in m {
                let values = names.into_iter().map(Cow::into_owned).collect();
                match &*k {
                    "AWS" => p.aws = values,
                    "Service" => p.service = values,
                    "Federated" => p.federated = values,
                    "CanonicalUser" => p.canonical_user = values,
                    _ => {
                        return Err(PolicyError::new(
                            k,
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
                return Err(PolicyError::new("", "names no principal"));
            }
            Ok(p)
        }
    }
}

fn conditions(mut raw: RawConditions<'_>, variables: bool) -> Result<Vec<Condition>, PolicyError> {
    // Both readers give the same order whatever the document's (a `Value`
    // object iterates by key).
    raw.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::new();
    for (op_name, mut keys) in raw {
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        let operator = Operator::parse(&op_name).ok_or_else(|| {
            PolicyError::new(&*op_name, format!("unknown condition operator `{op_name}`"))
        })?;
        for (key, values) in keys {
            let values = values.into_iter().map(Cow::into_owned).collect();
            let c = Condition::new(operator, &key, values, variables, "")
                .map_err(|e| e.within(&format!("{op_name}.{key}")))?;
            out.push(c);
        }
    }
    // Canonical order (AND is order-free): operator names are accepted in any
    // case, so the document's key order is not a stable order.
    if out.len() > 1 {
        out.sort_by(|a, b| {
            a.operator
                .cmp_by_name(&b.operator)
                .then_with(|| a.key.cmp(&b.key))
        });
    }
    Ok(out)
}
