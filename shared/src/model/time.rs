//! Time as aispm stores and compares it: one type, [`Timestamp`], written as
//! fixed-width RFC 3339 UTC with milliseconds (`2026-11-24T01:02:03.456Z`), so
//! the stored text sorts as the times do.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

/// A text that is not an RFC 3339 time.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("time `{0}` is not RFC 3339")]
pub struct TimestampError(pub String);

/// A point in time, to the millisecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    millis: i64,
}

impl Timestamp {
    /// The current wall time. Only the edges call this (a Lambda handler, the
    /// CLI); everything that decides is handed the time.
    pub fn now() -> Self {
        Self::from(SystemTime::now())
    }

    /// Milliseconds since the Unix epoch.
    pub fn from_millis(millis: i64) -> Self {
        Self { millis }
    }

    /// Parses any RFC 3339 time (`2026-11-20T10:00:00Z`, with or without
    /// fractions or an offset).
    pub fn parse(s: &str) -> Result<Self, TimestampError> {
        let d =
            DateTime::from_str(s, Format::DateTime).map_err(|_| TimestampError(s.to_owned()))?;
        let millis = d
            .secs()
            .checked_mul(1000)
            .and_then(|m| m.checked_add(i64::from(d.subsec_nanos() / 1_000_000)))
            .ok_or_else(|| TimestampError(s.to_owned()))?;
        Ok(Self { millis })
    }

    /// Seconds since the Unix epoch.
    pub fn unix_secs(self) -> i64 {
        self.millis.div_euclid(1000)
    }

    /// Milliseconds since the Unix epoch.
    pub fn unix_millis(self) -> i64 {
        self.millis
    }
}

impl From<SystemTime> for Timestamp {
    fn from(t: SystemTime) -> Self {
        let millis = match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
        };
        Self { millis }
    }
}

impl From<Timestamp> for SystemTime {
    fn from(t: Timestamp) -> Self {
        let d = Duration::from_millis(t.millis.unsigned_abs());
        if t.millis >= 0 {
            UNIX_EPOCH + d
        } else {
            UNIX_EPOCH - d
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = DateTime::from_secs(self.unix_secs())
            .fmt(Format::DateTime)
            .unwrap_or_default();
        // `2026-11-24T01:02:03Z` → `2026-11-24T01:02:03.456Z`
        write!(
            f,
            "{}.{:03}Z",
            base.trim_end_matches('Z'),
            self.millis.rem_euclid(1000)
        )
    }
}

impl std::str::FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_width_text_sorts_as_time_and_round_trips() {
        let t = Timestamp::from_millis(1_795_000_000_007);
        let s = t.to_string();
        assert_eq!(s.len(), "2026-11-24T01:00:00.000Z".len());
        assert!(s.ends_with(".007Z"), "{s}");
        assert_eq!(Timestamp::parse(&s).unwrap(), t);
        let later = Timestamp::from_millis(1_795_000_001_000);
        assert!(later.to_string() > s);
        assert_eq!(
            Timestamp::parse("2026-11-20T10:00:00Z")
                .unwrap()
                .to_string(),
            "2026-11-20T10:00:00.000Z"
        );
        assert_eq!(
            Timestamp::parse("yesterday").unwrap_err().to_string(),
            "time `yesterday` is not RFC 3339"
        );
        let st: SystemTime = t.into();
        assert_eq!(Timestamp::from(st), t);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
    }
}
