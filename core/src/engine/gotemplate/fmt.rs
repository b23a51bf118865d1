//! Go's `fmt` printing (`%v` and the `printf` verbs) for runtime values.
//!
//! The number and string conversions underneath (`FormatFloat`, `Quote`,
//! `QuoteRune`) are [`crate::strconv`]'s; this module only does the verb,
//! flag, width and operand-type machinery of `fmt`.

use super::value::Value;
use crate::strconv::format_float;
/// Go's `strconv.Quote`, re-exported for the engine's error messages.
pub use crate::strconv::quote;

/// Go's `strconv.QuoteRune` of an integer operand (`%q` on an int): values
/// that are not Unicode scalar values print as U+FFFD, as Go's do.
fn quote_rune(r: i64) -> String {
    let c = u32::try_from(r)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{fffd}');
    crate::strconv::quote_rune(c)
}

/// `%+q`: Go's `QuoteToASCII` / `QuoteRuneToASCII`. A quoted literal from
/// [`quote`] holds non-ASCII runes only where they are printable; the ASCII
/// variants escape exactly those as `\uXXXX` / `\UXXXXXXXX`.
fn to_ascii(quoted: &str) -> String {
    let mut out = String::with_capacity(quoted.len());
    for c in quoted.chars() {
        match c as u32 {
            0..0x80 => out.push(c),
            n @ 0x80..0x10000 => out.push_str(&format!("\\u{n:04x}")),
            n => out.push_str(&format!("\\U{n:08x}")),
        }
    }
    out
}

/// Go's `strconv.CanBackquote`, which decides whether `%#q` may use a raw
/// string: no control characters but tab, no backquote, no BOM.
fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| !matches!(c, '`' | '\u{7f}' | '\u{feff}') && (c >= ' ' || c == '\t'))
}

/// `%v` of a value, as `fmt.Sprint` prints a single operand.
pub fn format_v(v: &Value) -> String {
    let mut out = String::new();
    let spec = Spec::default();
    print_value(&mut out, v, 'v', &spec, true);
    out
}

/// Go's `fmt.Sprint`: operands printed with `%v`, a space between two
/// operands when neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            let prev_str = matches!(args[i - 1], Value::Str(_));
            let this_str = matches!(a, Value::Str(_));
            if !prev_str && !this_str {
                out.push(' ');
            }
        }
        out.push_str(&format_v(a));
        if out.len() > super::limits::MAX_STRING {
            // The executor refuses the oversized result.
            break;
        }
    }
    out
}

/// Go's `fmt.Sprintln`: operands separated by spaces, then a newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut parts: Vec<String> = Vec::with_capacity(args.len());
    let mut total = 0;
    for a in args {
        let p = format_v(a);
        total += p.len() + 1;
        parts.push(p);
        if total > super::limits::MAX_STRING {
            // The executor refuses the oversized result.
            break;
        }
    }
    let mut s = parts.join(" ");
    s.push('\n');
    s
}

#[derive(Default, Clone)]
struct Spec {
    minus: bool,
    plus: bool,
    /// `%+v`: struct printing with field names.
    plus_v: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

impl Spec {
    fn pad(&self, s: &str, out: &mut String) {
        let n = s.chars().count();
        let w = self.width.unwrap_or(0);
        if n >= w {
            out.push_str(s);
            return;
        }
        let fill = w - n;
        if self.minus {
            out.push_str(s);
            out.extend(std::iter::repeat_n(' ', fill));
        } else if self.zero {
            // Zeros go after the sign.
            let (sign, rest) = match s.as_bytes().first() {
                Some(b'-') | Some(b'+') | Some(b' ') => s.split_at(1),
                _ => ("", s),
            };
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', fill));
            out.push_str(rest);
        } else {
            out.extend(std::iter::repeat_n(' ', fill));
            out.push_str(s);
        }
    }
}

fn bad_verb(out: &mut String, verb: char, v: &Value) {
    out.push_str("%!");
    out.push(verb);
    out.push('(');
    if v.is_nil() {
        out.push_str("<nil>");
    } else {
        out.push_str(&v.type_name());
        out.push('=');
        out.push_str(&format_v(v));
    }
    out.push(')');
}

fn fmt_int(out: &mut String, i: i64, verb: char, spec: &Spec, v: &Value) {
    let neg = i < 0;
    let a = i.unsigned_abs();
    let body = match verb {
        'v' | 'd' => a.to_string(),
        'b' => format!("{a:b}"),
        'o' => {
            if spec.sharp {
                format!("0{a:o}")
            } else {
                format!("{a:o}")
            }
        }
        'O' => format!("0o{a:o}"),
        'x' => {
            if spec.sharp {
                format!("0x{a:x}")
            } else {
                format!("{a:x}")
            }
        }
        'X' => {
            if spec.sharp {
                format!("0X{a:X}")
            } else {
                format!("{a:X}")
            }
        }
        'c' => {
            let c = u32::try_from(i)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{fffd}');
            spec.pad(&c.to_string(), out);
            return;
        }
        'q' => {
            let q = quote_rune(i);
            spec.pad(&if spec.plus { to_ascii(&q) } else { q }, out);
            return;
        }
        'U' => {
            let s = format!("U+{a:04X}");
            spec.pad(&s, out);
            return;
        }
        _ => {
            bad_verb(out, verb, v);
            return;
        }
    };
    let mut body = body;
    if let Some(p) = spec.prec {
        while body.len() < p {
            body.insert(0, '0');
        }
        if p == 0 && i == 0 {
            body.clear();
        }
    }
    let sign = if neg {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let s = format!("{sign}{body}");
    let mut sp = spec.clone();
    if spec.prec.is_some() {
        sp.zero = false;
    }
    sp.pad(&s, out);
}

fn fmt_float(out: &mut String, f: f64, verb: char, spec: &Spec, v: &Value) {
    let (fc, default_prec) = match verb {
        'v' => ('g', -1),
        'g' | 'G' => (verb, -1),
        'e' | 'E' | 'f' | 'F' => (verb, 6),
        _ => {
            bad_verb(out, verb, v);
            return;
        }
    };
    let prec = spec.prec.map(|p| p as i32).unwrap_or(default_prec);
    let mut s = format_float(f, if fc == 'F' { 'f' } else { fc }, prec);
    if spec.sharp && !s.contains('.') && !f.is_nan() && !f.is_infinite() {
        // Go's %#g keeps a decimal point; the common case is an integral value.
        if let Some(pos) = s.find(['e', 'E']) {
            s.insert(pos, '.');
        } else {
            s.push('.');
        }
    }
    if f.is_infinite() && f > 0.0 && !spec.plus {
        s = "+Inf".into();
    } else if !s.starts_with('-') && !s.starts_with('+') {
        if spec.plus {
            s.insert(0, '+');
        } else if spec.space {
            s.insert(0, ' ');
        }
    }
    let mut sp = spec.clone();
    if f.is_nan() || f.is_infinite() {
        sp.zero = false;
    }
    sp.pad(&s, out);
}

fn fmt_str(out: &mut String, s: &str, verb: char, spec: &Spec, v: &Value) {
    match verb {
        'v' | 's' => {
            let t: String = match spec.prec {
                Some(p) => s.chars().take(p).collect(),
                None => s.to_string(),
            };
            spec.pad(&t, out);
        }
        'q' => {
            let t: String = match spec.prec {
                Some(p) => s.chars().take(p).collect(),
                None => s.to_string(),
            };
            let q = if spec.sharp && can_backquote(&t) {
                format!("`{t}`")
            } else if spec.plus {
                to_ascii(&quote(&t))
            } else {
                quote(&t)
            };
            spec.pad(&q, out);
        }
        'x' | 'X' => {
            let mut h = String::new();
            for (i, b) in s.bytes().enumerate() {
                if spec.space && i > 0 {
                    h.push(' ');
                }
                if verb == 'x' {
                    h.push_str(&format!("{b:02x}"));
                } else {
                    h.push_str(&format!("{b:02X}"));
                }
            }
            spec.pad(&h, out);
        }
        _ => bad_verb(out, verb, v),
    }
}

fn print_value(out: &mut String, v: &Value, verb: char, spec: &Spec, top: bool) {
    // Go recurses into a map that contains itself until its stack overflows;
    // stop and let the executor report it.
    let Some(_level) = super::limits::enter() else {
        return;
    };
    if out.len() > super::limits::MAX_STRING {
        return;
    }
    match v {
        Value::Invalid | Value::Nil => {
            if !top || matches!(verb, 'v') {
                spec.pad("<nil>", out);
            } else {
                bad_verb(out, verb, v);
            }
        }
        Value::Bool(b) => match verb {
            'v' | 't' => spec.pad(if *b { "true" } else { "false" }, out),
            _ => bad_verb(out, verb, v),
        },
        Value::Int(i) | Value::Int64(i) => fmt_int(out, *i, verb, spec, v),
        Value::Float(f) => fmt_float(out, *f, verb, spec, v),
        Value::Str(s) => fmt_str(out, s, verb, spec, v),
        Value::Bytes(b) => match verb {
            's' | 'q' | 'x' | 'X' => fmt_str(out, &String::from_utf8_lossy(b), verb, spec, v),
            _ => {
                out.push('[');
                for (i, x) in b.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    fmt_int(out, i64::from(*x), verb, spec, v);
                }
                out.push(']');
            }
        },
        Value::List(l) => {
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                print_value(out, x, verb, spec, false);
            }
            out.push(']');
        }
        Value::StrList(l) => {
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                fmt_str(out, x, verb, spec, &Value::Str(x.clone()));
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push_str("map[");
            for (i, (k, x)) in m.borrow().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                fmt_str(out, k, verb, spec, &Value::Str(k.clone()));
                out.push(':');
                print_value(out, x, verb, spec, false);
            }
            out.push(']');
        }
        Value::Object(o) => match verb {
            'v' if spec.plus_v => spec.pad(&o.display_plus(), out),
            'v' | 's' => spec.pad(&o.display(), out),
            _ => bad_verb(out, verb, v),
        },
    }
}

/// Go's `fmt` refuses widths and precisions beyond a million: a longer
/// number is taken as garbage, not as a request for gigabytes of padding.
fn too_large(n: i64) -> bool {
    !(-1_000_000..=1_000_000).contains(&n)
}

/// Reads a width or precision at `start` like Go's `parsenum`: the number (if
/// any digits) and the index after it. A number that grows too large ends the
/// whole format (the index becomes the end), so the verb is then missing.
fn parse_num(chars: &[char], start: usize) -> (Option<usize>, usize) {
    let mut num: i64 = 0;
    let mut i = start;
    while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
        if too_large(num) {
            return (None, chars.len());
        }
        num = num * 10 + i64::from(d);
        i += 1;
    }
    ((i > start).then_some(num as usize), i)
}

/// Go's `fmt.Sprintf`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let chars: Vec<char> = format.chars().collect();
    let mut i = 0;
    let mut argn = 0;
    while i < chars.len() {
        if out.len() > super::limits::MAX_STRING {
            // The executor refuses the oversized result.
            break;
        }
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        let mut spec = Spec::default();
        while i < chars.len() {
            match chars[i] {
                '-' => {
                    spec.minus = true;
                    spec.zero = false;
                }
                '+' => spec.plus = true,
                '#' => spec.sharp = true,
                ' ' => spec.space = true,
                '0' => spec.zero = !spec.minus,
                _ => break,
            }
            i += 1;
        }
        // Width.
        if i < chars.len() && chars[i] == '*' {
            i += 1;
            match args
                .get(argn)
                .and_then(Value::as_int)
                .filter(|w| !too_large(*w))
            {
                Some(w) => {
                    if w < 0 {
                        spec.minus = true;
                        spec.zero = false;
                    }
                    spec.width = Some(w.unsigned_abs() as usize);
                }
                None => out.push_str("%!(BADWIDTH)"),
            }
            argn += 1;
        } else {
            let (width, next) = parse_num(&chars, i);
            spec.width = width;
            i = next;
        }
        // Precision.
        if i < chars.len() && chars[i] == '.' {
            i += 1;
            if i < chars.len() && chars[i] == '*' {
                i += 1;
                match args.get(argn).and_then(Value::as_int) {
                    Some(p) if p >= 0 && !too_large(p) => spec.prec = Some(p as usize),
                    _ => out.push_str("%!(BADPREC)"),
                }
                argn += 1;
            } else {
                let (prec, next) = parse_num(&chars, i);
                spec.prec = Some(prec.unwrap_or(0));
                i = next;
            }
        }
        if i >= chars.len() {
            out.push_str("%!(NOVERB)");
            break;
        }
        let verb = chars[i];
        i += 1;
        if verb == 'v' {
            // `%+v` and `%#v` select struct/Go-syntax forms, not signs.
            spec.plus_v = spec.plus;
            spec.plus = false;
            spec.sharp = false;
        }
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(argn) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        argn += 1;
        match verb {
            'T' => spec.pad(&arg.type_name(), &mut out),
            _ => print_value(&mut out, arg, verb, &spec, true),
        }
    }
    if argn < args.len() {
        out.push_str("%!(EXTRA ");
        let extra: Vec<String> = args[argn..]
            .iter()
            .map(|a| {
                if a.is_nil() {
                    "<nil>".to_string()
                } else {
                    format!("{}={}", a.type_name(), format_v(a))
                }
            })
            .collect();
        out.push_str(&extra.join(", "));
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Found by `fuzz/` (gotemplate_exec): a 14-digit width made the padding
    /// ask for 55 TB and aborted the process. Go's `parsenum` gives up past a
    /// million and the rest of the format is then verb-less.
    #[test]
    fn huge_width_or_precision_is_refused_like_go() {
        let five = [Value::Int(5)];
        assert!(sprintf("%55555555555555d", &five).starts_with("%!(NOVERB)"));
        assert!(sprintf("%.55555555555555d", &five).starts_with("%!(NOVERB)"));
        assert_eq!(sprintf("%3d", &five), "  5");
        assert_eq!(
            sprintf("%*d", &[Value::Int(55_555_555_555), Value::Int(5)]),
            "%!(BADWIDTH)5"
        );
    }

    #[test]
    fn floats_print_like_go_v() {
        assert_eq!(format_v(&Value::Float(1_000_000.0)), "1e+06");
        assert_eq!(format_v(&Value::Float(100_000.0)), "100000");
        assert_eq!(format_v(&Value::Float(1.5)), "1.5");
        assert_eq!(format_v(&Value::Float(3.0)), "3");
        assert_eq!(format_v(&Value::Float(0.0001)), "0.0001");
        assert_eq!(format_v(&Value::Float(0.00001)), "1e-05");
        assert_eq!(format_v(&Value::Float(1234567.0)), "1.234567e+06");
        assert_eq!(format_v(&Value::Float(-2.5)), "-2.5");
        assert_eq!(format_v(&Value::Float(0.0)), "0");
    }

    #[test]
    fn float_verbs() {
        assert_eq!(sprintf("%.2f", &[Value::Float(1.23456)]), "1.23");
        assert_eq!(sprintf("%f", &[Value::Float(1.5)]), "1.500000");
        assert_eq!(sprintf("%e", &[Value::Float(1234.5678)]), "1.234568e+03");
        assert_eq!(sprintf("%g", &[Value::Float(1e21)]), "1e+21");
        assert_eq!(sprintf("%.3g", &[Value::Float(1234.5)]), "1.23e+03");
        assert_eq!(sprintf("%8.3f|", &[Value::Float(-1.0)]), "  -1.000|");
    }

    #[test]
    fn int_and_string_verbs() {
        assert_eq!(sprintf("%d", &[Value::Int(42)]), "42");
        assert_eq!(sprintf("%05d", &[Value::Int(-42)]), "-0042");
        assert_eq!(
            sprintf(
                "%x %X %o %b",
                &[
                    Value::Int(255),
                    Value::Int(255),
                    Value::Int(8),
                    Value::Int(5)
                ]
            ),
            "ff FF 10 101"
        );
        assert_eq!(sprintf("%c", &[Value::Int(65)]), "A");
        assert_eq!(sprintf("%q", &[Value::str("a\"b\n")]), "\"a\\\"b\\n\"");
        assert_eq!(
            sprintf("%-5s|%5s", &[Value::str("ab"), Value::str("cd")]),
            "ab   |   cd"
        );
        assert_eq!(sprintf("%.1s", &[Value::str("xyz")]), "x");
        assert_eq!(
            sprintf("%t %v", &[Value::Bool(true), Value::Bool(false)]),
            "true false"
        );
        assert_eq!(sprintf("100%%", &[]), "100%");
        assert_eq!(sprintf("%x", &[Value::str("hi")]), "6869");
    }

    #[test]
    fn quote_flags_ascii_and_backquote() {
        assert_eq!(
            sprintf("%+q", &[Value::str("é😀")]),
            "\"\\u00e9\\U0001f600\""
        );
        assert_eq!(sprintf("%+q", &[Value::Int(955)]), "'\\u03bb'");
        assert_eq!(sprintf("%#q", &[Value::str("a\"b")]), "`a\"b`");
        assert_eq!(sprintf("%#q", &[Value::str("a`b")]), "\"a`b\"");
        assert_eq!(sprintf("%#q", &[Value::str("a\nb")]), "\"a\\nb\"");
        // Non-printable runes are escaped whatever the flags (Go's IsPrint).
        assert_eq!(sprintf("%q", &[Value::str("a\u{ad}b")]), "\"a\\u00adb\"");
    }

    #[test]
    fn bad_verbs_missing_and_extra() {
        assert_eq!(sprintf("%d", &[Value::str("x")]), "%!d(string=x)");
        assert_eq!(sprintf("%d", &[Value::Float(1.5)]), "%!d(float64=1.5)");
        assert_eq!(sprintf("%s", &[Value::Int(3)]), "%!s(int=3)");
        assert_eq!(sprintf("%d %d", &[Value::Int(1)]), "1 %!d(MISSING)");
        assert_eq!(
            sprintf("%d", &[Value::Int(1), Value::str("a")]),
            "1%!(EXTRA string=a)"
        );
        assert_eq!(sprintf("%d", &[Value::Nil]), "%!d(<nil>)");
        assert_eq!(
            sprintf("%+v %+d", &[Value::Float(1.0), Value::Int(2)]),
            "1 +2"
        );
        assert_eq!(sprintf("%v", &[Value::Nil]), "<nil>");
    }

    #[test]
    fn composites_print_like_go() {
        let mut m = BTreeMap::new();
        m.insert("b".to_string(), Value::Float(2.0));
        m.insert(
            "a".to_string(),
            Value::list(vec![Value::str("x"), Value::Nil]),
        );
        assert_eq!(format_v(&Value::map(m)), "map[a:[x <nil>] b:2]");
        assert_eq!(
            sprintf("%d", &[Value::list(vec![Value::Int(1), Value::Int(2)])]),
            "[1 2]"
        );
    }

    #[test]
    fn sprint_spacing() {
        assert_eq!(
            sprint(&[
                Value::str("a"),
                Value::Int(1),
                Value::Int(2),
                Value::str("b")
            ]),
            "a1 2b"
        );
        assert_eq!(sprintln(&[Value::str("a"), Value::Int(1)]), "a 1\n");
    }
}
