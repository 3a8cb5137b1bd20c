//! stub
use super::{Batch, Ctx}; use crate::aws::CollectError;
/// stub
pub async fn keys(_ctx: &Ctx) -> Result<Batch, CollectError> { Ok(Batch::default()) }
