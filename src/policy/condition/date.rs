//! Date values for the `Date*` operators: ISO 8601 / RFC 3339 timestamps with an offset
//! (`2026-01-01T00:00:00Z`), date-times and dates without one (read as UTC), and epoch seconds
//! (`1767225600`, as `aws:EpochTime` gives). Compared as nanoseconds since the epoch.
//!
//! To accept another format, add an attempt to [`parse_date`] and a test.

use jiff::tz::TimeZone;

/// Nanoseconds since the Unix epoch, or `None` if `text` is not a date IAM would read.
pub fn parse_date(text: &str) -> Option<i128> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    if unsigned.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return epoch(text);
    }
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Some(ts.as_nanosecond());
    }
    if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
        return TimeZone::UTC
            .to_timestamp(dt)
            .ok()
            .map(|t| t.as_nanosecond());
    }
    if let Ok(d) = text.parse::<jiff::civil::Date>() {
        let dt = d.to_datetime(jiff::civil::Time::midnight());
        return TimeZone::UTC
            .to_timestamp(dt)
            .ok()
            .map(|t| t.as_nanosecond());
    }
    None
}

fn epoch(text: &str) -> Option<i128> {
    if let Ok(secs) = text.parse::<i64>() {
        return Some(i128::from(secs) * 1_000_000_000);
    }
    let f = text
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite() && f.abs() < 1e15)?;
    Some((f * 1e9) as i128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let z = parse_date("2026-01-01T00:00:00Z").unwrap();
        assert_eq!(parse_date("1767225600"), Some(z));
        assert_eq!(parse_date("2026-01-01"), Some(z));
        assert_eq!(parse_date("2026-01-01T00:00:00"), Some(z));
        assert_eq!(parse_date("2026-01-01T01:00:00+01:00"), Some(z));
        assert_eq!(parse_date("1767225600.5"), Some(z + 500_000_000));
        assert!(parse_date("-1").is_some());
        assert!(parse_date("yesterday").is_none());
        assert!(parse_date("").is_none());
        assert!(parse_date("2026-13-01").is_none());
        assert!(parse_date("1e400").is_none());
        assert!(parse_date("-").is_none());
    }
}
