//! SageMaker rules.

pub mod notebook_direct_internet_access;
pub mod notebook_root_access;
pub mod notebook_without_vpc;

use crate::model::{AssetType, FindingEvidence, Inventory};
use crate::rules::{Hit, of_type};

/// Notebooks whose boolean attribute `key` equals `flagged`. A notebook that
/// did not report the attribute is skipped, never passed.
pub(crate) fn notebooks_where(inv: &Inventory, key: &str, field: &str, flagged: bool) -> Vec<Hit> {
    of_type(inv, AssetType::SagemakerNotebookInstance)
        .filter(|n| n.bool_attr(key) == Some(flagged))
        .map(|n| Hit {
            resource_arn: n.arn.clone(),
            evidence: vec![FindingEvidence::new(
                "sagemaker:DescribeNotebookInstance",
                field,
                if flagged { "Enabled" } else { "Disabled" },
            )],
        })
        .collect()
}
