use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde::Serialize;

/// Counts every HTTP request the SDK sends (each retry attempt included), by
/// service and operation. Cheap to clone; clones share the counts.
#[derive(Debug, Clone, Default)]
pub struct RequestCounter {
    counts: Arc<Mutex<BTreeMap<(String, String), u64>>>,
}

/// A snapshot of the counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RequestStats {
    /// Total HTTP requests.
    pub total: u64,
    /// Requests by service, then by operation.
    pub by_service: BTreeMap<String, BTreeMap<String, u64>>,
}

impl RequestCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    fn record(&self, service: &str, operation: &str) {
        // A poisoned lock only means another thread panicked mid-increment; the
        // map is still usable, and counting must never fail a request.
        let mut counts = match self.counts.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        *counts
            .entry((service.to_owned(), operation.to_owned()))
            .or_insert(0) += 1;
    }

    /// The counts so far.
    pub fn snapshot(&self) -> RequestStats {
        let counts = match self.counts.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let mut stats = RequestStats::default();
        for ((service, op), n) in counts.iter() {
            stats.total += n;
            *stats
                .by_service
                .entry(service.clone())
                .or_default()
                .entry(op.clone())
                .or_insert(0) += n;
        }
        stats
    }
}

impl Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "aispm.RequestCounter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        match cfg.load::<Metadata>() {
            Some(m) => self.record(m.service(), m.name()),
            None => self.record("unknown", "unknown"),
        }
        Ok(())
    }
}
