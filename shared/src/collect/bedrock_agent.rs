//! stub
use super::{Batch, Ctx}; use crate::aws::CollectError;
/// stub
pub async fn agents(_ctx: &Ctx) -> Result<Batch, CollectError> { Ok(Batch::default()) }
/// stub
pub async fn knowledge_bases(_ctx: &Ctx) -> Result<Batch, CollectError> { Ok(Batch::default()) }
