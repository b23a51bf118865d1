//! JSON reading and writing exactly as Go's `encoding/json` does it, which is
//! what Helm's `toJson`, `toPrettyJson`, `toRawJson`, `fromJson` and the
//! YAML round trip inside `toYaml` rely on.
//!
//! Writing follows `json.Marshal`: map keys sorted, `<`, `>` and `&` escaped
//! as `\u003c`-style sequences (unless raw), U+2028/U+2029 always escaped,
//! floats printed the way Go prints `float64`. Reading follows
//! `json.Unmarshal` into `interface{}`: every number becomes
//! [`Value::Float`], duplicate keys keep the last value.

pub(crate) mod bytes;
mod decode;
mod encode;
pub(crate) mod fields;

use crate::values::Value;

pub(crate) use decode::decoder_syntax_error;
pub use decode::{parse, parse_prefix};
pub use encode::format_float;

/// A JSON document that could not be read or a value that cannot be written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JsonError {
    /// The text is not valid JSON; the message is worded like Go's
    /// (`invalid character '}' after array element`).
    #[error("{message} (at byte {offset})")]
    Syntax {
        /// What Go's decoder would say.
        message: String,
        /// Byte offset in the input where the problem was found.
        offset: usize,
    },
    /// A number literal that does not fit a `float64` (Go: "cannot unmarshal number").
    #[error("json: cannot unmarshal number {0} into Go value of type float64")]
    NumberRange(String),
    /// NaN or ±Inf, which Go refuses to marshal.
    #[error("json: unsupported value: {0}")]
    UnsupportedValue(String),
}

/// Options of one marshalling, covering `json.Marshal`, `json.MarshalIndent`
/// and an `Encoder` with `SetEscapeHTML(false)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Escape `<`, `>` and `&` (Go's default).
    pub escape_html: bool,
    /// Indent unit for pretty output; `None` for compact.
    pub indent: Option<&'static str>,
}

impl Style {
    /// `json.Marshal`.
    pub const COMPACT: Style = Style {
        escape_html: true,
        indent: None,
    };
    /// `json.MarshalIndent(v, "", "  ")` (Sprig's `toPrettyJson`).
    pub const PRETTY: Style = Style {
        escape_html: true,
        indent: Some("  "),
    };
    /// An encoder with `SetEscapeHTML(false)` (Sprig's `toRawJson`).
    pub const RAW: Style = Style {
        escape_html: false,
        indent: None,
    };
}

/// Marshals with the given style; fails on NaN and infinite floats like Go.
pub fn marshal(value: &Value, style: Style) -> Result<String, JsonError> {
    let mut out = String::new();
    encode::write_value(&mut out, value, style, 0)?;
    Ok(out)
}

/// `json.Marshal(v)` as Helm's `toJson` prints it; an unsupported value
/// (NaN, ±Inf) yields an empty string, as `toJson` swallows the error.
pub fn to_string(value: &Value) -> String {
    marshal(value, Style::COMPACT).unwrap_or_default()
}

/// Sprig's `toPrettyJson`: `json.MarshalIndent(v, "", "  ")`, empty on error.
pub fn to_string_pretty(value: &Value) -> String {
    marshal(value, Style::PRETTY).unwrap_or_default()
}

/// Sprig's `toRawJson`: no HTML escaping, empty on error.
pub fn to_string_raw(value: &Value) -> String {
    marshal(value, Style::RAW).unwrap_or_default()
}

/// Go's `json.Marshal` quoting of one string (with HTML escaping).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    encode::write_string(&mut out, s, true);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Map;

    fn sample() -> Value {
        let mut inner = Map::new();
        inner.insert(
            "b".into(),
            Value::List(vec![Value::Int(1), Value::Float(2.5)]),
        );
        inner.insert("e".into(), Value::List(vec![]));
        inner.insert("m".into(), Value::empty_map());
        let mut m = Map::new();
        m.insert("a<".into(), Value::Map(inner));
        m.insert("s".into(), Value::from("x&y"));
        Value::Map(m)
    }

    // Shapes as Helm printed them for the golden chart (scalars/*, to*json/*).
    #[test]
    fn compact_pretty_and_raw() {
        let v = sample();
        assert_eq!(
            to_string(&v),
            r#"{"a\u003c":{"b":[1,2.5],"e":[],"m":{}},"s":"x\u0026y"}"#
        );
        assert_eq!(
            to_string_raw(&v),
            r#"{"a<":{"b":[1,2.5],"e":[],"m":{}},"s":"x&y"}"#
        );
        assert_eq!(
            to_string_pretty(&v),
            "{\n  \"a\\u003c\": {\n    \"b\": [\n      1,\n      2.5\n    ],\n    \"e\": [],\n    \"m\": {}\n  },\n  \"s\": \"x\\u0026y\"\n}"
        );
    }

    #[test]
    fn non_finite_floats_are_refused() {
        assert_eq!(to_string(&Value::Float(f64::NAN)), "");
        assert!(matches!(
            marshal(&Value::Float(f64::INFINITY), Style::COMPACT),
            Err(JsonError::UnsupportedValue(s)) if s == "+Inf"
        ));
    }
}
