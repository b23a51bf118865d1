//! A direct reader from YAML parser events into the index structs.
//!
//! serde-saphyr reads an index through serde's generic machinery: every
//! event is buffered, every key fingerprinted, every skipped subtree typed.
//! This reader pulls the same parser's events (granit-parser, configured as
//! serde-saphyr configures it, so both accept exactly the same syntax) and
//! fills [`ChartVersion`]s itself.
//!
//! It understands only the plain shape indexes have in practice and gives
//! up ([`Unsupported`]) on anything where serde-saphyr's result would take
//! more care to reproduce: tags, anchors and aliases, merge keys, complex
//! or null keys, duplicate keys, scalars where a list or mapping belongs,
//! booleans other than `true`/`false`, deep nesting, syntax errors. The
//! caller then runs serde-saphyr on the whole document, so what a user sees
//! (result or error message) is always what serde-saphyr gives.

use super::ChartVersion;
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, StrInput};
use std::borrow::Cow;

/// The document is outside what this reader handles; use serde-saphyr.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Unsupported;

type Fast<T> = Result<T, Unsupported>;

/// One chart's versions as written: `None` for a null list or a null item.
pub(super) type RawVersions = Option<Vec<Option<ChartVersion>>>;

/// The top-level fields of an index document (or of a part of one).
#[derive(Debug, Default, PartialEq)]
pub(super) struct RawDoc {
    /// `apiVersion`, when the key is present (null reads as empty).
    pub api_version: Option<String>,
    /// `entries` in document order, when the key is present.
    pub entries: Option<Vec<(String, RawVersions)>>,
    /// Every top-level key, to find keys repeated across pieces.
    pub keys: Vec<String>,
}

/// Nesting deeper than this is left to serde-saphyr, which enforces its
/// own depth budget; index entries are four levels deep.
const MAX_DEPTH: usize = 48;

/// serde-saphyr fails a document with more than 64 MiB of comment text;
/// one reader gives up far below that, so that the pieces of a split
/// document (up to 16 readers) cannot add up to the limit.
const MAX_COMMENT_BYTES: usize = 4 << 20;

/// The parser options serde-saphyr uses with its default budget, so that
/// syntax accepted here is exactly the syntax it accepts.
fn parser_options() -> serde_saphyr::granit_parser::Options {
    let budget = serde_saphyr::Budget::default();
    let mut o = serde_saphyr::granit_parser::Options::default();
    o.simple_key_max_lookahead = budget.simple_key_max_lookahead;
    o.flow_nesting_limit = budget.flow_nesting_limit;
    o.block_nesting_limit = o
        .block_nesting_limit
        .max(budget.max_depth.saturating_add(1));
    o.emit_comments = true;
    o.max_buffered_comment_events = budget.max_buffered_comment_events;
    o
}

/// The start of a node, with its content for scalars.
enum Node<'a> {
    Scalar(Cow<'a, str>, ScalarStyle),
    Seq,
    Map,
}

/// Null as serde-saphyr reads it for an `Option` target: an untagged plain
/// scalar that is empty, `~` or a spelling of `null`.
fn is_null(text: &str, style: ScalarStyle) -> bool {
    style == ScalarStyle::Plain && matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// A merge key as serde-saphyr recognises one untagged: plain `<<`.
fn is_merge(text: &str, style: ScalarStyle) -> bool {
    style == ScalarStyle::Plain && text == "<<"
}

struct Reader<'a> {
    parser: Parser<'a, StrInput<'a>>,
    depth: usize,
    comment_bytes: usize,
    /// Keys of the mappings being read, innermost last (one buffer for
    /// all, to spare an allocation per mapping).
    keys: Vec<Cow<'a, str>>,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        Reader {
            parser: Parser::with_options(StrInput::new(text), parser_options()),
            depth: 0,
            comment_bytes: 0,
            keys: Vec::new(),
        }
    }

    /// The next event other than a comment; parse errors and the end of
    /// the stream give up.
    fn event(&mut self) -> Fast<Event<'a>> {
        loop {
            match self.parser.next_event() {
                Some(Ok((Event::Comment(text, _), _))) => {
                    self.comment_bytes += text.len();
                    if self.comment_bytes > MAX_COMMENT_BYTES {
                        return Err(Unsupported);
                    }
                }
                Some(Ok((ev, _))) => return Ok(ev),
                _ => return Err(Unsupported),
            }
        }
    }

    /// Classifies a node-start event; anything anchored, tagged or aliased
    /// gives up.
    fn node(ev: Event<'a>) -> Fast<Node<'a>> {
        match ev {
            Event::Scalar(text, style, 0, None) => Ok(Node::Scalar(text, style)),
            Event::SequenceStart(_, 0, None) => Ok(Node::Seq),
            Event::MappingStart(_, 0, None) => Ok(Node::Map),
            _ => Err(Unsupported),
        }
    }

    fn next_node(&mut self) -> Fast<Node<'a>> {
        let ev = self.event()?;
        Self::node(ev)
    }

    /// The next key of the mapping being read, `None` at its end. Keys
    /// must be untagged scalars that are neither null nor a merge key.
    fn key(&mut self) -> Fast<Option<Cow<'a, str>>> {
        match self.event()? {
            Event::MappingEnd => Ok(None),
            Event::Scalar(text, style, 0, None)
                if !is_null(&text, style) && !is_merge(&text, style) =>
            {
                Ok(Some(text))
            }
            _ => Err(Unsupported),
        }
    }

    /// Records `key` for the mapping whose keys start at `start`; a repeat
    /// gives up (serde-saphyr rejects duplicate keys).
    fn new_key(&mut self, start: usize, key: Cow<'a, str>) -> Fast<()> {
        if self.keys[start..].contains(&key) {
            return Err(Unsupported);
        }
        self.keys.push(key);
        Ok(())
    }

    fn enter(&mut self) -> Fast<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Unsupported);
        }
        Ok(())
    }

    /// Reads past a value nobody needs, still refusing what serde-saphyr
    /// would treat specially (it types skipped values too).
    fn skip(&mut self, node: Node<'a>) -> Fast<()> {
        match node {
            Node::Scalar(..) => Ok(()),
            Node::Seq => {
                self.enter()?;
                loop {
                    match self.event()? {
                        Event::SequenceEnd => break,
                        ev => {
                            let n = Self::node(ev)?;
                            self.skip(n)?;
                        }
                    }
                }
                self.depth -= 1;
                Ok(())
            }
            Node::Map => {
                self.enter()?;
                let start = self.keys.len();
                while let Some(k) = self.key()? {
                    self.new_key(start, k)?;
                    let n = self.next_node()?;
                    self.skip(n)?;
                }
                self.keys.truncate(start);
                self.depth -= 1;
                Ok(())
            }
        }
    }

    /// A string field: null reads as empty (Go's zero value).
    fn string(&mut self) -> Fast<String> {
        match self.next_node()? {
            Node::Scalar(text, style) if is_null(&text, style) => Ok(String::new()),
            Node::Scalar(text, _) => Ok(text.into_owned()),
            _ => Err(Unsupported),
        }
    }

    /// A boolean field written as `true`, `false` or null.
    fn boolean(&mut self) -> Fast<bool> {
        match self.next_node()? {
            Node::Scalar(text, style) if is_null(&text, style) => Ok(false),
            Node::Scalar(text, ScalarStyle::Plain) if text == "true" => Ok(true),
            Node::Scalar(text, ScalarStyle::Plain) if text == "false" => Ok(false),
            _ => Err(Unsupported),
        }
    }

    /// A list of strings, or null for none.
    fn strings(&mut self) -> Fast<Vec<String>> {
        match self.next_node()? {
            Node::Scalar(text, style) if is_null(&text, style) => Ok(Vec::new()),
            Node::Seq => {
                let mut out = Vec::new();
                loop {
                    match self.event()? {
                        Event::SequenceEnd => return Ok(out),
                        Event::Scalar(text, style, 0, None) if !is_null(&text, style) => {
                            out.push(text.into_owned());
                        }
                        _ => return Err(Unsupported),
                    }
                }
            }
            _ => Err(Unsupported),
        }
    }

    /// One entry mapping (its start already read).
    fn version(&mut self) -> Fast<ChartVersion> {
        self.enter()?;
        let mut v = ChartVersion::default();
        let mut seen = SeenFields::default();
        let start = self.keys.len();
        while let Some(key) = self.key()? {
            let Some(field) = VersionField::of(&key) else {
                self.new_key(start, key)?;
                let n = self.next_node()?;
                self.skip(n)?;
                continue;
            };
            if !seen.first(field) {
                return Err(Unsupported);
            }
            match field {
                VersionField::Name => v.name = self.string()?,
                VersionField::Version => v.version = self.string()?,
                VersionField::AppVersion => v.app_version = self.string()?,
                VersionField::Description => v.description = self.string()?,
                VersionField::Keywords => v.keywords = self.strings()?,
                VersionField::ApiVersion => v.api_version = self.string()?,
                VersionField::Type => v.chart_type = self.string()?,
                VersionField::Deprecated => v.deprecated = self.boolean()?,
                VersionField::Urls => v.urls = self.strings()?,
                VersionField::Digest => v.digest = self.string()?,
                VersionField::Created => v.created = self.string()?,
            }
        }
        self.keys.truncate(start);
        self.depth -= 1;
        Ok(v)
    }

    /// The versions of one chart: null, or a list of entries and nulls.
    fn versions(&mut self) -> Fast<RawVersions> {
        match self.next_node()? {
            Node::Scalar(text, style) if is_null(&text, style) => Ok(None),
            Node::Seq => {
                self.enter()?;
                let mut out = Vec::new();
                loop {
                    match self.event()? {
                        Event::SequenceEnd => break,
                        Event::Scalar(text, style, 0, None) if is_null(&text, style) => {
                            out.push(None);
                        }
                        Event::MappingStart(_, 0, None) => out.push(Some(self.version()?)),
                        _ => return Err(Unsupported),
                    }
                }
                self.depth -= 1;
                Ok(Some(out))
            }
            _ => Err(Unsupported),
        }
    }

    /// The `entries` mapping (its start already read), in document order.
    fn entries_body(&mut self) -> Fast<Vec<(String, RawVersions)>> {
        self.enter()?;
        let mut out = Vec::new();
        while let Some(name) = self.key()? {
            let versions = self.versions()?;
            out.push((name.into_owned(), versions));
        }
        self.depth -= 1;
        Ok(out)
    }

    /// The value of `entries`: null or a mapping.
    fn entries(&mut self) -> Fast<Vec<(String, RawVersions)>> {
        match self.next_node()? {
            Node::Scalar(text, style) if is_null(&text, style) => Ok(Vec::new()),
            Node::Map => self.entries_body(),
            _ => Err(Unsupported),
        }
    }

    /// Stream and document framing around one root node: exactly one
    /// document.
    fn document<T>(&mut self, root: impl FnOnce(&mut Self, Node<'a>) -> Fast<T>) -> Fast<T> {
        if self.event()? != Event::StreamStart {
            return Err(Unsupported);
        }
        if !matches!(self.event()?, Event::DocumentStart(..)) {
            return Err(Unsupported);
        }
        let node = self.next_node()?;
        let out = root(self, node)?;
        if self.event()? != Event::DocumentEnd || self.event()? != Event::StreamEnd {
            return Err(Unsupported);
        }
        Ok(out)
    }
}

/// Reads a whole index document: a mapping with `apiVersion`, `entries`
/// and keys that are skipped.
pub(super) fn read_index(text: &str) -> Fast<RawDoc> {
    let mut r = Reader::new(text);
    r.document(|r, root| {
        if !matches!(root, Node::Map) {
            return Err(Unsupported);
        }
        r.enter()?;
        let mut doc = RawDoc::default();
        while let Some(key) = r.key()? {
            if doc.keys.iter().any(|k| *k == *key) {
                return Err(Unsupported);
            }
            doc.keys.push(key.to_string());
            match &*key {
                "apiVersion" => doc.api_version = Some(r.string()?),
                "entries" => doc.entries = Some(r.entries()?),
                _ => {
                    let n = r.next_node()?;
                    r.skip(n)?;
                }
            }
        }
        r.depth -= 1;
        Ok(doc)
    })
}

/// Reads a part of the `entries` mapping cut out of a bigger document: a
/// mapping of chart names to versions, in document order.
pub(super) fn read_entries(text: &str) -> Fast<Vec<(String, RawVersions)>> {
    let mut r = Reader::new(text);
    r.document(|r, root| match root {
        Node::Map => r.entries_body(),
        _ => Err(Unsupported),
    })
}

/// The chart-version keys both fast readers fill; any other key is
/// skipped (and checked for duplicates) like serde would.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum VersionField {
    Name,
    Version,
    AppVersion,
    Description,
    Keywords,
    ApiVersion,
    Type,
    Deprecated,
    Urls,
    Digest,
    Created,
}

impl VersionField {
    /// The field a key names, by its spelling in index.yaml.
    pub(super) fn of(key: &str) -> Option<Self> {
        Some(match key {
            "name" => Self::Name,
            "version" => Self::Version,
            "appVersion" => Self::AppVersion,
            "description" => Self::Description,
            "keywords" => Self::Keywords,
            "apiVersion" => Self::ApiVersion,
            "type" => Self::Type,
            "deprecated" => Self::Deprecated,
            "urls" => Self::Urls,
            "digest" => Self::Digest,
            "created" => Self::Created,
            _ => return None,
        })
    }
}

/// The [`VersionField`]s one entry has set so far: a second one is a
/// duplicate key, which the fast readers leave to serde-saphyr.
#[derive(Default)]
pub(super) struct SeenFields(u16);

impl SeenFields {
    /// True the first time `field` is seen.
    pub(super) fn first(&mut self, field: VersionField) -> bool {
        let bit = 1u16 << field as u16;
        let first = self.0 & bit == 0;
        self.0 |= bit;
        first
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fields_and_skips_the_rest() {
        let doc = read_index(
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    maintainers:\n    - name: x\n      email: y\n    annotations:\n      k: |\n        multi\n        line\n    keywords: [k1, \"k2\"]\n    deprecated: true\n    description: >-\n      folded\n      text\n  - ~\n  b:\ngenerated: now\n",
        )
        .unwrap();
        assert_eq!(doc.api_version.as_deref(), Some("v1"));
        let entries = doc.entries.unwrap();
        assert_eq!(entries.len(), 2);
        let (name, versions) = &entries[0];
        assert_eq!(name, "a");
        let versions = versions.as_ref().unwrap();
        let v = versions[0].as_ref().unwrap();
        assert_eq!(v.keywords, ["k1", "k2"]);
        assert!(v.deprecated);
        assert_eq!(v.description, "folded text");
        assert!(versions[1].is_none());
        assert_eq!(entries[1], ("b".to_string(), None));
    }

    #[test]
    fn gives_up_on_what_serde_saphyr_treats_specially() {
        for text in [
            "apiVersion: v1\napiVersion: v2\n",
            "apiVersion: &a v1\n",
            "x: &a 1\ny: *a\n",
            "apiVersion: !!str v1\n",
            "entries:\n  a:\n  - name: a\n    name: b\n",
            "entries:\n  a:\n  - <<: {name: a}\n",
            "entries:\n  a:\n  - deprecated: yes\n",
            "entries:\n  a:\n  - keywords: k\n",
            "entries:\n  a:\n  - keywords: [~]\n",
            "entries:\n  a: x\n",
            "entries: []\n",
            "? [a]\n: b\n",
            "~: x\n",
            "a: 1\n---\nb: 2\n",
            "- a\n",
            "apiVersion: [\n",
        ] {
            assert_eq!(read_index(text), Err(Unsupported), "{text}");
        }
    }
}
