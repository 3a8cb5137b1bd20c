//! Just enough resource-policy reading for the first data rules: statements,
//! principals, action patterns and the conditions that restrict who can use a
//! grant. The full IAM evaluation engine replaces this in `iam/`.

use serde_json::Value;

/// Matches `*` and `?` wildcards; `ignore_case` for actions.
pub fn glob(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = if ignore_case {
        (
            pattern.to_lowercase().chars().collect(),
            text.to_lowercase().chars().collect(),
        )
    } else {
        (pattern.chars().collect(), text.chars().collect())
    };
    // Iterative matcher with backtracking to the last `*`.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == '?' || Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

/// A statement's values for `key` (string or list), as strings.
pub fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// The statements of a policy document.
pub fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    }
}

/// The AWS principals of a statement (`*` for anyone).
pub fn aws_principals(st: &Value) -> Vec<String> {
    match st.get("Principal") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Object(o)) => strings(o.get("AWS")),
        _ => Vec::new(),
    }
}

/// Whether an Allow statement grants any of `actions` (case-insensitive).
pub fn allows_any(st: &Value, actions: &[&str]) -> bool {
    st.get("Effect").and_then(Value::as_str) == Some("Allow")
        && strings(st.get("Action"))
            .iter()
            .any(|pat| actions.iter().any(|a| glob(pat, a, true)))
}

/// Condition keys that tie a grant to an organization, account, network or
/// caller, so a `*` principal is not "anyone".
const RESTRICTING_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:sourcevpce",
    "aws:sourcevpc",
    "aws:sourceip",
    "aws:userid",
    "aws:username",
    "aws:resourceorgid",
    "s3:dataaccesspointaccount",
];

/// The restricting condition keys a statement uses.
pub fn restricting_conditions(st: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Value::Object(ops)) = st.get("Condition") {
        for (_op, keys) in ops {
            if let Value::Object(keys) = keys {
                for k in keys.keys() {
                    if RESTRICTING_KEYS.contains(&k.to_lowercase().as_str()) {
                        out.push(k.clone());
                    }
                }
            }
        }
    }
    out
}

/// The account a principal belongs to: a 12-digit id or an ARN's account field.
pub fn principal_account(p: &str) -> Option<&str> {
    if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
        return Some(p);
    }
    let acct = p.strip_prefix("arn:")?.split(':').nth(3)?;
    (acct.len() == 12).then_some(acct)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn glob_wildcards() {
        assert!(glob("s3:Get*", "s3:GetObject", true));
        assert!(glob("S3:get*", "s3:GetObject", true));
        assert!(!glob("S3:get*", "s3:GetObject", false));
        assert!(glob("*", "anything", false));
        assert!(glob("s3:?utObject", "s3:PutObject", true));
        assert!(!glob("s3:Put*", "s3:GetObject", true));
        assert!(glob("a*b*c", "axxbyyc", false));
        assert!(!glob("a*b*c", "axxbyy", false));
    }

    #[test]
    fn principals_and_accounts() {
        let st = json!({"Principal": {"AWS": ["arn:aws:iam::999988887777:root", "123456789012"]}});
        assert_eq!(aws_principals(&st).len(), 2);
        assert_eq!(
            principal_account("arn:aws:iam::999988887777:root"),
            Some("999988887777")
        );
        assert_eq!(principal_account("123456789012"), Some("123456789012"));
        assert_eq!(principal_account("*"), None);
        assert_eq!(aws_principals(&json!({"Principal": "*"})), vec!["*"]);
    }

    #[test]
    fn org_condition_restricts() {
        let st = json!({"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}});
        assert_eq!(restricting_conditions(&st), vec!["aws:PrincipalOrgID"]);
        let st = json!({"Condition": {"Bool": {"aws:SecureTransport": "true"}}});
        assert!(restricting_conditions(&st).is_empty());
    }
}
