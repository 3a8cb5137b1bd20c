//! The typed reader of a policy's shape: the JSON text straight into a
//! [`RawPolicy`] borrowing it, with no `serde_json::Value` tree in between.
//! It accepts only well-shaped documents, and says nothing about what is
//! wrong: [`Policy::parse`] reads a refused document again through a
//! `Value`, whose reader locates the error. So it must never accept what
//! that reader refuses, nor read anything differently (a test holds both to
//! the same answers).

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use std::marker::PhantomData;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use super::parse::{RawPolicy, RawPrincipals, RawStatement, Text};

/// Reads the shape of a policy document, or refuses it.
pub(super) fn raw_policy(text: &str) -> Option<RawPolicy<'_>> {
    serde_json::from_str::<RawPolicy<'_>>(text).ok()
}

/// Refuses, for the located reader to explain.
fn refuse<E: de::Error>() -> E {
    E::custom("refused")
}

/// A string, borrowed when it has no escapes.
struct Str<'a>(Text<'a>);

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StrVisitor)
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Str<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Str(Cow::Owned(v)))
    }
}

impl<'a> From<Str<'a>> for Text<'a> {
    fn from(s: Str<'a>) -> Self {
        s.0
    }
}

/// One value or a list of them, each read as `T`: a string or a list of
/// strings (`T` = [`Str`]), condition values (`T` = [`Scalar`]).
struct OneOrList<'a, T>(Vec<Text<'a>>, PhantomData<T>);

/// A string or a list of strings.
type Strs<'a> = OneOrList<'a, Str<'a>>;

/// Condition values: a scalar or a list of scalars, as text (numbers as
/// `serde_json` writes them, as the located reader does).
type Scalars<'a> = OneOrList<'a, Scalar<'a>>;

impl<'de, T: Deserialize<'de> + Into<Text<'de>>> Deserialize<'de> for OneOrList<'de, T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(OneOrListVisitor(PhantomData))
    }
}

struct OneOrListVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + Into<Text<'de>>> OneOrListVisitor<T> {
    /// A single value, read by `T` from `d`.
    fn one<E, D>(d: D) -> Result<OneOrList<'de, T>, E>
    where
        D: Deserializer<'de, Error = E>,
    {
        Ok(OneOrList(vec![T::deserialize(d)?.into()], PhantomData))
    }
}

impl<'de, T: Deserialize<'de> + Into<Text<'de>>> Visitor<'de> for OneOrListVisitor<T> {
    type Value = OneOrList<'de, T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value or a list of values")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Self::one(BorrowedStrDeserializer::new(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Self::one(IntoDeserializer::<E>::into_deserializer(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Self::one(IntoDeserializer::<E>::into_deserializer(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Self::one(IntoDeserializer::<E>::into_deserializer(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Self::one(IntoDeserializer::<E>::into_deserializer(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Self::one(IntoDeserializer::<E>::into_deserializer(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(4));
        while let Some(t) = seq.next_element::<T>()? {
            out.push(t.into());
        }
        Ok(OneOrList(out, PhantomData))
    }
}

fn bool_text(v: bool) -> Text<'static> {
    Cow::Borrowed(if v { "true" } else { "false" })
}

fn float_text<'a, E: de::Error>(v: f64) -> Result<Text<'a>, E> {
    serde_json::Number::from_f64(v)
        .map(|n| Cow::Owned(n.to_string()))
        .ok_or_else(refuse)
}

/// One condition value.
struct Scalar<'a>(Text<'a>);

impl<'a> From<Scalar<'a>> for Text<'a> {
    fn from(s: Scalar<'a>) -> Self {
        s.0
    }
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, number or boolean")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar(Cow::Owned(v.to_owned())))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar(bool_text(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar(Cow::Owned(v.to_string())))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar(Cow::Owned(v.to_string())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar(float_text(v)?))
    }
}

/// Entries of an object, refusing a repeated key (the located reader keeps
/// the last; refusing leaves the choice to it).
fn entries<'de, A, V>(mut map: A) -> Result<Vec<(Text<'de>, V)>, A::Error>
where
    A: MapAccess<'de>,
    V: Deserialize<'de>,
{
    let mut out: Vec<(Text<'de>, V)> = Vec::with_capacity(map.size_hint().unwrap_or(2));
    while let Some(Str(k)) = map.next_key()? {
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(refuse());
        }
        let v = map.next_value()?;
        out.push((k, v));
    }
    Ok(out)
}

/// An object of `V` by key.
struct Entries<'a, V>(Vec<(Text<'a>, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Entries<'de, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<V> {
            type Value = Entries<'de, V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                entries(map).map(Entries)
            }
        }
        d.deserialize_map(EntriesVisitor(std::marker::PhantomData))
    }
}

impl<'de> Deserialize<'de> for RawPrincipals<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PrincipalsVisitor;
        impl<'de> Visitor<'de> for PrincipalsVisitor {
            type Value = RawPrincipals<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("\"*\" or an object")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(RawPrincipals::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawPrincipals::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let list: Vec<(Text<'de>, Strs<'de>)> = entries(map)?;
                Ok(RawPrincipals::Map(
                    list.into_iter().map(|(k, v)| (k, v.0)).collect(),
                ))
            }
        }
        d.deserialize_any(PrincipalsVisitor)
    }
}

/// Sets an element once; a repeated element is refused.
fn once<T, E: de::Error>(slot: &mut Option<T>, v: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(refuse());
    }
    *slot = Some(v);
    Ok(())
}

impl<'de> Deserialize<'de> for RawStatement<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(StatementVisitor)
    }
}

struct StatementVisitor;

impl<'de> Visitor<'de> for StatementVisitor {
    type Value = RawStatement<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a statement")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut st = RawStatement::default();
        while let Some(Str(k)) = map.next_key()? {
            match &*k {
                "Sid" => once(&mut st.sid, map.next_value::<Str>()?.0)?,
                "Effect" => once(&mut st.effect, map.next_value::<Str>()?.0)?,
                "Principal" => once(&mut st.principal, map.next_value()?)?,
                "NotPrincipal" => once(&mut st.not_principal, map.next_value()?)?,
                "Action" => once(&mut st.action, map.next_value::<Strs>()?.0)?,
                "NotAction" => once(&mut st.not_action, map.next_value::<Strs>()?.0)?,
                "Resource" => once(&mut st.resource, map.next_value::<Strs>()?.0)?,
                "NotResource" => once(&mut st.not_resource, map.next_value::<Strs>()?.0)?,
                "Condition" => {
                    let ops: Entries<Entries<Scalars>> = map.next_value()?;
                    let ops = ops
                        .0
                        .into_iter()
                        .map(|(op, keys)| (op, keys.0.into_iter().map(|(k, v)| (k, v.0)).collect()))
                        .collect();
                    once(&mut st.condition, ops)?;
                }
                _ => return Err(refuse()),
            }
        }
        Ok(st)
    }
}

/// `Statement`: one object or a list of them; `true` for one.
struct Statements<'a>(Vec<RawStatement<'a>>, bool);

impl<'de> Deserialize<'de> for Statements<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct StatementsVisitor;
        impl<'de> Visitor<'de> for StatementsVisitor {
            type Value = Statements<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("statements")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let one = StatementVisitor.visit_map(map)?;
                Ok(Statements(vec![one], true))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(4));
                while let Some(st) = seq.next_element()? {
                    out.push(st);
                }
                Ok(Statements(out, false))
            }
        }
        d.deserialize_any(StatementsVisitor)
    }
}

impl<'de> Deserialize<'de> for RawPolicy<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PolicyVisitor;
        impl<'de> Visitor<'de> for PolicyVisitor {
            type Value = RawPolicy<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a policy")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut raw = RawPolicy::default();
                let mut statements = None;
                while let Some(Str(k)) = map.next_key()? {
                    match &*k {
                        "Version" => once(&mut raw.version, map.next_value::<Str>()?.0)?,
                        "Id" => once(&mut raw.id, map.next_value::<Str>()?.0)?,
                        "Statement" => once(&mut statements, map.next_value::<Statements>()?)?,
                        _ => return Err(refuse()),
                    }
                }
                let Statements(list, single) = statements.ok_or_else(refuse)?;
                raw.statements = list;
                raw.single = single;
                Ok(raw)
            }
        }
        d.deserialize_map(PolicyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::super::{Policy, PolicyKind, parse};

    /// Policy-shaped JSON, often wrong in type or value somewhere.
    fn loose() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            prop::sample::select(vec![
                "Allow",
                "Deny",
                "Permit",
                "*",
                "s3:Get*",
                "s3:getobject",
                "getobject",
                "2012-10-17",
                "2008-10-17",
                "arn:aws:s3:::b/${aws:username}/*",
                "arn:aws:s3:::b/${aws:username",
                "arn:aws:iam::111111111111:root",
                "sagemaker.amazonaws.com",
                "10.0.0.0/8",
                "quote \" and \\u00e9",
                "",
            ])
            .prop_map(Value::from),
            any::<bool>().prop_map(Value::from),
            (-3i64..1_000).prop_map(Value::from),
            prop::sample::select(vec![0.5f64, 1.0, -2.25, 1e21]).prop_map(Value::from),
            Just(Value::Null),
        ];
        let keys = prop::sample::select(vec![
            "Version",
            "Id",
            "Statement",
            "Sid",
            "Effect",
            "Principal",
            "NotPrincipal",
            "Action",
            "NotAction",
            "Resource",
            "NotResource",
            "Condition",
            "AWS",
            "Service",
            "User",
            "StringEquals",
            "stringlike",
            "Bool",
            "NumericLessThan",
            "IpAddress",
            "StringEqualz",
            "aws:SourceIp",
            "s3:prefix",
        ]);
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((keys.clone(), inner), 0..5).prop_map(|kv| {
                    Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                }),
            ]
        })
    }

    /// A statement, mostly well formed, with `loose` parts.
    fn statement() -> impl Strategy<Value = Value> {
        (
            prop::sample::select(vec!["Allow", "Deny"]),
            prop::sample::select(vec!["Action", "NotAction"]),
            prop::option::of(loose()),
            prop::option::of(loose()),
            any::<bool>(),
            prop::sample::select(vec![
                json!(["s3:Get*", "kms:*"]),
                json!("sagemaker:CreateModel"),
                json!(["STS:Assume*"]),
                json!("*"),
                json!(["s3:Get*", "getobject"]),
                json!([]),
            ]),
        )
            .prop_map(
                |(effect, action, principal, condition, resource, actions)| {
                    let mut st = json!({"Sid": "s", "Effect": effect, action: actions});
                    if resource {
                        st["Resource"] = json!(["arn:aws:s3:::b/${aws:username}/*", "*"]);
                    }
                    if let Some(p) = principal {
                        st["Principal"] = p;
                    }
                    if let Some(c) = condition {
                        st["Condition"] = c;
                    }
                    st
                },
            )
    }

    fn document() -> impl Strategy<Value = Value> {
        prop_oneof![
            loose(),
            (
                prop::collection::vec(statement(), 0..3),
                any::<bool>(),
                prop::option::of(loose())
            )
                .prop_map(|(sts, versioned, extra)| {
                    let mut doc = json!({"Statement": sts.clone()});
                    if versioned {
                        doc["Version"] = json!("2012-10-17");
                    }
                    if let Some(x) = extra.filter(|_| !sts.is_empty()) {
                        doc["Statement"][0]["Condition"] = json!({"StringLike": {"s3:prefix": x}});
                    }
                    doc
                }),
            statement().prop_map(|st| json!({"Version": "2012-10-17", "Statement": st})),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]
        /// The typed reader accepts nothing the located reader refuses and
        /// reads everything it accepts the same: whichever reads a document,
        /// the policy or the error is the same.
        #[test]
        fn both_readers_give_the_same_policy_or_error(doc in document()) {
            let text = doc.to_string();
            let slow = Policy::from_value(&doc);
            if let Some(raw) = super::raw_policy(&text) {
                prop_assert_eq!(parse::build(raw), slow.clone());
            }
            prop_assert_eq!(Policy::parse(&text), slow);
        }

        /// A policy read for one service's requests refuses exactly what
        /// the whole reading refuses, with the same error, for every use.
        #[test]
        fn a_policy_read_for_one_service_has_the_same_errors(
            doc in document(),
            kind in prop::sample::select(vec![PolicyKind::Identity, PolicyKind::Resource, PolicyKind::Trust]),
            service in prop::sample::select(vec!["s3", "kms", "sts", "sagemaker", "bedrock"]),
        ) {
            let text = doc.to_string();
            let whole = Policy::parse_as(&text, kind).err();
            prop_assert_eq!(Policy::parse_for(&text, kind, service).err(), whole);
        }
    }

    #[test]
    fn the_typed_reader_takes_real_policies() {
        for text in [
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#,
            r#"{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"a","Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:root"},"NotAction":"s3:Get*","NotResource":["arn:aws:s3:::b/${aws:username}/*"],"Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:max-keys":10}}}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:Get\u002a"],"Resource":"*"}]}"#,
            // Two unknown principal types: both readers name the same one
            // (found by the fuzzer).
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"NNNNNNNNNNNNNn": "2010-17", "NNNNNN": "sagemaker.amazonaws.com"}, "Action": "sumeRole"}]}"#,
        ] {
            assert!(super::raw_policy(text).is_some(), "{text}");
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(Policy::parse(text), Policy::from_value(&value));
        }
        // Refused, for the located reader to explain.
        for text in [
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:x","Resource":"*","Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":1,"Action":"s3:x","Resource":"*"}]}"#,
            r#"{"Statement":[], "Other": 1}"#,
            r#"{"Version":"2012-10-17"}"#,
        ] {
            assert!(super::raw_policy(text).is_none(), "{text}");
        }
    }
}
