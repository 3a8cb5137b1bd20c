//! Wildcard patterns of IAM policies (`*` any run of characters, `?` one
//! character) with policy variables (`${aws:username}`, `${key, 'default'}`,
//! and the escapes `${*}`, `${?}`, `${$}`).
//!
//! A pattern is compiled once into segments; matching never allocates unless
//! the pattern holds a variable, which is resolved against the request
//! context first. A substituted value is always literal: a `*` inside a
//! principal tag is not a wildcard.

use crate::context::Context;

/// One compiled piece of a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Lit(String),
    Star,
    One,
    Var {
        key: String,
        default: Option<String>,
    },
}

/// Fast paths for the common shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Any,
    /// The whole text, literally.
    Exact,
    /// The text's first N bytes, then anything.
    Prefix(usize),
    General,
}

/// A compiled wildcard pattern.
#[derive(Clone, Debug)]
pub struct Pattern {
    source: String,
    /// The text matched by the exact and prefix shapes when it is not
    /// `source` (folded to lowercase, or with `${*}` escapes resolved).
    compiled: Option<Box<str>>,
    segs: Vec<Seg>,
    shape: Shape,
    /// Holds `*` or `?` (segments are kept only for the general shape).
    wildcards: bool,
    fold_case: bool,
    has_vars: bool,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source && self.fold_case == other.fold_case
    }
}

/// How a pattern's text is read.
#[derive(Clone, Copy, Debug)]
pub struct Syntax {
    /// `*` and `?` are wildcards (false for `StringEquals` values).
    pub wildcards: bool,
    /// `${...}` is a policy variable (policies of version 2012-10-17).
    pub variables: bool,
    /// Compare case-insensitively (actions).
    pub fold_case: bool,
}

/// A pattern whose `${` has no closing `}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnclosedVariable;

impl Pattern {
    /// Whether `source` compiles (what [`Pattern::new`] refuses, without
    /// building anything): with variables on, every `${` needs its `}`.
    pub fn check(source: &str, syntax: Syntax) -> Result<(), UnclosedVariable> {
        if !syntax.variables {
            return Ok(());
        }
        let mut rest = source;
        while let Some(i) = rest.find("${") {
            let var = rest.get(i..).unwrap_or_default();
            let end = var.find('}').ok_or(UnclosedVariable)?;
            rest = var.get(end + 1..).unwrap_or_default();
        }
        Ok(())
    }

    /// Compiles `source`.
    pub fn new(source: &str, syntax: Syntax) -> Result<Self, UnclosedVariable> {
        let text = if syntax.fold_case {
            std::borrow::Cow::Owned(source.to_ascii_lowercase())
        } else {
            std::borrow::Cow::Borrowed(source)
        };
        if let Some(shape) = simple_shape(&text, syntax) {
            return Ok(Self {
                source: source.to_owned(),
                compiled: match text {
                    std::borrow::Cow::Owned(t) if t != source => Some(t.into()),
                    _ => None,
                },
                wildcards: shape != Shape::Exact,
                segs: Vec::new(),
                shape,
                fold_case: syntax.fold_case,
                has_vars: false,
            });
        }
        let mut segs = Vec::new();
        let mut lit = String::new();
        let mut rest: &str = &text;
        while let Some(c) = rest.chars().next() {
            if syntax.variables && rest.starts_with("${") {
                let end = rest.find('}').ok_or(UnclosedVariable)?;
                let inner = rest.get(2..end).unwrap_or_default();
                rest = rest.get(end + 1..).unwrap_or_default();
                match inner.trim() {
                    "*" => lit.push('*'),
                    "?" => lit.push('?'),
                    "$" => lit.push('$'),
                    _ => {
                        flush(&mut lit, &mut segs);
                        let (key, default) = match inner.split_once(',') {
                            Some((k, d)) => {
                                let d = d.trim();
                                let d = d
                                    .strip_prefix('\'')
                                    .and_then(|d| d.strip_suffix('\''))
                                    .unwrap_or(d);
                                (k.trim(), Some(d.to_owned()))
                            }
                            None => (inner.trim(), None),
                        };
                        segs.push(Seg::Var {
                            key: key.to_ascii_lowercase(),
                            default,
                        });
                    }
                }
                continue;
            }
            rest = rest.get(c.len_utf8()..).unwrap_or_default();
            match c {
                '*' if syntax.wildcards => {
                    flush(&mut lit, &mut segs);
                    if segs.last() != Some(&Seg::Star) {
                        segs.push(Seg::Star);
                    }
                }
                '?' if syntax.wildcards => {
                    flush(&mut lit, &mut segs);
                    segs.push(Seg::One);
                }
                _ => lit.push(c),
            }
        }
        flush(&mut lit, &mut segs);
        let has_vars = segs.iter().any(|s| matches!(s, Seg::Var { .. }));
        let wildcards = segs.iter().any(|s| matches!(s, Seg::Star | Seg::One));
        let (shape, compiled) = match segs.as_mut_slice() {
            [Seg::Star] => (Shape::Any, None),
            [] => (Shape::Exact, Some("".into())),
            [Seg::Lit(l)] => (Shape::Exact, Some(std::mem::take(l).into())),
            [Seg::Lit(l), Seg::Star] => (Shape::Prefix(l.len()), Some(std::mem::take(l).into())),
            _ => (Shape::General, None),
        };
        if shape != Shape::General {
            segs = Vec::new();
        }
        Ok(Self {
            source: source.to_owned(),
            compiled,
            segs,
            shape,
            wildcards,
            fold_case: syntax.fold_case,
            has_vars,
        })
    }

    /// The pattern as written in the policy.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the pattern matches everything (`*`).
    pub fn is_any(&self) -> bool {
        self.shape == Shape::Any
    }

    /// Whether the pattern holds a policy variable.
    pub fn has_variables(&self) -> bool {
        self.has_vars
    }

    /// Whether the pattern holds a wildcard.
    pub fn has_wildcards(&self) -> bool {
        self.wildcards
    }

    /// Matches `text`, which must already be lowercase for a case-folding
    /// pattern. Variables are resolved in `ctx`; a variable that is missing
    /// (and has no default) makes the pattern match nothing. Returns `None`
    /// when a variable's key is unknown in an open-world context.
    #[inline]
    pub fn matches(&self, text: &str, ctx: &Context) -> Option<bool> {
        match self.shape {
            Shape::Any => Some(true),
            Shape::Exact => Some(bytes_eq(text.as_bytes(), self.text())),
            Shape::Prefix(n) => Some(starts_with(text.as_bytes(), self.prefix(n))),
            Shape::General if !self.has_vars => Some(glob(&self.segs, text.as_bytes())),
            Shape::General => self.matches_with_variables(text, ctx),
        }
    }

    fn matches_with_variables(&self, text: &str, ctx: &Context) -> Option<bool> {
        let mut resolved = Vec::with_capacity(self.segs.len());
        for seg in &self.segs {
            match seg {
                Seg::Var { key, default } => match ctx.single(key) {
                    Some(v) => resolved.push(Seg::Lit(if self.fold_case {
                        v.to_ascii_lowercase()
                    } else {
                        v.to_owned()
                    })),
                    None => match default {
                        Some(d) => resolved.push(Seg::Lit(d.clone())),
                        None if ctx.is_open() && !ctx.has(key) => return None,
                        None => return Some(false),
                    },
                },
                other => resolved.push(other.clone()),
            }
        }
        Some(glob(&resolved, text.as_bytes()))
    }

    /// Matches without a request context: a variable takes its default
    /// value, or matches nothing.
    #[inline]
    pub fn matches_plain(&self, text: &str) -> bool {
        match self.shape {
            Shape::Any => true,
            Shape::Exact => bytes_eq(text.as_bytes(), self.text()),
            Shape::Prefix(n) => starts_with(text.as_bytes(), self.prefix(n)),
            Shape::General if !self.has_vars => glob(&self.segs, text.as_bytes()),
            Shape::General => self
                .matches_with_variables(text, Context::empty())
                .unwrap_or(false),
        }
    }

    /// Whether every string this pattern matches is also matched by `other`
    /// (sound but not complete: `false` when unsure).
    pub fn is_covered_by(&self, other: &Pattern) -> bool {
        if other.is_any() {
            return true;
        }
        if self.has_vars || other.has_vars {
            return false;
        }
        match (self.shape, other.shape) {
            (Shape::Exact, _) => {
                std::str::from_utf8(self.text()).is_ok_and(|a| other.matches_plain(a))
            }
            (Shape::Prefix(a), Shape::Prefix(b)) => self.prefix(a).starts_with(other.prefix(b)),
            _ => false,
        }
    }

    /// The text of the exact and prefix shapes.
    #[inline]
    fn text(&self) -> &[u8] {
        self.compiled.as_deref().unwrap_or(&self.source).as_bytes()
    }

    /// The first `n` bytes of the text.
    #[inline]
    fn prefix(&self, n: usize) -> &[u8] {
        let t = self.text();
        t.get(..n).unwrap_or(t)
    }
}

/// The shape of a pattern with no variable and at most one wildcard, a
/// trailing `*` (most patterns of real policies), found without compiling
/// segments.
fn simple_shape(text: &str, syntax: Syntax) -> Option<Shape> {
    if syntax.variables && text.contains("${") {
        return None;
    }
    if !syntax.wildcards {
        return Some(Shape::Exact);
    }
    match text.find(['*', '?']) {
        None => Some(Shape::Exact),
        Some(0) if text.len() == 1 && text.starts_with('*') => Some(Shape::Any),
        Some(i) if i + 1 == text.len() && text.ends_with('*') => Some(Shape::Prefix(i)),
        Some(_) => None,
    }
}

fn flush(lit: &mut String, segs: &mut Vec<Seg>) {
    if !lit.is_empty() {
        segs.push(Seg::Lit(std::mem::take(lit)));
    }
}

/// Byte-string equality without a `memcmp` call: the strings compared here
/// are a few bytes long, where the call costs more than the comparison.
#[inline]
fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && starts_with(a, b)
}

#[inline]
fn starts_with(text: &[u8], prefix: &[u8]) -> bool {
    if text.len() < prefix.len() {
        return false;
    }
    let mut i = 0;
    while i < prefix.len() {
        // Indexes are below both lengths (checked above).
        if text.get(i) != prefix.get(i) {
            return false;
        }
        i += 1;
    }
    true
}

/// Length of the UTF-8 character starting with byte `b`.
fn char_len(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Greedy wildcard match with backtracking to the last `*`: linear in
/// practice, O(n·m) at worst.
fn glob(segs: &[Seg], text: &[u8]) -> bool {
    let (mut si, mut ti) = (0usize, 0usize);
    let mut back: Option<(usize, usize)> = None;
    loop {
        if let Some(seg) = segs.get(si) {
            let advanced = match seg {
                Seg::Star => {
                    back = Some((si + 1, ti));
                    si += 1;
                    continue;
                }
                Seg::One => match text.get(ti) {
                    Some(b) => {
                        ti += char_len(*b);
                        true
                    }
                    None => false,
                },
                Seg::Lit(l) => {
                    if text.get(ti..).is_some_and(|t| starts_with(t, l.as_bytes())) {
                        ti += l.len();
                        true
                    } else {
                        false
                    }
                }
                Seg::Var { .. } => false,
            };
            if advanced {
                si += 1;
                continue;
            }
        } else if ti >= text.len() {
            return true;
        }
        match back {
            Some((bs, bt)) if bt < text.len() => {
                let mut nt = bt + text.get(bt).map_or(1, |b| char_len(*b));
                // The segment after the star is a literal: jump to the next
                // place its first byte occurs (or fail: it occurs nowhere).
                if let Some(first) = match segs.get(bs) {
                    Some(Seg::Lit(l)) => l.as_bytes().first(),
                    _ => None,
                } {
                    match text
                        .get(nt..)
                        .and_then(|t| t.iter().position(|b| b == first))
                    {
                        Some(off) => nt += off,
                        None => return false,
                    }
                }
                back = Some((bs, nt));
                si = bs;
                ti = nt;
            }
            _ => return false,
        }
    }
}

/// Matches `*` and `?` wildcards, case-sensitively: resource names in
/// non-IAM documents (OpenSearch Serverless network policies, suppression
/// entries) that use IAM's wildcard syntax without its variables.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    Pattern::new(
        pattern,
        Syntax {
            wildcards: true,
            variables: false,
            fold_case: false,
        },
    )
    .is_ok_and(|p| p.matches_plain(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The meaning of `*` and `?`, written the slow, obvious way.
    fn reference(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|k| reference(rest, &t[k..])),
            Some(('?', rest)) => !t.is_empty() && reference(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && reference(rest, &t[1..]),
        }
    }

    proptest::proptest! {
        #[test]
        fn every_shape_matches_what_the_wildcards_mean(
            p in "[aAb*?$]{0,6}", texts in proptest::collection::vec("[aAb$]{0,6}", 8)
        ) {
            let chars = |s: &str| s.chars().collect::<Vec<_>>();
            let glob = Pattern::new(&p, Syntax { wildcards: true, variables: false, fold_case: false }).unwrap();
            let exact = Pattern::new(&p, Syntax { wildcards: false, variables: false, fold_case: false }).unwrap();
            let folded = Pattern::new(&p, Syntax { wildcards: true, variables: false, fold_case: true }).unwrap();
            for t in &texts {
                proptest::prop_assert_eq!(glob.matches_plain(t), reference(&chars(&p), &chars(t)), "{} on {}", p, t);
                proptest::prop_assert_eq!(exact.matches_plain(t), p == *t);
                let lower = t.to_ascii_lowercase();
                proptest::prop_assert_eq!(
                    folded.matches_plain(&lower),
                    reference(&chars(&p.to_ascii_lowercase()), &chars(&lower))
                );
                for q in &texts {
                    let other = Pattern::new(&format!("{q}*"), LIKE).unwrap();
                    if glob.is_covered_by(&other) && glob.matches_plain(t) {
                        proptest::prop_assert!(other.matches_plain(t), "{} covered by {}* but not on {}", p, q, t);
                    }
                }
            }
        }
    }

    const LIKE: Syntax = Syntax {
        wildcards: true,
        variables: true,
        fold_case: false,
    };

    fn m(p: &str, t: &str) -> bool {
        Pattern::new(p, LIKE)
            .map(|p| p.matches_plain(t))
            .unwrap_or(false)
    }

    #[test]
    fn wildcards_match_runs_and_single_characters() {
        assert!(m("*", ""));
        assert!(m("arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b/c"));
        assert!(!m("arn:aws:s3:::b/*", "arn:aws:s3:::bb/a"));
        assert!(m("a*b*c", "aXXbYYc"));
        assert!(m("a*b*c", "abc"));
        assert!(!m("a*b*c", "acb"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("a?c", "aéc"), "? matches one character, not one byte");
        assert!(m("*x", "aaaax"));
        assert!(!m("*x", "aaaxa"));
        assert!(m("**a", "ba"));
    }

    #[test]
    fn matching_is_case_sensitive_unless_folded() {
        assert!(!m("Bucket*", "bucket1"));
        let folded = Pattern::new(
            "S3:Get*",
            Syntax {
                wildcards: true,
                variables: false,
                fold_case: true,
            },
        );
        assert!(folded.is_ok_and(|p| p.matches_plain("s3:getobject")));
    }

    #[test]
    fn variables_resolve_and_are_literal() {
        let ctx = Context::from_pairs(&[("aws:username", "a*b")]);
        let p = Pattern::new("home/${aws:username}/*", LIKE);
        let p = p.as_ref().ok();
        assert_eq!(p.and_then(|p| p.matches("home/a*b/x", &ctx)), Some(true));
        assert_eq!(
            p.and_then(|p| p.matches("home/aXb/x", &ctx)),
            Some(false),
            "a substituted * is literal"
        );
        let esc = Pattern::new("${*}${?}${$}", LIKE).ok();
        assert_eq!(esc.map(|p| p.matches_plain("*?$")), Some(true));
        assert_eq!(
            Pattern::new("${*}", LIKE)
                .ok()
                .map(|p| p.matches_plain("x")),
            Some(false)
        );
        let dflt = Pattern::new("${aws:PrincipalTag/team, 'none'}", LIKE).ok();
        assert_eq!(dflt.map(|p| p.matches_plain("none")), Some(true));
        let missing = Pattern::new("${aws:username}", LIKE).ok();
        assert_eq!(missing.map(|p| p.matches_plain("")), Some(false));
        assert!(Pattern::new("${aws:username", LIKE).is_err());
    }

    #[test]
    fn coverage_is_sound() {
        let p = |s| Pattern::new(s, LIKE).ok();
        let cov = |a, b| match (p(a), p(b)) {
            (Some(a), Some(b)) => a.is_covered_by(&b),
            _ => false,
        };
        assert!(cov("s3:getobject", "s3:get*"));
        assert!(cov("s3:get*", "s3:*"));
        assert!(!cov("s3:*", "s3:get*"));
        assert!(cov("anything", "*"));
    }
}
