//! Reading a big index on several threads.
//!
//! Indexes written by Helm (sigs.k8s.io/yaml), ChartMuseum or hoist's own
//! server keep `entries:` as a block mapping whose chart names all sit at
//! one indentation:
//!
//! ```yaml
//! apiVersion: v1
//! entries:
//!   alpha:
//!   - name: alpha
//!     ...
//!   beta:
//!   - ...
//! generated: "..."
//! ```
//!
//! The document is cut into the head (up to the `entries:` line), parts of
//! the entries mapping that each begin at a chart-name line, and the tail
//! (from the next top-level key). Each piece is read as a document of its
//! own, in parallel. This equals reading the whole document because:
//!
//! - a cut is made only at a line that is exactly `<indent>NAME:`, with the
//!   indentation of the mapping's first key. Inside the entries mapping
//!   such a line can only be one of its keys, unless it continues a quoted
//!   or flow scalar; then the piece before it ends inside that scalar and
//!   fails to parse. Block scalars and plain multi-line scalars end before
//!   any line that is not more indented than their mapping;
//! - the tail begins at the first line after `entries:` that starts in
//!   column 0 and is not a comment, which ends the entries mapping; it must
//!   start like a plain or quoted key;
//! - the pieces must not share keys (duplicates are errors for a whole
//!   read), and both piece readers (the line scanner, then the event reader
//!   where it gives up) refuse anchors, aliases and tags, the
//!   only constructs that link distant parts of a document;
//! - directives (`%YAML`, `%TAG`) and `\r` line ends make the split give up.
//!
//! Whenever a condition does not hold, [`read`] returns `None` and the
//! caller reads the document in one piece.

use super::events::{self, RawDoc, RawVersions};
use super::scan;
use super::{Checked, IndexFile, assemble, check_chart};

/// Below this size one thread is faster than starting more.
pub(super) const MIN_PARALLEL_BYTES: usize = 1 << 20;

/// How far past a chosen cut point a chart-name line is looked for before
/// the part is left uncut.
const MAX_SEARCH: usize = 4 << 20;

/// The number of threads worth using (the machine's cores, at most 8).
pub(super) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// Where the document is cut.
#[derive(Debug, PartialEq)]
pub(super) struct Plan<'a> {
    /// Up to and including the `entries:` line.
    pub head: &'a str,
    /// Consecutive pieces of the entries mapping.
    pub parts: Vec<&'a str>,
    /// From the first top-level key after the entries (may be empty).
    pub tail: &'a str,
}

/// Start offsets of the lines of `text[from..]`, lazily.
fn line_starts(text: &str, from: usize) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    let first = (from == 0 || bytes.get(from - 1) == Some(&b'\n')).then_some(from);
    let rest = memchr::memchr_iter(b'\n', &bytes[from..])
        .map(move |i| from + i + 1)
        .filter(move |&s| s < bytes.len());
    first.into_iter().chain(rest)
}

/// The line starting at `start`, without its `\n`.
fn line_at(text: &str, start: usize) -> &str {
    let rest = &text[start..];
    rest.split('\n').next().unwrap_or(rest)
}

/// Blank or comment-only.
fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim_start_matches(' ');
    t.is_empty() || t.starts_with('#')
}

/// Exactly `indent` spaces, a chart name of the usual characters, and a
/// colon ending the line.
fn is_name_line(line: &str, indent: usize) -> bool {
    let Some(rest) = line.strip_prefix(&" ".repeat(indent)) else {
        return false;
    };
    let Some(name) = rest.strip_suffix(':') else {
        return false;
    };
    name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Cuts `text` into at most `parts` pieces of entries; `None` when its
/// layout is not the simple one described above.
pub(super) fn plan(text: &str, parts: usize) -> Option<Plan<'_>> {
    if text.contains('\r') || text.starts_with('%') || text.contains("\n%") {
        return None;
    }
    let entries_line = if text.starts_with("entries:\n") {
        0
    } else {
        text.find("\nentries:\n")? + 1
    };
    let body = entries_line + "entries:\n".len();
    // The indentation of the first key fixes where names sit.
    let first = line_starts(text, body).find(|&s| !is_blank_or_comment(line_at(text, s)))?;
    let first_line = line_at(text, first);
    let indent = first_line.len() - first_line.trim_start_matches(' ').len();
    // Anything but a key there (a sequence, say) fails the first piece.
    if indent == 0 {
        return None;
    }
    // The entries end at the first top-level line that is not a comment.
    let end = line_starts(text, first)
        .find(|&s| {
            let b = text.as_bytes()[s];
            b != b' ' && b != b'#' && b != b'\n'
        })
        .unwrap_or(text.len());
    if end < text.len() {
        let c = text.as_bytes()[end];
        if !(c.is_ascii_alphanumeric() || c == b'_' || c == b'"' || c == b'\'') {
            return None;
        }
    }
    let mut cuts = vec![body];
    for i in 1..parts {
        let target = body + (end - body) * i / parts;
        let last = *cuts.last()?;
        if target <= last {
            continue;
        }
        let limit = (target + MAX_SEARCH).min(end);
        if let Some(cut) = line_starts(text, target)
            .take_while(|&s| s < limit)
            .find(|&s| is_name_line(line_at(text, s), indent))
        {
            cuts.push(cut);
        }
    }
    cuts.push(end);
    Some(Plan {
        head: &text[..body],
        parts: cuts.windows(2).map(|w| &text[w[0]..w[1]]).collect(),
        tail: &text[end..],
    })
}

/// Reads and checks one piece of the entries.
fn read_part(part: &str, source: &str) -> Option<Vec<(String, Checked)>> {
    let charts: Vec<(String, RawVersions)> = scan::read_entries(part)
        .ok()
        .or_else(|| events::read_entries(part).ok())?;
    Some(
        charts
            .into_iter()
            .map(|(name, versions)| {
                let checked = check_chart(&name, versions, source);
                (name, checked)
            })
            .collect(),
    )
}

/// Reads the head or tail: the scanner first, the event reader where it
/// gives up.
fn read_whole(text: &str) -> Option<RawDoc> {
    scan::read_index(text)
        .ok()
        .or_else(|| events::read_index(text).ok())
}

/// Reads `text` on up to `threads` threads; `None` when it has to be read
/// in one piece.
pub(super) fn read(text: &str, source: &str, threads: usize) -> Option<IndexFile> {
    let plan = plan(text, threads)?;
    // Each reader stops at 4 MiB of comments, serde-saphyr at 64 MiB for the
    // whole document: more readers than 16 could only exceed that together
    // in a document bigger than it.
    if plan.parts.len() + 2 > 16 && text.len() > 64 << 20 {
        return None;
    }
    let (first, rest) = plan.parts.split_first()?;
    let (head_tail, parts) = std::thread::scope(|s| {
        let handles: Vec<_> = rest
            .iter()
            .map(|part| s.spawn(move || read_part(part, source)))
            .collect();
        let head = read_whole(plan.head);
        let tail = if plan.tail.is_empty() {
            Some(RawDoc::default())
        } else {
            read_whole(plan.tail)
        };
        let mut parts = vec![read_part(first, source)];
        parts.extend(handles.into_iter().map(|h| h.join().ok().flatten()));
        ((head, tail), parts)
    });
    let (head, tail) = (head_tail.0?, head_tail.1?);
    // The head ends with `entries:` and nothing after it, so it must read as
    // null there; the tail must not repeat a key of the head.
    if head.entries.as_ref().is_none_or(|e| !e.is_empty()) || tail.entries.is_some() {
        return None;
    }
    if head.keys.iter().any(|k| tail.keys.contains(k)) {
        return None;
    }
    let api_version = head.api_version.or(tail.api_version).unwrap_or_default();
    let mut charts = Vec::new();
    for part in parts {
        charts.extend(part?);
    }
    assemble(api_version, charts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_name_lines_only() {
        let text = "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n  b:\n  - name: b\n  c: []\n  d:\n  - name: d\n# c\ngenerated: x\n";
        let p = plan(text, 8).unwrap();
        assert_eq!(p.head, "apiVersion: v1\nentries:\n");
        assert_eq!(p.tail, "generated: x\n");
        assert_eq!(
            p.parts.concat(),
            text[p.head.len()..text.len() - p.tail.len()]
        );
        for part in &p.parts {
            let first = part.lines().next().unwrap();
            assert!(is_name_line(first, 2), "{first:?}");
        }
        // `c: []` is not a bare name line, so it stays with `b`.
        assert!(
            p.parts
                .iter()
                .any(|s| s.starts_with("  b:\n") && s.contains("  c: []"))
        );
    }

    #[test]
    fn refuses_layouts_it_does_not_know() {
        for text in [
            "apiVersion: v1\nentries: {}\n",
            "apiVersion: v1\nentries:\nfoo: 1\n",
            "apiVersion: v1\nentries:\n- a\n",
            "%YAML 1.1\n---\napiVersion: v1\nentries:\n  a:\n  - name: a\n",
            "apiVersion: v1\r\nentries:\r\n  a:\r\n",
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n---\nb: 1\n",
        ] {
            assert!(plan(text, 2).is_none(), "{text:?}");
        }
    }
}
