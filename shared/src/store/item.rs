//! JSON values to DynamoDB attribute values and back. Objects become maps,
//! arrays lists, numbers `N`, and empty strings stay strings (DynamoDB accepts
//! them outside keys). Kept small and local rather than adding a crate for it.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{Map, Number, Value};

/// A JSON value as an attribute value.
pub fn to_av(v: &Value) -> AttributeValue {
    match v {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Number(n) => AttributeValue::N(n.to_string()),
        Value::String(s) => AttributeValue::S(s.clone()),
        Value::Array(xs) => AttributeValue::L(xs.iter().map(to_av).collect()),
        Value::Object(m) => {
            AttributeValue::M(m.iter().map(|(k, v)| (k.clone(), to_av(v))).collect())
        }
    }
}

/// An attribute value as JSON; `None` for types JSON cannot hold (binary, sets
/// of binaries). Numbers that are not valid JSON numbers become strings.
pub fn from_av(av: &AttributeValue) -> Option<Value> {
    Some(match av {
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::N(n) => number(n),
        AttributeValue::S(s) => Value::String(s.clone()),
        AttributeValue::L(xs) => Value::Array(xs.iter().filter_map(from_av).collect()),
        AttributeValue::M(m) => Value::Object(
            m.iter()
                .filter_map(|(k, v)| from_av(v).map(|v| (k.clone(), v)))
                .collect(),
        ),
        AttributeValue::Ss(xs) => Value::Array(xs.iter().cloned().map(Value::String).collect()),
        AttributeValue::Ns(xs) => Value::Array(xs.iter().map(|n| number(n)).collect()),
        _ => return None,
    })
}

fn number(n: &str) -> Value {
    if let Ok(i) = n.parse::<u64>() {
        Value::Number(i.into())
    } else if let Ok(i) = n.parse::<i64>() {
        Value::Number(i.into())
    } else {
        n.parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map_or_else(|| Value::String(n.to_owned()), Value::Number)
    }
}

/// An item's size as DynamoDB bills it: attribute names plus values (strings
/// and binaries by length, numbers by significant digits, containers with
/// their 3-byte overhead and 1 byte per element).
pub fn item_size(item: &HashMap<String, AttributeValue>) -> usize {
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

fn value_size(v: &AttributeValue) -> usize {
    match v {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => {
            let digits = n.chars().filter(char::is_ascii_digit).count();
            digits.div_ceil(2) + 1
        }
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::L(xs) => 3 + xs.iter().map(|x| 1 + value_size(x)).sum::<usize>(),
        AttributeValue::M(m) => {
            3 + m
                .iter()
                .map(|(k, x)| 1 + k.len() + value_size(x))
                .sum::<usize>()
        }
        AttributeValue::Ss(xs) => xs.iter().map(String::len).sum(),
        AttributeValue::Ns(xs) => xs.len() * 21,
        _ => 0,
    }
}

/// Write capacity units for writing an item of `size` bytes (1 KB each).
pub fn write_units(size: usize) -> u64 {
    (size.max(1)).div_ceil(1024) as u64
}

/// A JSON object as an item.
pub fn to_item(m: &Map<String, Value>) -> HashMap<String, AttributeValue> {
    m.iter().map(|(k, v)| (k.clone(), to_av(v))).collect()
}

/// An item as a JSON object.
pub fn from_item(item: &HashMap<String, AttributeValue>) -> Map<String, Value> {
    item.iter()
        .filter_map(|(k, v)| from_av(v).map(|v| (k.clone(), v)))
        .collect()
}

/// A string attribute.
pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

/// The string value of an attribute, if it is one.
pub fn get_s<'a>(item: &'a HashMap<String, AttributeValue>, key: &str) -> Option<&'a str> {
    item.get(key)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_sizes_follow_dynamodb_rules() {
        let item = HashMap::from([
            ("pk".to_owned(), s("ACCOUNT#1")),
            ("n".to_owned(), AttributeValue::N("12345".to_owned())),
        ]);
        // 2 + 9, then 1 + (3 digits rounded up) + 1
        assert_eq!(item_size(&item), 11 + 1 + 4);
        assert_eq!(write_units(1024), 1);
        assert_eq!(write_units(1025), 2);
    }

    #[test]
    fn json_round_trips_through_attribute_values() {
        let v = serde_json::json!({
            "s": "x", "empty": "", "n": 42, "neg": -3, "f": 1.5, "b": true, "nul": null,
            "l": [1, "a", {"k": [false]}], "m": {"inner": {"deep": "y"}}
        });
        let Value::Object(m) = &v else { unreachable!() };
        assert_eq!(Value::Object(from_item(&to_item(m))), v);
    }
}
