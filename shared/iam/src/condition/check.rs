//! What [`Condition::new`] refuses, checked without building anything
//! (for statements a policy read for one service leaves out).

use super::values::Cidr;
use super::{Condition, OpKind, Operator, parse_date};
use crate::err::PolicyError;
use crate::pattern::{Pattern, Syntax};

impl Condition {
    /// What [`Condition::new`] would refuse, without building anything:
    /// the same error for the same input.
    pub fn check<S: AsRef<str>>(
        operator: Operator,
        key: &str,
        values: &[S],
        variables: bool,
        at: &str,
    ) -> Result<(), PolicyError> {
        let err = |m: String| PolicyError::new(at, m);
        let op = operator.kind.name();
        let pattern = |v: &str, wildcards: bool| {
            let syntax = Syntax {
                wildcards,
                variables,
                fold_case: false,
            };
            Pattern::check(v, syntax)
                .map_err(|_| err(format!("value `{v}` has a `${{` without its closing `}}`")))
        };
        use OpKind as K;
        for v in values {
            let v = v.as_ref();
            match operator.kind {
                K::StringEquals
                | K::StringNotEquals
                | K::StringEqualsIgnoreCase
                | K::StringNotEqualsIgnoreCase => pattern(v, false)?,
                K::StringLike | K::StringNotLike => pattern(v, true)?,
                K::NumericEquals
                | K::NumericNotEquals
                | K::NumericLessThan
                | K::NumericLessThanEquals
                | K::NumericGreaterThan
                | K::NumericGreaterThanEquals => {
                    if !v.trim().parse::<f64>().is_ok_and(f64::is_finite) {
                        return Err(err(format!("{op} value `{v}` is not a number")));
                    }
                }
                K::DateEquals
                | K::DateNotEquals
                | K::DateLessThan
                | K::DateLessThanEquals
                | K::DateGreaterThan
                | K::DateGreaterThanEquals => {
                    if parse_date(v).is_none() {
                        return Err(err(format!(
                            "{op} value `{v}` is not an ISO 8601 date or epoch seconds"
                        )));
                    }
                }
                K::Bool | K::Null => {
                    if !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false") {
                        return Err(err(format!("{op} value `{v}` is not `true` or `false`")));
                    }
                }
                K::BinaryEquals => {}
                K::IpAddress | K::NotIpAddress => {
                    if Cidr::parse(v).is_none() {
                        return Err(err(format!(
                            "{op} value `{v}` is not an IPv4 or IPv6 address or CIDR"
                        )));
                    }
                }
                K::ArnEquals | K::ArnLike | K::ArnNotEquals | K::ArnNotLike => {
                    if v.splitn(6, ':').count() == 6 {
                        for part in v.splitn(6, ':') {
                            pattern(part, true)?;
                        }
                    } else {
                        pattern(v, true)?;
                    }
                }
            }
        }
        if values.is_empty() {
            return Err(err(format!("{op} on `{key}` has no values")));
        }
        Ok(())
    }
}
