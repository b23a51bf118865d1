//! Go's `strconv` number and string formatting, byte for byte.
//!
//! Helm's output goes through Go formatting in many places (`toYaml` floats,
//! `printf "%g"`, `%q`, JSON numbers), so these functions reproduce
//! `strconv.FormatFloat` and `strconv.Quote` exactly rather than
//! approximating them with Rust's own formatting.

use unicode_general_category::{GeneralCategory, get_general_category};

/// Decimal digits of a float: `0.d1d2d3... × 10^dp`, like Go's `decimalSlice`.
struct Digits {
    /// Significant digits as ASCII bytes, without trailing zeros (may be empty for zero).
    d: Vec<u8>,
    /// Position of the decimal point relative to the start of `d`.
    dp: i32,
}

impl Digits {
    /// Parses Rust's `{:e}` output (`"1.2345e-7"`, `"0e0"`) of a non-negative finite number.
    fn from_exp_string(s: &str) -> Digits {
        let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let mut d: Vec<u8> = mant.bytes().filter(|b| b.is_ascii_digit()).collect();
        while d.last() == Some(&b'0') {
            d.pop();
        }
        if d.is_empty() {
            return Digits { d, dp: 0 };
        }
        Digits { d, dp: exp + 1 }
    }

    /// The shortest digits that read back as the same `f64` (Go's `prec = -1`).
    fn shortest64(x: f64) -> Digits {
        let x = x.abs();
        let d = Digits::from_exp_string(&format!("{:e}", x));
        d.tie_to_even(
            |s| s.parse::<f64>().ok() == Some(x),
            || format!("{:.800e}", x),
        )
    }

    /// The shortest digits that read back as the same `f32` (Go's `bitSize = 32`).
    fn shortest32(x: f32) -> Digits {
        let x = x.abs();
        let d = Digits::from_exp_string(&format!("{:e}", x));
        d.tie_to_even(
            |s| s.parse::<f32>().ok() == Some(x),
            || format!("{:.200e}", x),
        )
    }

    /// Rust breaks an exact tie between two shortest candidates upwards, Go
    /// (Ryu) to the even digit: when the value lies exactly halfway between
    /// our odd last digit and the one below, and that one also reads back
    /// as the same number, take it instead.
    fn tie_to_even(self, round_trips: impl Fn(&str) -> bool, exact: impl Fn() -> String) -> Digits {
        let Some(&last) = self.d.last() else {
            return self;
        };
        if (last - b'0').is_multiple_of(2) {
            return self;
        }
        let mut lower = self.d.clone();
        if let Some(l) = lower.last_mut() {
            *l -= 1;
        }
        let as_text = |digits: &[u8]| format!("0.{}e{}", String::from_utf8_lossy(digits), self.dp);
        if !round_trips(&as_text(&lower)) {
            return self;
        }
        // Exact expansion must be the lower digits followed by a single 5.
        let exact = Digits::from_exp_string(&exact());
        let mut halfway = lower.clone();
        halfway.push(b'5');
        if exact.dp == self.dp && exact.d == halfway {
            while lower.last() == Some(&b'0') {
                lower.pop();
            }
            return Digits {
                d: lower,
                dp: self.dp,
            };
        }
        self
    }

    /// `n` significant digits, correctly rounded (`n >= 1`).
    fn significant(x: f64, n: usize) -> Digits {
        Digits::from_exp_string(&format!("{:.*e}", n.saturating_sub(1), x.abs()))
    }

    fn digit(&self, i: i32) -> u8 {
        if i >= 0 && (i as usize) < self.d.len() {
            self.d[i as usize]
        } else {
            b'0'
        }
    }

    fn nd(&self) -> i32 {
        self.d.len() as i32
    }
}

/// `%e`: `d.ddddde±dd` with `prec` digits after the point.
fn fmt_e(out: &mut String, neg: bool, digs: &Digits, prec: i32, fmt: char) {
    if neg {
        out.push('-');
    }
    out.push(digs.digit(0) as char);
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(digs.digit(i) as char);
        }
    }
    out.push(fmt);
    let mut exp = digs.dp - 1;
    if digs.d.is_empty() {
        exp = 0;
    }
    if exp < 0 {
        out.push('-');
        exp = -exp;
    } else {
        out.push('+');
    }
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
}

/// `%f`: integer part, then `prec` digits after the point.
fn fmt_f(out: &mut String, neg: bool, digs: &Digits, prec: i32) {
    if neg {
        out.push('-');
    }
    if digs.dp > 0 {
        for i in 0..digs.dp {
            out.push(digs.digit(i) as char);
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(digs.digit(digs.dp + i - 1) as char);
        }
    }
}

/// Go's `strconv.FormatFloat(f, fmt, prec, 64)` for `fmt` in `'e'`, `'E'`,
/// `'f'`, `'g'`, `'G'`; `prec = -1` means the shortest representation that
/// reads back as the same value.
///
/// ```
/// use hoist_core::strconv::format_float;
/// assert_eq!(format_float(1e6, 'g', -1), "1e+06");
/// assert_eq!(format_float(0.1, 'f', -1), "0.1");
/// assert_eq!(format_float(2.5, 'e', 3), "2.500e+00");
/// ```
pub fn format_float(f: f64, fmt: char, prec: i32) -> String {
    format_float_bits(f, fmt, prec, 64)
}

/// Go's `strconv.FormatFloat(f, fmt, prec, bit_size)`: with `bit_size = 32`
/// the value is first rounded to `float32`, as Go does (sigs.k8s.io/yaml
/// formats float map keys this way).
pub fn format_float_bits(f: f64, fmt: char, prec: i32, bit_size: u32) -> String {
    let f = if bit_size == 32 { f as f32 as f64 } else { f };
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let neg = f.is_sign_negative();
    let shortest = prec < 0;
    let mut prec = prec;
    let digs = if shortest {
        if bit_size == 32 {
            Digits::shortest32(f as f32)
        } else {
            Digits::shortest64(f)
        }
    } else {
        let x = f;
        match fmt {
            'e' | 'E' => Digits::significant(x, (prec + 1) as usize),
            'f' => {
                // Rust's fixed formatting is exact and rounds ties to even, as Go does.
                return format!("{:.*}", prec as usize, x);
            }
            'g' | 'G' => {
                if prec == 0 {
                    prec = 1;
                }
                Digits::significant(x, prec as usize)
            }
            _ => Digits::shortest64(x),
        }
    };
    let mut out = String::new();
    if shortest {
        prec = match fmt {
            'e' | 'E' => (digs.nd() - 1).max(0),
            'f' => (digs.nd() - digs.dp).max(0),
            _ => digs.nd(),
        };
    }
    match fmt {
        'e' | 'E' => fmt_e(&mut out, neg, &digs, prec, fmt),
        'f' => fmt_f(&mut out, neg, &digs, prec),
        'g' | 'G' => {
            let mut eprec = prec;
            if eprec > digs.nd() && digs.nd() >= digs.dp {
                eprec = digs.nd();
            }
            if shortest {
                eprec = 6;
            }
            let exp = digs.dp - 1;
            let efmt = if fmt == 'g' { 'e' } else { 'E' };
            if digs.d.is_empty() {
                // Zero: Go formats it through %f as "0".
                fmt_f(&mut out, neg, &digs, 0);
            } else if exp < -4 || exp >= eprec {
                if prec > digs.nd() {
                    prec = digs.nd();
                }
                fmt_e(&mut out, neg, &digs, prec - 1, efmt);
            } else {
                if prec > digs.dp {
                    prec = digs.nd();
                }
                fmt_f(&mut out, neg, &digs, (prec - digs.dp).max(0));
            }
        }
        other => {
            out.push('%');
            out.push(other);
        }
    }
    out
}

/// Why [`atoi`] refused its input; displays as Go's `*strconv.NumError`
/// does (`strconv.Atoi: parsing "x": invalid syntax`), which Helm passes on
/// in its messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("strconv.Atoi: parsing {}: {reason}", quote(.input))]
pub struct AtoiError {
    /// The text that was given.
    pub input: String,
    /// What was wrong with it.
    pub reason: AtoiReason,
}

/// The two ways Go's `strconv.Atoi` fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AtoiReason {
    /// Empty, or not an optional sign followed by decimal digits.
    #[error("invalid syntax")]
    InvalidSyntax,
    /// Well formed but outside the `int64` range.
    #[error("value out of range")]
    OutOfRange,
}

/// Go's `strconv.Atoi` on a 64-bit platform: an optional `+`/`-` and
/// decimal digits, nothing else (no spaces, no `_`). As in Go, a number
/// that overflows before a bad character is reported as out of range.
///
/// ```
/// use hoist_core::strconv::atoi;
/// assert_eq!(atoi("+5"), Ok(5));
/// assert_eq!(atoi("5.0").unwrap_err().to_string(), r#"strconv.Atoi: parsing "5.0": invalid syntax"#);
/// ```
pub fn atoi(s: &str) -> Result<i64, AtoiError> {
    let fail = |reason| AtoiError {
        input: s.to_string(),
        reason,
    };
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return Err(fail(AtoiReason::InvalidSyntax));
    }
    let mut magnitude: u64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return Err(fail(AtoiReason::InvalidSyntax));
        }
        magnitude = magnitude
            .checked_mul(10)
            .and_then(|m| m.checked_add(u64::from(b - b'0')))
            .ok_or_else(|| fail(AtoiReason::OutOfRange))?;
    }
    if neg {
        0i64.checked_sub_unsigned(magnitude)
            .ok_or_else(|| fail(AtoiReason::OutOfRange))
    } else {
        i64::try_from(magnitude).map_err(|_| fail(AtoiReason::OutOfRange))
    }
}

/// Go's `strconv.Quote`: a double-quoted Go string literal, with `\a \b \f
/// \n \r \t \v \\ \"` escapes, `\xNN` for other ASCII control bytes and
/// `\uNNNN`/`\UNNNNNNNN` for non-printable runes (Go's `unicode.IsPrint`).
///
/// ```
/// use hoist_core::strconv::quote;
/// assert_eq!(quote("a\"b\n"), r#""a\"b\n""#);
/// assert_eq!(quote("é\u{7f}"), r#""é\x7f""#);
/// ```
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for r in s.chars() {
        push_escaped_rune(&mut out, r, '"');
    }
    out.push('"');
    out
}

/// Go's `strconv.QuoteRune` (used by `%q` on integers): single-quoted.
pub fn quote_rune(r: char) -> String {
    let mut out = String::from("'");
    push_escaped_rune(&mut out, r, '\'');
    out.push('\'');
    out
}

fn push_escaped_rune(out: &mut String, r: char, quote: char) {
    if r == quote || r == '\\' {
        out.push('\\');
        out.push(r);
        return;
    }
    if is_print(r) {
        out.push(r);
        return;
    }
    match r {
        '\u{07}' => out.push_str("\\a"),
        '\u{08}' => out.push_str("\\b"),
        '\u{0c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{0b}' => out.push_str("\\v"),
        _ => {
            let c = r as u32;
            if c < 0x20 || c == 0x7f {
                out.push_str(&format!("\\x{:02x}", c));
            } else if c < 0x10000 {
                out.push_str(&format!("\\u{:04x}", c));
            } else {
                out.push_str(&format!("\\U{:08x}", c));
            }
        }
    }
}

/// Go's `unicode.IsDigit`: decimal digits (category Nd).
pub fn is_digit(c: char) -> bool {
    c.is_ascii_digit()
        || (!c.is_ascii() && get_general_category(c) == GeneralCategory::DecimalNumber)
}

/// Go's `unicode.IsLetter`: categories Lu, Ll, Lt, Lm, Lo.
pub fn is_letter(c: char) -> bool {
    use GeneralCategory as G;
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    matches!(
        get_general_category(c),
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
    )
}

/// Go's `strconv.IsPrint`/`unicode.IsPrint`: letters, marks, numbers,
/// punctuation, symbols and the ASCII space.
pub fn is_print(r: char) -> bool {
    if r == ' ' {
        return true;
    }
    if (r as u32) < 0x20 || r == '\u{7f}' {
        return false;
    }
    use GeneralCategory as G;
    !matches!(
        get_general_category(r),
        G::Control
            | G::Format
            | G::PrivateUse
            | G::Surrogate
            | G::Unassigned
            | G::SpaceSeparator
            | G::LineSeparator
            | G::ParagraphSeparator
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected strings below follow the documented Go behaviour of
    // strconv.FormatFloat (%e/%f/%g rules, two-digit exponents, shortest
    // round-trip digits) and were cross-checked against Helm output where
    // the same numbers appear (toYamlPretty, toJson goldens).
    #[test]
    fn shortest_g() {
        assert_eq!(format_float(1e6, 'g', -1), "1e+06");
        assert_eq!(format_float(100000.0, 'g', -1), "100000");
        assert_eq!(format_float(123456789.0, 'g', -1), "1.23456789e+08");
        assert_eq!(format_float(0.0001, 'g', -1), "0.0001");
        assert_eq!(format_float(0.00001, 'g', -1), "1e-05");
        assert_eq!(format_float(1.5e-7, 'g', -1), "1.5e-07");
        assert_eq!(format_float(1e21, 'g', -1), "1e+21");
        assert_eq!(format_float(1.5e300, 'g', -1), "1.5e+300");
        assert_eq!(format_float(0.0, 'g', -1), "0");
        assert_eq!(format_float(-0.0, 'g', -1), "-0");
        assert_eq!(format_float(12.375, 'g', -1), "12.375");
        assert_eq!(
            format_float(12345678901234567890.0, 'g', -1),
            "1.2345678901234567e+19"
        );
        assert_eq!(format_float(f64::INFINITY, 'g', -1), "+Inf");
        assert_eq!(format_float(f64::NAN, 'g', -1), "NaN");
    }

    #[test]
    fn shortest_e_and_f() {
        assert_eq!(format_float(1e6, 'e', -1), "1e+06");
        assert_eq!(format_float(1234.5, 'e', -1), "1.2345e+03");
        assert_eq!(format_float(1e21, 'f', -1), "1000000000000000000000");
        assert_eq!(format_float(0.000001, 'f', -1), "0.000001");
        assert_eq!(format_float(-2.5, 'f', -1), "-2.5");
    }

    #[test]
    fn fixed_precision() {
        assert_eq!(format_float(2.5, 'e', 3), "2.500e+00");
        assert_eq!(format_float(12.375, 'f', 2), "12.38");
        assert_eq!(format_float(9.999, 'f', 2), "10.00");
        assert_eq!(format_float(0.001, 'f', 1), "0.0");
        assert_eq!(format_float(0.06, 'f', 1), "0.1");
        assert_eq!(format_float(1234.0, 'f', 0), "1234");
        assert_eq!(format_float(123456.0, 'g', 3), "1.23e+05");
        assert_eq!(format_float(1.0, 'g', 3), "1");
        assert_eq!(format_float(0.5, 'g', 0), "0.5");
        assert_eq!(format_float(1e-5, 'g', 2), "1e-05");
    }

    #[test]
    fn float32_keys() {
        assert_eq!(format_float_bits(0.1, 'g', -1, 32), "0.1");
        assert_eq!(format_float_bits(1e10, 'g', -1, 32), "1e+10");
        assert_eq!(format_float_bits(1.5, 'g', -1, 32), "1.5");
    }

    /// Go's `FormatFloat(f, 'g', -1, 32)`, which Chart.yaml numbers and
    /// manifest float keys go through.
    #[test]
    fn float32_shortest_g() {
        let g32 = |x: f64| format_float_bits(x, 'g', -1, 32);
        assert_eq!(g32(1.1), "1.1");
        assert_eq!(g32(3.0), "3");
        assert_eq!(g32(1e6), "1e+06");
        assert_eq!(g32(123456.0), "123456");
        assert_eq!(g32(0.00001), "1e-05");
        assert_eq!(g32(0.0001), "0.0001");
        assert_eq!(g32(-2.5e-7), "-2.5e-07");
        assert_eq!(g32(1.23456789), "1.2345679");
        assert_eq!(g32(0.25), "0.25");
        assert_eq!(g32(-1.5), "-1.5");
        assert_eq!(g32(123456.5), "123456.5");
        assert_eq!(g32(1234567.5), "1.2345675e+06");
    }

    #[test]
    fn atoi_like_go() {
        assert_eq!(atoi("+5"), Ok(5));
        assert_eq!(atoi("-5"), Ok(-5));
        assert_eq!(atoi("007"), Ok(7));
        assert_eq!(atoi("-9223372036854775808"), Ok(i64::MIN));
        for bad in [" 5", "5.0", "1_0", "-", "", "0x10"] {
            let e = atoi(bad).unwrap_err();
            assert_eq!(e.reason, AtoiReason::InvalidSyntax, "{bad:?}");
        }
        let e = atoi("9223372036854775808").unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"strconv.Atoi: parsing "9223372036854775808": value out of range"#
        );
        // Go stops at the overflow before it reaches the bad character.
        let e = atoi("99999999999999999999x").unwrap_err();
        assert_eq!(e.reason, AtoiReason::OutOfRange);
        assert_eq!(
            atoi("a").unwrap_err().to_string(),
            r#"strconv.Atoi: parsing "a": invalid syntax"#
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quote("\t\n\r\u{7}\u{8}\u{c}\u{b}"), r#""\t\n\r\a\b\f\v""#);
        assert_eq!(quote("\u{1}\u{7f}"), r#""\x01\x7f""#);
        assert_eq!(quote("\u{a0}\u{2028}\u{feff}"), r#""\u00a0\u2028\ufeff""#);
        assert_eq!(quote("日本 😀"), "\"日本 😀\"");
        assert_eq!(quote("\u{e000}"), r#""\ue000""#);
        assert_eq!(quote_rune('\''), r"'\''");
    }
}
