//! `docs/rules.md`, generated from the registry: a test keeps the checked-in
//! file current (`AISPM_UPDATE_DOCS=1 cargo test -p aispm-shared docs` or
//! `aispm rules docs > docs/rules.md` rewrites it).

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{RULES, RuleMeta};

fn list(xs: &[&str]) -> String {
    if xs.is_empty() {
        "—".to_owned()
    } else {
        xs.join(", ")
    }
}

/// The rules catalog as Markdown.
pub fn markdown() -> String {
    let mut families: BTreeMap<&str, Vec<&RuleMeta>> = BTreeMap::new();
    for r in RULES {
        let family = r.meta.id.split('_').next().unwrap_or(r.meta.id);
        families.entry(family).or_default().push(&r.meta);
    }
    let mut out = String::new();
    let _ = writeln!(out, "# aispm rules catalog\n");
    let _ = writeln!(
        out,
        "Generated from `shared/src/rules/` (each rule's file documents what it checks, why, an example and the fix). Do not edit: `aispm rules docs > docs/rules.md` regenerates it, and a test fails when it is stale.\n"
    );
    let _ = writeln!(out, "{} rules:", RULES.len());
    for (family, rules) in &families {
        let _ = writeln!(out, "- {family}: {}", rules.len());
    }
    for (family, rules) in &families {
        let _ = writeln!(out, "\n## {family}\n");
        let _ = writeln!(
            out,
            "| rule | severity | OWASP LLM | OWASP Agentic | MITRE ATLAS | NIST AI RMF | Security Hub |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---|");
        for m in rules {
            let nist: Vec<String> = m.nist_ai_rmf.iter().map(|n| format!("{n:?}")).collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} | {} |",
                m.id,
                m.severity.as_str(),
                list(m.owasp_llm),
                list(m.owasp_agentic),
                list(m.mitre_atlas),
                nist.join(", "),
                list(m.aws_security_hub)
            );
        }
        for m in rules {
            let types: Vec<&str> = m.resource_types.iter().map(|t| t.as_str()).collect();
            let _ = writeln!(out, "\n### `{}` — {}\n", m.id, m.title);
            let _ = writeln!(out, "- **Why**: {}", m.rationale);
            let _ = writeln!(
                out,
                "- **Reads**: {} (collectors `{}`)",
                types.join(", "),
                m.collectors.join("`, `")
            );
            let _ = writeln!(out, "- **Fix**: {}", m.remediation);
            if let Some(a) = m.remediation_action {
                let _ = writeln!(out, "- **Remediation action**: `{a}`");
            }
            if !m.covers.is_empty() {
                let _ = writeln!(out, "- **Covers**: {}", m.covers.join(", "));
            }
        }
    }
    controls(&mut out);
    out
}

/// The framework ids the catalog cites, with their titles and the rules
/// citing each.
fn controls(out: &mut String) {
    use super::mappings::{CONTROLS, cited};
    let _ = writeln!(out, "\n## Framework ids\n");
    let _ = writeln!(
        out,
        "Every id a rule cites, with its title and the rules citing it (`shared/src/rules/mappings.rs`; a test fails when a rule cites an id not listed there)."
    );
    let mut framework = None;
    for c in CONTROLS {
        let rules: Vec<String> = RULES
            .iter()
            .filter(|r| {
                cited(&r.meta)
                    .iter()
                    .any(|(fw, ids)| *fw == c.framework && ids.contains(&c.id))
            })
            .map(|r| format!("`{}`", r.meta.id))
            .collect();
        if rules.is_empty() {
            continue;
        }
        if framework != Some(c.framework) {
            framework = Some(c.framework);
            let _ = writeln!(out, "\n### {}\n", c.framework.as_str());
            let _ = writeln!(out, "| id | title | rules |\n|---|---|---|");
        }
        let _ = writeln!(out, "| {} | {} | {} |", c.id, c.title, rules.join(", "));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn docs_rules_md_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules.md");
        let want = super::markdown();
        if std::env::var_os("AISPM_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "docs/rules.md is stale: run `AISPM_UPDATE_DOCS=1 cargo test -p aispm-shared docs` (or `aispm rules docs > docs/rules.md`)"
        );
    }
}
