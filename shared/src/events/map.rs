//! The event map: from an API call (event source and name, as CloudTrail
//! records it) to what it changed. Most calls are declared by the resource
//! specs in `collect/` (each kind lists the calls that change it and where
//! they name it); the few calls that change one field of a bucket or one
//! part of an IAM identity are rows of [`SPECIAL`]. The resource's
//! identifier comes from the call's `requestParameters` (or
//! `responseElements`); its state always comes from a fresh read, never from
//! the event's payload.

use serde_json::Value;

use super::parse::str_at;
use crate::collect::s3::Field;
use crate::collect::spec::{EventCalls, ResourceSpec, find_call};
use crate::collect::{SPECS, Scope};
use crate::model::{AssetType, GLOBAL_REGION};
use crate::pipeline::PipelineError;

/// A call that is not a resource kind's: what of a bucket or an identity it
/// changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    /// These fields of the bucket named by `requestParameters.bucketName`.
    BucketFields(&'static [Field]),
    /// A new bucket (`bucketName`): read what creation can set (ACL, public
    /// access block, encryption, versioning); its policy and tags come with
    /// their own events.
    BucketCreated,
    /// A deleted bucket: confirm it is gone, then drop it.
    BucketDeleted,
    /// A part of the role (`roleName`) or user (`userName`) of this type;
    /// inline policies are named by `policyName`.
    Identity(AssetType, Part),
    /// The access keys of `userName` (or of the calling user, who may manage
    /// their own keys).
    AccessKeys,
    /// The customer managed policy named by `policyArn`: its default
    /// version's document.
    ManagedPolicy,
    /// The tags of the resource whose ARN is at the first of these
    /// `requestParameters` keys present: the stored resource of that ARN is
    /// re-read with its kind's spec.
    Tags(&'static [&'static str]),
}

/// Which part of a role or user a call changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Attached managed policies.
    Attached,
    /// The inline policy named in the call.
    Inline,
    /// The trust policy or the permission boundary.
    Identity,
}

/// One row of [`SPECIAL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapping {
    /// `eventSource`, e.g. `s3.amazonaws.com`.
    pub source: &'static str,
    /// `eventName`, e.g. `PutBucketPolicy`.
    pub name: &'static str,
    /// What it changed.
    pub action: Special,
}

const S3: &str = "s3.amazonaws.com";
const IAM: &str = "iam.amazonaws.com";
const SAGEMAKER: &str = "sagemaker.amazonaws.com";
const BEDROCK: &str = "bedrock.amazonaws.com";

const fn row(source: &'static str, name: &'static str, action: Special) -> Mapping {
    Mapping {
        source,
        name,
        action,
    }
}

const fn bucket(name: &'static str, fields: &'static [Field]) -> Mapping {
    row(S3, name, Special::BucketFields(fields))
}

const fn iam(name: &'static str, t: AssetType, part: Part) -> Mapping {
    row(IAM, name, Special::Identity(t, part))
}

const ROLE: AssetType = AssetType::IamRole;
const USER: AssetType = AssetType::IamUser;

/// The calls no resource spec declares.
pub const SPECIAL: &[Mapping] = &[
    row(SAGEMAKER, "AddTags", Special::Tags(&["resourceArn"])),
    row(SAGEMAKER, "DeleteTags", Special::Tags(&["resourceArn"])),
    row(
        BEDROCK,
        "TagResource",
        Special::Tags(&["resourceARN", "resourceArn"]),
    ),
    row(
        BEDROCK,
        "UntagResource",
        Special::Tags(&["resourceARN", "resourceArn"]),
    ),
    iam("AttachRolePolicy", ROLE, Part::Attached),
    iam("DetachRolePolicy", ROLE, Part::Attached),
    iam("PutRolePolicy", ROLE, Part::Inline),
    iam("DeleteRolePolicy", ROLE, Part::Inline),
    iam("UpdateAssumeRolePolicy", ROLE, Part::Identity),
    iam("PutRolePermissionsBoundary", ROLE, Part::Identity),
    iam("DeleteRolePermissionsBoundary", ROLE, Part::Identity),
    iam("AttachUserPolicy", USER, Part::Attached),
    iam("DetachUserPolicy", USER, Part::Attached),
    iam("PutUserPolicy", USER, Part::Inline),
    iam("DeleteUserPolicy", USER, Part::Inline),
    iam("PutUserPermissionsBoundary", USER, Part::Identity),
    iam("DeleteUserPermissionsBoundary", USER, Part::Identity),
    row(IAM, "CreatePolicyVersion", Special::ManagedPolicy),
    row(IAM, "SetDefaultPolicyVersion", Special::ManagedPolicy),
    row(IAM, "CreateAccessKey", Special::AccessKeys),
    row(IAM, "UpdateAccessKey", Special::AccessKeys),
    row(IAM, "DeleteAccessKey", Special::AccessKeys),
    bucket("PutBucketPolicy", &[Field::Policy]),
    bucket("DeleteBucketPolicy", &[Field::Policy]),
    bucket("PutBucketAcl", &[Field::Acl]),
    bucket("PutPublicAccessBlock", &[Field::PublicAccessBlock]),
    bucket("DeletePublicAccessBlock", &[Field::PublicAccessBlock]),
    bucket("PutBucketEncryption", &[Field::Encryption]),
    bucket("DeleteBucketEncryption", &[Field::Encryption]),
    bucket("PutBucketVersioning", &[Field::Versioning]),
    bucket("PutBucketTagging", &[Field::Tags]),
    row(S3, "CreateBucket", Special::BucketCreated),
    row(S3, "DeleteBucket", Special::BucketDeleted),
];

/// A mapped call.
#[derive(Debug, Clone, Copy)]
pub enum Call {
    /// A resource kind's call, declared by its spec.
    Resource(&'static ResourceSpec, &'static EventCalls),
    /// A row of [`SPECIAL`].
    Special(&'static Mapping),
}

/// The mapping of an API call, if aispm tracks it.
pub fn lookup(source: &str, name: &str) -> Option<Call> {
    lookup_in(SPECS, source, name)
}

/// [`lookup`] over another spec table (tests add kinds to it).
pub fn lookup_in(
    specs: &'static [&'static ResourceSpec],
    source: &str,
    name: &str,
) -> Option<Call> {
    SPECIAL
        .iter()
        .find(|m| m.source == source && m.name == name)
        .map(Call::Special)
        .or_else(|| find_call(specs, source, name).map(|(s, c)| Call::Resource(s, c)))
}

/// Every mapped call as `(source, name)`, per source in table order: the
/// specs' calls, then the special rows. The infrastructure forwards exactly
/// these.
pub fn calls() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for s in SPECS {
        for c in s.events {
            out.extend(c.names.iter().map(|n| (c.source, *n)));
        }
    }
    out.extend(SPECIAL.iter().map(|m| (m.source, m.name)));
    out
}

/// What a call changed, with the identifiers it names.
#[derive(Debug, Clone)]
pub enum Route {
    /// A resource of a spec's kind (`id` as its reader takes it).
    Resource {
        /// The kind.
        spec: &'static ResourceSpec,
        /// The calls' declaration (the part it changes, if any).
        calls: &'static EventCalls,
        /// The identifier, `PARENT/CHILD` for a part.
        id: String,
    },
    /// A bucket.
    Bucket {
        /// What of it.
        action: Special,
        /// Its name.
        name: String,
    },
    /// A part of a role or user.
    Identity {
        /// Role or user.
        kind: AssetType,
        /// The part.
        part: Part,
        /// The role's or user's name.
        name: String,
        /// The inline policy's name.
        policy: Option<String>,
    },
    /// A user's access keys.
    AccessKeys {
        /// The user.
        user: String,
    },
    /// A customer managed policy.
    ManagedPolicy {
        /// Its ARN.
        arn: String,
    },
    /// The tags of a stored resource.
    Tags {
        /// Its ARN.
        arn: String,
    },
}

impl Route {
    /// The stored scope the call changes: buckets, roles, users, keys and
    /// policies live in the account's global scope; the rest in the event's
    /// region (or global, for a global kind).
    pub fn scope(&self, region: &str) -> String {
        match self {
            Route::Resource { spec, .. } if spec.scope == Scope::Regional => region.to_owned(),
            Route::Tags { .. } => region.to_owned(),
            _ => GLOBAL_REGION.to_owned(),
        }
    }

    /// The resource as the call names it (for logs and the outcome).
    pub fn resource(&self) -> String {
        match self {
            Route::Resource { id, .. } => id.clone(),
            Route::Bucket { name, .. } | Route::AccessKeys { user: name } => name.clone(),
            Route::Identity { name, policy, .. } => match policy {
                Some(p) => format!("{name}/{p}"),
                None => name.clone(),
            },
            Route::ManagedPolicy { arn } | Route::Tags { arn } => arn.clone(),
        }
    }
}

/// The route of a mapped call from its parameters; an error names the
/// parameter the call lacks.
pub fn route(
    call: Call,
    name: &str,
    request: &Value,
    response: &Value,
    caller_user: Option<&str>,
) -> Result<Route, PipelineError> {
    let param = |key: &str| {
        str_at(request, &[key])
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| missing(name, &format!("`requestParameters.{key}`")))
    };
    let m = match call {
        Call::Resource(spec, calls) => {
            let id = if calls.id.is_empty() {
                String::new()
            } else {
                identifier(calls.id, request, response).ok_or_else(|| {
                    missing(name, &format!("{} in the call", calls.id.join(" or ")))
                })?
            };
            return Ok(Route::Resource { spec, calls, id });
        }
        Call::Special(m) => m,
    };
    Ok(match m.action {
        Special::BucketFields(_) | Special::BucketCreated | Special::BucketDeleted => {
            Route::Bucket {
                action: m.action,
                name: param("bucketName")?,
            }
        }
        Special::Identity(kind, part) => {
            let name = param(if kind == AssetType::IamRole {
                "roleName"
            } else {
                "userName"
            })?;
            let policy = match part {
                Part::Inline => Some(param("policyName")?),
                _ => None,
            };
            Route::Identity {
                kind,
                part,
                name,
                policy,
            }
        }
        Special::AccessKeys => match (param("userName"), caller_user) {
            (Ok(user), _) => Route::AccessKeys { user },
            (Err(_), Some(u)) => Route::AccessKeys { user: u.to_owned() },
            (Err(e), None) => return Err(e),
        },
        Special::ManagedPolicy => Route::ManagedPolicy {
            arn: param("policyArn")?,
        },
        Special::Tags(keys) => Route::Tags {
            arn: keys.iter().find_map(|k| param(k).ok()).ok_or_else(|| {
                missing(
                    name,
                    &format!("`requestParameters.{}`", keys.join("` or `")),
                )
            })?,
        },
    })
}

fn missing(name: &str, what: &str) -> PipelineError {
    PipelineError::Event(format!("{name}: no {what}"))
}

/// The identifier a call names, per the paths of [`EventCalls::id`].
pub fn identifier(paths: &[&str], request: &Value, response: &Value) -> Option<String> {
    paths.iter().find_map(|alt| {
        let parts: Option<Vec<&str>> = alt
            .split('+')
            .map(|p| {
                let (root, path) = match p.strip_prefix("response.") {
                    Some(rest) => (response, rest),
                    None => (request, p),
                };
                let keys: Vec<&str> = path.split('.').collect();
                str_at(root, &keys).filter(|v| !v.is_empty())
            })
            .collect();
        parts.map(|p| p.join("/"))
    })
}
