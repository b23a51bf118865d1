//! go-yaml's implicit typing of plain scalars (YAML 1.1 flavoured), used
//! both to read scalars and to decide when the emitter must quote a string.

use std::sync::OnceLock;

use regex::Regex;

/// What a scalar resolves to, mirroring the Go types go-yaml produces.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// `~`, `null`, empty...
    Null,
    /// `true`, `yes`, `on`... (YAML 1.1 spellings in v2)
    Bool(bool),
    /// Go `int`/`int64`.
    Int(i64),
    /// Go `uint64` (only above `i64::MAX`).
    Uint(u64),
    /// Go `float64`.
    Float(f64),
    /// A timestamp; decoding into `interface{}` keeps the original text.
    Timestamp,
    /// The `<<` merge key.
    Merge,
    /// Anything else: a string.
    Str,
}

impl Resolved {
    /// The short tag go-yaml uses for this kind (`!!int`...), for error messages.
    pub fn short_tag(&self) -> &'static str {
        match self {
            Resolved::Null => "!!null",
            Resolved::Bool(_) => "!!bool",
            Resolved::Int(_) | Resolved::Uint(_) => "!!int",
            Resolved::Float(_) => "!!float",
            Resolved::Timestamp => "!!timestamp",
            Resolved::Merge => "!!merge",
            Resolved::Str => "!!str",
        }
    }
}

/// Which go-yaml major version's resolution table to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// go-yaml v2 (sigs.k8s.io/yaml, `toYaml`): YAML 1.1 booleans.
    V2,
    /// go-yaml v3 (`toYamlPretty`): only `true`/`false` booleans.
    V3,
}

fn yaml_style_float() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$").expect("static regex")
    })
}

fn base60_float() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$").expect("static regex")
    })
}

/// go-yaml's `isBase60Float`: `1:20`-style numbers, which it quotes on output.
pub fn is_base60_float(s: &str) -> bool {
    let Some(c) = s.bytes().next() else {
        return false;
    };
    if !(c == b'+' || c == b'-' || c.is_ascii_digit()) || !s.contains(':') {
        return false;
    }
    base60_float().is_match(s)
}

/// yaml.v3's `isOldBool`: YAML 1.1 booleans that v3 no longer resolves but still quotes.
pub fn is_old_bool(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "off"
            | "Off"
            | "OFF"
    )
}

fn in_map(s: &str, flavor: Flavor) -> Option<Resolved> {
    let r = match s {
        "true" | "True" | "TRUE" => Resolved::Bool(true),
        "false" | "False" | "FALSE" => Resolved::Bool(false),
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" if flavor == Flavor::V2 => {
            Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" if flavor == Flavor::V2 => {
            Resolved::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        "<<" => Resolved::Merge,
        _ => return None,
    };
    Some(r)
}

/// Resolves a plain, untagged scalar the way go-yaml's `resolve("", s)` does.
pub fn resolve_plain(s: &str, flavor: Flavor) -> Resolved {
    let Some(&first) = s.as_bytes().first() else {
        return Resolved::Null;
    };
    // go-yaml only looks further at scalars whose first byte is in its hint table.
    let hint = match first {
        b'+' | b'-' => 'S',
        b'0'..=b'9' => 'D',
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => 'M',
        b'.' => '.',
        _ => return Resolved::Str,
    };
    if let Some(r) = in_map(s, flavor) {
        return r;
    }
    match hint {
        '.' => {
            if let Some(f) = parse_go_float(s) {
                return Resolved::Float(f);
            }
        }
        'D' | 'S' => {
            if is_timestamp(s) {
                return Resolved::Timestamp;
            }
            let plain = s.replace('_', "");
            if let Some(i) = parse_go_int(&plain) {
                return Resolved::Int(i);
            }
            if let Some(u) = parse_go_uint(&plain) {
                return Resolved::Uint(u);
            }
            // go-yaml also retries `0b`/`0o` prefixes by hand for old Go
            // versions; Go's base-0 ParseInt above already accepts them.
            if let Some(f) = Some(plain.as_str())
                .filter(|p| yaml_style_float().is_match(p))
                .and_then(parse_go_float)
            {
                return Resolved::Float(f);
            }
        }
        _ => {}
    }
    Resolved::Str
}

/// Go's `strconv.ParseUint(s, 0, 64)` on text without underscores.
pub fn parse_go_uint(s: &str) -> Option<u64> {
    let (radix, digits) = split_base_prefix(s)?;
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// Go's `strconv.ParseInt(s, 0, 64)` on text without underscores.
pub fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let u = parse_go_uint(rest)?;
    if neg {
        if u <= 1u64 << 63 {
            Some((u as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(u).ok()
    }
}

/// Splits Go's base prefix (`0x`, `0o`, `0b`, leading `0`) off unsigned digits.
fn split_base_prefix(s: &str) -> Option<(u32, &str)> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    if b[0] == b'0' && b.len() > 1 {
        return Some(match b[1] {
            b'x' | b'X' => (16, &s[2..]),
            b'o' | b'O' => (8, &s[2..]),
            b'b' | b'B' => (2, &s[2..]),
            _ => (8, &s[1..]),
        });
    }
    Some((10, s))
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal text; `None` on syntax or
/// range errors (Go reports overflow as an error, so `1e400` stays a string).
pub fn parse_go_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty()
        || !body
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    if f.is_infinite() {
        return None;
    }
    Some(f)
}

/// go-yaml's `parseTimestamp`: `2006-1-2`, optionally followed by a time in
/// one of the layouts it accepts (`T`/`t` with a zone, or a space without).
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let mut p = Cursor { b, i: 5 };
    let year: i32 = s[..4].parse().unwrap_or(0);
    let Some(month) = p.num12() else {
        return false;
    };
    if !p.eat(b'-') {
        return false;
    }
    let Some(day) = p.num12() else {
        return false;
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
        return false;
    }
    if p.i == b.len() {
        return true;
    }
    let sep = b[p.i];
    p.i += 1;
    let zoned = match sep {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    let (Some(h), true, Some(m), true, Some(sec)) =
        (p.num12(), p.eat(b':'), p.num12(), p.eat(b':'), p.num12())
    else {
        return false;
    };
    if h > 23 || m > 59 || sec > 59 {
        return false;
    }
    if p.i + 1 < b.len() && b[p.i] == b'.' && b[p.i + 1].is_ascii_digit() {
        p.i += 1;
        while p.i < b.len() && b[p.i].is_ascii_digit() {
            p.i += 1;
        }
    }
    if !zoned {
        return p.i == b.len();
    }
    match b.get(p.i) {
        Some(b'Z') => p.i + 1 == b.len(),
        Some(b'+' | b'-') => {
            p.i += 1;
            let rest = &b[p.i..];
            rest.len() == 5
                && rest[0].is_ascii_digit()
                && rest[1].is_ascii_digit()
                && rest[2] == b':'
                && rest[3].is_ascii_digit()
                && rest[4].is_ascii_digit()
        }
        _ => false,
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    /// One or two digits, as Go's non-fixed layout fields read them.
    fn num12(&mut self) -> Option<u32> {
        let d0 = *self.b.get(self.i)?;
        if !d0.is_ascii_digit() {
            return None;
        }
        self.i += 1;
        let mut n = (d0 - b'0') as u32;
        if let Some(d1) = self.b.get(self.i).filter(|d| d.is_ascii_digit()) {
            n = n * 10 + (d1 - b'0') as u32;
            self.i += 1;
        }
        Some(n)
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
}

fn days_in(month: u32, year: i32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Resolved::*;

    // Expectations come from go-yaml v2's resolve table as observed through
    // Helm (values.yaml and fromYaml goldens in testdata/).
    #[test]
    fn yaml11_scalars() {
        for s in [
            "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True",
        ] {
            assert_eq!(resolve_plain(s, Flavor::V2), Bool(true), "{s}");
        }
        for s in ["n", "no", "OFF", "false", "FALSE"] {
            assert_eq!(resolve_plain(s, Flavor::V2), Bool(false), "{s}");
        }
        for s in [
            "tRUE", "yEs", "oN", "nO", "1e", "1.2.3", "_1", "0x", "1e400", "=",
        ] {
            assert_eq!(resolve_plain(s, Flavor::V2), Str, "{s}");
        }
        assert_eq!(resolve_plain("yes", Flavor::V3), Str);
        assert_eq!(resolve_plain("~", Flavor::V2), Null);
        assert_eq!(resolve_plain("", Flavor::V2), Null);
    }

    #[test]
    fn numbers() {
        assert_eq!(resolve_plain("0x1F", Flavor::V2), Int(31));
        assert_eq!(resolve_plain("0755", Flavor::V2), Int(493));
        assert_eq!(resolve_plain("0o17", Flavor::V2), Int(15));
        assert_eq!(resolve_plain("-0b101", Flavor::V2), Int(-5));
        assert_eq!(resolve_plain("1__0", Flavor::V2), Int(10));
        assert_eq!(resolve_plain("1_", Flavor::V2), Int(1));
        assert_eq!(resolve_plain("08", Flavor::V2), Float(8.0));
        assert_eq!(resolve_plain("5.", Flavor::V2), Float(5.0));
        assert_eq!(resolve_plain(".5", Flavor::V2), Float(0.5));
        assert_eq!(resolve_plain("+12", Flavor::V2), Int(12));
        assert_eq!(
            resolve_plain("9223372036854775808", Flavor::V2),
            Uint(9223372036854775808)
        );
        assert_eq!(
            resolve_plain("99999999999999999999999", Flavor::V2),
            Float(1e23)
        );
        assert_eq!(resolve_plain("<<", Flavor::V2), Str);
    }

    #[test]
    fn timestamps_and_base60() {
        assert!(is_timestamp("2024-01-02"));
        assert!(is_timestamp("2024-01-02T03:04:05Z"));
        assert!(is_timestamp("2001-12-14 21:59:43.10"));
        assert!(is_timestamp("2024-01-02t03:04:05.5+02:00"));
        assert!(!is_timestamp("2024-1-2x"));
        assert!(!is_timestamp("2001-12-14 21:59:43.10 -5"));
        assert!(!is_timestamp("2023-02-30"));
        assert!(is_base60_float("190:20:30"));
        assert!(is_base60_float("1:2"));
        assert!(!is_base60_float("a:1"));
    }
}
