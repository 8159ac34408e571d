//! `--request-timeout`: how long one Kubernetes or AWS request may go unanswered, spelt as
//! kubectl spells it (`5s`, `1m`, `1m30s`, `500ms`, a bare number of seconds; `0` means no
//! limit), and how it is handed to each client: kube-rs's connect, read and write timeouts, the
//! AWS SDK's connect, read and per-attempt timeouts (its standard retries may repeat a request
//! that timed out, so the whole operation is capped at [`ATTEMPTS`] times the timeout), and the
//! kubeconfig's exec credential plugin.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use aws_config::timeout::TimeoutConfig;

/// kubectl's default is no limit; a diagnosis tool that hangs helps nobody, so ours is 30s.
pub const DEFAULT: Duration = Duration::from_secs(30);

/// The AWS SDK's standard retry strategy makes up to three attempts; a stalled service is given
/// that many timeouts in all, so it ends within a few multiples of the timeout, never minutes.
pub const ATTEMPTS: u32 = 3;

/// How long one request may take; `None` is no limit of ours (`--request-timeout 0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestTimeout(Option<Duration>);

impl Default for RequestTimeout {
    fn default() -> Self {
        RequestTimeout(Some(DEFAULT))
    }
}

impl RequestTimeout {
    pub const NONE: RequestTimeout = RequestTimeout(None);

    pub fn new(limit: Option<Duration>) -> Self {
        RequestTimeout(limit.filter(|d| !d.is_zero()))
    }

    pub fn limit(self) -> Option<Duration> {
        self.0
    }

    /// The AWS SDK's timeouts; without a limit, the SDK's own defaults stay (its connect
    /// timeout, as kubectl's dialer keeps its own with `--request-timeout 0`).
    pub fn aws(self) -> Option<TimeoutConfig> {
        let limit = self.0?;
        Some(
            TimeoutConfig::builder()
                .connect_timeout(limit)
                .read_timeout(limit)
                .operation_attempt_timeout(limit)
                .operation_timeout(limit.saturating_mul(ATTEMPTS))
                .build(),
        )
    }

    /// Sets kube-rs's timeouts. The read timeout counts from when the request was written, not
    /// from when its pooled connection went idle (`reset_reader_on_write`): these are short
    /// list calls, never a watch or an exec session.
    pub fn apply_to_kube(self, config: &mut kube::Config) {
        if let Some(limit) = self.0 {
            config.connect_timeout = Some(limit);
            config.read_timeout = Some(limit);
            config.write_timeout = Some(limit);
            config.reset_reader_on_write = true;
        }
    }

    /// `within 3s`, or what was waited for without a limit of ours.
    pub fn within(self) -> String {
        match self.0 {
            Some(limit) => format!("within {}", format_duration(limit)),
            None => "in time (its connection timed out)".into(),
        }
    }
}

impl fmt::Display for RequestTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(d) => f.write_str(&format_duration(d)),
            None => f.write_str("0"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid timeout `{0}`: give a number of seconds or a number with a unit, as kubectl takes it (e.g. 5s, 2m, 1m30s, 500ms; 0 for none)"
)]
pub struct InvalidTimeout(String);

impl FromStr for RequestTimeout {
    type Err = InvalidTimeout;

    /// As kubectl's `ParseTimeout`: a non-negative integer is seconds, anything else a Go
    /// duration (`1h2m3.5s`, units ns, us, µs, ms, s, m, h).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidTimeout(text.to_string());
        let text = text.trim();
        if let Ok(secs) = text.parse::<u64>() {
            return Ok(RequestTimeout::new(Some(Duration::from_secs(secs))));
        }
        go_duration(text)
            .map(|d| RequestTimeout::new(Some(d)))
            .ok_or_else(invalid)
    }
}

/// Go's `time.ParseDuration`, without a sign (a negative timeout means nothing here).
fn go_duration(text: &str) -> Option<Duration> {
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let mut rest = text;
    let mut total = 0f64;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        if number.is_empty() || number == "." {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let nanos_per = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += value * nanos_per;
        rest = next;
    }
    // Go caps durations at about 292 years; so do we, rather than overflow.
    (total.is_finite() && total < u64::MAX as f64).then(|| Duration::from_nanos(total as u64))
}

/// `3s`, `1m30s`, `2h`, `500ms`, `1.5s`: as short as the value allows.
pub fn format_duration(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        let ms = d.as_millis();
        return if ms > 0 && d.subsec_nanos().is_multiple_of(1_000_000) {
            format!("{ms}ms")
        } else if d.as_micros() > 0 && d.subsec_nanos().is_multiple_of(1_000) {
            format!("{}µs", d.as_micros())
        } else {
            format!("{}ns", d.as_nanos())
        };
    }
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    let nanos = d.subsec_nanos();
    if nanos > 0 {
        let fraction = format!("{:09}", nanos);
        out.push_str(&format!("{s}.{}s", fraction.trim_end_matches('0')));
    } else if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

/// Whether an error (or one of its causes) is a timeout: hyper-timeout's and tokio's I/O
/// `TimedOut`, or tokio's elapsed deadline.
pub fn is_timeout(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::TimedOut
        {
            return true;
        }
        if e.downcast_ref::<tokio::time::error::Elapsed>().is_some() {
            return true;
        }
        next = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Option<Duration>, InvalidTimeout> {
        text.parse::<RequestTimeout>().map(RequestTimeout::limit)
    }

    #[test]
    fn kubectl_spellings() {
        let secs = Duration::from_secs;
        for (text, want) in [
            ("5s", Some(secs(5))),
            ("1m", Some(secs(60))),
            ("1m30s", Some(secs(90))),
            ("2h", Some(secs(7200))),
            ("500ms", Some(Duration::from_millis(500))),
            ("1.5s", Some(Duration::from_millis(1500))),
            ("7", Some(secs(7))),
            (" 7 ", Some(secs(7))),
            ("0", None),
            ("0s", None),
            ("0m0s", None),
        ] {
            assert_eq!(parse(text), Ok(want), "{text}");
        }
        for bad in ["", "-1", "-5s", "s", "5x", "1.2.3s", ".s", "5 s", "1e3s"] {
            assert!(parse(bad).is_err(), "`{bad}` should be refused");
        }
        let err = parse("soon").unwrap_err().to_string();
        assert!(err.contains("`soon`") && err.contains("5s"), "{err}");
    }

    #[test]
    fn formatted_as_kubectl_would_accept_it() {
        for text in ["3s", "1m30s", "2h", "500ms", "1.5s", "1h1m1s", "250µs"] {
            let t: RequestTimeout = text.parse().unwrap();
            assert_eq!(t.to_string(), text);
            assert_eq!(t.to_string().parse::<RequestTimeout>(), Ok(t), "{text}");
        }
        assert_eq!(RequestTimeout::NONE.to_string(), "0");
        assert_eq!(RequestTimeout::default().to_string(), "30s");
        assert_eq!("90".parse::<RequestTimeout>().unwrap().to_string(), "1m30s");
    }

    #[test]
    fn aws_operations_get_a_few_attempts_at_most() {
        let t: RequestTimeout = "2s".parse().unwrap();
        let aws = t.aws().unwrap();
        let secs = Duration::from_secs;
        assert_eq!(aws.connect_timeout(), Some(secs(2)));
        assert_eq!(aws.read_timeout(), Some(secs(2)));
        assert_eq!(aws.operation_attempt_timeout(), Some(secs(2)));
        assert_eq!(aws.operation_timeout(), Some(secs(6)));
        assert!(RequestTimeout::NONE.aws().is_none());
    }

    #[test]
    fn kube_gets_every_timeout_and_none_leaves_its_defaults() {
        let mut config = kube::Config::new("https://127.0.0.1:6443".parse().unwrap());
        let defaults = (config.connect_timeout, config.read_timeout);
        RequestTimeout::NONE.apply_to_kube(&mut config);
        assert_eq!((config.connect_timeout, config.read_timeout), defaults);
        "4s".parse::<RequestTimeout>()
            .unwrap()
            .apply_to_kube(&mut config);
        let four = Some(Duration::from_secs(4));
        assert_eq!(
            (
                config.connect_timeout,
                config.read_timeout,
                config.write_timeout
            ),
            (four, four, four)
        );
        assert!(config.reset_reader_on_write);
    }

    #[test]
    fn timeouts_are_found_among_the_causes() {
        #[derive(Debug, thiserror::Error)]
        #[error("outer")]
        struct Outer(#[source] std::io::Error);
        let timed_out = Outer(std::io::Error::from(std::io::ErrorKind::TimedOut));
        assert!(is_timeout(&timed_out));
        let refused = Outer(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert!(!is_timeout(&refused));
    }
}
