//! A line scanner for the plain block layout real index writers produce.
//!
//! Helm (through sigs.k8s.io/yaml), ChartMuseum and hoist's own server all
//! write indexes as block mappings and sequences of one-line scalars, with
//! the odd literal block or quoted string. Reading that subset line by line
//! is several times cheaper than running a full YAML parser, whose event
//! stream alone costs more than the whole scan.
//!
//! The scanner fills the same structs as the event reader and applies the
//! same rules to the fields it types (null spellings, `true`/`false` only,
//! everything else kept as text). It reads block mappings and sequences,
//! plain scalars (also folded over several lines), single- and
//! double-quoted scalars (also over several lines, with every YAML escape
//! but lone surrogates), literal and folded block scalars with chomping and
//! indentation indicators, `[]`, `{}`, comments and blank lines.
//!
//! It gives up ([`GiveUp`]) on anything else, and the caller moves on to
//! the event reader: other flow collections, anchors, aliases, tags,
//! directives and document markers, `?` keys, tabs, `\r` and other control
//! or special line-break characters, a text without a final line break,
//! folded scalars with more-indented lines, empty block scalars, spaces-only
//! lines wider than a block scalar's indentation, continuation lines not
//! indented past their parent, comments inside plain scalars, duplicate,
//! null, merge or unusual keys (indicators, `#`, `:`, quotes, flow
//! characters, trailing spaces, over 1000 bytes), bare `-` items,
//! indentation indicators on sequence items, and lines indented where no
//! node can start.
//!
//! Giving up is cheap; being wrong is not allowed.

use super::ChartVersion;
use super::events::{RawDoc, RawVersions, SeenFields, VersionField};
use std::borrow::Cow;

/// The text is outside the subset this scanner reads.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct GiveUp;

type R<T> = Result<T, GiveUp>;

/// Nesting deeper than this is left to the other readers (index entries
/// are four levels deep).
const MAX_DEPTH: usize = 48;

/// The same comment budget as the event reader's, for the same reason.
const MAX_COMMENT_BYTES: usize = 4 << 20;

/// serde-saphyr refuses implicit keys longer than 1024 characters.
const MAX_KEY_BYTES: usize = 1000;

/// A significant line: where it starts, its indentation, where it ends
/// (the offset of its `\n`).
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    indent: usize,
    end: usize,
}

/// A mapping key and the text after its colon.
type Entry<'a> = (Cow<'a, str>, &'a str);

/// A value as the typed readers see it.
enum Node<'a> {
    /// Scalar text; `true` when plain (only plain scalars can be null).
    Scalar(Cow<'a, str>, bool),
    /// A block sequence whose dashes sit at this column.
    Seq(usize),
    /// A block mapping whose keys sit at this column, with its first entry
    /// when it began on the line of a sequence dash.
    Map(usize, Option<Entry<'a>>),
    /// `[]`
    EmptySeq,
    /// `{}`
    EmptyMap,
}

/// Null as the event reader reads it: a plain empty, `~` or `null`.
fn is_null(text: &str, plain: bool) -> bool {
    plain && matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// Characters that cannot start a plain scalar here (`-`, `?` and `:`
/// could before a non-space, but nothing in an index needs that).
fn is_indicator(b: u8) -> bool {
    matches!(
        b,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

/// Whole-text conditions: a final line break, and no character whose
/// handling differs between YAML versions or readers (tabs, `\r`, other
/// controls, DEL, C1 controls, NEL, LS, PS, byte-order marks, non-characters).
fn precheck(text: &str) -> R<()> {
    let b = text.as_bytes();
    if b.last() != Some(&b'\n') {
        return Err(GiveUp);
    }
    // Chunks of printable ASCII (most of an index) are cleared without
    // branching per byte; others are looked at byte by byte.
    const CHUNK: usize = 32;
    let mut at = 0;
    for chunk in b.chunks(CHUNK) {
        let unusual = chunk.iter().fold(false, |acc, &c| {
            acc | ((c < 0x20 && c != b'\n') || c >= 0x7f)
        });
        if unusual {
            for i in at..at + chunk.len() {
                if !byte_ok(b, i) {
                    return Err(GiveUp);
                }
            }
        }
        at += chunk.len();
    }
    Ok(())
}

/// The byte at `i` is neither a control character nor the start of a
/// character the scanner leaves to the parser.
fn byte_ok(b: &[u8], i: usize) -> bool {
    let next = |k: usize| b.get(i + k).copied().unwrap_or(0);
    match b[i] {
        b'\n' => true,
        c if c < 0x20 || c == 0x7f => false,
        // C1 controls and NEL.
        0xc2 => !(0x80..0xa0).contains(&next(1)),
        // LS and PS.
        0xe2 => !(next(1) == 0x80 && matches!(next(2), 0xa8 | 0xa9)),
        // Byte-order mark, U+FFFE and U+FFFF.
        0xef => !matches!((next(1), next(2)), (0xbb, 0xbf) | (0xbf, 0xbe | 0xbf)),
        _ => true,
    }
}

/// Decodes the escape at `body[j]` (a backslash followed by at least one
/// character) into `out`; returns the offset after it.
fn escape(body: &str, j: usize, out: &mut String) -> R<usize> {
    let bytes = body.as_bytes();
    let esc = *bytes.get(j + 1).ok_or(GiveUp)?;
    let simple = match esc {
        b'0' => Some('\0'),
        b'a' => Some('\x07'),
        b'b' => Some('\x08'),
        b't' => Some('\t'),
        b'n' => Some('\n'),
        b'v' => Some('\x0b'),
        b'f' => Some('\x0c'),
        b'r' => Some('\r'),
        b'e' => Some('\x1b'),
        b' ' => Some(' '),
        b'"' => Some('"'),
        b'/' => Some('/'),
        b'\\' => Some('\\'),
        b'N' => Some('\u{85}'),
        b'_' => Some('\u{a0}'),
        b'L' => Some('\u{2028}'),
        b'P' => Some('\u{2029}'),
        _ => None,
    };
    if let Some(c) = simple {
        out.push(c);
        return Ok(j + 2);
    }
    let digits = match esc {
        b'x' => 2,
        b'u' => 4,
        b'U' => 8,
        _ => return Err(GiveUp),
    };
    let hex = body.get(j + 2..j + 2 + digits).ok_or(GiveUp)?;
    if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
        return Err(GiveUp);
    }
    let code = u32::from_str_radix(hex, 16).map_err(|_| GiveUp)?;
    // Lone surrogates and out-of-range values: left to the parser.
    out.push(char::from_u32(code).ok_or(GiveUp)?);
    Ok(j + 2 + digits)
}

/// How one line of a quoted scalar ended.
enum LineEnd {
    /// At the closing quote; the offset just past it.
    Closed(usize),
    /// At the line break, which folds.
    Open,
    /// At a backslash before the line break (double quotes only), which
    /// joins the lines without a space.
    Escaped,
}

/// Appends one line of a quoted scalar to `out`: `s` runs from after the
/// opening quote (or a continuation line's indentation) to the line's end.
/// Spaces before a folding line break are dropped, as YAML does.
fn quoted_line(s: &str, double: bool, out: &mut String) -> R<LineEnd> {
    let b = s.as_bytes();
    let mut i = 0;
    // Spaces written by escapes are content; only literal ones trim.
    let mut floor = out.len();
    loop {
        let found = if double {
            memchr::memchr2(b'"', b'\\', &b[i..])
        } else {
            memchr::memchr(b'\'', &b[i..])
        };
        let Some(j) = found.map(|j| i + j) else {
            out.push_str(&s[i..]);
            let keep = out[floor..].trim_end_matches(' ').len();
            out.truncate(floor + keep);
            return Ok(LineEnd::Open);
        };
        out.push_str(&s[i..j]);
        match b[j] {
            b'"' => return Ok(LineEnd::Closed(j + 1)),
            b'\'' if b.get(j + 1) == Some(&b'\'') => {
                out.push('\'');
                i = j + 2;
            }
            b'\'' => return Ok(LineEnd::Closed(j + 1)),
            _ if j + 1 == b.len() => return Ok(LineEnd::Escaped),
            _ => {
                i = escape(s, j, out)?;
                floor = out.len();
            }
        }
    }
}

/// A double-quoted scalar on one line: `s` starts at the opening quote.
/// Returns the value and the text after the closing quote.
fn double_quoted(s: &str) -> R<(Cow<'_, str>, &str)> {
    let body = &s[1..];
    let Some(first) = memchr::memchr2(b'"', b'\\', body.as_bytes()) else {
        return Err(GiveUp);
    };
    if body.as_bytes()[first] == b'"' {
        return Ok((Cow::Borrowed(&body[..first]), &body[first + 1..]));
    }
    let mut out = String::new();
    match quoted_line(body, true, &mut out)? {
        LineEnd::Closed(end) => Ok((Cow::Owned(out), &body[end..])),
        _ => Err(GiveUp),
    }
}

/// A single-quoted scalar on one line: `s` starts at the opening quote.
fn single_quoted(s: &str) -> R<(Cow<'_, str>, &str)> {
    let body = &s[1..];
    let bytes = body.as_bytes();
    let mut owned: Option<String> = None;
    let mut i = 0;
    loop {
        let j = memchr::memchr(b'\'', &bytes[i..]).ok_or(GiveUp)? + i;
        if bytes.get(j + 1) == Some(&b'\'') {
            owned.get_or_insert_with(String::new).push_str(&body[i..=j]);
            i = j + 2;
            continue;
        }
        let text = match owned {
            Some(mut o) => {
                o.push_str(&body[i..j]);
                Cow::Owned(o)
            }
            None => Cow::Borrowed(&body[..j]),
        };
        return Ok((text, &body[j + 1..]));
    }
}

/// A plain key as index writers produce them: no indicator first, no
/// trailing space, none of the characters that would need a closer look.
fn plain_key_ok(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_KEY_BYTES
        && !is_indicator(key.as_bytes()[0])
        && !key.ends_with(' ')
        && !key.bytes().any(|b| {
            matches!(
                b,
                b':' | b'#' | b',' | b'[' | b']' | b'{' | b'}' | b'"' | b'\''
            )
        })
        && !matches!(key, "~" | "null" | "Null" | "NULL" | "<<")
}

/// Splits a line's content (from its first non-space) into key and the
/// text after the colon when it is a mapping entry; `None` when it is not.
fn split_key(content: &str) -> R<Option<Entry<'_>>> {
    match content.as_bytes()[0] {
        b'"' | b'\'' => {
            let (key, after) = if content.as_bytes()[0] == b'"' {
                double_quoted(content)?
            } else {
                single_quoted(content)?
            };
            let Some(rest) = after.strip_prefix(':') else {
                return Ok(None);
            };
            if !(rest.is_empty() || rest.starts_with(' ')) {
                return Ok(None);
            }
            if content.len() - after.len() > MAX_KEY_BYTES
                || is_null(&key, true)
                || key.is_empty()
                || key == "<<"
            {
                return Err(GiveUp);
            }
            Ok(Some((key, rest)))
        }
        _ => {
            let b = content.as_bytes();
            for i in memchr::memchr2_iter(b':', b'#', b) {
                if b[i] == b'#' {
                    if i > 0 && b[i - 1] == b' ' {
                        // A comment starts before any key colon.
                        return Ok(None);
                    }
                    continue;
                }
                if i + 1 == b.len() || b[i + 1] == b' ' {
                    let key = &content[..i];
                    if !plain_key_ok(key) {
                        return Err(GiveUp);
                    }
                    return Ok(Some((Cow::Borrowed(key), &content[i + 1..])));
                }
            }
            Ok(None)
        }
    }
}

/// Text after a quoted scalar: nothing, or spaces and a comment.
fn trailing_ok(after: &str) -> R<usize> {
    let t = after.trim_start_matches(' ');
    if t.is_empty() {
        Ok(0)
    } else if t.starts_with('#') && t.len() < after.len() {
        Ok(t.len())
    } else {
        Err(GiveUp)
    }
}

/// A plain line's text without comment and trailing spaces, refused when
/// it holds what YAML would read as structure.
fn plain_text(s: &str) -> R<(&str, usize)> {
    let (text, comment) = match memchr::memmem::find(s.as_bytes(), b" #") {
        Some(p) => (&s[..p], s.len() - p),
        None => (s, 0),
    };
    let text = text.trim_end_matches(' ');
    if text.ends_with(':') || memchr::memmem::find(text.as_bytes(), b": ").is_some() {
        return Err(GiveUp);
    }
    Ok((text, comment))
}

struct Scanner<'a> {
    text: &'a str,
    /// Start of the next unread line.
    pos: usize,
    depth: usize,
    comment_bytes: usize,
    /// Keys of the skipped mappings being read, innermost last.
    keys: Vec<Cow<'a, str>>,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> R<Self> {
        precheck(text)?;
        Ok(Scanner {
            text,
            pos: 0,
            depth: 0,
            comment_bytes: 0,
            keys: Vec::new(),
        })
    }

    fn comment(&mut self, bytes: usize) -> R<()> {
        self.comment_bytes += bytes;
        if self.comment_bytes > MAX_COMMENT_BYTES {
            return Err(GiveUp);
        }
        Ok(())
    }

    /// The end (offset of the `\n`) of the line starting at `start`.
    fn end_of(&self, start: usize) -> usize {
        // `precheck` guarantees a final `\n`.
        memchr::memchr(b'\n', &self.text.as_bytes()[start..]).map_or(self.text.len(), |i| start + i)
    }

    /// The next line that is neither blank nor a comment (those are
    /// consumed), `None` at the end of the text.
    fn peek(&mut self) -> R<Option<Line>> {
        let bytes = self.text.as_bytes();
        while self.pos < bytes.len() {
            let start = self.pos;
            let end = self.end_of(start);
            let line = &bytes[start..end];
            let indent = line.iter().take_while(|&&b| b == b' ').count();
            if indent == line.len() {
                self.pos = end + 1;
                continue;
            }
            if line[indent] == b'#' {
                self.comment(line.len() - indent)?;
                self.pos = end + 1;
                continue;
            }
            if indent == 0 && (line.starts_with(b"---") || line.starts_with(b"...")) {
                return Err(GiveUp);
            }
            return Ok(Some(Line { start, indent, end }));
        }
        Ok(None)
    }

    fn content(&self, line: Line) -> &'a str {
        &self.text[line.start + line.indent..line.end]
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        Ok(())
    }

    /// The next entry of the block mapping at column `m` (its pending first
    /// entry, if any), `None` at its end.
    fn next_key(&mut self, m: usize, pending: &mut Option<Entry<'a>>) -> R<Option<Entry<'a>>> {
        if let Some(e) = pending.take() {
            return Ok(Some(e));
        }
        let Some(line) = self.peek()? else {
            return Ok(None);
        };
        if line.indent < m {
            return Ok(None);
        }
        if line.indent > m {
            return Err(GiveUp);
        }
        let entry = split_key(self.content(line))?.ok_or(GiveUp)?;
        self.pos = line.end + 1;
        Ok(Some(entry))
    }

    /// The value of a key of the mapping at column `m`; `rest` is the text
    /// after the colon.
    fn map_value(&mut self, m: usize, rest: &'a str) -> R<Node<'a>> {
        let t = rest.trim_start_matches(' ');
        if !t.is_empty() && !t.starts_with('#') {
            return self.inline_node(t, m, false);
        }
        self.comment(t.len())?;
        let Some(line) = self.peek()? else {
            return Ok(Node::Scalar(Cow::Borrowed(""), true));
        };
        let c = self.content(line).as_bytes();
        let dash = c == b"-" || c.starts_with(b"- ");
        if line.indent > m {
            Ok(if dash {
                Node::Seq(line.indent)
            } else {
                Node::Map(line.indent, None)
            })
        } else if line.indent == m && dash {
            Ok(Node::Seq(m))
        } else {
            Ok(Node::Scalar(Cow::Borrowed(""), true))
        }
    }

    /// The next item of the block sequence at column `s`: the column its
    /// content starts at and that content; `None` at the sequence's end.
    fn next_item(&mut self, s: usize) -> R<Option<(usize, &'a str)>> {
        let Some(line) = self.peek()? else {
            return Ok(None);
        };
        if line.indent < s {
            return Ok(None);
        }
        if line.indent > s {
            return Err(GiveUp);
        }
        let c = self.content(line);
        let Some(after) = c.strip_prefix("- ") else {
            // A bare `-` (item on the next lines) is not handled.
            return if c == "-" { Err(GiveUp) } else { Ok(None) };
        };
        let rest = after.trim_start_matches(' ');
        if rest.is_empty() || rest.starts_with('#') {
            return Err(GiveUp);
        }
        self.pos = line.end + 1;
        Ok(Some((s + c.len() - rest.len(), rest)))
    }

    /// An item of the sequence at column `s` starting at column `col`.
    fn item_node(&mut self, s: usize, col: usize, rest: &'a str) -> R<Node<'a>> {
        match split_key(rest)? {
            Some(entry) => Ok(Node::Map(col, Some(entry))),
            None => self.inline_node(rest, s, true),
        }
    }

    /// A value starting on the current line (already consumed): `t` is its
    /// text from the first non-space, `n` the indentation of the parent.
    fn inline_node(&mut self, t: &'a str, n: usize, in_seq: bool) -> R<Node<'a>> {
        match t.as_bytes()[0] {
            b'"' | b'\'' => {
                let one_line = if t.as_bytes()[0] == b'"' {
                    double_quoted(t)
                } else {
                    single_quoted(t)
                };
                let (text, after) = match one_line {
                    Ok(found) => found,
                    Err(GiveUp) => {
                        let (text, after) = self.quoted_lines(t, n)?;
                        (Cow::Owned(text), after)
                    }
                };
                let comment = trailing_ok(after)?;
                self.comment(comment)?;
                Ok(Node::Scalar(text, false))
            }
            b'|' | b'>' => self.block_scalar(t, n, in_seq),
            b'[' | b'{' => {
                let (text, comment) = plain_text(t)?;
                self.comment(comment)?;
                match text {
                    "[]" => Ok(Node::EmptySeq),
                    "{}" => Ok(Node::EmptyMap),
                    _ => Err(GiveUp),
                }
            }
            b if is_indicator(b) => Err(GiveUp),
            _ => self.plain(t, n),
        }
    }

    /// A quoted scalar over several lines, folded as YAML folds them;
    /// continuation lines must be indented more than `n`. Returns the
    /// value and the text after the closing quote.
    fn quoted_lines(&mut self, t: &'a str, n: usize) -> R<(String, &'a str)> {
        let double = t.starts_with('"');
        let mut out = String::new();
        let mut rest: &'a str = &t[1..];
        loop {
            let end = match quoted_line(rest, double, &mut out)? {
                LineEnd::Closed(i) => return Ok((out, &rest[i..])),
                end => end,
            };
            let mut empty = 0;
            loop {
                if self.pos >= self.text.len() {
                    return Err(GiveUp);
                }
                let e = self.end_of(self.pos);
                let line = &self.text[self.pos..e];
                self.pos = e + 1;
                let content = line.trim_start_matches(' ');
                if content.is_empty() {
                    empty += 1;
                    continue;
                }
                if line.len() - content.len() <= n {
                    return Err(GiveUp);
                }
                if empty == 0 && matches!(end, LineEnd::Open) {
                    out.push(' ');
                } else {
                    out.extend(std::iter::repeat_n('\n', empty));
                }
                rest = content;
                break;
            }
        }
    }

    /// A plain scalar, folding the continuation lines indented more than
    /// `n` as YAML does.
    fn plain(&mut self, t: &'a str, n: usize) -> R<Node<'a>> {
        let (first, comment) = plain_text(t)?;
        self.comment(comment)?;
        if comment > 0 {
            // A comment ends the scalar; a continuation would be an error.
            return Ok(Node::Scalar(Cow::Borrowed(first), true));
        }
        let bytes = self.text.as_bytes();
        let mut out: Option<String> = None;
        let mut blanks = 0;
        let mut cursor = self.pos;
        while cursor < bytes.len() {
            let end = self.end_of(cursor);
            let line = &self.text[cursor..end];
            let content = line.trim_start_matches(' ');
            if content.is_empty() {
                blanks += 1;
                cursor = end + 1;
                continue;
            }
            if line.len() - content.len() <= n {
                break;
            }
            let (text, comment) = plain_text(content)?;
            if comment > 0 || is_indicator(content.as_bytes()[0]) {
                return Err(GiveUp);
            }
            let o = out.get_or_insert_with(|| first.to_string());
            if blanks == 0 {
                o.push(' ');
            } else {
                o.extend(std::iter::repeat_n('\n', blanks));
            }
            o.push_str(text);
            blanks = 0;
            cursor = end + 1;
            self.pos = cursor;
        }
        Ok(Node::Scalar(
            out.map_or(Cow::Borrowed(first), Cow::Owned),
            true,
        ))
    }

    /// A literal or folded block scalar; `t` starts at its indicator, `n`
    /// is the parent's indentation.
    fn block_scalar(&mut self, t: &'a str, n: usize, in_seq: bool) -> R<Node<'a>> {
        let literal = t.starts_with('|');
        let header = &t[1..];
        let mut chomp = b' ';
        let mut explicit = 0usize;
        let mut i = 0;
        let hb = header.as_bytes();
        while i < hb.len() && i < 2 {
            match hb[i] {
                b'-' | b'+' if chomp == b' ' => chomp = hb[i],
                d @ b'1'..=b'9' if explicit == 0 => explicit = usize::from(d - b'0'),
                _ => break,
            }
            i += 1;
        }
        let after = &header[i..];
        let comment = trailing_ok(after)?;
        self.comment(comment)?;
        if explicit > 0 && in_seq {
            return Err(GiveUp);
        }
        let bytes = self.text.as_bytes();
        // Leading blank lines, then the first content line fixes the indent.
        let mut cursor = self.pos;
        let mut leading = 0;
        let mut widest_blank = 0;
        let indent = loop {
            if cursor >= bytes.len() {
                return Err(GiveUp);
            }
            let end = self.end_of(cursor);
            let line = &bytes[cursor..end];
            let spaces = line.iter().take_while(|&&b| b == b' ').count();
            if spaces == line.len() {
                leading += 1;
                widest_blank = widest_blank.max(spaces);
                cursor = end + 1;
                continue;
            }
            let indent = if explicit > 0 { n + explicit } else { spaces };
            // An empty scalar, or text less indented than declared.
            if spaces <= n || spaces < indent {
                return Err(GiveUp);
            }
            break indent;
        };
        if widest_blank > indent {
            return Err(GiveUp);
        }
        let mut out = String::new();
        out.extend(std::iter::repeat_n('\n', leading));
        let mut blanks = 0;
        let mut first = true;
        while cursor < bytes.len() {
            let end = self.end_of(cursor);
            let line = &self.text[cursor..end];
            let spaces = line.len() - line.trim_start_matches(' ').len();
            if spaces == line.len() {
                // Spaces beyond the indentation would be content.
                if spaces > indent {
                    return Err(GiveUp);
                }
                blanks += 1;
                cursor = end + 1;
                continue;
            }
            if spaces < indent {
                break;
            }
            let text = &line[indent..];
            if !literal && text.starts_with(' ') {
                return Err(GiveUp);
            }
            if !first {
                if literal || blanks == 0 {
                    out.push(if literal { '\n' } else { ' ' });
                }
                out.extend(std::iter::repeat_n('\n', blanks));
            }
            out.push_str(text);
            first = false;
            blanks = 0;
            cursor = end + 1;
            self.pos = cursor;
        }
        match chomp {
            b'-' => {}
            b'+' => out.extend(std::iter::repeat_n('\n', blanks + 1)),
            _ => out.push('\n'),
        }
        Ok(Node::Scalar(Cow::Owned(out), false))
    }

    /// Records a key of a skipped mapping; a repeat gives up.
    fn new_key(&mut self, start: usize, key: Cow<'a, str>) -> R<()> {
        if self.keys[start..].contains(&key) {
            return Err(GiveUp);
        }
        self.keys.push(key);
        Ok(())
    }

    /// Reads past a value nobody needs, checking it as the other readers do.
    fn skip(&mut self, node: Node<'a>) -> R<()> {
        match node {
            Node::Scalar(..) | Node::EmptySeq | Node::EmptyMap => Ok(()),
            Node::Seq(s) => {
                self.enter()?;
                while let Some((col, rest)) = self.next_item(s)? {
                    let item = self.item_node(s, col, rest)?;
                    self.skip(item)?;
                }
                self.depth -= 1;
                Ok(())
            }
            Node::Map(m, mut pending) => {
                self.enter()?;
                let start = self.keys.len();
                while let Some((key, rest)) = self.next_key(m, &mut pending)? {
                    self.new_key(start, key)?;
                    let value = self.map_value(m, rest)?;
                    self.skip(value)?;
                }
                self.keys.truncate(start);
                self.depth -= 1;
                Ok(())
            }
        }
    }

    fn string(node: Node<'a>) -> R<String> {
        match node {
            Node::Scalar(text, plain) if is_null(&text, plain) => Ok(String::new()),
            Node::Scalar(text, _) => Ok(text.into_owned()),
            _ => Err(GiveUp),
        }
    }

    fn boolean(node: Node<'a>) -> R<bool> {
        match node {
            Node::Scalar(text, plain) if is_null(&text, plain) => Ok(false),
            Node::Scalar(text, true) if text == "true" => Ok(true),
            Node::Scalar(text, true) if text == "false" => Ok(false),
            _ => Err(GiveUp),
        }
    }

    fn strings(&mut self, node: Node<'a>) -> R<Vec<String>> {
        match node {
            Node::Scalar(text, plain) if is_null(&text, plain) => Ok(Vec::new()),
            Node::EmptySeq => Ok(Vec::new()),
            Node::Seq(s) => {
                let mut out = Vec::new();
                while let Some((col, rest)) = self.next_item(s)? {
                    match self.item_node(s, col, rest)? {
                        Node::Scalar(text, plain) if !is_null(&text, plain) => {
                            out.push(text.into_owned());
                        }
                        _ => return Err(GiveUp),
                    }
                }
                Ok(out)
            }
            _ => Err(GiveUp),
        }
    }

    /// One entry mapping at column `m`.
    fn version(&mut self, m: usize, mut pending: Option<Entry<'a>>) -> R<ChartVersion> {
        self.enter()?;
        let mut v = ChartVersion::default();
        let mut seen = SeenFields::default();
        let start = self.keys.len();
        while let Some((key, rest)) = self.next_key(m, &mut pending)? {
            let value = self.map_value(m, rest)?;
            let Some(field) = VersionField::of(&key) else {
                self.new_key(start, key)?;
                self.skip(value)?;
                continue;
            };
            if !seen.first(field) {
                return Err(GiveUp);
            }
            match field {
                VersionField::Name => v.name = Self::string(value)?,
                VersionField::Version => v.version = Self::string(value)?,
                VersionField::AppVersion => v.app_version = Self::string(value)?,
                VersionField::Description => v.description = Self::string(value)?,
                VersionField::Keywords => v.keywords = self.strings(value)?,
                VersionField::ApiVersion => v.api_version = Self::string(value)?,
                VersionField::Type => v.chart_type = Self::string(value)?,
                VersionField::Deprecated => v.deprecated = Self::boolean(value)?,
                VersionField::Urls => v.urls = self.strings(value)?,
                VersionField::Digest => v.digest = Self::string(value)?,
                VersionField::Created => v.created = Self::string(value)?,
            }
        }
        self.keys.truncate(start);
        self.depth -= 1;
        Ok(v)
    }

    /// One chart's versions: null, `[]`, or a sequence of entries and nulls.
    fn versions(&mut self, node: Node<'a>) -> R<RawVersions> {
        match node {
            Node::Scalar(text, plain) if is_null(&text, plain) => Ok(None),
            Node::EmptySeq => Ok(Some(Vec::new())),
            Node::Seq(s) => {
                self.enter()?;
                let mut out = Vec::new();
                while let Some((col, rest)) = self.next_item(s)? {
                    match self.item_node(s, col, rest)? {
                        Node::Scalar(text, plain) if is_null(&text, plain) => out.push(None),
                        Node::Map(m, pending) => out.push(Some(self.version(m, pending)?)),
                        _ => return Err(GiveUp),
                    }
                }
                self.depth -= 1;
                Ok(Some(out))
            }
            _ => Err(GiveUp),
        }
    }

    /// The chart-name mapping at column `m`, in document order.
    fn entries_body(&mut self, m: usize) -> R<Vec<(String, RawVersions)>> {
        self.enter()?;
        let mut out = Vec::new();
        let mut pending = None;
        while let Some((name, rest)) = self.next_key(m, &mut pending)? {
            let value = self.map_value(m, rest)?;
            let versions = self.versions(value)?;
            out.push((name.into_owned(), versions));
        }
        self.depth -= 1;
        Ok(out)
    }

    fn entries(&mut self, node: Node<'a>) -> R<Vec<(String, RawVersions)>> {
        match node {
            Node::Scalar(text, plain) if is_null(&text, plain) => Ok(Vec::new()),
            Node::EmptyMap => Ok(Vec::new()),
            Node::Map(m, None) => self.entries_body(m),
            _ => Err(GiveUp),
        }
    }

    /// Everything must have been read.
    fn at_end(&mut self) -> R<()> {
        match self.peek()? {
            None => Ok(()),
            Some(_) => Err(GiveUp),
        }
    }
}

/// Reads a whole index document: a block mapping at column 0 with
/// `apiVersion`, `entries` and keys that are skipped.
pub(super) fn read_index(text: &str) -> R<RawDoc> {
    let mut s = Scanner::new(text)?;
    match s.peek()? {
        Some(line) if line.indent == 0 => {}
        _ => return Err(GiveUp),
    }
    let mut doc = RawDoc::default();
    let mut pending = None;
    while let Some((key, rest)) = s.next_key(0, &mut pending)? {
        if doc.keys.iter().any(|k| *k == *key) {
            return Err(GiveUp);
        }
        doc.keys.push(key.to_string());
        let value = s.map_value(0, rest)?;
        match &*key {
            "apiVersion" => doc.api_version = Some(Scanner::string(value)?),
            "entries" => doc.entries = Some(s.entries(value)?),
            _ => s.skip(value)?,
        }
    }
    s.at_end()?;
    Ok(doc)
}

/// Reads a part of the `entries` mapping cut out of a bigger document.
pub(super) fn read_entries(text: &str) -> R<Vec<(String, RawVersions)>> {
    let mut s = Scanner::new(text)?;
    let Some(line) = s.peek()? else {
        return Err(GiveUp);
    };
    let entries = s.entries_body(line.indent)?;
    s.at_end()?;
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn description(yaml_value: &str) -> Option<String> {
        let text = format!(
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    description: {yaml_value}\n    version: 1.0.0\n"
        );
        let doc = read_index(&text).ok()?;
        let (_, versions) = doc.entries?.into_iter().next()?;
        Some(versions?.into_iter().next()??.description)
    }

    #[test]
    fn reads_scalar_styles() {
        assert_eq!(description("plain text # c").unwrap(), "plain text");
        assert_eq!(description("a#b").unwrap(), "a#b");
        assert_eq!(description("\"q \\\"x\\\" \\u00e9\"").unwrap(), "q \"x\" é");
        assert_eq!(description("'it''s'").unwrap(), "it's");
        assert_eq!(description("~").unwrap(), "");
        assert_eq!(description("'~'").unwrap(), "~");
        assert_eq!(
            description("|\n      l1\n        l2\n").unwrap(),
            "l1\n  l2\n"
        );
        assert_eq!(
            description("|-\n      l1\n\n      l2\n").unwrap(),
            "l1\n\nl2"
        );
        assert_eq!(
            description(">\n      f1\n      f2\n\n      f3\n").unwrap(),
            "f1 f2\nf3\n"
        );
        assert_eq!(
            description("wrapped\n      onto two").unwrap(),
            "wrapped onto two"
        );
    }

    #[test]
    fn gives_up_outside_the_subset() {
        for v in [
            "[a]",
            "&a x",
            "*a",
            "!!str x",
            "\"\\q\"",
            "\"\\ud800\"",
            "a: b",
            ">\n      f\n        more\n",
            "|\n",
            "- x",
        ] {
            assert_eq!(description(v), None, "{v}");
        }
        for text in [
            "apiVersion: v1\r\n",
            "apiVersion: v1",
            "apiVersion: v1\napiVersion: v2\n",
            "---\napiVersion: v1\n",
            "apiVersion: v1\n\tx: 1\n",
            "? a\n: b\n",
            "~: a\n",
            "entries:\n  a:\n  -\n    name: a\n",
        ] {
            assert_eq!(read_index(text), Err(GiveUp), "{text:?}");
        }
    }
}
