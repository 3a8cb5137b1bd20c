//! Hardcoded credentials in configuration text (a notebook's lifecycle
//! scripts): what kind of secret sits on which line, never the secret itself.
//! The text is scanned in memory and dropped; nothing of it is stored, logged
//! or put in evidence.

use serde::Serialize;

/// One credential-shaped token found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    /// 1-based line number.
    pub line: usize,
    /// What it looks like (`aws_access_key_id`, `private_key`, ...).
    pub kind: &'static str,
}

/// Every credential-shaped token in `text`, one per kind and line.
pub fn scan(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut push = |kind| {
            if !out
                .iter()
                .any(|f: &Found| f.line == i + 1 && f.kind == kind)
            {
                out.push(Found { line: i + 1, kind });
            }
        };
        if line.contains("-----BEGIN") && line.contains("PRIVATE KEY-----") {
            push("private_key");
        }
        for word in line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')) {
            if let Some(kind) = token_kind(word) {
                push(kind);
            }
        }
        if assigns_secret(line) {
            push("secret_assignment");
        }
    }
    out
}

/// The kind of a whole word that is a well-known credential format.
fn token_kind(w: &str) -> Option<&'static str> {
    let alnum_upper = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    };
    let token = |s: &str, min: usize| {
        s.len() >= min
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    if w.len() == 20 && (w.starts_with("AKIA") || w.starts_with("ASIA")) && alnum_upper(&w[4..]) {
        return Some("aws_access_key_id");
    }
    if let Some(rest) = w.strip_prefix("sk-")
        && token(rest, 20)
    {
        return Some("openai_or_anthropic_api_key");
    }
    if let Some(rest) = w.strip_prefix("hf_")
        && token(rest, 30)
    {
        return Some("hugging_face_token");
    }
    if ["ghp_", "gho_", "ghs_", "github_pat_"]
        .iter()
        .any(|p| w.strip_prefix(p).is_some_and(|r| token(r, 30)))
    {
        return Some("github_token");
    }
    if ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"]
        .iter()
        .any(|p| w.strip_prefix(p).is_some_and(|r| token(r, 10)))
    {
        return Some("slack_token");
    }
    None
}

/// Whether the line assigns a literal to a name that says it is a secret
/// (`AWS_SECRET_ACCESS_KEY=...`, `api_key: "..."`, `export DB_PASSWORD='...'`),
/// not a reference to one (`$VAR`, `$(aws secretsmanager ...)`, `{{...}}`).
fn assigns_secret(line: &str) -> bool {
    const NAMES: &[&str] = &[
        "secret_access_key",
        "secret_key",
        "api_key",
        "apikey",
        "access_token",
        "auth_token",
        "password",
        "passwd",
        "client_secret",
        "private_key",
        "token",
    ];
    let lower = line.to_ascii_lowercase();
    let Some(eq) = lower.find(['=', ':']) else {
        return false;
    };
    let (name, value) = (&lower[..eq], &line[eq + 1..]);
    let name = name.trim().trim_start_matches("export ").trim();
    let name = name.trim_matches(|c| c == '"' || c == '\'');
    if !NAMES.iter().any(|n| name.ends_with(n)) {
        return false;
    }
    let value = value
        .trim()
        .trim_matches(|c| c == '"' || c == '\'' || c == ';' || c == ',');
    value.len() >= 8
        && !value.contains('$')
        && !value.contains("{{")
        && !value.contains(' ')
        && !value.eq_ignore_ascii_case("none")
        && !value.eq_ignore_ascii_case("null")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_kind_by_line_without_keeping_the_secret() {
        let text = "#!/bin/bash\n\
            export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n\
            export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
            huggingface-cli login --token hf_abcdefghijklmnopqrstuvwxyz0123456789\n\
            OPENAI=sk-proj-abcdefghijklmnopqrstuvwx\n\
            -----BEGIN RSA PRIVATE KEY-----\n";
        let found = scan(text);
        let kinds: Vec<(usize, &str)> = found.iter().map(|f| (f.line, f.kind)).collect();
        assert_eq!(
            kinds,
            [
                (2, "aws_access_key_id"),
                (3, "secret_assignment"),
                (4, "hugging_face_token"),
                (5, "openai_or_anthropic_api_key"),
                (6, "private_key"),
            ]
        );
        let shown = serde_json::to_string(&found).unwrap_or_default();
        assert!(!shown.contains("AKIA") && !shown.contains("hf_"), "{shown}");
    }

    #[test]
    fn references_and_ordinary_text_are_not_secrets() {
        let text = "#!/bin/bash\n\
            export HF_TOKEN=$(aws secretsmanager get-secret-value --secret-id hf)\n\
            export API_KEY=\"${API_KEY}\"\n\
            PASSWORD={{resolve:secretsmanager:db}}\n\
            pip install transformers==4.37 sk-learn\n\
            echo AKIA is a prefix\n\
            token: none\n";
        assert_eq!(scan(text), []);
    }
}
