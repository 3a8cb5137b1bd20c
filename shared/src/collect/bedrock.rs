//! stub
use super::{Batch, Ctx}; use crate::aws::CollectError;
/// stub
pub async fn custom_models(_ctx: &Ctx) -> Result<Batch, CollectError> { Ok(Batch::default()) }
/// stub
pub async fn customization_jobs(_ctx: &Ctx) -> Result<Batch, CollectError> { Ok(Batch::default()) }
/// stub
pub async fn guardrails(_ctx: &Ctx) -> Result<Batch, CollectError> { Ok(Batch::default()) }
/// stub
pub async fn invocation_logging(_ctx: &Ctx) -> Result<Batch, CollectError> { Ok(Batch::default()) }
/// stub
pub async fn provisioned_throughput(_ctx: &Ctx) -> Result<Batch, CollectError> { Ok(Batch::default()) }
