//! The risk score of real rules on tagged assets (`crate::risk`), checked
//! here because the score itself knows nothing of rules.

use super::{RuleConfig, rule};
use crate::model::{Asset, AssetType, Inventory};

fn risk_of(id: &str, asset: Option<&Asset>, inv: &Inventory, cfg: &RuleConfig) -> u8 {
    let m = rule(id).unwrap().meta;
    crate::risk::score(m.severity, m.exposure, asset, inv, cfg.tag_keys())
}

#[test]
fn public_prod_bucket_outranks_dev_notebook_setting() {
    let cfg = RuleConfig::default();
    let mut bucket = Asset::new(
        "arn:aws:s3:::train",
        AssetType::S3Bucket,
        "train",
        "1",
        "us-east-1",
    );
    bucket.tags.insert("environment".into(), "prod".into());
    bucket
        .tags
        .insert("data-classification".into(), "confidential".into());
    let mut nb = Asset::new(
        "arn:nb",
        AssetType::SagemakerNotebookInstance,
        "nb",
        "1",
        "us-east-1",
    );
    nb.tags.insert("environment".into(), "dev".into());
    let inv = Inventory {
        assets: vec![bucket.clone(), nb.clone()],
        ..Inventory::default()
    };
    let public = risk_of("s3_bucket_public_read", Some(&bucket), &inv, &cfg);
    let root = risk_of("sagemaker_notebook_root_access", Some(&nb), &inv, &cfg);
    assert!(public > root, "{public} <= {root}");
    assert_eq!(public, 90);
    assert_eq!(root, 40);
}

#[test]
fn score_is_capped() {
    let cfg = RuleConfig::default();
    let mut a = Asset::new("arn:x", AssetType::S3Bucket, "x", "1", "us-east-1");
    a.tags.insert("env".into(), "production".into());
    a.tags.insert("classification".into(), "pii".into());
    let inv = Inventory::default();
    assert_eq!(risk_of("s3_bucket_public_write", Some(&a), &inv, &cfg), 100);
}
