//! stub
use super::{Batch, Ctx}; use crate::aws::CollectError;
/// stub
pub async fn aoss_collections(_ctx: &Ctx) -> Result<Batch, CollectError> { Ok(Batch::default()) }
/// stub
pub async fn vector_buckets(_ctx: &Ctx) -> Result<Batch, CollectError> { Ok(Batch::default()) }
