//! The writing half of `encoding/json`.

use super::{JsonError, Style};
use crate::strconv::format_float_bits;
use crate::values::Value;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Go's `encoding/json` float text: `%f`-style between 1e-6 and 1e21, `%e`
/// otherwise with a one-digit negative exponent (`1e-7`, not `1e-07`).
/// NaN and infinities are rejected as Go does.
pub fn format_float(f: f64) -> Result<String, JsonError> {
    if f.is_nan() || f.is_infinite() {
        return Err(JsonError::UnsupportedValue(format_float_bits(
            f, 'g', -1, 64,
        )));
    }
    let abs = f.abs();
    let fmt = if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        'e'
    } else {
        'f'
    };
    let mut s = format_float_bits(f, fmt, -1, 64);
    if fmt == 'e' {
        let b = s.as_bytes();
        let n = b.len();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            s.remove(n - 2);
        }
    }
    Ok(s)
}

/// Appends `s` as a JSON string literal the way Go 1.22+ does.
pub fn write_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if escape_html => push_u00(out, c as u32),
            c if (c as u32) < 0x20 => push_u00(out, c as u32),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn push_u00(out: &mut String, c: u32) {
    out.push_str("\\u00");
    out.push(HEX[(c >> 4) as usize & 0xF] as char);
    out.push(HEX[c as usize & 0xF] as char);
}

fn newline(out: &mut String, style: Style, depth: usize) {
    if let Some(unit) = style.indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(unit);
        }
    }
}

/// Appends one value; `depth` is the nesting level for indentation.
pub fn write_value(
    out: &mut String,
    value: &Value,
    style: Style,
    depth: usize,
) -> Result<(), JsonError> {
    stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || {
        write_value_inner(out, value, style, depth)
    })
}

fn write_value_inner(
    out: &mut String,
    value: &Value,
    style: Style,
    depth: usize,
) -> Result<(), JsonError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&format_float(*f)?),
        Value::String(s) => write_string(out, s, style.escape_html),
        Value::List(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, style, depth + 1);
                write_value(out, item, style, depth + 1)?;
            }
            newline(out, style, depth);
            out.push(']');
        }
        Value::Map(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, style, depth + 1);
                write_string(out, k, style.escape_html);
                out.push(':');
                if style.indent.is_some() {
                    out.push(' ');
                }
                write_value(out, v, style, depth + 1)?;
            }
            newline(out, style, depth);
            out.push('}');
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_go() {
        // Go's documented encoding/json float rules.
        assert_eq!(format_float(1e6).unwrap(), "1000000");
        assert_eq!(format_float(1e21).unwrap(), "1e+21");
        assert_eq!(format_float(1e20).unwrap(), "100000000000000000000");
        assert_eq!(format_float(0.000001).unwrap(), "0.000001");
        assert_eq!(format_float(1e-7).unwrap(), "1e-7");
        assert_eq!(format_float(1.5e-7).unwrap(), "1.5e-7");
        assert_eq!(format_float(1.5e300).unwrap(), "1.5e+300");
        assert_eq!(format_float(-0.0).unwrap(), "-0");
        assert!(format_float(f64::NAN).is_err());
    }

    #[test]
    fn strings_like_go() {
        let mut s = String::new();
        write_string(&mut s, "<a&b>\u{1}\u{8}\u{2028}\u{7f}é", true);
        assert_eq!(s, "\"\\u003ca\\u0026b\\u003e\\u0001\\b\\u2028\u{7f}é\"");
        let mut raw = String::new();
        write_string(&mut raw, "<&>", false);
        assert_eq!(raw, "\"<&>\"");
    }
}
