//! Typed condition values: CIDR blocks and dates as AWS reads them.

use super::*;

/// An IPv4 or IPv6 network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `10.0.0.0/8`, `2001:db8::/32` or a bare address.
    pub fn parse(text: &str) -> Option<Self> {
        let (a, p) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text.trim(), None),
        };
        let addr: IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        Some(Self { addr, prefix })
    }

    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether this is an IPv4 network.
    pub fn is_ipv4(&self) -> bool {
        self.addr.is_ipv4()
    }

    /// Whether `ip` is inside.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let bits = |v: u128, len: u32| {
            if self.prefix == 0 {
                0
            } else {
                v >> (len - u32::from(self.prefix))
            }
        };
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => {
                bits(u128::from(u32::from(n)), 32) == bits(u128::from(u32::from(i)), 32)
            }
            (IpAddr::V6(n), IpAddr::V6(i)) => bits(u128::from(n), 128) == bits(u128::from(i), 128),
            _ => false,
        }
    }
}

/// Parses an IAM date: ISO 8601 (`2026-01-31`, `2026-01-31T12:00:00Z`,
/// fractions and `+hh:mm` offsets) or epoch seconds. Returns epoch
/// milliseconds.
pub fn parse_date(text: &str) -> Option<i64> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<i64>().ok()?.checked_mul(1000);
    }
    let num = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (date, time) = match t.split_once(['T', 't']) {
        Some((d, tm)) => (d, Some(tm)),
        None => (t, None),
    };
    let mut dp = date.split('-');
    let (y, m, d) = (num(dp.next()?)?, num(dp.next()?)?, num(dp.next()?)?);
    if dp.next().is_some()
        || !(0..=9999).contains(&y)
        || !(1..=12).contains(&m)
        || !(1..=31).contains(&d)
    {
        return None;
    }
    let mut millis = days_from_civil(y, m, d) * 86_400_000;
    if let Some(tm) = time {
        let (clock, offset) = if let Some(c) = tm.strip_suffix(['Z', 'z']) {
            (c, 0)
        } else if let Some(i) = tm.rfind(['+', '-']) {
            let (c, o) = tm.split_at(i);
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let o = o.get(1..)?;
            let (oh, om) = o.split_once(':').unwrap_or((o.get(..2)?, o.get(2..)?));
            let (oh, om) = (num(oh)?, num(om)?);
            if oh > 24 || om > 59 {
                return None;
            }
            (c, sign * (oh * 60 + om) * 60_000)
        } else {
            (tm, 0)
        };
        let mut cp = clock.split(':');
        let h = num(cp.next()?)?;
        let mi = num(cp.next()?)?;
        let (s, frac) = match cp.next() {
            Some(sec) => match sec.split_once('.') {
                Some((s, f)) => {
                    let f3: String = f.chars().chain("000".chars()).take(3).collect();
                    (num(s)?, num(&f3)?)
                }
                None => (num(sec)?, 0),
            },
            None => (0, 0),
        };
        if cp.next().is_some() || h > 24 || mi > 59 || s > 60 {
            return None;
        }
        millis += ((h * 60 + mi) * 60 + s) * 1000 + frac - offset;
    }
    Some(millis)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// algorithm).
pub(super) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
