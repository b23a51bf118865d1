//! Serde helpers that reproduce how Go's `encoding/json` reads and writes
//! Helm's release records: empty strings stand for unset times, and strings
//! are escaped as `json.Marshal` escapes them. The Go field rules shared with
//! other modules (`null` as zero value, `omitempty`, base64 `[]byte`) live in
//! [`crate::json`], and so does the escaping itself.

use crate::release::time::GoTime;
use serde::{Deserialize, Deserializer, Serialize};
use std::io;

/// Helm v4 accepts `""` for the times of `info` and `last_run` (older clients
/// wrote them) and reads it as the zero time.
pub(crate) fn lenient_time<'de, D: Deserializer<'de>>(d: D) -> Result<GoTime, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(GoTime::zero()),
        Some(s) if s.is_empty() => Ok(GoTime::zero()),
        Some(s) => GoTime::parse(&s).map_err(serde::de::Error::custom),
    }
}

/// Serializes `value` to compact JSON the way Go's `encoding/json.Marshal`
/// does: besides the usual escapes, `<`, `>`, `&`, U+2028 and U+2029 are
/// written as `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029`.
pub fn to_go_json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, GoFormatter);
    value.serialize(&mut ser)?;
    Ok(out)
}

/// serde_json's compact formatter with Go's HTML-safe string escaping.
///
/// serde_json escapes quotes, backslashes and control characters itself, the
/// same way Go does (short forms for `\b \f \n \r \t`, lower-case `\u00XX`
/// otherwise), and hands over the text between those escapes as fragments.
/// Only the characters Go escapes on top (`<`, `>`, `&`, U+2028, U+2029) are
/// left, and [`crate::json::quote`] is the one place that knows them.
struct GoFormatter;

impl serde_json::ser::Formatter for GoFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let quoted = crate::json::quote(fragment);
        // `quote` adds the surrounding quotes, which serde_json writes itself.
        let inner = &quoted[1..quoted.len() - 1];
        writer.write_all(inner.as_bytes())
    }

    /// Go prints `float64` its own way (`1e+21`, `1e-7`, no exponent up to
    /// 1e21); [`crate::json::format_float`] is that printer. serde_json writes
    /// NaN and infinities as `null` without coming here.
    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        let text = crate::json::format_float(value).map_err(io::Error::other)?;
        writer.write_all(text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_json_escapes_html_characters() {
        let out = to_go_json(&"a<b>&c\u{2028}\u{8}\u{1}\"\n").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#""a\u003cb\u003e\u0026c\u2028\b\u0001\"\n""#
        );
    }

    #[test]
    fn floats_are_printed_as_go_prints_float64() {
        for x in [1e21, 1e16, 1e-7, 0.000001, 2.5, -3e300] {
            let go = crate::json::format_float(x).unwrap();
            assert_eq!(String::from_utf8(to_go_json(&x).unwrap()).unwrap(), go);
        }
        // serde_json alone would write `1e21` and `1e16`.
        assert_eq!(to_go_json(&1e21).unwrap(), b"1e+21");
        assert_eq!(to_go_json(&1e16).unwrap(), b"10000000000000000");
    }
}
