//! A small YAML writer that reproduces the layout of go-yaml v2 as driven by
//! `sigs.k8s.io/yaml` (what ChartMuseum and `helm repo index` use for
//! index.yaml): two-space indent, sequences inside mappings not indented,
//! map keys in go-yaml's "natural" order, strings quoted only when they would
//! otherwise read back as another type, long scalars folded past column 80.
//!
//! It covers the node kinds an index holds (strings, booleans, raw numbers,
//! sequences, mappings); it is not a general YAML library.

use std::cmp::Ordering;

/// go-yaml's preferred line width: scalars are folded at a space once past it.
const BEST_WIDTH: usize = 80;
/// go-yaml's indentation step.
const INDENT: usize = 2;

/// A YAML node as the index needs it.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A string scalar (quoted as go-yaml would).
    Str(String),
    /// A boolean.
    Bool(bool),
    /// A scalar written verbatim (numbers, `null`).
    Raw(String),
    /// A block sequence.
    Seq(Vec<Node>),
    /// A block mapping; written in go-yaml key order whatever the order here.
    Map(Vec<(String, Node)>),
}

/// go-yaml v2's ordering of string map keys (`keyList.Less`): runs of digits
/// compare as numbers, and letters sort after other characters unless they
/// follow a digit.
pub fn key_cmp(a: &str, b: &str) -> Ordering {
    if key_less(a, b) {
        Ordering::Less
    } else if key_less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

fn key_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut digits = false;
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            digits = ar[i].is_numeric();
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return if digits { al } else { bl };
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                if ar[j - 1] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
                j -= 1;
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an
                .wrapping_mul(10)
                .wrapping_add(i64::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(i64::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// Writes YAML text, tracking the column so folding matches go-yaml.
#[derive(Default)]
pub struct Writer {
    out: String,
    column: usize,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The text written so far.
    pub fn finish(self) -> String {
        self.out
    }

    fn put(&mut self, s: &str) {
        for c in s.chars() {
            if c == '\n' {
                self.column = 0;
            } else {
                self.column += 1;
            }
        }
        self.out.push_str(s);
    }

    fn newline_indent(&mut self, indent: usize) {
        self.put("\n");
        self.put(&" ".repeat(indent));
    }

    /// Writes `key: value` pairs of a mapping whose keys start at `indent`
    /// (the caller has already positioned the cursor for the first key).
    pub fn mapping(&mut self, entries: &[(String, Node)], indent: usize) {
        let mut sorted: Vec<&(String, Node)> = entries.iter().collect();
        sorted.sort_by(|a, b| key_cmp(&a.0, &b.0));
        for (n, (key, value)) in sorted.into_iter().enumerate() {
            if n > 0 {
                self.put(&" ".repeat(indent));
            }
            self.key_value(key, value, indent);
        }
    }

    /// Writes one `key: value` line (and the value's nested lines) at the
    /// cursor, ending with a newline.
    pub fn key_value(&mut self, key: &str, value: &Node, indent: usize) {
        self.scalar(key, indent + INDENT, true);
        self.put(":");
        match value {
            Node::Map(m) if !m.is_empty() => {
                self.newline_indent(indent + INDENT);
                self.mapping(m, indent + INDENT);
            }
            Node::Seq(s) if !s.is_empty() => {
                // Sequences inside mappings are "indentless" in go-yaml.
                self.newline_indent(indent);
                self.sequence(s, indent);
            }
            other => {
                self.put(" ");
                self.inline(other, indent + INDENT);
                self.put("\n");
            }
        }
    }

    /// Writes the items of a block sequence whose dashes sit at `indent`.
    pub fn sequence(&mut self, items: &[Node], indent: usize) {
        for (n, item) in items.iter().enumerate() {
            if n > 0 {
                self.put(&" ".repeat(indent));
            }
            self.put("- ");
            match item {
                Node::Map(m) if !m.is_empty() => self.mapping(m, indent + INDENT),
                Node::Seq(s) if !s.is_empty() => self.sequence(s, indent + INDENT),
                other => {
                    self.inline(other, indent + INDENT);
                    self.put("\n");
                }
            }
        }
    }

    fn inline(&mut self, node: &Node, indent: usize) {
        match node {
            Node::Str(s) => self.scalar(s, indent, false),
            Node::Bool(b) => self.put(if *b { "true" } else { "false" }),
            Node::Raw(r) => self.put(r),
            Node::Map(_) => self.put("{}"),
            Node::Seq(_) => self.put("[]"),
        }
    }

    /// Writes a string scalar in the style go-yaml picks for it.
    fn scalar(&mut self, s: &str, indent: usize, simple_key: bool) {
        let a = analyze(s);
        let wants_plain = !resolves_to_non_string(s) && !is_base60_float(s);
        let literal = s.contains('\n');
        let style = if literal {
            if !a.block_allowed || simple_key {
                Style::Double
            } else {
                Style::Literal
            }
        } else if wants_plain {
            if !a.block_plain_allowed || (s.is_empty() && simple_key) {
                if a.single_allowed {
                    Style::Single
                } else {
                    Style::Double
                }
            } else {
                Style::Plain
            }
        } else {
            Style::Double
        };
        let allow_breaks = !simple_key;
        match style {
            Style::Plain => self.write_folded(s, indent, allow_breaks, false),
            Style::Single => {
                self.put("'");
                self.write_folded(s, indent, allow_breaks, true);
                self.put("'");
            }
            Style::Double => self.write_double(s, indent, allow_breaks),
            Style::Literal => self.write_literal(s, indent),
        }
    }

    fn write_folded(&mut self, s: &str, indent: usize, allow_breaks: bool, single: bool) {
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                let inner = !single || (i != 0 && i + 1 != chars.len());
                if allow_breaks && !spaces && self.column > BEST_WIDTH && inner && !next_space {
                    self.newline_indent(indent);
                } else {
                    self.put(" ");
                }
                spaces = true;
            } else {
                if single && c == '\'' {
                    self.put("''");
                } else {
                    let mut buf = [0u8; 4];
                    self.put(c.encode_utf8(&mut buf));
                }
                spaces = false;
            }
        }
    }

    fn write_double(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.put("\"");
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if !is_printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                let esc = match c {
                    '\0' => "\\0".to_string(),
                    '\u{7}' => "\\a".to_string(),
                    '\u{8}' => "\\b".to_string(),
                    '\t' => "\\t".to_string(),
                    '\n' => "\\n".to_string(),
                    '\u{b}' => "\\v".to_string(),
                    '\u{c}' => "\\f".to_string(),
                    '\r' => "\\r".to_string(),
                    '\u{1b}' => "\\e".to_string(),
                    '"' => "\\\"".to_string(),
                    '\\' => "\\\\".to_string(),
                    '\u{85}' => "\\N".to_string(),
                    '\u{a0}' => "\\_".to_string(),
                    '\u{2028}' => "\\L".to_string(),
                    '\u{2029}' => "\\P".to_string(),
                    c if (c as u32) <= 0xFF => format!("\\x{:02X}", c as u32),
                    c if (c as u32) <= 0xFFFF => format!("\\u{:04X}", c as u32),
                    c => format!("\\U{:08X}", c as u32),
                };
                self.put(&esc);
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i != 0
                    && i + 1 != chars.len()
                {
                    self.newline_indent(indent);
                    if chars.get(i + 1) == Some(&' ') {
                        self.put("\\");
                    }
                } else {
                    self.put(" ");
                }
                spaces = true;
            } else {
                let mut buf = [0u8; 4];
                self.put(c.encode_utf8(&mut buf));
                spaces = false;
            }
            i += 1;
        }
        self.put("\"");
    }

    fn write_literal(&mut self, s: &str, indent: usize) {
        self.put("|");
        if s.starts_with(' ') || s.starts_with('\n') {
            self.put(&INDENT.to_string());
        }
        let chomp = if !s.ends_with('\n') {
            "-"
        } else if s.len() == 1 || s[..s.len() - 1].ends_with('\n') {
            "+"
        } else {
            ""
        };
        self.put(chomp);
        self.put("\n");
        let mut at_line_start = true;
        for c in s.chars() {
            if c == '\n' {
                self.put("\n");
                at_line_start = true;
            } else {
                if at_line_start {
                    self.put(&" ".repeat(indent));
                }
                let mut buf = [0u8; 4];
                self.put(c.encode_utf8(&mut buf));
                at_line_start = false;
            }
        }
        // The caller ends the line; a literal that ended with a break already did.
        if s.ends_with('\n') {
            self.column = 0;
            self.out.pop();
        }
    }
}

enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank_z(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c == ' ' || c == '\t' || c == '\0' || is_break(c),
    }
}

/// The characters go-yaml's emitter may write unescaped.
fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A
        || (0x20..=0x7E).contains(&u)
        || u == 0x85
        || (0xA0..=0xD7FF).contains(&u)
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
        || (0x10000..=0x10FFFF).contains(&u)
}

struct Analysis {
    block_plain_allowed: bool,
    single_allowed: bool,
    block_allowed: bool,
}

/// go-yaml's `yaml_emitter_analyze_scalar`, reduced to block context.
fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis {
            block_plain_allowed: false,
            single_allowed: true,
            block_allowed: false,
        };
    }
    let chars: Vec<char> = s.chars().collect();
    let mut block_indicators = s.starts_with("---") || s.starts_with("...");
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break, mut previous_space, mut previous_break) =
        (false, false, false, false);
    let (mut line_breaks, mut special) = (false, false);
    let mut preceded_by_ws = true;
    let mut followed_by_ws = is_blank_z(chars.get(1).copied());
    let last = chars.len() - 1;
    for (i, &c) in chars.iter().enumerate() {
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_ws => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_ws => block_indicators = true,
                '#' if preceded_by_ws => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) || c == '\u{feff}' {
            special = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i == last {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i == last {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_break = true;
            previous_space = false;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_ws = is_blank_z(Some(c));
        followed_by_ws = is_blank_z(chars.get(i + 2).copied());
    }
    let mut a = Analysis {
        block_plain_allowed: true,
        single_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_allowed = false;
    }
    if space_break || special {
        a.block_plain_allowed = false;
        a.single_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks || block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// go-yaml v2's `resolve`: true when a plain scalar with this text would be
/// read back as something other than a string (so it must be quoted).
pub fn resolves_to_non_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N",
        "no", "No", "NO", "off", "Off", "OFF", "true", "True", "TRUE", "false", "False", "FALSE",
        ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF",
    ];
    if SPECIAL.contains(&s) {
        return true;
    }
    let Some(first) = s.chars().next() else {
        return true;
    };
    match first {
        '.' => is_go_float(s),
        '0'..='9' | '+' | '-' => {
            if parse_timestamp(s) {
                return true;
            }
            let plain = s.replace('_', "");
            go_parse_int(&plain) || (is_yaml_style_float(&plain) && is_go_float(&plain)) || {
                let p = plain.strip_prefix('-').unwrap_or(&plain);
                p.strip_prefix("0b")
                    .is_some_and(|b| !b.is_empty() && b.chars().all(|c| c == '0' || c == '1'))
            }
        }
        _ => false,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` / `ParseUint` acceptance (sign,
/// 0x/0o/0b prefixes, leading-zero octal; underscores already removed).
fn go_parse_int(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() {
        return false;
    }
    let (digits, radix) = if let Some(r) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (r, 16)
    } else if let Some(r) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (r, 8)
    } else if let Some(r) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (r, 2)
    } else if body.len() > 1 && body.starts_with('0') {
        (&body[1..], 8)
    } else {
        (body, 10)
    };
    !digits.is_empty() && u64::from_str_radix(digits, radix).is_ok()
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat` acceptance, for the forms that reach it here.
fn is_go_float(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let body = lower.strip_prefix(['+', '-']).unwrap_or(&lower);
    if matches!(body, "inf" | "infinity" | "nan") {
        return true;
    }
    is_yaml_style_float(&s.replace('_', "")) || s.parse::<f64>().is_ok()
}

/// go-yaml v2's timestamp forms: `2006-1-2T15:4:5.999999999Z07:00`,
/// the same with `t` or a space, and the bare date `2006-1-2`.
fn parse_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    // Fast reject as go-yaml does: four digits then a dash.
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let (date, rest) = match s.find(['T', 't', ' ']) {
        Some(p) => (&s[..p], Some(&s[p + 1..])),
        None => (s, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let num = |p: &str, max: usize| {
        !p.is_empty() && p.len() <= max && p.bytes().all(|c| c.is_ascii_digit())
    };
    if parts.len() != 3 || parts[0].len() != 4 || !num(parts[1], 2) || !num(parts[2], 2) {
        return false;
    }
    let Some(rest) = rest else {
        return true;
    };
    let (time, zone) = match rest.find(['Z', '+', '-']) {
        Some(p) => (&rest[..p], Some(&rest[p..])),
        None => (rest, None),
    };
    let (hms, frac) = match time.split_once('.') {
        Some((h, f)) => (h, Some(f)),
        None => (time, None),
    };
    let t: Vec<&str> = hms.split(':').collect();
    if t.len() != 3 || !t.iter().all(|p| num(p, 2)) {
        return false;
    }
    if let Some(f) = frac
        && !num(f, 9)
    {
        return false;
    }
    let is_space_form = s.as_bytes()[date.len()] == b' ';
    match zone {
        None => is_space_form,
        Some("Z") => !is_space_form,
        Some(z) => {
            !is_space_form && z.len() == 6 && num(&z[1..3], 2) && &z[3..4] == ":" && num(&z[4..], 2)
        }
    }
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        let g = &b[start..i];
        let ok = match g.len() {
            1 => true,
            2 => g[0] <= b'5',
            _ => false,
        };
        if !ok {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(entries: Vec<(&str, Node)>) -> String {
        let mut w = Writer::new();
        let e: Vec<(String, Node)> = entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        w.mapping(&e, 0);
        w.finish()
    }

    fn s(v: &str) -> Node {
        Node::Str(v.to_string())
    }

    #[test]
    fn quotes_strings_that_would_change_type() {
        let out = doc(vec![
            ("a", s("1.0")),
            ("b", s("1.16.0")),
            ("c", s("true")),
            ("d", s("")),
            ("e", s("2024-01-02T03:04:05.5Z")),
            ("f", s("010")),
            ("g", s("1:30")),
            ("h", s("v1")),
        ]);
        assert_eq!(
            out,
            "a: \"1.0\"\nb: 1.16.0\nc: \"true\"\nd: \"\"\ne: \"2024-01-02T03:04:05.5Z\"\nf: \"010\"\ng: \"1:30\"\nh: v1\n"
        );
    }

    #[test]
    fn single_quotes_indicator_strings() {
        let out = doc(vec![
            ("a", s("- x")),
            ("b", s("a: b")),
            ("c", s("*star")),
            ("d", s("it's")),
        ]);
        assert_eq!(out, "a: '- x'\nb: 'a: b'\nc: '*star'\nd: it's\n");
    }

    #[test]
    fn nested_layout_is_go_yaml_like() {
        let out = doc(vec![
            (
                "entries",
                Node::Map(vec![(
                    "x".into(),
                    Node::Seq(vec![Node::Map(vec![
                        ("urls".into(), Node::Seq(vec![s("charts/x-1.tgz")])),
                        ("name".into(), s("x")),
                        ("empty".into(), Node::Map(vec![])),
                    ])]),
                )]),
            ),
            ("apiVersion", s("v1")),
        ]);
        assert_eq!(
            out,
            "apiVersion: v1\nentries:\n  x:\n  - empty: {}\n    name: x\n    urls:\n    - charts/x-1.tgz\n"
        );
    }

    #[test]
    fn folds_long_plain_scalars_past_column_80() {
        let long = "word ".repeat(30);
        let long = long.trim_end();
        let out = doc(vec![("description", s(long))]);
        let first = out.lines().next().unwrap_or_default();
        assert!(first.len() > 80 && first.len() < 90, "{first}");
        assert!(out.lines().nth(1).unwrap_or_default().starts_with("  word"));
    }

    #[test]
    fn multi_line_strings_use_literal_style() {
        let out = doc(vec![("a", s("x\ny")), ("b", s("x\n"))]);
        assert_eq!(out, "a: |-\n  x\n  y\nb: |\n  x\n");
    }

    #[test]
    fn key_order_matches_go_yaml() {
        let mut keys = vec!["b", "a10", "a9", "apiVersion", "appVersion", "a-b", "ab"];
        keys.sort_by(|a, b| key_cmp(a, b));
        assert_eq!(
            keys,
            vec!["a-b", "a9", "a10", "ab", "apiVersion", "appVersion", "b"]
        );
    }
}
