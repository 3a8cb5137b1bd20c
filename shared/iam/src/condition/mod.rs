//! Condition operators and their evaluation against a request context.
//!
//! AWS's rules, as implemented here (IAM User Guide, "IAM JSON policy
//! elements: Condition operators" and "Multivalued context keys"):
//! - several operators, and several keys under one operator, are ANDed;
//!   several values for one key are ORed;
//! - a key absent from the request makes the condition false, except for the
//!   negated operators (`StringNotEquals`, `NotIpAddress`, `ArnNotLike`, ...),
//!   which are then true, `...IfExists` forms, which are then true, and
//!   `Null`, which tests presence;
//! - `ForAllValues:` is true when every request value matches some policy
//!   value, and also when the key is absent or empty; `ForAnyValue:` is true
//!   when at least one request value matches, and false when absent;
//! - a negated operator is true when the request value matches none of the
//!   policy values (with `ForAllValues:`/`ForAnyValue:`, every / some request
//!   value matches none).
//!
//! Choices where the documentation is silent (each has a test):
//! - a multi-valued key used without a set qualifier behaves like
//!   `ForAnyValue:` for positive operators and as "no value matches" for
//!   negated ones;
//! - a request value of the wrong type (a non-number for `Numeric*`, a bad
//!   date or IP address) matches no policy value, so positive operators are
//!   false and negated ones true;
//! - `Null` treats a multi-valued key with an empty list as absent;
//! - `BinaryEquals` compares the base64 text;
//! - in an open context (who-can / what-can) an absent key is unknown, and
//!   so is every condition on it, `...IfExists` and `Null` included.

mod check;
mod values;

pub use values::{Cidr, parse_date};

use std::net::IpAddr;

use crate::context::Context;
use crate::err::PolicyError;
use crate::pattern::{Pattern, Syntax};

/// Three-valued truth: conditions on keys an open context lacks are unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tri {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// Depends on request values not known.
    Unknown,
}

impl Tri {
    fn from_bool(b: bool) -> Self {
        if b { Tri::True } else { Tri::False }
    }

    /// Logical AND.
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }
}

/// `ForAllValues:` / `ForAnyValue:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Qualifier {
    /// Every request value must match.
    ForAllValues,
    /// Some request value must match.
    ForAnyValue,
}

macro_rules! operators {
    ($($name:ident),* $(,)?) => {
        /// A condition operator without its qualifier and `IfExists`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum OpKind { $(
            #[allow(missing_docs)]
            $name,
        )* }
        impl OpKind {
            const ALL: &'static [(OpKind, &'static str)] = &[$((OpKind::$name, stringify!($name))),*];
            /// The operator's name as AWS writes it.
            pub fn name(self) -> &'static str {
                Self::ALL.iter().find(|(k, _)| *k == self).map_or("", |(_, n)| n)
            }
        }
    };
}

operators!(
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
);

impl OpKind {
    /// Whether the operator is true when the value matches *none* of the
    /// policy values.
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            OpKind::StringNotEquals
                | OpKind::StringNotEqualsIgnoreCase
                | OpKind::StringNotLike
                | OpKind::NumericNotEquals
                | OpKind::DateNotEquals
                | OpKind::NotIpAddress
                | OpKind::ArnNotEquals
                | OpKind::ArnNotLike
        )
    }
}

/// A full condition operator such as `ForAnyValue:StringLikeIfExists`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operator {
    /// `ForAllValues:` or `ForAnyValue:`.
    pub qualifier: Option<Qualifier>,
    /// The base operator.
    pub kind: OpKind,
    /// The `...IfExists` form.
    pub if_exists: bool,
}

impl Operator {
    /// Parses an operator name (case-insensitive, as AWS accepts).
    pub fn parse(text: &str) -> Option<Self> {
        let (qualifier, rest) = match text.split_once(':') {
            Some((q, r)) if q.eq_ignore_ascii_case("ForAllValues") => {
                (Some(Qualifier::ForAllValues), r)
            }
            Some((q, r)) if q.eq_ignore_ascii_case("ForAnyValue") => {
                (Some(Qualifier::ForAnyValue), r)
            }
            Some(_) => return None,
            None => (None, text),
        };
        let cut = rest.len().saturating_sub("IfExists".len());
        let (base, if_exists) = match (rest.get(..cut), rest.get(cut..)) {
            (Some(b), Some(e)) if e.eq_ignore_ascii_case("IfExists") => (b, true),
            _ => (rest, false),
        };
        let kind = OpKind::ALL
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(base))
            .map(|(k, _)| *k)?;
        if kind == OpKind::Null && (if_exists || qualifier.is_some()) {
            return None;
        }
        Some(Self {
            qualifier,
            kind,
            if_exists,
        })
    }

    /// The canonical name's three parts (qualifier, base, `IfExists`).
    fn name_parts(&self) -> [&'static str; 3] {
        let q = match self.qualifier {
            Some(Qualifier::ForAllValues) => "ForAllValues:",
            Some(Qualifier::ForAnyValue) => "ForAnyValue:",
            None => "",
        };
        [
            q,
            self.kind.name(),
            if self.if_exists { "IfExists" } else { "" },
        ]
    }

    /// Orders operators as their canonical names, without building them.
    pub fn cmp_by_name(&self, other: &Self) -> std::cmp::Ordering {
        let bytes = |o: &Self| o.name_parts().into_iter().flat_map(str::bytes);
        bytes(self).cmp(bytes(other))
    }

    /// The operator's canonical name.
    pub fn name(&self) -> String {
        self.name_parts().concat()
    }
}

/// The compiled values of a condition.
#[derive(Clone, Debug)]
enum Values {
    /// String operators (and `StringEqualsIgnoreCase` with folded patterns).
    Str(Vec<Pattern>),
    Num(Vec<f64>),
    Date(Vec<i64>),
    Bool(Vec<bool>),
    Bin(Vec<String>),
    Ip(Vec<Cidr>),
    /// Each ARN pattern split into its six parts (or kept whole when the
    /// pattern has fewer parts).
    Arn(Vec<Vec<Pattern>>),
    Null(Vec<bool>),
}

/// One `operator: { key: values }` entry of a statement's Condition.
#[derive(Clone, Debug)]
pub struct Condition {
    /// The operator.
    pub operator: Operator,
    /// The condition key as written.
    pub key: String,
    key_lower: String,
    /// The values as written (booleans and numbers as their JSON text).
    pub values: Vec<String>,
    compiled: Values,
}

impl PartialEq for Condition {
    fn eq(&self, other: &Self) -> bool {
        self.operator == other.operator && self.key == other.key && self.values == other.values
    }
}

impl Condition {
    /// Compiles one condition; `at` names its place for errors.
    pub fn new(
        operator: Operator,
        key: &str,
        values: Vec<String>,
        variables: bool,
        at: &str,
    ) -> Result<Self, PolicyError> {
        let err = |m: String| PolicyError::new(at, m);
        let op = operator.kind.name();
        let pattern = |v: &String, wildcards: bool, fold_case: bool| {
            Pattern::new(
                v,
                Syntax {
                    wildcards,
                    variables,
                    fold_case,
                },
            )
            .map_err(|_| err(format!("value `{v}` has a `${{` without its closing `}}`")))
        };
        use OpKind as K;
        let compiled = match operator.kind {
            K::StringEquals | K::StringNotEquals => Values::Str(
                values
                    .iter()
                    .map(|v| pattern(v, false, false))
                    .collect::<Result<_, _>>()?,
            ),
            K::StringEqualsIgnoreCase | K::StringNotEqualsIgnoreCase => Values::Str(
                values
                    .iter()
                    .map(|v| pattern(v, false, true))
                    .collect::<Result<_, _>>()?,
            ),
            K::StringLike | K::StringNotLike => Values::Str(
                values
                    .iter()
                    .map(|v| pattern(v, true, false))
                    .collect::<Result<_, _>>()?,
            ),
            K::NumericEquals
            | K::NumericNotEquals
            | K::NumericLessThan
            | K::NumericLessThanEquals
            | K::NumericGreaterThan
            | K::NumericGreaterThanEquals => Values::Num(
                values
                    .iter()
                    .map(|v| {
                        v.trim()
                            .parse::<f64>()
                            .ok()
                            .filter(|n| n.is_finite())
                            .ok_or_else(|| err(format!("{op} value `{v}` is not a number")))
                    })
                    .collect::<Result<_, _>>()?,
            ),
            K::DateEquals
            | K::DateNotEquals
            | K::DateLessThan
            | K::DateLessThanEquals
            | K::DateGreaterThan
            | K::DateGreaterThanEquals => Values::Date(
                values
                    .iter()
                    .map(|v| {
                        parse_date(v).ok_or_else(|| {
                            err(format!(
                                "{op} value `{v}` is not an ISO 8601 date or epoch seconds"
                            ))
                        })
                    })
                    .collect::<Result<_, _>>()?,
            ),
            K::Bool | K::Null => {
                let b = values
                    .iter()
                    .map(|v| match v.to_ascii_lowercase().as_str() {
                        "true" => Ok(true),
                        "false" => Ok(false),
                        _ => Err(err(format!("{op} value `{v}` is not `true` or `false`"))),
                    })
                    .collect::<Result<_, _>>()?;
                if operator.kind == K::Bool {
                    Values::Bool(b)
                } else {
                    Values::Null(b)
                }
            }
            K::BinaryEquals => Values::Bin(values.clone()),
            K::IpAddress | K::NotIpAddress => Values::Ip(
                values
                    .iter()
                    .map(|v| {
                        Cidr::parse(v).ok_or_else(|| {
                            err(format!(
                                "{op} value `{v}` is not an IPv4 or IPv6 address or CIDR"
                            ))
                        })
                    })
                    .collect::<Result<_, _>>()?,
            ),
            K::ArnEquals | K::ArnLike | K::ArnNotEquals | K::ArnNotLike => Values::Arn(
                values
                    .iter()
                    .map(|v| {
                        let parts: Vec<&str> = v.splitn(6, ':').collect();
                        if parts.len() == 6 {
                            parts
                                .iter()
                                .map(|p| pattern(&(*p).to_owned(), true, false))
                                .collect()
                        } else {
                            Ok(vec![pattern(v, true, false)?])
                        }
                    })
                    .collect::<Result<_, _>>()?,
            ),
        };
        if values.is_empty() {
            return Err(err(format!("{op} on `{key}` has no values")));
        }
        Ok(Self {
            operator,
            key: key.to_owned(),
            key_lower: key.to_ascii_lowercase(),
            values,
            compiled,
        })
    }

    /// The condition key, lowercase.
    pub fn key_lower(&self) -> &str {
        &self.key_lower
    }

    /// Evaluates the condition against the request context.
    pub fn eval(&self, ctx: &Context) -> Tri {
        let present = ctx.get(&self.key_lower);
        let op = self.operator;
        if let Values::Null(expect) = &self.compiled {
            let Some(values) = present else {
                if ctx.is_open() {
                    return Tri::Unknown;
                }
                return Tri::from_bool(expect.iter().any(|e| *e));
            };
            let absent = values.is_empty();
            return Tri::from_bool(expect.contains(&absent));
        }
        let negated = op.kind.is_negated();
        let values = match present {
            None if ctx.is_open() => return Tri::Unknown,
            None | Some([]) => {
                return Tri::from_bool(match op.qualifier {
                    Some(Qualifier::ForAllValues) => true,
                    Some(Qualifier::ForAnyValue) => false,
                    None => op.if_exists || negated,
                });
            }
            Some(v) => v,
        };
        // m(v): does request value v match some policy value (positive sense)?
        let mut unknown = false;
        let mut m = |v: &str| match self.matches_any(v, ctx) {
            Some(b) => b,
            None => {
                unknown = true;
                false
            }
        };
        let result = match op.qualifier {
            Some(Qualifier::ForAllValues) => values.iter().all(|v| m(v) != negated),
            Some(Qualifier::ForAnyValue) => values.iter().any(|v| m(v) != negated),
            None => values.iter().any(|v| m(v)) != negated,
        };
        if unknown {
            Tri::Unknown
        } else {
            Tri::from_bool(result)
        }
    }

    /// Whether `v` matches some policy value under the positive form of the
    /// operator; `None` when a variable is unknown (open context).
    fn matches_any(&self, v: &str, ctx: &Context) -> Option<bool> {
        use OpKind as K;
        let kind = self.operator.kind;
        let mut unknown = false;
        let mut any = |it: &mut dyn Iterator<Item = Option<bool>>| {
            for r in it {
                match r {
                    Some(true) => return true,
                    Some(false) => {}
                    None => unknown = true,
                }
            }
            false
        };
        let hit = match &self.compiled {
            Values::Str(ps) => {
                let folded;
                let text = if matches!(
                    kind,
                    K::StringEqualsIgnoreCase | K::StringNotEqualsIgnoreCase
                ) {
                    folded = v.to_ascii_lowercase();
                    folded.as_str()
                } else {
                    v
                };
                any(&mut ps.iter().map(|p| p.matches(text, ctx)))
            }
            Values::Num(ns) => match v.trim().parse::<f64>() {
                Ok(x) => ns.iter().any(|n| compare(kind, x.partial_cmp(n))),
                Err(_) => false,
            },
            Values::Date(ds) => match parse_date(v) {
                Some(x) => ds.iter().any(|d| compare(kind, Some(x.cmp(d)))),
                None => false,
            },
            Values::Bool(bs) => match v.to_ascii_lowercase().as_str() {
                "true" => bs.contains(&true),
                "false" => bs.contains(&false),
                _ => false,
            },
            Values::Bin(bs) => bs.iter().any(|b| b == v),
            Values::Ip(cs) => match v.trim().parse::<IpAddr>() {
                Ok(ip) => cs.iter().any(|c| c.contains(ip)),
                Err(_) => false,
            },
            Values::Arn(ps) => {
                let parts: Vec<&str> = v.splitn(6, ':').collect();
                any(&mut ps.iter().map(|p| match p.as_slice() {
                    [whole] => whole.matches(v, ctx),
                    six if parts.len() == 6 && parts.first() == Some(&"arn") => {
                        let mut acc = Some(true);
                        for (pat, part) in six.iter().zip(&parts) {
                            match pat.matches(part, ctx) {
                                Some(true) => {}
                                Some(false) => return Some(false),
                                None => acc = None,
                            }
                        }
                        acc
                    }
                    _ => Some(false),
                }))
            }
            Values::Null(_) => false,
        };
        if hit {
            Some(true)
        } else if unknown {
            None
        } else {
            Some(false)
        }
    }
}

/// Applies a numeric or date operator to an ordering of request value vs
/// policy value.
fn compare(kind: OpKind, ord: Option<std::cmp::Ordering>) -> bool {
    use OpKind as K;
    use std::cmp::Ordering::{Equal, Greater, Less};
    let Some(o) = ord else { return false };
    match kind {
        K::NumericEquals | K::NumericNotEquals | K::DateEquals | K::DateNotEquals => o == Equal,
        K::NumericLessThan | K::DateLessThan => o == Less,
        K::NumericLessThanEquals | K::DateLessThanEquals => o != Greater,
        K::NumericGreaterThan | K::DateGreaterThan => o == Greater,
        K::NumericGreaterThanEquals | K::DateGreaterThanEquals => o != Less,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_order_as_their_names_and_parse_in_any_case() {
        let mut ops = Vec::new();
        for (kind, name) in OpKind::ALL {
            for q in ["", "ForAllValues:", "forAnyValue:"] {
                for e in ["", "IfExists", "ifexists"] {
                    if let Some(op) = Operator::parse(&format!("{q}{name}{e}")) {
                        assert_eq!(op.kind, *kind);
                        assert_eq!(op.if_exists, !e.is_empty());
                        ops.push(op);
                    }
                }
            }
        }
        assert!(ops.len() > 3 * OpKind::ALL.len());
        for a in &ops {
            for b in &ops {
                assert_eq!(
                    a.cmp_by_name(b),
                    a.name().cmp(&b.name()),
                    "{} vs {}",
                    a.name(),
                    b.name()
                );
            }
        }
        assert_eq!(Operator::parse("IfExists"), None);
        assert_eq!(Operator::parse("NullIfExists"), None);
    }

    fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
        let operator = Operator::parse(op);
        assert!(operator.is_some(), "operator {op}");
        let Some(operator) = operator else {
            unreachable!()
        };
        let c = Condition::new(
            operator,
            key,
            values.iter().map(|s| (*s).to_owned()).collect(),
            true,
            "Condition",
        );
        assert!(c.is_ok(), "{c:?}");
        let Ok(c) = c else { unreachable!() };
        c
    }

    fn list(key: &str, values: &[&str]) -> Context {
        let mut ctx = Context::new();
        ctx.insert_list(key, values.iter().map(|s| (*s).to_owned()).collect());
        ctx
    }

    #[test]
    fn operators_parse_with_qualifiers_and_if_exists() {
        let op = Operator::parse("ForAnyValue:StringLikeIfExists");
        assert_eq!(
            op,
            Some(Operator {
                qualifier: Some(Qualifier::ForAnyValue),
                kind: OpKind::StringLike,
                if_exists: true
            })
        );
        assert_eq!(
            op.map(|o| o.name()).as_deref(),
            Some("ForAnyValue:StringLikeIfExists")
        );
        assert_eq!(Operator::parse("StringEqualz"), None);
        assert_eq!(Operator::parse("NullIfExists"), None);
        assert_eq!(Operator::parse("ForEveryValue:StringEquals"), None);
    }

    #[test]
    fn absent_keys_follow_the_documented_rules() {
        let ctx = Context::new();
        assert_eq!(cond("StringEquals", "aws:k", &["a"]).eval(&ctx), Tri::False);
        assert_eq!(
            cond("StringNotEquals", "aws:k", &["a"]).eval(&ctx),
            Tri::True
        );
        assert_eq!(
            cond("StringEqualsIfExists", "aws:k", &["a"]).eval(&ctx),
            Tri::True
        );
        assert_eq!(cond("Null", "aws:k", &["true"]).eval(&ctx), Tri::True);
        assert_eq!(cond("Null", "aws:k", &["false"]).eval(&ctx), Tri::False);
        assert_eq!(
            cond("ForAllValues:StringEquals", "aws:k", &["a"]).eval(&ctx),
            Tri::True
        );
        assert_eq!(
            cond("ForAnyValue:StringEquals", "aws:k", &["a"]).eval(&ctx),
            Tri::False
        );
        assert_eq!(
            cond("StringEquals", "aws:k", &["a"]).eval(&Context::open()),
            Tri::Unknown
        );
    }

    #[test]
    fn values_are_ored_and_negation_means_none_match() {
        let ctx = Context::from_pairs(&[("aws:k", "b")]);
        assert_eq!(
            cond("StringEquals", "aws:K", &["a", "b"]).eval(&ctx),
            Tri::True
        );
        assert_eq!(
            cond("StringNotEquals", "aws:k", &["a", "b"]).eval(&ctx),
            Tri::False
        );
        assert_eq!(
            cond("StringNotEquals", "aws:k", &["a", "c"]).eval(&ctx),
            Tri::True
        );
        assert_eq!(
            cond("StringEqualsIgnoreCase", "aws:k", &["B"]).eval(&ctx),
            Tri::True
        );
        assert_eq!(cond("StringEquals", "aws:k", &["B"]).eval(&ctx), Tri::False);
        assert_eq!(cond("StringEquals", "aws:k", &["*"]).eval(&ctx), Tri::False);
        assert_eq!(cond("StringLike", "aws:k", &["*"]).eval(&ctx), Tri::True);
    }

    #[test]
    fn set_qualifiers_on_multivalued_keys() {
        let tags = list("aws:TagKeys", &["env", "team"]);
        assert_eq!(
            cond(
                "ForAllValues:StringEquals",
                "aws:TagKeys",
                &["env", "team", "x"]
            )
            .eval(&tags),
            Tri::True
        );
        assert_eq!(
            cond("ForAllValues:StringEquals", "aws:TagKeys", &["env"]).eval(&tags),
            Tri::False
        );
        assert_eq!(
            cond("ForAnyValue:StringEquals", "aws:TagKeys", &["team"]).eval(&tags),
            Tri::True
        );
        assert_eq!(
            cond("ForAnyValue:StringNotEquals", "aws:TagKeys", &["env"]).eval(&tags),
            Tri::True
        );
        assert_eq!(
            cond("ForAllValues:StringNotEquals", "aws:TagKeys", &["env"]).eval(&tags),
            Tri::False
        );
        // Choice: no qualifier on a multi-valued key = any value matches.
        assert_eq!(
            cond("StringEquals", "aws:TagKeys", &["team"]).eval(&tags),
            Tri::True
        );
        let empty = list("aws:TagKeys", &[]);
        assert_eq!(
            cond("ForAllValues:StringEquals", "aws:TagKeys", &["env"]).eval(&empty),
            Tri::True
        );
        assert_eq!(
            cond("Null", "aws:TagKeys", &["true"]).eval(&empty),
            Tri::True
        );
    }

    #[test]
    fn numeric_date_bool_binary() {
        let ctx = Context::from_pairs(&[
            ("s3:max-keys", "10"),
            ("aws:CurrentTime", "2026-06-01T12:00:00Z"),
            ("aws:SecureTransport", "false"),
            ("k:bin", "QmluYXJ5"),
        ]);
        assert_eq!(
            cond("NumericLessThanEquals", "s3:max-keys", &["10"]).eval(&ctx),
            Tri::True
        );
        assert_eq!(
            cond("NumericLessThan", "s3:max-keys", &["10"]).eval(&ctx),
            Tri::False
        );
        assert_eq!(
            cond("NumericGreaterThan", "s3:max-keys", &["9.5"]).eval(&ctx),
            Tri::True
        );
        assert_eq!(
            cond("NumericNotEquals", "s3:max-keys", &["10"]).eval(&ctx),
            Tri::False
        );
        assert_eq!(
            cond("DateGreaterThan", "aws:CurrentTime", &["2026-01-01"]).eval(&ctx),
            Tri::True
        );
        assert_eq!(
            cond("DateLessThan", "aws:CurrentTime", &["1780315200"]).eval(&ctx),
            Tri::False,
            "epoch 1780315200 is 2026-06-01T12:00:00Z"
        );
        assert_eq!(
            cond(
                "DateEquals",
                "aws:CurrentTime",
                &["2026-06-01T14:00:00+02:00"]
            )
            .eval(&ctx),
            Tri::True
        );
        assert_eq!(
            cond("Bool", "aws:SecureTransport", &["false"]).eval(&ctx),
            Tri::True
        );
        assert_eq!(
            cond("Bool", "aws:SecureTransport", &["true"]).eval(&ctx),
            Tri::False
        );
        assert_eq!(
            cond("BinaryEquals", "k:bin", &["QmluYXJ5"]).eval(&ctx),
            Tri::True
        );
        // Choice: a request value of the wrong type matches nothing.
        let bad = Context::from_pairs(&[("s3:max-keys", "ten")]);
        assert_eq!(
            cond("NumericEquals", "s3:max-keys", &["10"]).eval(&bad),
            Tri::False
        );
        assert_eq!(
            cond("NumericNotEquals", "s3:max-keys", &["10"]).eval(&bad),
            Tri::True
        );
    }

    #[test]
    fn ip_addresses_v4_and_v6() {
        let v4 = Context::from_pairs(&[("aws:SourceIp", "203.0.113.7")]);
        let v6 = Context::from_pairs(&[("aws:SourceIp", "2001:db8::1")]);
        let c = cond(
            "IpAddress",
            "aws:SourceIp",
            &["203.0.113.0/24", "2001:db8::/32"],
        );
        assert_eq!(c.eval(&v4), Tri::True);
        assert_eq!(c.eval(&v6), Tri::True);
        let n = cond("NotIpAddress", "aws:SourceIp", &["10.0.0.0/8"]);
        assert_eq!(n.eval(&v4), Tri::True);
        assert_eq!(
            cond("IpAddress", "aws:SourceIp", &["203.0.113.7"]).eval(&v4),
            Tri::True
        );
        assert_eq!(
            cond("IpAddress", "aws:SourceIp", &["0.0.0.0/0"]).eval(&v6),
            Tri::False
        );
    }

    #[test]
    fn arn_operators_match_part_by_part() {
        let ctx = Context::from_pairs(&[(
            "aws:SourceArn",
            "arn:aws:sagemaker:us-east-1:111111111111:training-job/a",
        )]);
        let like = cond(
            "ArnLike",
            "aws:SourceArn",
            &["arn:aws:sagemaker:*:111111111111:*"],
        );
        assert_eq!(like.eval(&ctx), Tri::True);
        let eq = cond(
            "ArnEquals",
            "aws:SourceArn",
            &["arn:aws:sagemaker:*:222222222222:*"],
        );
        assert_eq!(eq.eval(&ctx), Tri::False);
        let not = cond("ArnNotLike", "aws:SourceArn", &["arn:aws:s3:::*"]);
        assert_eq!(not.eval(&ctx), Tri::True);
        let region_only = cond(
            "ArnLike",
            "aws:SourceArn",
            &["arn:aws:sagemaker:*:training-job/a"],
        );
        assert_eq!(
            region_only.eval(&ctx),
            Tri::True,
            "fewer than six parts: whole-string match"
        );
    }

    #[test]
    fn variables_in_condition_values() {
        let ctx = Context::from_pairs(&[("aws:username", "alice"), ("s3:prefix", "home/alice/x")]);
        assert_eq!(
            cond("StringLike", "s3:prefix", &["home/${aws:username}/*"]).eval(&ctx),
            Tri::True
        );
        assert_eq!(
            cond("StringLike", "s3:prefix", &["home/${aws:userid}/*"]).eval(&ctx),
            Tri::False,
            "a missing variable matches nothing"
        );
    }

    #[test]
    fn invalid_values_are_errors_naming_the_value() {
        let op = Operator::parse("NumericEquals");
        let e =
            op.map(|o| Condition::new(o, "k", vec!["x".into()], true, "Statement[0].Condition"));
        assert_eq!(
            e.and_then(|r| r.err()).map(|e| e.to_string()).as_deref(),
            Some("Statement[0].Condition: NumericEquals value `x` is not a number")
        );
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert_eq!(parse_date("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_date("2026-13-01"), None);
        // Found by the fuzzer: a huge year overflowed.
        assert_eq!(parse_date("7175610306287341087-10-24T10:00:00Z"), None);
        assert_eq!(parse_date("2026-10-24T10:00:00+99:00"), None);
        assert_eq!(parse_date("99999999999999999999"), None);
    }
}
