//! What the builder refuses, checked without building: the statements a
//! policy read for one service ([`super::Policy::parse_for`]) leaves out
//! are checked here, with the same errors in the same order.

use super::parse::{RawConditions, RawPrincipals, RawStatement, not_principals, one_of, quoted};
use super::*;

/// Whether a statement, read but not yet checked, can apply to an action
/// of the lowercase `service`. One that is malformed gets the same error
/// either way.
pub(super) fn may_apply(raw: &RawStatement<'_>, service: &str) -> bool {
    match (&raw.action, &raw.not_action) {
        (Some(list), None) => list.iter().any(|a| ActionPattern::may_name(a, service)),
        _ => true,
    }
}

/// What `statement` would refuse, in the same order with the same errors,
/// without building anything.
pub(super) fn check_statement(raw: RawStatement<'_>, variables: bool) -> Result<(), PolicyError> {
    match raw.effect.as_deref() {
        Some("Allow" | "Deny") => {}
        Some(other) => {
            return Err(PolicyError::new(
                "Effect",
                format!("must be \"Allow\" or \"Deny\", got {}", quoted(other)),
            ));
        }
        None => return Err(PolicyError::new("Effect", "is required")),
    }
    if let Some((p, not)) = one_of(
        raw.principal,
        raw.not_principal,
        ("Principal", "NotPrincipal"),
    )? {
        let name = if not { "NotPrincipal" } else { "Principal" };
        check_principals(p).map_err(|e| e.within(name))?;
    }
    match one_of(raw.action, raw.not_action, ("Action", "NotAction"))? {
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
            if let Some((i, a)) = written
                .iter()
                .enumerate()
                .find(|(_, a)| !ActionPattern::is_valid(a))
            {
                return Err(PolicyError::new(
                    format!("{name}[{i}]"),
                    format!("`{a}` is not `*` or `service:Action`"),
                ));
            }
        }
    }
    if let Some((list, not)) = one_of(raw.resource, raw.not_resource, ("Resource", "NotResource"))?
    {
        let name = if not { "NotResource" } else { "Resource" };
        if list.is_empty() {
            return Err(PolicyError::new(name, "is empty"));
        }
        let syntax = Syntax {
            wildcards: true,
            variables,
            fold_case: false,
        };
        if let Some((i, r)) = list
            .iter()
            .enumerate()
            .find(|(_, r)| Pattern::check(r, syntax).is_err())
        {
            return Err(PolicyError::new(
                format!("{name}[{i}]"),
                format!("`{r}` has a `${{` without its closing `}}`"),
            ));
        }
    }
    if let Some(c) = raw.condition {
        check_conditions(c, variables).map_err(|e| e.within("Condition"))?;
    }
    Ok(())
}

/// What `principals` would refuse, with the same error.
fn check_principals(raw: RawPrincipals<'_>) -> Result<(), PolicyError> {
    match raw {
        RawPrincipals::Text(s) if s == "*" => Ok(()),
        RawPrincipals::Text(s) => Err(not_principals("", &quoted(&s))),
        RawPrincipals::Map(mut m) => {
            m.sort_by(|a, b| a.0.cmp(&b.0));
            // Whether each type names someone (a repeated type: its last).
            let mut named = [false; 4];
            for (k, names) in m {
                let slot = match &*k {
                    "AWS" => 0,
                    "Service" => 1,
                    "Federated" => 2,
                    "CanonicalUser" => 3,
                    _ => {
                        return Err(PolicyError::new(
                            k,
                            "unknown principal type; expected AWS, Service, Federated or CanonicalUser",
                        ));
                    }
                };
                if let Some(n) = named.get_mut(slot) {
                    *n = !names.is_empty();
                }
            }
            if named.contains(&true) {
                Ok(())
            } else {
                Err(PolicyError::new("", "names no principal"))
            }
        }
    }
}

/// What `conditions` would refuse, with the same error.
fn check_conditions(mut raw: RawConditions<'_>, variables: bool) -> Result<(), PolicyError> {
    raw.sort_by(|a, b| a.0.cmp(&b.0));
    for (op_name, mut keys) in raw {
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        let operator = Operator::parse(&op_name).ok_or_else(|| {
            PolicyError::new(&*op_name, format!("unknown condition operator `{op_name}`"))
        })?;
        for (key, values) in keys {
            Condition::check(operator, &key, &values, variables, "")
                .map_err(|e| e.within(&format!("{op_name}.{key}")))?;
        }
    }
    Ok(())
}
