//! Helm v4's duration helpers (`mustToDuration`, `durationSeconds`...),
//! with Go's `time.ParseDuration` and `Duration.String`.

use super::{FuncTable, Param, add};
use crate::engine::gotemplate::exec::GoError;
use crate::engine::gotemplate::value::{GoObject, Value};
use std::rc::Rc;

const NS: i64 = 1;
const US: i64 = 1_000;
const MS: i64 = 1_000_000;
const SEC: i64 = 1_000_000_000;
const MIN: i64 = 60 * SEC;
const HOUR: i64 = 60 * MIN;

/// A Go `time.Duration` (nanoseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration(pub i64);

/// Writes the fraction of `v / 10^prec` without trailing zeros; returns `v / 10^prec`.
fn fmt_frac(out: &mut String, v: u64, prec: u32) -> u64 {
    let pow = 10u64.pow(prec);
    let frac = v % pow;
    if frac != 0 {
        let digits = format!("{frac:0width$}", width = prec as usize);
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
    v / pow
}

impl Duration {
    /// Go's `Duration.String`.
    pub fn go_string(self) -> String {
        if self.0 == 0 {
            return "0s".into();
        }
        let neg = self.0 < 0;
        let u = self.0.unsigned_abs();
        let mut out = String::new();
        if u < SEC as u64 {
            let (prec, unit) = if u < US as u64 {
                (0, "ns")
            } else if u < MS as u64 {
                (3, "µs")
            } else {
                (6, "ms")
            };
            let whole = fmt_frac(&mut out, u, prec);
            out.insert_str(0, &whole.to_string());
            out.push_str(unit);
        } else {
            let mut frac = String::new();
            let mut v = fmt_frac(&mut frac, u, 9);
            let secs = v % 60;
            out = format!("{secs}{frac}s");
            v /= 60;
            if v > 0 {
                out = format!("{}m{out}", v % 60);
                v /= 60;
                if v > 0 {
                    out = format!("{v}h{out}");
                }
            }
        }
        if neg {
            out.insert(0, '-');
        }
        out
    }

    /// Go's `Duration.Round`.
    pub fn round(self, m: i64) -> Duration {
        let d = self.0;
        if m <= 0 {
            return self;
        }
        let mut r = d % m;
        let less_than_half = |x: i64, y: i64| (x as u64).wrapping_add(x as u64) < y as u64;
        if d < 0 {
            r = -r;
            if less_than_half(r, m) {
                return Duration(d + r);
            }
            return Duration(d.checked_sub(m - r).unwrap_or(i64::MIN));
        }
        if less_than_half(r, m) {
            return Duration(d - r);
        }
        Duration(d.checked_add(m - r).unwrap_or(i64::MAX))
    }
}

/// Go's `time.ParseDuration`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let err = || {
        format!(
            "time: invalid duration {}",
            crate::engine::gotemplate::fmt::quote(s)
        )
    };
    let mut rest = s;
    let neg = rest.starts_with('-');
    rest = rest.strip_prefix(['-', '+']).unwrap_or(rest);
    if rest == "0" {
        return Ok(Duration(0));
    }
    if rest.is_empty() {
        return Err(err());
    }
    let mut total: f64 = 0.0;
    let mut exact: i128 = 0;
    while !rest.is_empty() {
        let int_len = rest.chars().take_while(char::is_ascii_digit).count();
        let int_part = &rest[..int_len];
        rest = &rest[int_len..];
        let mut frac_part = "";
        if let Some(r) = rest.strip_prefix('.') {
            let n = r.chars().take_while(char::is_ascii_digit).count();
            frac_part = &r[..n];
            rest = &r[n..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(err());
        }
        let unit_len = rest
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(rest.len(), |(i, _)| i);
        let unit = match &rest[..unit_len] {
            "ns" => NS,
            "us" | "µs" | "μs" => US,
            "ms" => MS,
            "s" => SEC,
            "m" => MIN,
            "h" => HOUR,
            "" => {
                return Err(format!(
                    "time: missing unit in duration {}",
                    crate::engine::gotemplate::fmt::quote(s)
                ));
            }
            u => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    crate::engine::gotemplate::fmt::quote(u),
                    crate::engine::gotemplate::fmt::quote(s)
                ));
            }
        };
        rest = &rest[unit_len..];
        let whole: i128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| err())?
        };
        exact += whole * i128::from(unit);
        if !frac_part.is_empty() {
            let f: f64 = format!("0.{frac_part}").parse().map_err(|_| err())?;
            total += f * unit as f64;
        }
        if exact > i128::from(i64::MAX) {
            return Err(err());
        }
    }
    let v = exact as i64 + total as i64;
    Ok(Duration(if neg { -v } else { v }))
}

impl GoObject for Duration {
    fn type_name(&self) -> String {
        "time.Duration".into()
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn method_params(&self, name: &str) -> Option<&'static [Param]> {
        matches!(
            name,
            "String"
                | "Seconds"
                | "Minutes"
                | "Hours"
                | "Milliseconds"
                | "Microseconds"
                | "Nanoseconds"
        )
        .then_some(&[])
    }
    fn call(&self, name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        let d = self.0;
        Some(Ok(match name {
            "String" => Value::Str(self.go_string()),
            "Seconds" => Value::Float(seconds(d)),
            "Minutes" => Value::Float((d / MIN) as f64 + (d % MIN) as f64 / (60.0 * 1e9)),
            "Hours" => Value::Float(hours(d)),
            "Milliseconds" => Value::Int64(d / MS),
            "Microseconds" => Value::Int64(d / US),
            "Nanoseconds" => Value::Int64(d),
            _ => return None,
        }))
    }
    fn display(&self) -> String {
        self.go_string()
    }
    fn to_data(&self) -> Value {
        Value::Int64(self.0)
    }
}

fn seconds(d: i64) -> f64 {
    (d / SEC) as f64 + (d % SEC) as f64 / 1e9
}

fn hours(d: i64) -> f64 {
    (d / HOUR) as f64 + (d % HOUR) as f64 / (60.0 * 60.0 * 1e9)
}

/// Helm's `asDuration`.
fn as_duration(v: &Value) -> Result<Duration, String> {
    let from_secs = |f: f64| -> Result<Duration, String> {
        let ns = f * 1e9;
        if !ns.is_finite() || ns > i64::MAX as f64 || ns < i64::MIN as f64 {
            return Err(format!(
                "duration seconds overflow: {}",
                crate::engine::gotemplate::fmt::format_v(&Value::Float(f))
            ));
        }
        Ok(Duration(ns as i64))
    };
    match v {
        Value::Object(o) if o.type_name() == "time.Duration" => match o.to_data() {
            Value::Int64(n) => Ok(Duration(n)),
            _ => Err("invalid duration".into()),
        },
        Value::Str(s) => {
            let t = s.trim();
            if t.is_empty() {
                return Err("empty duration".into());
            }
            if let Ok(d) = parse_duration(t) {
                return Ok(d);
            }
            match t.parse::<f64>() {
                Ok(f) => from_secs(f),
                Err(_) => Err(format!(
                    "could not parse duration {}",
                    crate::engine::gotemplate::fmt::quote(s)
                )),
            }
        }
        Value::Invalid | Value::Nil => Err("invalid duration".into()),
        Value::Int(i) | Value::Int64(i) => i
            .checked_mul(SEC)
            .map(Duration)
            .ok_or_else(|| format!("duration seconds overflow: {i}")),
        Value::Float(f) => from_secs(*f),
        other => Err(format!("unsupported duration type {}", other.type_name())),
    }
}

fn dur(d: Duration) -> Value {
    Value::Object(Rc::new(d))
}

pub(super) fn register(t: &mut FuncTable) {
    use Param::*;
    add(t, "mustToDuration", &[Any], |_, a| {
        as_duration(&a[0]).map(dur).map_err(GoError::plain)
    });
    add(t, "durationSeconds", &[Any], |_, a| {
        Ok(Value::Float(
            as_duration(&a[0]).map_or(0.0, |d| seconds(d.0)),
        ))
    });
    add(t, "durationMilliseconds", &[Any], |_, a| {
        Ok(Value::Int64(as_duration(&a[0]).map_or(0, |d| d.0 / MS)))
    });
    add(t, "durationMicroseconds", &[Any], |_, a| {
        Ok(Value::Int64(as_duration(&a[0]).map_or(0, |d| d.0 / US)))
    });
    add(t, "durationNanoseconds", &[Any], |_, a| {
        Ok(Value::Int64(as_duration(&a[0]).map_or(0, |d| d.0)))
    });
    add(t, "durationMinutes", &[Any], |_, a| {
        Ok(Value::Float(as_duration(&a[0]).map_or(0.0, |d| {
            (d.0 / MIN) as f64 + (d.0 % MIN) as f64 / (60.0 * 1e9)
        })))
    });
    add(t, "durationHours", &[Any], |_, a| {
        Ok(Value::Float(as_duration(&a[0]).map_or(0.0, |d| hours(d.0))))
    });
    add(t, "durationDays", &[Any], |_, a| {
        Ok(Value::Float(
            as_duration(&a[0]).map_or(0.0, |d| hours(d.0) / 24.0),
        ))
    });
    add(t, "durationWeeks", &[Any], |_, a| {
        Ok(Value::Float(
            as_duration(&a[0]).map_or(0.0, |d| hours(d.0) / 24.0 / 7.0),
        ))
    });
    add(t, "durationRoundTo", &[Any, Any], |_, a| {
        Ok(dur(match as_duration(&a[0]) {
            Err(_) => Duration(0),
            Ok(d) => match as_duration(&a[1]) {
                Ok(m) => d.round(m.0),
                Err(_) => d,
            },
        }))
    });
    add(t, "durationTruncateTo", &[Any, Any], |_, a| {
        Ok(dur(match as_duration(&a[0]) {
            Err(_) => Duration(0),
            Ok(d) => match as_duration(&a[1]) {
                Ok(m) if m.0 > 0 => Duration(d.0 - d.0 % m.0),
                _ => d,
            },
        }))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_duration_strings() {
        for (s, want) in [
            ("1h2m3.5s", "1h2m3.5s"),
            ("90m", "1h30m0s"),
            ("1.5s", "1.5s"),
            ("500ms", "500ms"),
            ("1us", "1µs"),
            ("-2m", "-2m0s"),
            ("0", "0s"),
        ] {
            assert_eq!(parse_duration(s).unwrap().go_string(), want, "{s}");
        }
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("1x").is_err());
    }

    #[test]
    fn rounding() {
        let d = parse_duration("1h15m30.918273645s").unwrap();
        assert_eq!(d.round(MIN).go_string(), "1h16m0s");
        assert_eq!(d.round(SEC).go_string(), "1h15m31s");
    }
}
