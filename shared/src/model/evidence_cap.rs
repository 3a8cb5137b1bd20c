//! Bounded evidence: a finding's evidence is stored in one DynamoDB item
//! (at most 400 KB) and printed by every output, so it is capped where it
//! is made. Long lists inside a value keep their first
//! [`MAX_LIST`] entries, the list keeps its first [`MAX_ITEMS`] elements,
//! and the whole stays under [`MAX_BYTES`] of JSON; whatever was left out is
//! counted in an `aispm:evidence_cap` element, so a reader knows the
//! evidence is partial and by how much.

use serde_json::{Value, json};

use super::FindingEvidence;

/// Entries kept of a list inside one evidence value.
pub const MAX_LIST: usize = 100;
/// Evidence elements kept.
pub const MAX_ITEMS: usize = 200;
/// JSON bytes the evidence may take (a finding's detail item holds it with
/// room to spare under DynamoDB's 400 KB).
pub const MAX_BYTES: usize = 256 * 1024;
/// The `source` of the element that counts what was left out.
pub const CAP_SOURCE: &str = "aispm:evidence_cap";

fn size(e: &FindingEvidence) -> usize {
    serde_json::to_vec(e).map_or(0, |v| v.len())
}

/// Caps `evidence` in place (see the module docs); returns how many list
/// entries and elements were left out. Idempotent: capped evidence is left
/// as it is.
pub fn cap_evidence(evidence: &mut Vec<FindingEvidence>) -> usize {
    if evidence.iter().any(|e| e.source == CAP_SOURCE) {
        return 0;
    }
    let mut lists: Vec<Value> = Vec::new();
    let mut omitted_entries = 0usize;
    for e in evidence.iter_mut() {
        if let Some(n) = trim_lists(&mut e.value) {
            omitted_entries += n;
            lists.push(json!({"source": e.source, "field": e.field, "omitted": n}));
        }
    }
    let total = evidence.len();
    let mut omitted_items = total.saturating_sub(MAX_ITEMS);
    evidence.truncate(MAX_ITEMS);
    let mut bytes: usize = evidence.iter().map(size).sum();
    while bytes > MAX_BYTES {
        match evidence.pop() {
            Some(e) => {
                bytes = bytes.saturating_sub(size(&e));
                omitted_items += 1;
            }
            None => break,
        }
    }
    if omitted_entries == 0 && omitted_items == 0 {
        return 0;
    }
    evidence.push(FindingEvidence::new(
        CAP_SOURCE,
        "omitted",
        json!({
            "elements_total": total,
            "elements_omitted": omitted_items,
            "list_entries_omitted": omitted_entries,
            "lists": lists,
        }),
    ));
    omitted_entries + omitted_items
}

/// Shortens every array in `v` (at any depth) to [`MAX_LIST`] entries;
/// the number of entries left out, if any.
fn trim_lists(v: &mut Value) -> Option<usize> {
    let mut omitted = 0usize;
    match v {
        Value::Array(a) => {
            if a.len() > MAX_LIST {
                omitted += a.len() - MAX_LIST;
                a.truncate(MAX_LIST);
            }
            for x in a.iter_mut() {
                omitted += trim_lists(x).unwrap_or(0);
            }
        }
        Value::Object(m) => {
            for x in m.values_mut() {
                omitted += trim_lists(x).unwrap_or(0);
            }
        }
        _ => {}
    }
    (omitted > 0).then_some(omitted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(i: usize) -> String {
        format!(
            "arn:aws:sagemaker:us-east-1:111111111111:training-job/reader-{i:05}-with-a-long-name"
        )
    }

    #[test]
    fn small_evidence_is_left_alone() {
        let mut e = vec![FindingEvidence::new(
            "s3:GetBucketPolicy",
            "Statement[0]",
            json!({"a": [1, 2]}),
        )];
        let before = e.clone();
        assert_eq!(cap_evidence(&mut e), 0);
        assert_eq!(e, before);
    }

    #[test]
    fn long_lists_and_many_elements_are_capped_and_counted() {
        let all: Vec<String> = (0..5_000).map(reader).collect();
        let mut e = vec![FindingEvidence::new("aispm:graph", "read_by", json!(all))];
        for i in 0..5_000 {
            e.push(FindingEvidence::new(
                "aispm:path",
                "step",
                json!({"from": reader(i), "to": "arn:aws:s3:::train"}),
            ));
        }
        let raw: usize = e.iter().map(size).sum();
        assert!(raw > 400 * 1024, "the test grows past 400 KB: {raw}");
        let left_out = cap_evidence(&mut e);
        let bytes: usize = e.iter().map(size).sum();
        assert!(bytes <= MAX_BYTES + 1024, "{bytes}");
        let cap = e.last().unwrap();
        assert_eq!(cap.source, CAP_SOURCE);
        assert_eq!(cap.value["list_entries_omitted"], 4_900);
        assert_eq!(cap.value["elements_total"], 5_001);
        assert_eq!(cap.value["elements_omitted"], 4_801);
        assert_eq!(left_out, 4_900 + 4_801);
        assert_eq!(e[0].value.as_array().unwrap().len(), MAX_LIST);
        // Capping again changes nothing.
        let once = e.clone();
        assert_eq!(cap_evidence(&mut e), 0);
        assert_eq!(e, once);
    }
}
