//! Reading YAML the way `sigs.k8s.io/yaml.Unmarshal` does: go-yaml v2
//! decodes into `interface{}` (YAML 1.1 typing, merge keys, aliases), the
//! result is converted to JSON-able maps (non-string keys stringified) and
//! goes through `encoding/json`, so every number ends up a `float64`.
//!
//! The syntax itself is read by saphyr-parser's event API; only the typing
//! and the tree building are done here.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::rc::Rc;

use base64::Engine as _;
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};

use super::YamlError;
use super::resolve::{Flavor, Resolved, resolve_plain};
use crate::values::Value;

/// Prefix sigs.k8s.io/yaml puts on every error of `Unmarshal`.
const PREFIX: &str = "error converting YAML to JSON: ";

/// A parsed node before typing. Aliases share their target.
#[derive(Debug)]
enum Raw {
    Scalar {
        value: String,
        style: ScalarStyle,
        tag: Option<String>,
        line: usize,
    },
    Seq(Vec<Rc<Raw>>),
    Map(Vec<(Rc<Raw>, Rc<Raw>)>),
    Alias(Rc<Raw>),
}

/// What go-yaml v2 produces when decoding into `interface{}`.
#[derive(Debug, Clone)]
enum Go {
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Go>),
    Map(Vec<(Go, Go)>),
}

impl Go {
    /// Equality of Go map keys (same dynamic type and value; NaN never equal).
    fn same_key(&self, other: &Go) -> bool {
        match (self, other) {
            (Go::Nil, Go::Nil) => true,
            (Go::Bool(a), Go::Bool(b)) => a == b,
            (Go::Int(a), Go::Int(b)) => a == b,
            (Go::Uint(a), Go::Uint(b)) => a == b,
            (Go::Float(a), Go::Float(b)) => a == b,
            (Go::Str(a), Go::Str(b)) => a == b,
            _ => false,
        }
    }

    /// Go's `%#v` rendering, used in a few error messages.
    fn go_syntax(&self) -> String {
        match self {
            Go::Nil => "<nil>".to_string(),
            Go::Bool(b) => b.to_string(),
            Go::Int(i) => i.to_string(),
            Go::Uint(u) => format!("0x{u:x}"),
            Go::Float(f) => crate::strconv::format_float(*f, 'g', -1),
            Go::Str(s) => crate::strconv::quote(s),
            Go::Seq(items) => {
                let inner: Vec<String> = items.iter().map(Go::go_syntax).collect();
                format!("[]interface {{}}{{{}}}", inner.join(", "))
            }
            Go::Map(pairs) => {
                let inner: Vec<String> = pairs
                    .iter()
                    .map(|(k, v)| format!("{}:{}", k.go_syntax(), v.go_syntax()))
                    .collect();
                format!("map[interface {{}}]interface {{}}{{{}}}", inner.join(", "))
            }
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            Go::Nil => "%!s(<nil>)",
            Go::Bool(_) => "bool",
            Go::Int(_) => "int",
            Go::Uint(_) => "uint64",
            Go::Float(_) => "float64",
            Go::Str(_) => "string",
            Go::Seq(_) => "[]interface {}",
            Go::Map(_) => "map[interface {}]interface {}",
        }
    }
}

/// Parses the first document of `text` (go-yaml's `Unmarshal` ignores the rest).
pub fn parse_first(text: &str) -> Result<Value, YamlError> {
    let docs = parse_docs(text, false)?;
    match docs.into_iter().next() {
        Some(v) => Ok(v),
        None => Ok(Value::Null),
    }
}

/// Parses every document of a stream.
pub fn parse_stream(text: &str) -> Result<Vec<Value>, YamlError> {
    parse_docs(text, true)
}

fn parse_docs(text: &str, all: bool) -> Result<Vec<Value>, YamlError> {
    check_characters(text)?;
    check_version_directives(text)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut patched: Option<String> = None;
    // libyaml accepts a tab as the separator after `:`; saphyr refuses it
    // before some values. Such a tab is only separation, so turn it into a
    // space and read again (bounded, one tab run per round).
    for _ in 0..64 {
        let current = patched.as_deref().unwrap_or(text);
        let mut builder = Builder::new(current);
        match parse_with(&mut builder, all) {
            Err(e) => match builder.tab_after_colon.take() {
                Some(at) => patched = Some(untab_before(current, at)),
                None => return Err(e),
            },
            ok => return ok,
        }
    }
    let current = patched.as_deref().unwrap_or(text);
    parse_with(&mut Builder::new(current), all)
}

fn parse_with(builder: &mut Builder<'_>, all: bool) -> Result<Vec<Value>, YamlError> {
    let mut out = Vec::new();
    while let Some(root) = builder.next_document()? {
        let mut dec = Decoder::default();
        let go = dec.decode(&root)?;
        out.push(to_json_value(go)?);
        if !all {
            break;
        }
    }
    Ok(out)
}

/// Replaces the tabs in the blank run that ends at character `at` by spaces.
fn untab_before(text: &str, at: usize) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let mut i = at.min(chars.len());
    while i > 0 && matches!(chars[i - 1], ' ' | '\t') {
        i -= 1;
        chars[i] = ' ';
    }
    chars.into_iter().collect()
}

/// go-yaml v2 only reads YAML 1.1 documents: any other `%YAML` version is refused.
fn check_version_directives(text: &str) -> Result<(), YamlError> {
    for (idx, line) in text.lines().enumerate() {
        let Some(rest) = line.strip_prefix("%YAML") else {
            continue;
        };
        let version = rest.split_whitespace().next().unwrap_or("");
        if version != "1.1" {
            let at = if idx > 0 {
                format!("line {idx}: ")
            } else {
                String::new()
            };
            return Err(YamlError::new(
                format!("{PREFIX}yaml: {at}found incompatible YAML document"),
                Some(idx + 1),
                None,
            ));
        }
    }
    Ok(())
}

/// go-yaml's reader refuses control characters anywhere in the input.
fn check_characters(text: &str) -> Result<(), YamlError> {
    let ok = |c: char| {
        let c = c as u32;
        c == 0x09
            || c == 0x0A
            || c == 0x0D
            || (0x20..=0x7E).contains(&c)
            || c == 0x85
            || (0xA0..=0xD7FF).contains(&c)
            || (0xE000..=0xFFFD).contains(&c)
            || (0x10000..=0x10FFFF).contains(&c)
    };
    match text.char_indices().find(|(_, c)| !ok(*c)) {
        None => Ok(()),
        Some((pos, _)) => {
            let line = text[..pos].matches('\n').count() + 1;
            Err(YamlError::new(
                format!("{PREFIX}yaml: control characters are not allowed"),
                Some(line),
                None,
            ))
        }
    }
}

fn tag_name(tag: &Tag) -> String {
    let full = format!("{}{}", tag.handle, tag.suffix);
    match full.strip_prefix("tag:yaml.org,2002:") {
        Some(rest) => format!("!!{rest}"),
        None => full,
    }
}

/// Turns saphyr events into [`Raw`] trees, one document at a time.
struct Builder<'a> {
    text: &'a str,
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    anchors: BTreeMap<usize, Rc<Raw>>,
    done: bool,
    /// The input as characters, built only when spans must be inspected.
    chars: Option<Vec<char>>,
    /// Set when saphyr refused a tab after `:` that libyaml accepts
    /// (character index where the value starts).
    tab_after_colon: Option<usize>,
}

enum Frame {
    Seq(Vec<Rc<Raw>>, usize),
    Map(Vec<(Rc<Raw>, Rc<Raw>)>, Option<Rc<Raw>>, usize),
}

impl<'a> Builder<'a> {
    fn new(text: &'a str) -> Self {
        Builder {
            text,
            parser: Parser::new_from_str(text),
            anchors: BTreeMap::new(),
            done: false,
            chars: None,
            tab_after_colon: None,
        }
    }

    fn next_event(&mut self) -> Result<Option<(Event<'a>, Span)>, YamlError> {
        match self.parser.next_event() {
            None => Ok(None),
            Some(Ok(ev)) => Ok(Some(ev)),
            Some(Err(e)) => {
                if e.info()
                    .contains("':' must be followed by a valid YAML whitespace")
                {
                    self.tab_after_colon = Some(e.marker().index());
                }
                Err(self.scan_error(&e))
            }
        }
    }

    fn scan_error(&self, e: &ScanError) -> YamlError {
        let mark = e.marker();
        let info = e.info();
        if info.contains("unknown anchor") {
            let name = anchor_name_at(self.text, mark.index());
            return YamlError::new(
                format!("{PREFIX}yaml: unknown anchor '{name}' referenced"),
                Some(mark.line()),
                Some(mark.col() + 1),
            );
        }
        let (message, parser_error) = go_message(info);
        let mut line = mark.line();
        if info.contains("end of stream") || info.contains("unexpected eof") {
            // libyaml reports these where the input ends.
            line = self.text.matches('\n').count() + 1;
        }
        let shown = if parser_error {
            line.saturating_sub(1)
        } else {
            line
        };
        let msg = if shown > 0 && (parser_error || line > 1) {
            format!("{PREFIX}yaml: line {shown}: {message}")
        } else {
            format!("{PREFIX}yaml: {message}")
        };
        YamlError::new(msg, Some(line), Some(mark.col() + 1))
    }

    /// The next document's root, or `None` at the end of the stream.
    fn next_document(&mut self) -> Result<Option<Rc<Raw>>, YamlError> {
        if self.done {
            return Ok(None);
        }
        // Skip to the start of a document.
        loop {
            match self.next_event()? {
                None | Some((Event::StreamEnd, _)) => {
                    self.done = true;
                    return Ok(None);
                }
                Some((Event::DocumentStart(_), _)) => break,
                Some(_) => {}
            }
        }
        let mut stack: Vec<Frame> = Vec::new();
        let mut root: Option<Rc<Raw>> = None;
        loop {
            let Some((ev, span)) = self.next_event()? else {
                self.done = true;
                break;
            };
            let line = span.start.line();
            let finished: Option<(Rc<Raw>, usize)> = match ev {
                Event::DocumentEnd => break,
                Event::StreamEnd => {
                    self.done = true;
                    break;
                }
                Event::Scalar(value, style, anchor, tag) => {
                    if style == ScalarStyle::DoubleQuoted && self.text.contains("\\/") {
                        let chars = self
                            .chars
                            .get_or_insert_with(|| self.text.chars().collect());
                        if let Some(l) =
                            yaml12_escape_line(chars, span.start.index(), span.end.index())
                        {
                            let at = if l > 1 {
                                format!("line {l}: ")
                            } else {
                                String::new()
                            };
                            return Err(YamlError::new(
                                format!("{PREFIX}yaml: {at}found unknown escape character"),
                                Some(l),
                                None,
                            ));
                        }
                    }
                    Some((
                        Rc::new(Raw::Scalar {
                            value: value.into_owned(),
                            style,
                            tag: tag.as_deref().map(tag_name),
                            line,
                        }),
                        anchor,
                    ))
                }
                Event::Alias(id) => match self.anchors.get(&id) {
                    Some(target) => Some((Rc::new(Raw::Alias(target.clone())), 0)),
                    None => {
                        let name = anchor_name_at(self.text, span.start.index());
                        return Err(YamlError::new(
                            format!("{PREFIX}yaml: anchor '{name}' value contains itself"),
                            Some(line),
                            None,
                        ));
                    }
                },
                Event::SequenceStart(anchor, _) => {
                    check_depth(stack.len(), line)?;
                    stack.push(Frame::Seq(Vec::new(), anchor));
                    None
                }
                Event::MappingStart(anchor, _) => {
                    check_depth(stack.len(), line)?;
                    stack.push(Frame::Map(Vec::new(), None, anchor));
                    None
                }
                Event::SequenceEnd => match stack.pop() {
                    Some(Frame::Seq(items, anchor)) => Some((Rc::new(Raw::Seq(items)), anchor)),
                    _ => return Err(internal("unbalanced sequence")),
                },
                Event::MappingEnd => match stack.pop() {
                    Some(Frame::Map(pairs, _, anchor)) => Some((Rc::new(Raw::Map(pairs)), anchor)),
                    _ => return Err(internal("unbalanced mapping")),
                },
                Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => None,
            };
            let Some((node, anchor)) = finished else {
                continue;
            };
            if anchor != 0 {
                self.anchors.insert(anchor, node.clone());
            }
            match stack.last_mut() {
                None => root = Some(node),
                Some(Frame::Seq(items, _)) => items.push(node),
                Some(Frame::Map(pairs, pending, _)) => match pending.take() {
                    None => *pending = Some(node),
                    Some(key) => pairs.push((key, node)),
                },
            }
        }
        Ok(Some(root.unwrap_or_else(|| {
            Rc::new(Raw::Scalar {
                value: String::new(),
                style: ScalarStyle::Plain,
                tag: None,
                line: 1,
            })
        })))
    }
}

/// Stack kept free before recursing, and how much more to allocate when short.
pub(super) const RED_ZONE: usize = 64 * 1024;
pub(super) const STACK_CHUNK: usize = 2 * 1024 * 1024;

/// go-yaml refuses nesting deeper than 10000 levels; keeping the same
/// limit also bounds the recursion of the decoder and emitter.
const MAX_DEPTH: usize = 10_000;

fn check_depth(depth: usize, line: usize) -> Result<(), YamlError> {
    if depth >= MAX_DEPTH {
        return Err(YamlError::new(
            format!("{PREFIX}yaml: line {line}: exceeded max depth of {MAX_DEPTH}"),
            Some(line),
            None,
        ));
    }
    Ok(())
}

fn internal(what: &str) -> YamlError {
    YamlError::new(format!("{PREFIX}yaml: internal error: {what}"), None, None)
}

/// Reads the anchor name after `*` at a character index of the input.
fn anchor_name_at(text: &str, char_index: usize) -> String {
    let rest: String = text.chars().skip(char_index).collect();
    let rest = rest.strip_prefix('*').unwrap_or(&rest);
    rest.chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
        .collect()
}

/// Maps saphyr's wording onto libyaml's, and tells whether libyaml raises
/// the problem from its parser (`true`) or its scanner (`false`): go-yaml
/// prints the 0-based line for parser errors and the 1-based one for
/// scanner errors, and no line at all when the 0-based line is 0.
fn go_message(info: &str) -> (Cow<'_, str>, bool) {
    let table: &[(&str, &str, bool)] = &[
        (
            "mapping values are not allowed",
            "mapping values are not allowed in this context",
            false,
        ),
        (
            "did not find expected key",
            "did not find expected key",
            true,
        ),
        ("misplaced bracket", "did not find expected key", true),
        (
            "expected ',' or ']'",
            "did not find expected ',' or ']'",
            true,
        ),
        (
            "expected ',' or '}'",
            "did not find expected ',' or '}'",
            true,
        ),
        (
            "did not find expected node content",
            "did not find expected node content",
            true,
        ),
        (
            "did not find expected '-' indicator",
            "did not find expected '-' indicator",
            true,
        ),
        (
            "unknown escape character",
            "found unknown escape character",
            false,
        ),
        (
            "cannot start any token",
            "found character that cannot start any token",
            false,
        ),
        (
            "tabs disallowed",
            "found character that cannot start any token",
            false,
        ),
        (
            "unexpected end of stream",
            "found unexpected end of stream",
            false,
        ),
        ("unexpected eof", "found unexpected end of stream", false),
        (
            "block sequence entries are not allowed",
            "block sequence entries are not allowed in this context",
            false,
        ),
        (
            "could not find expected ':'",
            "could not find expected ':'",
            false,
        ),
        (
            "recursion limit exceeded",
            "exceeded max depth of 10000",
            false,
        ),
    ];
    for (needle, go, parser) in table {
        if info.contains(needle) {
            return (Cow::Borrowed(go), *parser);
        }
    }
    (Cow::Borrowed(info), true)
}

/// go-yaml v2 knows the YAML 1.1 escapes only; saphyr also takes YAML 1.2's
/// `\/`. Returns the 1-based line of the first such escape in a
/// double-quoted scalar spanning the given character range.
fn yaml12_escape_line(chars: &[char], start: usize, end: usize) -> Option<usize> {
    let end = end.min(chars.len());
    let mut i = start;
    while i < end {
        if chars[i] == '\\' {
            if chars.get(i + 1) == Some(&'/') {
                return Some(chars[..i].iter().filter(|c| **c == '\n').count() + 1);
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    None
}

/// go-yaml v2's `decoder`, specialised to decoding into `interface{}`.
#[derive(Default)]
struct Decoder {
    decode_count: u64,
    alias_count: u64,
    alias_depth: u32,
}

/// go-yaml v2's limit on alias expansion relative to document size.
fn allowed_alias_ratio(decode_count: u64) -> f64 {
    const MIN: f64 = 400_000.0;
    const MAX: f64 = 4_000_000.0;
    let n = decode_count as f64;
    if n <= MIN {
        0.99
    } else if n >= MAX {
        0.10
    } else {
        0.99 - 0.89 * ((n - MIN) / (MAX - MIN))
    }
}

impl Decoder {
    fn fail(msg: String, line: Option<usize>) -> YamlError {
        YamlError::new(format!("{PREFIX}yaml: {msg}"), line, None)
    }

    fn decode(&mut self, node: &Raw) -> Result<Go, YamlError> {
        // Nesting may go 10000 levels deep, as in go-yaml; grow the stack
        // instead of overflowing it.
        stacker::maybe_grow(RED_ZONE, STACK_CHUNK, || self.decode_inner(node))
    }

    fn decode_inner(&mut self, node: &Raw) -> Result<Go, YamlError> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        if self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64
                > allowed_alias_ratio(self.decode_count)
        {
            return Err(Self::fail(
                "document contains excessive aliasing".into(),
                None,
            ));
        }
        match node {
            Raw::Scalar {
                value,
                style,
                tag,
                line,
            } => self.scalar(value, *style, tag.as_deref(), *line),
            Raw::Alias(target) => {
                self.alias_depth += 1;
                let r = self.decode(target);
                self.alias_depth -= 1;
                r
            }
            Raw::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.decode(item)?);
                }
                Ok(Go::Seq(out))
            }
            Raw::Map(pairs) => {
                let mut out: Vec<(Go, Go)> = Vec::new();
                self.mapping_into(pairs, &mut out)?;
                Ok(Go::Map(out))
            }
        }
    }

    fn mapping_into(
        &mut self,
        pairs: &[(Rc<Raw>, Rc<Raw>)],
        out: &mut Vec<(Go, Go)>,
    ) -> Result<(), YamlError> {
        for (k, v) in pairs {
            if is_merge(k) {
                self.merge(v, out)?;
                continue;
            }
            let key = self.decode(k)?;
            if matches!(key, Go::Seq(_) | Go::Map(_)) {
                return Err(Self::fail(
                    format!("invalid map key: {}", key.go_syntax()),
                    None,
                ));
            }
            let value = self.decode(v)?;
            set_key(out, key, value);
        }
        Ok(())
    }

    fn merge(&mut self, node: &Raw, out: &mut Vec<(Go, Go)>) -> Result<(), YamlError> {
        let want_map = || {
            Self::fail(
                "map merge requires map or sequence of maps as the value".into(),
                None,
            )
        };
        match node {
            Raw::Map(pairs) => self.mapping_into(pairs, out),
            Raw::Alias(target) => match &**target {
                Raw::Map(pairs) => {
                    self.alias_depth += 1;
                    let r = self.mapping_into(pairs, out);
                    self.alias_depth -= 1;
                    r
                }
                _ => Err(want_map()),
            },
            Raw::Seq(items) => {
                // Earlier maps take precedence, so apply them last.
                for item in items.iter().rev() {
                    let target = match &**item {
                        Raw::Alias(t) => t.clone(),
                        _ => item.clone(),
                    };
                    match &*target {
                        Raw::Map(pairs) => self.mapping_into(pairs, out)?,
                        _ => return Err(want_map()),
                    }
                }
                Ok(())
            }
            Raw::Scalar { .. } => Err(want_map()),
        }
    }

    fn scalar(
        &mut self,
        value: &str,
        style: ScalarStyle,
        tag: Option<&str>,
        line: usize,
    ) -> Result<Go, YamlError> {
        let Some(tag) = tag else {
            if style != ScalarStyle::Plain {
                return Ok(Go::Str(value.to_string()));
            }
            return Ok(typed(value, resolve_plain(value, Flavor::V2)));
        };
        match tag {
            "!!binary" => {
                let cleaned: String = value.chars().filter(|c| !c.is_whitespace()).collect();
                match crate::json::bytes::GO_STD_BASE64.decode(cleaned.as_bytes()) {
                    Ok(bytes) => Ok(Go::Str(String::from_utf8_lossy(&bytes).into_owned())),
                    Err(_) => Err(Self::fail(
                        "!!binary value contains invalid base64 data".into(),
                        Some(line),
                    )),
                }
            }
            "!!str" => Ok(Go::Str(value.to_string())),
            "!!bool" | "!!int" | "!!float" | "!!null" | "!!timestamp" => {
                let mut r = resolve_plain(value, Flavor::V2);
                if r == Resolved::Timestamp && tag != "!!timestamp" {
                    r = Resolved::Str;
                }
                let ok = r.short_tag() == tag;
                if ok {
                    return Ok(typed(value, r));
                }
                if let (true, Resolved::Int(i)) = (tag == "!!float", &r) {
                    return Ok(Go::Float(*i as f64));
                }
                Err(Self::fail(
                    format!("cannot decode {} `{}` as a {}", r.short_tag(), value, tag),
                    Some(line),
                ))
            }
            // Unknown and non-specific tags leave the text as a string.
            _ => Ok(Go::Str(value.to_string())),
        }
    }
}

fn typed(value: &str, r: Resolved) -> Go {
    match r {
        Resolved::Null => Go::Nil,
        Resolved::Bool(b) => Go::Bool(b),
        Resolved::Int(i) => Go::Int(i),
        Resolved::Uint(u) => Go::Uint(u),
        Resolved::Float(f) => Go::Float(f),
        // Timestamps decode to their text inside interface{}, and a `<<`
        // that is not a key is just a string.
        Resolved::Timestamp | Resolved::Merge | Resolved::Str => Go::Str(value.to_string()),
    }
}

fn is_merge(node: &Raw) -> bool {
    matches!(node, Raw::Scalar { value, style: ScalarStyle::Plain, tag, .. }
        if value == "<<" && (tag.is_none() || tag.as_deref() == Some("!!merge")))
}

fn set_key(out: &mut Vec<(Go, Go)>, key: Go, value: Go) {
    if let Some(slot) = out.iter_mut().find(|(k, _)| k.same_key(&key)) {
        slot.1 = value;
    } else {
        out.push((key, value));
    }
}

/// sigs.k8s.io/yaml's `convertToJSONableObject` followed by the JSON round trip.
fn to_json_value(go: Go) -> Result<Value, YamlError> {
    let v = convert(go)?;
    if let Some(bad) = first_non_finite(&v) {
        return Err(YamlError::new(
            format!(
                "{PREFIX}json: unsupported value: {}",
                crate::strconv::format_float(bad, 'g', -1)
            ),
            None,
            None,
        ));
    }
    Ok(v)
}

fn convert(go: Go) -> Result<Value, YamlError> {
    stacker::maybe_grow(RED_ZONE, STACK_CHUNK, || convert_inner(go))
}

fn convert_inner(go: Go) -> Result<Value, YamlError> {
    Ok(match go {
        Go::Nil => Value::Null,
        Go::Bool(b) => Value::Bool(b),
        Go::Int(i) => Value::Float(i as f64),
        Go::Uint(u) => Value::Float(u as f64),
        Go::Float(f) => Value::Float(f),
        Go::Str(s) => Value::String(s),
        Go::Seq(items) => Value::List(items.into_iter().map(convert).collect::<Result<_, _>>()?),
        Go::Map(pairs) => {
            let mut map = crate::values::Map::new();
            for (k, v) in pairs {
                let key = match &k {
                    Go::Str(s) => s.clone(),
                    Go::Int(i) => i.to_string(),
                    Go::Float(f) => {
                        match crate::strconv::format_float_bits(*f, 'g', -1, 32).as_str() {
                            "+Inf" => ".inf".to_string(),
                            "-Inf" => "-.inf".to_string(),
                            "NaN" => ".nan".to_string(),
                            s => s.to_string(),
                        }
                    }
                    Go::Bool(b) => b.to_string(),
                    other => {
                        return Err(YamlError::new(
                            format!(
                                "{PREFIX}unsupported map key of type: {}, key: {}, value: {}",
                                other.type_name(),
                                other.go_syntax(),
                                v.go_syntax()
                            ),
                            None,
                            None,
                        ));
                    }
                };
                map.insert(key, convert(v)?);
            }
            Value::Map(map)
        }
    })
}

/// The first NaN/Inf in Go's marshalling order (sorted keys), if any.
fn first_non_finite(v: &Value) -> Option<f64> {
    stacker::maybe_grow(RED_ZONE, STACK_CHUNK, || first_non_finite_inner(v))
}

fn first_non_finite_inner(v: &Value) -> Option<f64> {
    match v {
        Value::Float(f) if !f.is_finite() => Some(*f),
        Value::List(items) => items.iter().find_map(first_non_finite),
        Value::Map(m) => m.values().find_map(first_non_finite),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse, parse_all};
    use crate::values::Value;

    fn err(text: &str) -> String {
        parse(text).unwrap_err().message
    }

    fn json(v: &Value) -> String {
        crate::json::to_string(v)
    }

    // Behaviour and messages as printed by Helm's fromYaml for the files in
    // testdata/charts/yamljson/cases, plus go-yaml v2 rules read from its source.
    #[test]
    fn first_document_only_and_streams() {
        assert_eq!(json(&parse("a: 1\n---\nb: 2\n").unwrap()), r#"{"a":1}"#);
        let docs = parse_all("a: 1\n---\nb: 2\n---\n").unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(json(&docs[1]), r#"{"b":2}"#);
        assert_eq!(docs[2], Value::Null);
        assert!(parse_all("").unwrap().is_empty());
        assert_eq!(parse("# only a comment\n").unwrap(), Value::Null);
        assert_eq!(parse("\u{feff}a: 1").unwrap(), parse("a: 1").unwrap());
    }

    #[test]
    fn scalars_at_the_root() {
        assert_eq!(parse("hello").unwrap(), Value::from("hello"));
        assert_eq!(parse("0x10").unwrap(), Value::Float(16.0));
        assert_eq!(json(&parse("- a\n- on\n").unwrap()), r#"["a",true]"#);
    }

    #[test]
    fn keys_become_strings_like_sigs_yaml() {
        let v = parse("1.1: a\n0.1: b\n3.14159265: c\n-3: d\nno: e\n.inf: f\n").unwrap();
        assert_eq!(
            json(&v),
            r#"{"-3":"d",".inf":"f","0.1":"b","1.1":"a","3.1415927":"c","false":"e"}"#
        );
        assert_eq!(
            err("~: x\n"),
            r#"error converting YAML to JSON: unsupported map key of type: %!s(<nil>), key: <nil>, value: "x""#
        );
        assert_eq!(
            err("? [a, b]\n: c\n"),
            r#"error converting YAML to JSON: yaml: invalid map key: []interface {}{"a", "b"}"#
        );
    }

    #[test]
    fn duplicates_and_merges() {
        assert_eq!(json(&parse("a: 1\na: 2\n").unwrap()), r#"{"a":2}"#);
        let v = parse("b: &b {a: 1, b: 2}\nc:\n  a: 0\n  <<: *b\n  b: 3\n").unwrap();
        assert_eq!(json(v.get_path("c").unwrap()), r#"{"a":1,"b":3}"#);
        let v = parse("x:\n  <<: [{a: 1, b: 1}, {b: 2, c: 2}]\n").unwrap();
        assert_eq!(json(v.get_path("x").unwrap()), r#"{"a":1,"b":1,"c":2}"#);
        assert_eq!(
            err("a: &x 1\nb:\n  <<: *x\n"),
            "error converting YAML to JSON: yaml: map merge requires map or sequence of maps as the value"
        );
        assert_eq!(
            json(&parse("\"<<\": 1\n").unwrap()),
            r#"{"\u003c\u003c":1}"#
        );
    }

    #[test]
    fn tags() {
        let v =
            parse("a: !!str 1\nb: !!float 2\nc: !!binary aGk=\nd: !x 5\ne: !!int \"7\"\n").unwrap();
        assert_eq!(json(&v), r#"{"a":"1","b":2,"c":"hi","d":"5","e":7}"#);
        assert_eq!(
            err("a: !!int abc\n"),
            "error converting YAML to JSON: yaml: cannot decode !!str `abc` as a !!int"
        );
    }

    #[test]
    fn errors_read_like_helm() {
        assert_eq!(
            err("a:\n  b: 1\n c: 2\n"),
            "error converting YAML to JSON: yaml: line 2: did not find expected key"
        );
        assert_eq!(
            err("a: 1\n  b: 2\n"),
            "error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context"
        );
        assert_eq!(
            err("a: *x\n"),
            "error converting YAML to JSON: yaml: unknown anchor 'x' referenced"
        );
        assert_eq!(
            err("a: .nan\n"),
            "error converting YAML to JSON: json: unsupported value: NaN"
        );
        assert_eq!(
            err("a: \"x\u{7f}\"\n"),
            "error converting YAML to JSON: yaml: control characters are not allowed"
        );
        let e = parse("a:\n  b: 1\n c: 2\n").unwrap_err();
        assert_eq!(e.line, Some(3));
    }

    #[test]
    fn aliases_are_expanded_but_bounded() {
        let v = parse("a: &a [1, 2]\nb: *a\n").unwrap();
        assert_eq!(json(&v), r#"{"a":[1,2],"b":[1,2]}"#);
        let mut laughs = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let names = ["b", "c", "d", "e", "f", "g", "h"];
        let mut prev = "a";
        for n in names {
            laughs.push_str(&format!("{n}: &{n} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
            prev = n;
        }
        assert!(err(&laughs).contains("excessive aliasing"));
    }
}

#[cfg(test)]
mod edge_tests {
    use super::super::parse;

    #[test]
    fn malformed_input_never_panics() {
        for text in [
            "a: &x [*x]\n",
            "&a [*a]",
            "? \n: \n",
            "- - - -\n",
            "{a: [}, ]",
            "'unterminated",
            "a: |\n\tx\n",
            "!!binary =====",
            "%TAG ! tag:x,2000:\n--- !foo 1\n",
            "a: !<tag:yaml.org,2002:int> 3\n",
            "[a, b]: c\n",
            "*",
            "&",
        ] {
            let _ = parse(text);
        }
        assert!(parse("a: &x [*x]\n").is_err());
        let deep = format!("{}{}", "[".repeat(10_001), "]".repeat(10_001));
        let m = parse(&deep).unwrap_err().message;
        assert!(m.contains("exceeded max depth"), "{m}");
        // saphyr caps flow nesting at 255 levels (go-yaml: 10000).
        let ok = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let v = parse(&ok).unwrap();
        assert!(!super::super::to_string(&v).is_empty());
        let block: String = (0..1000)
            .map(|i| format!("{}a:\n", "  ".repeat(i)))
            .collect();
        let v = parse(&block).unwrap();
        assert!(super::super::to_string(&v).len() > 1000);
        assert!(crate::json::to_string(&v).len() > 1000);
        assert_eq!(
            parse("a: !<tag:yaml.org,2002:int> 3\n")
                .unwrap()
                .get_path("a"),
            Some(&crate::values::Value::Float(3.0))
        );
    }
}
