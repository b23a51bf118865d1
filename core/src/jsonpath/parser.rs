//! The template parser: the same scanner decisions as the Go parser
//! (`k8s.io/client-go/util/jsonpath/parser.go`), so that every template is
//! accepted or refused alike and with the same message, written as loops
//! instead of Go's chain of tail calls.

use crate::strconv::{is_digit, is_letter};
use regex::Regex;
use std::sync::LazyLock;

/// A template that does not parse. The messages are the Go parser's, which
/// Helm prints after `error parsing jsonpath TEMPLATE: `.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// An action without its `}` (or with a line break in it).
    #[error("unclosed action")]
    UnclosedAction,
    /// A character that cannot start anything inside an action.
    #[error("unrecognized character in action: {}", go_unicode(*.0))]
    UnrecognizedCharacter(char),
    /// `....`: two recursive descents in a row.
    #[error("invalid multiple recursive descent")]
    MultipleRecursiveDescent,
    /// A number literal that is neither a Go `int` nor a `float64`.
    #[error("cannot parse number {0}")]
    Number(String),
    /// `[` without `]` on the same line.
    #[error("unterminated array")]
    UnterminatedArray,
    /// Brackets holding neither an index, a slice, a union nor a quoted key.
    #[error("invalid array index {0}")]
    InvalidArrayIndex(String),
    /// A slice bound that does not fit a Go `int`.
    #[error("array index {0} is not a number")]
    ArrayIndexNotNumber(String),
    /// `[?(` without its `)` on the same line.
    #[error("unterminated filter")]
    UnterminatedFilter,
    /// A filter's `)` not followed by `]`.
    #[error("unclosed array expect ]")]
    UnclosedFilter,
    /// A quote without its closing quote on the same line.
    #[error("unterminated quoted string")]
    UnterminatedQuote,
    /// A quoted string with an escape Go's `strconv.UnquoteChar` refuses;
    /// holds the string with its quotes.
    #[error("unquote string {0} error invalid syntax")]
    Unquote(String),
}

/// Go's `%#U`: `U+0023 '#'`, without the quoted rune when it is not
/// printable.
fn go_unicode(c: char) -> String {
    if crate::strconv::is_print(c) {
        format!("U+{:04X} '{c}'", c as u32)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

/// One bound of a slice: `Known` is false where the template left it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Param {
    pub value: i64,
    pub known: bool,
    /// The end of `[n]`, derived as `n + 1` (so `[-1]` means the last).
    pub derived: bool,
}

/// A node of the parsed template, one per Go node type.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    /// Text outside actions, or a quoted string inside one (Go strings are
    /// bytes: `"\xff"` is one byte that is not UTF-8).
    Text(Vec<u8>),
    /// The content of one action, or of one side of a filter or union.
    List(Vec<Node>),
    /// `.name` (backslashes removed).
    Field(String),
    /// A bare word other than `true`/`false` (`range`, `end`, or an error).
    Identifier(String),
    /// `[start:end:step]`.
    Array([Param; 3]),
    /// `[?(left op right)]`; `op` is `exists` for `[?(left)]`.
    Filter {
        left: Vec<Node>,
        right: Vec<Node>,
        op: String,
    },
    /// An integer literal (Go `int`).
    Int(i64),
    /// A float literal.
    Float(f64),
    /// `.*`.
    Wildcard,
    /// `..`.
    Recursive,
    /// `[a,b,...]`.
    Union(Vec<Vec<Node>>),
    /// `true` or `false`.
    Bool(bool),
}

static SLICE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(-?[0-9]*)(:-?[0-9]*)?(:-?[0-9]*)?$").expect("static regex"));
static COMPARISON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([^!<>=]+)([!<>=]+)(.+?)$").expect("static regex"));

/// Parses a whole template into its top-level nodes (text and actions).
pub(crate) fn parse(text: &str) -> Result<Vec<Node>, ParseError> {
    let mut p = Parser {
        input: text,
        pos: 0,
        start: 0,
        width: 0,
    };
    let mut root = Vec::new();
    loop {
        match p.input[p.pos..].find('{') {
            None => {
                p.pos = p.input.len();
                if p.pos > p.start {
                    root.push(Node::Text(p.consume().as_bytes().to_vec()));
                }
                return Ok(root);
            }
            Some(offset) => {
                p.pos += offset;
                if p.pos > p.start {
                    root.push(Node::Text(p.consume().as_bytes().to_vec()));
                }
                p.pos += 1;
                p.consume();
                let mut action = Vec::new();
                p.inside_action(&mut action)?;
                root.push(Node::List(action));
            }
        }
    }
}

/// Go's `parseAction`: parses `{text}` on its own and keeps the nodes of
/// its first action (what follows a `}` inside `text` is dropped, as in Go).
fn parse_action(text: &str) -> Result<Vec<Node>, ParseError> {
    let nodes = stacker::maybe_grow(64 * 1024, 1024 * 1024, || parse(&format!("{{{text}}}")))?;
    match nodes.into_iter().next() {
        Some(Node::List(list)) => Ok(list),
        // A text starting with `{` always opens an action first.
        _ => Ok(Vec::new()),
    }
}

struct Parser<'t> {
    input: &'t str,
    pos: usize,
    start: usize,
    width: usize,
}

impl<'t> Parser<'t> {
    fn next(&mut self) -> Option<char> {
        match self.input[self.pos..].chars().next() {
            Some(c) => {
                self.width = c.len_utf8();
                self.pos += self.width;
                Some(c)
            }
            None => {
                self.width = 0;
                None
            }
        }
    }

    fn backup(&mut self) {
        self.pos -= self.width;
    }

    fn peek(&mut self) -> Option<char> {
        let c = self.next();
        self.backup();
        c
    }

    fn consume(&mut self) -> &'t str {
        let s = &self.input[self.start..self.pos];
        self.start = self.pos;
        s
    }

    /// The byte two before the cursor: Go's test for an escaped quote.
    fn escaped(&self) -> bool {
        self.pos >= 2 && self.input.as_bytes()[self.pos - 2] == b'\\'
    }

    /// Everything between `{` and `}`; returns after consuming the `}`.
    fn inside_action(&mut self, cur: &mut Vec<Node>) -> Result<(), ParseError> {
        loop {
            let rest = &self.input[self.pos..];
            if rest.starts_with('}') {
                self.pos += 1;
                self.consume();
                return Ok(());
            }
            if rest.starts_with("[?(") {
                self.filter(cur)?;
                continue;
            }
            if rest.starts_with("..") {
                if matches!(cur.last(), Some(Node::Recursive)) {
                    return Err(ParseError::MultipleRecursiveDescent);
                }
                self.pos += 2;
                self.consume();
                cur.push(Node::Recursive);
                if self.peek().is_some_and(is_alphanumeric) {
                    self.field(cur);
                }
                continue;
            }
            match self.next() {
                None | Some('\r' | '\n') => return Err(ParseError::UnclosedAction),
                Some(' ' | '@' | '$') => {
                    self.consume();
                }
                Some('[') => self.array(cur)?,
                Some(q @ ('"' | '\'')) => self.quote(cur, q)?,
                Some('.') => self.field(cur),
                Some(c) if c == '+' || c == '-' || is_digit(c) => {
                    self.backup();
                    self.number(cur)?;
                }
                Some(c) if is_alphanumeric(c) => {
                    self.backup();
                    self.identifier(cur);
                }
                Some(c) => return Err(ParseError::UnrecognizedCharacter(c)),
            }
        }
    }

    fn identifier(&mut self, cur: &mut Vec<Node>) {
        loop {
            let r = self.next();
            if is_terminator(r) {
                self.backup();
                break;
            }
        }
        let value = self.consume();
        cur.push(match value {
            "true" => Node::Bool(true),
            "false" => Node::Bool(false),
            _ => Node::Identifier(value.to_string()),
        });
    }

    fn number(&mut self, cur: &mut Vec<Node>) -> Result<(), ParseError> {
        if matches!(self.peek(), Some('+' | '-')) {
            self.next();
        }
        loop {
            match self.next() {
                Some(c) if c == '.' || is_digit(c) => {}
                _ => {
                    self.backup();
                    break;
                }
            }
        }
        let value = self.consume();
        if let Ok(i) = value.parse::<i64>() {
            cur.push(Node::Int(i));
            return Ok(());
        }
        // Go's ParseFloat refuses what overflows; Rust's gives infinity.
        match value.parse::<f64>() {
            Ok(f) if f.is_finite() && value.bytes().all(|b| b.is_ascii()) => {
                cur.push(Node::Float(f));
                Ok(())
            }
            _ => Err(ParseError::Number(value.to_string())),
        }
    }

    fn array(&mut self, cur: &mut Vec<Node>) -> Result<(), ParseError> {
        loop {
            match self.next() {
                None | Some('\n') => return Err(ParseError::UnterminatedArray),
                Some(']') => break,
                Some(_) => {}
            }
        }
        let text = self.consume();
        let mut text = &text[1..text.len() - 1];
        if text == "*" {
            text = ":";
        }

        if text.contains(',') {
            let mut union = Vec::new();
            for part in text.split(',') {
                union.push(parse_action(&format!("[{}]", part.trim_matches(' ')))?);
            }
            cur.push(Node::Union(union));
            return Ok(());
        }

        if let Some(key) = text
            .strip_prefix('\'')
            .and_then(|t| t.strip_suffix('\''))
            .filter(|k| !k.contains('\''))
        {
            cur.extend(parse_action(&format!(".{key}"))?);
            return Ok(());
        }

        let caps = SLICE
            .captures(text)
            .ok_or_else(|| ParseError::InvalidArrayIndex(text.to_string()))?;
        let mut params = [Param::default(); 3];
        for i in 0..3 {
            let raw = caps.get(i + 1).map_or("", |m| m.as_str());
            if raw.is_empty() {
                if i == 1 {
                    params[1] = Param {
                        value: params[0].value.wrapping_add(1),
                        known: true,
                        derived: true,
                    };
                }
                continue;
            }
            let raw = if i > 0 { &raw[1..] } else { raw };
            if i > 0 && raw.is_empty() {
                continue;
            }
            let value = raw
                .parse::<i64>()
                .map_err(|_| ParseError::ArrayIndexNotNumber(raw.to_string()))?;
            params[i] = Param {
                value,
                known: true,
                derived: false,
            };
        }
        cur.push(Node::Array(params));
        Ok(())
    }

    fn filter(&mut self, cur: &mut Vec<Node>) -> Result<(), ParseError> {
        self.pos += "[?(".len();
        self.consume();
        let (mut begin, mut end) = (false, false);
        let mut pair = '"';
        loop {
            match self.next() {
                None | Some('\n') => return Err(ParseError::UnterminatedFilter),
                Some(q @ ('"' | '\'')) => {
                    if !begin {
                        begin = true;
                        pair = q;
                    } else if !self.escaped() && q == pair {
                        end = true;
                    }
                }
                Some(')') if begin == end => break,
                Some(_) => {}
            }
        }
        if self.next() != Some(']') {
            return Err(ParseError::UnclosedFilter);
        }
        let text = self.consume();
        let text = &text[..text.len() - 2];
        let node = match COMPARISON.captures(text) {
            None => Node::Filter {
                left: parse_action(text)?,
                right: Vec::new(),
                op: "exists".into(),
            },
            Some(caps) => {
                let part = |i: usize| caps.get(i).map_or("", |m| m.as_str());
                Node::Filter {
                    left: parse_action(part(1))?,
                    right: parse_action(part(3))?,
                    op: part(2).to_string(),
                }
            }
        };
        cur.push(node);
        Ok(())
    }

    fn quote(&mut self, cur: &mut Vec<Node>, end: char) -> Result<(), ParseError> {
        loop {
            match self.next() {
                None | Some('\n') => return Err(ParseError::UnterminatedQuote),
                Some(c) if c == end && !self.escaped() => break,
                Some(_) => {}
            }
        }
        let value = self.consume();
        let text = unquote(value).ok_or_else(|| ParseError::Unquote(value.to_string()))?;
        cur.push(Node::Text(text));
        Ok(())
    }

    /// After a `.`: the name up to the next unescaped terminator.
    fn field(&mut self, cur: &mut Vec<Node>) {
        self.consume();
        loop {
            let r = self.next();
            if r == Some('\\') {
                self.next();
            } else if is_terminator(r) {
                self.backup();
                break;
            }
        }
        let value = self.consume();
        cur.push(if value == "*" {
            Node::Wildcard
        } else {
            Node::Field(value.replace('\\', ""))
        });
    }
}

fn is_terminator(r: Option<char>) -> bool {
    match r {
        None => true,
        Some(c) => matches!(
            c,
            ' ' | '\t' | '\r' | '\n' | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}'
        ),
    }
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || is_letter(c) || is_digit(c)
}

/// The Go parser's `UnquoteExtend`: the text between matching quotes with
/// `strconv.UnquoteChar`'s escapes, for single quotes as for double. `None`
/// where Go reports invalid syntax.
fn unquote(quoted: &str) -> Option<Vec<u8>> {
    let bytes = quoted.as_bytes();
    let n = bytes.len();
    if n < 2 || bytes[0] != bytes[n - 1] || !matches!(bytes[0], b'"' | b'\'') {
        return None;
    }
    let quote = bytes[0];
    let mut s = &quoted[1..n - 1];
    let mut out = Vec::with_capacity(s.len());
    while let Some(c) = s.chars().next() {
        if c as u32 == quote as u32 {
            return None;
        }
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            s = &s[c.len_utf8()..];
            continue;
        }
        let rest = s.as_bytes();
        if rest.len() <= 1 {
            return None;
        }
        let esc = rest[1];
        s = &s[2..];
        let simple = match esc {
            b'a' => Some(7),
            b'b' => Some(8),
            b'f' => Some(12),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'v' => Some(11),
            b'\\' => Some(b'\\'),
            b'\'' | b'"' if esc == quote => Some(esc),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            continue;
        }
        match esc {
            b'x' | b'u' | b'U' => {
                let digits = match esc {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let hex = s.get(..digits)?;
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                let v = u32::from_str_radix(hex, 16).ok()?;
                s = &s[digits..];
                if esc == b'x' {
                    out.push(v as u8);
                } else {
                    let c = char::from_u32(v)?;
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
            b'0'..=b'7' => {
                let oct = s.get(..2)?;
                let mut v = u32::from(esc - b'0');
                for b in oct.bytes() {
                    if !(b'0'..=b'7').contains(&b) {
                        return None;
                    }
                    v = (v << 3) | u32::from(b - b'0');
                }
                if v > 255 {
                    return None;
                }
                s = &s[2..];
                out.push(v as u8);
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(t: &str) -> Vec<Node> {
        match parse(t).unwrap().into_iter().next() {
            Some(Node::List(l)) => l,
            other => panic!("{other:?}"),
        }
    }

    fn err(t: &str) -> String {
        parse(t).unwrap_err().to_string()
    }

    fn field(s: &str) -> Node {
        Node::Field(s.into())
    }

    fn slice(p: [(i64, bool, bool); 3]) -> Node {
        Node::Array(p.map(|(value, known, derived)| Param {
            value,
            known,
            derived,
        }))
    }

    #[test]
    fn text_and_actions() {
        assert_eq!(parse("").unwrap(), vec![]);
        assert_eq!(
            parse("a{.b}c}").unwrap(),
            vec![
                Node::Text(b"a".to_vec()),
                Node::List(vec![field("b")]),
                Node::Text(b"c}".to_vec()),
            ]
        );
        assert_eq!(list("{$.a @.b}"), vec![field("a"), field("b")]);
        assert_eq!(list("{}"), vec![]);
    }

    #[test]
    fn fields_and_escapes() {
        assert_eq!(list(r"{.a\.b/c}"), vec![field("a.b/c")]);
        assert_eq!(list("{.a|}"), vec![field("a|")]);
        assert_eq!(list("{.}"), vec![field("")]);
        assert_eq!(list("{.*}"), vec![Node::Wildcard]);
        assert_eq!(list("{.é}"), vec![field("é")]);
    }

    #[test]
    fn quoted_keys_are_reparsed_as_fields() {
        assert_eq!(list("{['a']}"), vec![field("a")]);
        // The key is parsed again after a dot: its dots split it.
        assert_eq!(
            list("{['a.b c']}"),
            vec![field("a"), field("b"), Node::Identifier("c".into())]
        );
        assert_eq!(err(r#"{["a"]}"#), r#"invalid array index "a""#);
    }

    #[test]
    fn slices() {
        assert_eq!(
            list("{[2]}"),
            vec![slice([
                (2, true, false),
                (3, true, true),
                (0, false, false)
            ])]
        );
        assert_eq!(
            list("{[-1]}"),
            vec![slice([
                (-1, true, false),
                (0, true, true),
                (0, false, false)
            ])]
        );
        assert_eq!(
            list("{[*]}"),
            vec![slice([
                (0, false, false),
                (0, false, false),
                (0, false, false)
            ])]
        );
        assert_eq!(
            list("{[1:-1:2]}"),
            vec![slice([
                (1, true, false),
                (-1, true, false),
                (2, true, false)
            ])]
        );
        assert_eq!(
            list("{[]}"),
            vec![slice([
                (0, false, false),
                (1, true, true),
                (0, false, false)
            ])]
        );
        assert_eq!(err("{[x]}"), "invalid array index x");
        assert_eq!(err("{[ 1 ]}"), "invalid array index  1 ");
        assert_eq!(err("{[-]}"), "array index - is not a number");
        assert_eq!(
            err("{[99999999999999999999]}"),
            "array index 99999999999999999999 is not a number"
        );
        assert_eq!(err("{[0}"), "unterminated array");
    }

    #[test]
    fn unions() {
        let one = |i| {
            vec![slice([
                (i, true, false),
                (i + 1, true, true),
                (0, false, false),
            ])]
        };
        assert_eq!(list("{[0, 2]}"), vec![Node::Union(vec![one(0), one(2)])]);
        assert_eq!(
            list("{['a','b']}"),
            vec![Node::Union(vec![vec![field("a")], vec![field("b")]])]
        );
    }

    #[test]
    fn filters() {
        assert_eq!(
            list(r#"{[?(@.a == "x")]}"#),
            vec![Node::Filter {
                left: vec![field("a")],
                right: vec![Node::Text(b"x".to_vec())],
                op: "==".into(),
            }]
        );
        assert_eq!(
            list("{[?(@.a)]}"),
            vec![Node::Filter {
                left: vec![field("a")],
                right: vec![],
                op: "exists".into(),
            }]
        );
        // A `)` inside quotes does not close the filter.
        assert_eq!(
            list(r#"{[?(@.a=="x)")]}"#),
            vec![Node::Filter {
                left: vec![field("a")],
                right: vec![Node::Text(b"x)".to_vec())],
                op: "==".into(),
            }]
        );
        // Any run of operator characters is taken; evaluation refuses it.
        assert!(matches!(&list("{[?(@.a===1)]}")[0], Node::Filter { op, .. } if op == "==="));
        assert_eq!(err("{[?(@.a]}"), "unterminated filter");
        assert_eq!(err("{[?(@.a)}"), "unclosed array expect ]");
        assert_eq!(
            err("{[?(@.a==)]}"),
            "unrecognized character in action: U+003D '='"
        );
    }

    #[test]
    fn recursive_descent() {
        assert_eq!(list("{..a}"), vec![Node::Recursive, field("a")]);
        assert_eq!(list("{...a}"), vec![Node::Recursive, field("a")]);
        assert_eq!(list("{..}"), vec![Node::Recursive]);
        assert_eq!(err("{....a}"), "invalid multiple recursive descent");
        assert_eq!(err("{..*}"), "unrecognized character in action: U+002A '*'");
    }

    #[test]
    fn literals_and_identifiers() {
        assert_eq!(
            list("{1 -2 +3 1.5 +.5 true false range}"),
            vec![
                Node::Int(1),
                Node::Int(-2),
                Node::Int(3),
                Node::Float(1.5),
                Node::Float(0.5),
                Node::Bool(true),
                Node::Bool(false),
                Node::Identifier("range".into()),
            ]
        );
        assert_eq!(list("{99999999999999999999}"), vec![Node::Float(1e20)]);
        assert_eq!(err("{1.2.3}"), "cannot parse number 1.2.3");
        assert_eq!(err("{-}"), "cannot parse number -");
        assert_eq!(list("{a#b}"), vec![Node::Identifier("a#b".into())]);
    }

    #[test]
    fn quoted_text() {
        assert_eq!(list(r#"{"a\tb"}"#), vec![Node::Text(b"a\tb".to_vec())]);
        assert_eq!(list(r"{'it\'s'}"), vec![Node::Text(b"it's".to_vec())]);
        assert_eq!(
            list(r#"{"\x41\101\u00e9"}"#),
            vec![Node::Text("AAé".into())]
        );
        assert_eq!(list(r#"{"\xff"}"#), vec![Node::Text(vec![0xff])]);
        assert_eq!(list("{'\"'}"), vec![Node::Text(b"\"".to_vec())]);
        assert_eq!(
            err(r#"{"it\'s"}"#),
            r#"unquote string "it\'s" error invalid syntax"#
        );
        assert_eq!(
            err(r#"{"\ud800"}"#),
            r#"unquote string "\ud800" error invalid syntax"#
        );
        assert_eq!(
            err(r#"{"\400"}"#),
            r#"unquote string "\400" error invalid syntax"#
        );
        // An escaped backslash before the quote still hides the quote.
        assert_eq!(err(r#"{"a\\"}"#), "unterminated quoted string");
        assert_eq!(err("{\"a\n\"}"), "unterminated quoted string");
    }

    #[test]
    fn unclosed_and_unrecognized() {
        assert_eq!(err("{"), "unclosed action");
        assert_eq!(err("{.a\n}"), "unclosed action");
        assert_eq!(err("{.a\r}"), "unclosed action");
        assert_eq!(err("{#}"), "unrecognized character in action: U+0023 '#'");
        assert_eq!(err("{\t}"), "unrecognized character in action: U+0009");
        assert_eq!(err("{{}}"), "unrecognized character in action: U+007B '{'");
        assert_eq!(err("{.a,}"), "unrecognized character in action: U+002C ','");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let t = format!("{}{}", "{range}".repeat(50_000), "{end}".repeat(50_000));
        assert_eq!(parse(&t).unwrap().len(), 100_000);
        let t = format!("{{{}}}", "[?(@".repeat(20_000));
        assert_eq!(err(&t), "unterminated filter");
    }
}
