//! Go's `%v` rendering of values, used where Helm prints values into warnings.

use super::value::Value;

/// Formats a value as Go's `fmt` `%v` would print the equivalent `interface{}`.
pub(crate) fn go_v(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => go_float(*f),
        Value::String(s) => s.clone(),
        Value::List(l) => format!("[{}]", l.iter().map(go_v).collect::<Vec<_>>().join(" ")),
        Value::Map(m) => format!(
            "map[{}]",
            m.iter()
                .map(|(k, v)| format!("{k}:{}", go_v(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

/// Go's `%v` for float64: shortest digits, exponent form below 1e-4 or from 1e6.
pub(crate) fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let exp = f.abs().log10().floor() as i32;
    if !(-4..6).contains(&exp) {
        // Rust's `{:e}` gives `1e6`; Go writes `1e+06`, with at least two exponent digits.
        let s = format!("{f:e}");
        let (mant, e) = s.split_once('e').unwrap_or((&s, "0"));
        let (sign, digits) = match e.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', e),
        };
        format!("{mant}e{sign}{digits:0>2}")
    } else {
        format!("{f}")
    }
}

/// Formats a value as Go's `%t` verb would (Helm uses it in one error):
/// booleans print plainly, other scalars as `%!t(TYPE=VALUE)`, and lists and
/// maps element by element.
pub(crate) fn go_t(v: &Value) -> String {
    match v {
        Value::Null => "%!t(<nil>)".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => format!("%!t(int64={i})"),
        Value::Float(f) => format!("%!t(float64={})", go_float(*f)),
        Value::String(s) => format!("%!t(string={s})"),
        Value::List(l) => format!("[{}]", l.iter().map(go_t).collect::<Vec<_>>().join(" ")),
        Value::Map(m) => format!(
            "map[{}]",
            m.iter()
                .map(|(k, v)| format!("{k}:{}", go_t(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}
