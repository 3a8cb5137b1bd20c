//! stub
use super::{Batch, Ctx}; use crate::aws::CollectError;
/// stub
pub async fn gateways(_ctx: &Ctx) -> Result<Batch, CollectError> { Ok(Batch::default()) }
/// stub
pub async fn runtimes(_ctx: &Ctx) -> Result<Batch, CollectError> { Ok(Batch::default()) }
