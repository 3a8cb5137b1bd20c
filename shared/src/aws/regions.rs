use thiserror::Error;

/// Region names aispm accepts. An unknown name is almost always a typo, and
/// scanning it would silently find nothing, so it is refused up front.
pub const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// A `--regions` value that cannot be used.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum RegionError {
    /// No region was given.
    #[error("no region given: pass at least one, e.g. `--regions us-east-1`")]
    Empty,
    /// A name that is not an AWS region.
    #[error("unknown region `{0}`: expected an AWS region name such as `us-east-1` or `eu-west-1`")]
    Unknown(String),
}

/// Parses a comma-separated region list, trimming blanks and dropping repeats.
pub fn parse_regions(list: &str) -> Result<Vec<String>, RegionError> {
    let mut out: Vec<String> = Vec::new();
    for raw in list.split(',') {
        let r = raw.trim();
        if r.is_empty() {
            continue;
        }
        if !KNOWN_REGIONS.contains(&r) {
            return Err(RegionError::Unknown(r.to_owned()));
        }
        if !out.iter().any(|x| x == r) {
            out.push(r.to_owned());
        }
    }
    if out.is_empty() {
        return Err(RegionError::Empty);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_deduplicates() {
        assert_eq!(
            parse_regions(" us-east-1,eu-west-1,us-east-1 ").unwrap(),
            vec!["us-east-1", "eu-west-1"]
        );
    }

    #[test]
    fn rejects_unknown_and_empty() {
        assert_eq!(
            parse_regions("us-east-1,us-esat-1"),
            Err(RegionError::Unknown("us-esat-1".into()))
        );
        assert_eq!(parse_regions(" , "), Err(RegionError::Empty));
    }

    #[test]
    fn known_regions_are_sorted_and_unique() {
        let mut sorted = KNOWN_REGIONS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, KNOWN_REGIONS);
    }
}
