//! Go's `time.Time` as it appears in Helm's JSON: RFC 3339 with trimmed
//! nanoseconds and the recorded offset, and the zero time for "unset".
//!
//! Release records, hook executions and stored charts all carry such times,
//! so they share this one type.

use jiff::Timestamp;
use jiff::tz::Offset;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A point in time with the UTC offset it was recorded in, formatted the way
/// Go's `time.Time` marshals to JSON: RFC 3339 with nanoseconds whose trailing
/// zeros are dropped, `Z` for a zero offset (`2006-01-02T15:04:05.999999999Z07:00`).
/// The default is Go's zero time, `0001-01-01T00:00:00Z`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GoTime {
    instant: Timestamp,
    offset: Offset,
}

/// Go's zero time as seconds since the Unix epoch.
const GO_ZERO_UNIX_SECONDS: i64 = -62_135_596_800;

impl Default for GoTime {
    fn default() -> Self {
        GoTime::zero()
    }
}

/// A string that is not an RFC 3339 time Go would accept.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid time {value:?}: {reason}")]
pub struct TimeError {
    /// The rejected text.
    pub value: String,
    /// Why it was rejected.
    pub reason: String,
}

impl GoTime {
    /// Go's zero time, `0001-01-01T00:00:00Z`.
    pub fn zero() -> Self {
        let instant = Timestamp::from_second(GO_ZERO_UNIX_SECONDS).unwrap_or(Timestamp::MIN);
        GoTime {
            instant,
            offset: Offset::UTC,
        }
    }

    /// The current time in the local time zone's offset, as Go's `time.Now()`
    /// records it.
    pub fn now() -> Self {
        let now = jiff::ZonedDateTime::now();
        GoTime {
            instant: now.timestamp(),
            offset: now.offset(),
        }
    }

    /// A time from an instant and the offset to print it in.
    pub fn new(instant: Timestamp, offset: Offset) -> Self {
        GoTime { instant, offset }
    }

    /// True for Go's zero instant (whatever the offset), like `time.Time.IsZero`.
    pub fn is_zero(&self) -> bool {
        self.instant.as_second() == GO_ZERO_UNIX_SECONDS && self.instant.subsec_nanosecond() == 0
    }

    /// The instant.
    pub fn timestamp(&self) -> Timestamp {
        self.instant
    }

    /// The offset the time is printed in.
    pub fn offset(&self) -> Offset {
        self.offset
    }

    /// Seconds since the Unix epoch (Go's `Unix()`).
    pub fn unix_seconds(&self) -> i64 {
        self.instant.as_second()
    }

    /// Parses RFC 3339 as Go's `time.Time.UnmarshalJSON` does, keeping the offset.
    pub fn parse(text: &str) -> Result<Self, TimeError> {
        let err = |reason: &str| TimeError {
            value: text.to_string(),
            reason: reason.to_string(),
        };
        let offset = if text.ends_with('Z') || text.ends_with('z') {
            Offset::UTC
        } else {
            let split = text
                .len()
                .checked_sub(6)
                .filter(|&i| text.is_char_boundary(i))
                .ok_or_else(|| err("too short for RFC 3339"))?;
            parse_offset(&text[split..])
                .ok_or_else(|| err("no `Z` or `±hh:mm` offset at the end"))?
        };
        let instant: Timestamp = text.parse().map_err(|e: jiff::Error| err(&e.to_string()))?;
        Ok(GoTime { instant, offset })
    }
}

fn parse_offset(s: &str) -> Option<Offset> {
    let b = s.as_bytes();
    if b.len() != 6 || b[3] != b':' {
        return None;
    }
    let sign = match b[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours: i32 = s.get(1..3)?.parse().ok()?;
    let minutes: i32 = s.get(4..6)?.parse().ok()?;
    Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

impl fmt::Display for GoTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dt = self.offset.to_datetime(self.instant);
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        )?;
        let nanos = dt.subsec_nanosecond();
        if nanos != 0 {
            let digits = format!("{nanos:09}");
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        let secs = self.offset.seconds();
        if secs == 0 {
            f.write_str("Z")
        } else {
            let sign = if secs < 0 { '-' } else { '+' };
            let abs = secs.unsigned_abs();
            write!(f, "{sign}{:02}:{:02}", abs / 3600, (abs / 60) % 60)
        }
    }
}

impl Serialize for GoTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for GoTime {
    /// Strict, as Go's `time.Time`: an empty string is an error; `null` is the
    /// zero time.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(GoTime::zero()),
            Some(s) => GoTime::parse(&s).map_err(serde::de::Error::custom),
        }
    }
}

/// Parses a Go duration (`--timeout 5m0s`, `300s`, `1h30m`) as Helm's
/// flags do; negative durations are refused.
pub fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    let d = crate::engine::gotemplate::funcs::helm_duration::parse_duration(text)?;
    u64::try_from(d.0)
        .map(std::time::Duration::from_nanos)
        .map_err(|_| format!("invalid timeout {text:?}: must not be negative"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_time_formats_like_rfc3339nano() {
        for text in [
            "2026-11-27T13:50:01.123456789Z",
            "2026-11-27T13:50:01.1234Z",
            "2026-11-27T13:50:01Z",
            "2026-11-27T14:50:01.5+01:00",
            "2026-11-27T08:20:01.000000001-05:30",
        ] {
            assert_eq!(GoTime::parse(text).unwrap().to_string(), text);
        }
        // Trailing zeros are Go-trimmed on output.
        let t = GoTime::parse("2026-11-27T13:50:01.120000000Z").unwrap();
        assert_eq!(t.to_string(), "2026-11-27T13:50:01.12Z");
    }

    #[test]
    fn zero_time_is_go_zero() {
        let z = GoTime::default();
        assert!(z.is_zero());
        assert_eq!(z.to_string(), "0001-01-01T00:00:00Z");
        assert!(GoTime::parse("0001-01-01T00:00:00Z").unwrap().is_zero());
        assert!(!GoTime::now().is_zero());
    }

    #[test]
    fn bad_times_are_rejected_with_the_text() {
        let err = GoTime::parse("yesterday").unwrap_err();
        assert!(err.to_string().contains("yesterday"));
        assert!(GoTime::parse("2026-11-27T13:50:01").is_err());
    }

    #[test]
    fn timeouts_parse_as_go_durations() {
        assert_eq!(parse_timeout("5m0s").unwrap().as_secs(), 300);
        assert_eq!(parse_timeout("1h30m").unwrap().as_secs(), 5400);
        assert!(parse_timeout("-1s").is_err());
        assert!(parse_timeout("5 minutes").is_err());
    }
}
