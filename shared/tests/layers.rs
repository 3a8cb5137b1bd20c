//! The shape of the library, checked: its top-level modules import one
//! another one way only (no module imports a module that imports it back,
//! directly or through others), no source file outside tests is over 600
//! lines, and no mode travels as a string prefix.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed expectation is a failed test"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The file up to its unit tests: the first `#[cfg(test)]` that opens a
/// block (a `#[cfg(test)] mod name;` declaration does not end the code).
fn non_test(text: &str) -> &str {
    let mut from = 0;
    while let Some(i) = text[from..].find("#[cfg(test)]") {
        let at = from + i;
        let next = text[at..].lines().nth(1).unwrap_or_default().trim();
        if !(next.starts_with("mod ") && next.ends_with(';')) {
            return &text[..at];
        }
        from = at + "#[cfg(test)]".len();
    }
    text
}

/// The file without its unit tests and without comments.
fn code(text: &str) -> String {
    non_test(text)
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules `src` names through `crate::`, including grouped
/// imports (`use crate::{a, b::c}`).
fn references(src: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = src;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find("};").unwrap_or(group.len());
            let mut depth = 0;
            let mut item = String::new();
            for ch in group[..end].chars() {
                match ch {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(head(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(ch);
            }
            out.insert(head(&item));
        } else {
            out.insert(head(rest));
        }
    }
    out.remove("");
    out
}

fn head(path: &str) -> String {
    path.trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(&root).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if top == "lib" {
            continue;
        }
        let refs = references(&code(&std::fs::read_to_string(&f).unwrap()));
        let entry = g.entry(top.clone()).or_default();
        entry.extend(refs.into_iter().filter(|r| *r != top));
    }
    g
}

#[test]
fn top_level_modules_import_one_way() {
    let g = graph();
    assert!(
        g.contains_key("rules") && g.contains_key("reconcile"),
        "{g:?}"
    );
    // Every cycle shows as a module that reaches itself.
    for start in g.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(&String, Vec<&String>)> = vec![(start, vec![start])];
        while let Some((m, path)) = stack.pop() {
            for next in g.get(m).into_iter().flatten() {
                assert!(
                    next != start,
                    "import cycle: {} -> {next}",
                    path.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" -> ")
                );
                if seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next);
                    stack.push((next, p));
                }
            }
        }
    }
    // The layers named by the reshaping: scoring knows nothing of rules,
    // collectors nothing of rules, events nothing of rules' internals.
    assert!(!g["risk"].contains("rules"));
    assert!(!g["collect"].contains("rules"));
    assert!(!g["events"].contains("rules"));
    assert!(!g["store"].contains("reconcile"));
}

#[test]
fn a_test_module_declaration_does_not_end_the_code() {
    let text = "a\n#[cfg(test)]\nmod scoring;\nb\n#[cfg(test)]\nmod tests {\n}\n";
    assert_eq!(non_test(text), "a\n#[cfg(test)]\nmod scoring;\nb\n");
}

#[test]
fn the_checker_sees_grouped_imports() {
    let refs =
        references("use crate::{aws::X, model::{A, B}};\nlet x = crate::rules::rule(\"a\");");
    assert_eq!(
        refs,
        ["aws", "model", "rules"]
            .into_iter()
            .map(str::to_owned)
            .collect()
    );
}

#[test]
fn no_source_file_is_over_600_lines_and_no_mode_is_a_string_prefix() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["shared/src", "shared/iam/src", "cli/src", "functions"] {
        sources(&root.join(dir), &mut files);
    }
    let mut long = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let body = non_test(&text);
        let lines = body.lines().count();
        if lines > 600 {
            long.push(format!("{} ({lines})", f.display()));
        }
        assert!(
            !body.contains("starts_with(\"event:\")"),
            "{}: a mode flag hidden in a string",
            f.display()
        );
    }
    assert!(long.is_empty(), "over 600 lines: {long:?}");
}

/// The markdown files a person who clones the repository reads.
fn docs(root: &Path) -> Vec<PathBuf> {
    let mut out = vec![root.join("README.md")];
    for dir in [
        "docs",
        "infra",
        "shared",
        "tests",
        "events",
        "cli",
        "functions",
    ] {
        let mut files = Vec::new();
        collect_md(&root.join(dir), &mut files);
        out.extend(files);
    }
    out
}

fn collect_md(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_dir() && !name.starts_with('.') && name != "target" && name != "fuzz" {
            collect_md(&p, out);
        } else if name.ends_with(".md") {
            out.push(p);
        }
    }
}

#[test]
fn readme_and_docs_name_no_path_outside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap();
    let files = docs(&root);
    assert!(files.iter().any(|f| f.ends_with("docs/scenarios.md")));
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            !text.contains("BRIEF"),
            "{}: names a file the repository does not have",
            f.display()
        );
        let dir = f.parent().unwrap();
        for (i, _) in text.match_indices("../") {
            if i > 0 && text.as_bytes()[i - 1] == b'.' {
                continue; // the tail of a longer `../../`
            }
            let token: String = text[i..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !"`)]>\"'".contains(*c))
                .collect();
            let mut at = dir.to_path_buf();
            for part in token.split('/') {
                match part {
                    ".." => {
                        at.pop();
                    }
                    "" | "." => {}
                    p => at.push(p),
                }
            }
            assert!(
                at.starts_with(&root),
                "{}: `{token}` is outside the repository",
                f.display()
            );
        }
    }
}
