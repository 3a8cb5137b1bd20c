//! Resource specs: every kind of resource aispm reads is declared once, as
//! data next to its reader (the model is Cloud Custodian's
//! `resources/*.py`: id, type, scope, list, read-one, and where an event
//! names it). The sweep runs each spec's `list`; the event path finds the
//! spec of a CloudTrail call in its `events`, takes the identifier from the
//! call, and re-reads with `read` (or `refresh`, or one of the call's
//! `part` readers). Nothing else keeps a table of resource kinds.
//!
//! Adding a resource kind (see `collect/README.md`): write its reader(s)
//! and its `SPEC` next to them, and list the spec in [`super::SPECS`].

use std::future::Future;
use std::pin::Pin;

use super::{Batch, Ctx, Scope};
use crate::aws::CollectError;
use crate::model::{Asset, AssetType};

/// A boxed list-collector future: everything of the kind in one scope.
pub type CollectFuture<'a> = Pin<Box<dyn Future<Output = Result<Batch, CollectError>> + Send + 'a>>;

/// A boxed single-resource read: the resource with its edges, or `None` when
/// it does not exist (any more).
pub type ReadFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Option<Batch>, CollectError>> + Send + 'a>>;

/// Lists every resource of the kind in the context's account and scope.
pub type ListFn = for<'a> fn(&'a Ctx) -> CollectFuture<'a>;

/// Reads one resource whole, by the identifier its calls carry (a name, an
/// id, an ARN, or `PARENT/CHILD`).
pub type ReadFn = for<'a> fn(&'a Ctx, &'a str) -> ReadFuture<'a>;

/// Re-reads one part of a stored resource: gets the resource's identifier,
/// the part's (`child`, when the call names one) and the stored resource
/// with its outgoing edges; returns it with the part read again (`None`
/// when the resource itself is gone).
pub type PartFn = for<'a> fn(&'a Ctx, &'a str, Option<&'a str>, Batch) -> ReadFuture<'a>;

/// The identifier [`ReadFn`] takes for a stored asset of the kind.
pub type KeyFn = fn(&Asset) -> Option<String>;

/// API calls that change a resource of the kind, as CloudTrail records them.
#[derive(Debug, Clone, Copy)]
pub struct EventCalls {
    /// `eventSource`, e.g. `sagemaker.amazonaws.com`.
    pub source: &'static str,
    /// `eventName`s.
    pub names: &'static [&'static str],
    /// Where the call names the resource: each entry is a path in
    /// `requestParameters` (or in `responseElements` when it starts with
    /// `response.`), or two joined by `+` (the identifier is then
    /// `FIRST/SECOND`); the first present wins. Empty for the region's
    /// singletons (the identifier is then the spec id).
    pub id: &'static [&'static str],
    /// The part these calls change, re-read on its own when the resource is
    /// stored; `None` re-reads the resource (with the spec's `refresh`).
    pub part: Option<PartFn>,
}

/// One kind of resource: how the sweep lists it and how an event re-reads it.
#[derive(Clone, Copy)]
pub struct ResourceSpec {
    /// Stable id, `service.resource` (coverage records, provenance); the
    /// collector file is named after it.
    pub id: &'static str,
    /// Once per account, or once per account and region.
    pub scope: Scope,
    /// The asset type the readers produce (`None` for collectors that
    /// produce many, such as IAM's authorization details).
    pub asset_type: Option<AssetType>,
    /// The sweep's collector.
    pub list: ListFn,
    /// Reads one resource whole.
    pub read: Option<ReadFn>,
    /// Re-reads a stored resource's own configuration, keeping the parts
    /// that change with their own calls (an agent's action groups); `None`
    /// reads it whole.
    pub refresh: Option<PartFn>,
    /// The identifier `read` takes for a stored asset (tag calls name the
    /// resource by ARN only).
    pub key: KeyFn,
    /// The calls that change it.
    pub events: &'static [EventCalls],
}

/// The stored asset's ARN: what most readers accept.
pub fn by_arn(a: &Asset) -> Option<String> {
    Some(a.arn.clone())
}

/// The stored asset's name.
pub fn by_name(a: &Asset) -> Option<String> {
    Some(a.name.clone())
}

impl ResourceSpec {
    /// A kind the sweep lists and no event re-reads.
    pub const fn listed(id: &'static str, scope: Scope, list: ListFn) -> Self {
        Self {
            id,
            scope,
            asset_type: None,
            list,
            read: None,
            refresh: None,
            key: by_arn,
            events: &[],
        }
    }

    /// A kind of `asset_type` with a single-resource reader; `key` names a
    /// stored one for it.
    pub const fn readable(
        id: &'static str,
        scope: Scope,
        asset_type: AssetType,
        list: ListFn,
        read: ReadFn,
        key: KeyFn,
    ) -> Self {
        Self {
            id,
            scope,
            asset_type: Some(asset_type),
            list,
            read: Some(read),
            refresh: None,
            key,
            events: &[],
        }
    }

    /// The same spec with these event calls.
    pub const fn on(mut self, events: &'static [EventCalls]) -> Self {
        self.events = events;
        self
    }

    /// The same spec with a configuration-only re-read of stored resources.
    pub const fn refreshed_by(mut self, refresh: PartFn) -> Self {
        self.refresh = Some(refresh);
        self
    }

    /// Whether `id` (a name, an id, an ARN, or `PARENT/CHILD`) names the
    /// stored asset `a` of this kind.
    pub fn names(&self, a: &Asset, id: &str) -> bool {
        Some(a.asset_type) == self.asset_type && names(a, id)
    }
}

impl std::fmt::Debug for ResourceSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceSpec")
            .field("id", &self.id)
            .field("scope", &self.scope)
            .field("asset_type", &self.asset_type)
            .field("events", &self.events.len())
            .finish()
    }
}

/// Whether `id` (a name, an id, an ARN, or `PARENT/CHILD`) names the asset.
pub fn names(a: &Asset, id: &str) -> bool {
    a.arn == id
        || a.name == id
        || a.arn.ends_with(&format!("/{id}"))
        || a.arn.ends_with(&format!("/{}", id.to_lowercase()))
}

/// The spec and calls of an API call in `specs`, if one of them declares it.
pub fn find_call<'a>(
    specs: &'a [&'a ResourceSpec],
    source: &str,
    name: &str,
) -> Option<(&'a ResourceSpec, &'a EventCalls)> {
    specs.iter().find_map(|s| {
        s.events
            .iter()
            .find(|c| c.source == source && c.names.contains(&name))
            .map(|c| (*s, c))
    })
}

/// The spec that re-reads stored assets of this type, if any.
pub fn of_type<'a>(specs: &'a [&'a ResourceSpec], t: AssetType) -> Option<&'a ResourceSpec> {
    specs
        .iter()
        .copied()
        .find(|s| s.asset_type == Some(t) && s.read.is_some())
}

/// `|ctx| Box::pin(f(ctx))` as a [`ListFn`].
macro_rules! list_fn {
    ($f:path) => {
        |ctx| Box::pin($f(ctx))
    };
}

/// `|ctx, id| Box::pin(f(ctx, id))` as a [`ReadFn`].
macro_rules! read_fn {
    ($f:path) => {
        |ctx, id| Box::pin($f(ctx, id))
    };
}

/// `|ctx, id, child, stored| Box::pin(f(ctx, id, child, stored))` as a
/// [`PartFn`].
macro_rules! part_fn {
    ($f:path) => {
        |ctx, id, child, stored| Box::pin($f(ctx, id, child, stored))
    };
}

pub(crate) use {list_fn, part_fn, read_fn};
