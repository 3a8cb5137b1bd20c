//! The action catalog as `docs/remediation.md` shows it.

use super::catalog::ActionKind;

/// The action catalog as the Markdown table `docs/remediation.md` holds
/// between its `<!-- actions -->` markers (a test keeps them equal).
pub fn docs_table() -> String {
    use std::fmt::Write;
    let mut out = String::from(
        "| Action | Fixes findings of | Changes | Calls (IAM permissions) | Settings |\n|---|---|---|---|---|\n",
    );
    for a in ActionKind::ALL {
        let list = |items: Vec<String>| {
            if items.is_empty() {
                "—".to_owned()
            } else {
                items.join(", ")
            }
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            a.name(),
            list(a.accepts().iter().map(|r| format!("`{r}`")).collect()),
            list(
                a.resource_types()
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect()
            ),
            list(a.permissions().iter().map(|p| format!("`{p}`")).collect()),
            list(
                a.settings()
                    .iter()
                    .map(|s| {
                        format!(
                            "`{}`{}: {}",
                            s.key,
                            if s.required { " (required)" } else { "" },
                            s.doc
                        )
                    })
                    .collect()
            ),
        );
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn docs_remediation_md_lists_the_catalog() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/remediation.md");
        let text = std::fs::read_to_string(&path).unwrap();
        let (_, rest) = text.split_once("<!-- actions -->\n").unwrap();
        let (table, _) = rest.split_once("<!-- /actions -->").unwrap();
        if std::env::var_os("AISPM_BLESS").is_some() {
            let fresh = text.replace(table, &docs_table());
            std::fs::write(&path, fresh).unwrap();
            return;
        }
        assert_eq!(
            table,
            docs_table(),
            "docs/remediation.md's action table is stale: run this test with AISPM_BLESS=1 to rewrite it"
        );
    }
}
