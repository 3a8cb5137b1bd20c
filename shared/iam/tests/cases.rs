//! Table tests of the evaluation logic: `tests/cases/*.json`, each case a
//! `aispm iam simulate` request, the decision AWS's documentation gives for
//! it, and (optionally) the statements that must decide it. `cites` names
//! the documented rule the case checks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed expectation is a failed test"
)]

use std::path::Path;

use aispm_iam::simulate::Simulation;
use serde_json::Value;

#[test]
fn documented_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for file in files {
        let cases: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for case in cases {
            count += 1;
            let name = format!(
                "{}: {}",
                file.file_name().unwrap().to_string_lossy(),
                case["name"].as_str().unwrap()
            );
            assert!(
                case["cites"].as_str().is_some_and(|c| !c.is_empty()),
                "{name}: cites nothing"
            );
            let sim = match Simulation::parse(&case["input"].to_string()) {
                Ok(s) => s,
                Err(e) => {
                    failures.push(format!("{name}: {e}"));
                    continue;
                }
            };
            let d = sim.decide();
            let got = serde_json::to_value(d.decision).unwrap();
            if got != case["decision"] {
                failures.push(format!(
                    "{name}: expected {}, got {got} ({})",
                    case["decision"], d.reason
                ));
                continue;
            }
            if let Some(expected) = case.get("deciding") {
                let deciding: Vec<String> = d
                    .statements
                    .iter()
                    .map(|s| format!("{}#{}", s.policy, s.statement))
                    .collect();
                if serde_json::to_value(&deciding).unwrap() != *expected {
                    failures.push(format!(
                        "{name}: deciding statements {deciding:?}, expected {expected}"
                    ));
                }
            }
        }
    }
    assert!(count >= 100, "only {count} cases");
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
