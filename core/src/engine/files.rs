//! Helm's `.Files`: read access to a chart's non-template files.
//!
//! Engine-neutral: the Go engine maps `.Files.Get`, `.Files.Glob`... onto these
//! methods and the handlebars engine exposes them as helpers. The semantics are
//! those of Helm's `pkg/engine/files.go`:
//!
//! - a missing file reads as empty (no error);
//! - [`Files::glob`] uses gobwas/glob syntax with `/` as the separator, and an
//!   invalid pattern matches everything (Helm falls back to `**`);
//! - [`Files::as_config`] and [`Files::as_secrets`] key entries by base name
//!   and write YAML without the trailing newline (Helm's `toYAML`).

use crate::chart::ChartFile;
use crate::values::{Map, Value};
use base64::Engine as _;
use std::collections::BTreeMap;

/// A set of chart files keyed by their path relative to the chart root.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Files {
    entries: BTreeMap<String, Vec<u8>>,
}

impl Files {
    /// The files of a chart (`Chart::files`: everything outside templates/,
    /// charts/, Chart.yaml and values.yaml).
    pub fn new(files: &[ChartFile]) -> Self {
        Files {
            entries: files
                .iter()
                .map(|f| (f.name.clone(), f.data.clone()))
                .collect(),
        }
    }

    /// Number of files in the set.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the set holds no file.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// File names in the set, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// `(name, bytes)` pairs, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// `.Files.GetBytes`: the file's bytes, empty when there is no such file.
    pub fn get_bytes(&self, name: &str) -> &[u8] {
        self.entries.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// `.Files.Get`: the file as text, empty when there is no such file.
    /// Invalid UTF-8 is replaced (Go would pass the bytes through; a Rust
    /// string cannot hold them).
    pub fn get(&self, name: &str) -> String {
        String::from_utf8_lossy(self.get_bytes(name)).into_owned()
    }

    /// `.Files.Glob`: the files whose name matches a gobwas/glob pattern with
    /// `/` as separator (`*` and `?` stay within one path segment, `**`
    /// crosses segments, `[abc]`, `[a-z]`, `[!x]`, `{a,b}` and `\` escapes).
    pub fn glob(&self, pattern: &str) -> Files {
        let matcher = Glob::compile(pattern).unwrap_or_else(Glob::match_all);
        Files {
            entries: self
                .entries
                .iter()
                .filter(|(name, _)| matcher.is_match(name))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// `.Files.Lines`: the file split on `\n` after dropping one trailing
    /// newline; a missing or empty file gives no lines.
    pub fn lines(&self, name: &str) -> Vec<String> {
        let text = self.get(name);
        if text.is_empty() {
            return Vec::new();
        }
        let body = text.strip_suffix('\n').unwrap_or(&text);
        body.split('\n').map(str::to_string).collect()
    }

    /// `.Files.AsConfig`: a YAML map of base name → content, as ConfigMap
    /// `data` expects. Files sharing a base name collapse into one entry; Go
    /// keeps a random one, hoist the one whose full path sorts last.
    pub fn as_config(&self) -> String {
        self.by_base_name(|bytes| String::from_utf8_lossy(bytes).into_owned())
    }

    /// `.Files.AsSecrets`: a YAML map of base name → base64 content, as Secret
    /// `data` expects. Base-name collisions as in [`Files::as_config`].
    pub fn as_secrets(&self) -> String {
        self.by_base_name(|bytes| base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    fn by_base_name(&self, encode: impl Fn(&[u8]) -> String) -> String {
        let map: Map = self
            .entries
            .iter()
            .map(|(name, bytes)| {
                let base = name.rsplit('/').next().unwrap_or(name).to_string();
                (base, Value::String(encode(bytes)))
            })
            .collect();
        let yaml = crate::yaml::to_string(&Value::Map(map));
        yaml.strip_suffix('\n').unwrap_or(&yaml).to_string()
    }
}

/// A compiled gobwas/glob pattern (separator `/`), translated to an anchored
/// regular expression.
#[derive(Debug)]
pub struct Glob {
    /// `None` matches every name.
    regex: Option<regex::Regex>,
}

/// Why a glob pattern was rejected (Helm then matches everything).
#[derive(Debug, thiserror::Error)]
#[error("invalid glob pattern {pattern:?}: {reason}")]
pub struct GlobError {
    /// The pattern as given.
    pub pattern: String,
    /// What is wrong with it.
    pub reason: String,
}

impl Glob {
    /// Compiles a pattern with gobwas/glob's lexer rules: `]` and `}` outside
    /// a class or alternation are literal, `,` is literal outside `{}`, a
    /// class is either a list of characters or a single `lo-hi` range, and an
    /// unterminated `{` or `[` is an error.
    pub fn compile(pattern: &str) -> Result<Glob, GlobError> {
        let err = |reason: &str| GlobError {
            pattern: pattern.to_string(),
            reason: reason.to_string(),
        };
        let chars: Vec<char> = pattern.chars().collect();
        let mut re = String::from("(?s)^");
        let mut depth = 0usize;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '*' if chars.get(i + 1) == Some(&'*') => {
                    re.push_str(".*");
                    i += 2;
                    continue;
                }
                '*' => re.push_str("[^/]*"),
                '?' => re.push_str("[^/]"),
                '{' => {
                    depth += 1;
                    re.push_str("(?:");
                }
                ',' if depth > 0 => re.push('|'),
                '}' if depth > 0 => {
                    depth -= 1;
                    re.push(')');
                }
                '[' => {
                    let (class, next) = parse_class(&chars, i + 1).map_err(|r| err(&r))?;
                    re.push_str(&class);
                    i = next;
                    continue;
                }
                '\\' => {
                    // An escape makes the next character literal; a trailing
                    // backslash is dropped, as gobwas' lexer does.
                    if let Some(n) = chars.get(i + 1) {
                        push_literal(&mut re, *n);
                    }
                    i += 2;
                    continue;
                }
                other => push_literal(&mut re, other),
            }
            i += 1;
        }
        if depth > 0 {
            // Helm (through gobwas) rejects it, and then matches everything.
            return Err(err("unterminated {"));
        }
        re.push('$');
        let regex = regex::Regex::new(&re).map_err(|e| err(&e.to_string()))?;
        Ok(Glob { regex: Some(regex) })
    }

    /// The pattern `**`, which Helm substitutes for an invalid one.
    fn match_all(_: GlobError) -> Glob {
        Glob { regex: None }
    }

    /// True when the whole of `name` matches.
    pub fn is_match(&self, name: &str) -> bool {
        self.regex.as_ref().is_none_or(|r| r.is_match(name))
    }
}

fn push_literal(re: &mut String, c: char) {
    re.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
}

/// Parses a class body starting after `[`; returns the regex class and the
/// index after the closing `]`.
fn parse_class(chars: &[char], start: usize) -> Result<(String, usize), String> {
    let mut i = start;
    let mut negated = false;
    if chars.get(i) == Some(&'!') {
        negated = true;
        i += 1;
    }
    let hex = |c: char| format!("\\x{{{:x}}}", c as u32);
    let neg = if negated { "^" } else { "" };
    // A range is recognised only when the first character is followed by '-'.
    if let (Some(&lo), Some('-')) = (chars.get(i), chars.get(i + 1)) {
        let hi = *chars.get(i + 2).ok_or("unexpected end of input")?;
        if chars.get(i + 3) != Some(&']') {
            return Err(if i + 3 >= chars.len() {
                "unexpected end of input".into()
            } else {
                "expected close range character".into()
            });
        }
        if hi < lo {
            return Err(format!(
                "hi character '{hi}' should be greater than lo '{lo}'"
            ));
        }
        return Ok((format!("[{neg}{}-{}]", hex(lo), hex(hi)), i + 4));
    }
    let mut list = Vec::new();
    loop {
        match chars.get(i) {
            None => return Err("unexpected end of input".into()),
            Some(']') => break,
            Some('\\') => {
                if let Some(&n) = chars.get(i + 1) {
                    list.push(n);
                }
                i += 2;
            }
            Some(&c) => {
                list.push(c);
                i += 1;
            }
        }
    }
    if list.is_empty() {
        return Err("could not parse range".into());
    }
    let body: String = list.into_iter().map(hex).collect();
    Ok((format!("[{neg}{body}]"), i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(names: &[(&str, &str)]) -> Files {
        Files::new(
            &names
                .iter()
                .map(|(n, d)| ChartFile {
                    name: n.to_string(),
                    data: d.as_bytes().to_vec(),
                })
                .collect::<Vec<_>>(),
        )
    }

    fn m(p: &str, s: &str) -> bool {
        Glob::compile(p).unwrap().is_match(s)
    }

    #[test]
    fn star_stays_in_segment_super_star_crosses() {
        assert!(m("*.txt", "a.txt"));
        assert!(!m("*.txt", "dir/a.txt"));
        assert!(m("**.txt", "dir/sub/a.txt"));
        assert!(m("dir/**", "dir/sub/a.txt"));
        assert!(m("dir/*", "dir/a"));
        assert!(!m("dir/*", "dir/a/b"));
        assert!(m("**", ""));
    }

    #[test]
    fn single_and_classes() {
        assert!(m("?at", "cat"));
        assert!(!m("?at", "at"));
        assert!(!m("a?b", "a/b"));
        assert!(m("[abc]at", "bat"));
        assert!(!m("[abc]at", "fat"));
        assert!(m("[!abc]at", "fat"));
        assert!(m("[a-c]at", "cat"));
        assert!(!m("[!a-c]at", "cat"));
        // Classes are not separator-aware in gobwas.
        assert!(m("a[!x]b", "a/b"));
        // Only "x-y" as the whole class is a range; otherwise '-' is literal.
        assert!(m("[ab-]", "-"));
    }

    #[test]
    fn alternatives_and_literals() {
        assert!(m("{a,b}.yaml", "a.yaml"));
        assert!(m("{a,b*}.yaml", "bc.yaml"));
        assert!(!m("{a,b}.yaml", "c.yaml"));
        assert!(Glob::compile("{a,b").is_err());
        assert!(m("a,b}", "a,b}"));
        assert!(m("x]", "x]"));
        assert!(m("a.b", "a.b"));
        assert!(!m("a.b", "axb"));
        assert!(m("\\*", "*"));
        assert!(!m("\\*", "x"));
    }

    #[test]
    fn invalid_patterns_are_errors_and_glob_falls_back_to_all() {
        assert!(Glob::compile("[]").is_err());
        assert!(Glob::compile("[abc").is_err());
        assert!(Glob::compile("[a-cx]").is_err());
        assert!(Glob::compile("[c-a]").is_err());
        let f = files(&[("a", "1"), ("b/c", "2")]);
        assert_eq!(f.glob("[").len(), 2);
    }

    #[test]
    fn get_and_lines() {
        let f = files(&[("a.txt", "x\ny\n"), ("e", ""), ("n", "one")]);
        assert_eq!(f.get("a.txt"), "x\ny\n");
        assert_eq!(f.get("missing"), "");
        assert!(f.get_bytes("missing").is_empty());
        assert_eq!(f.lines("a.txt"), vec!["x", "y"]);
        assert_eq!(f.lines("n"), vec!["one"]);
        assert!(f.lines("e").is_empty());
        assert!(f.lines("missing").is_empty());
    }

    #[test]
    fn glob_filters_by_full_name() {
        let f = files(&[("conf/a.conf", "A"), ("conf/b.txt", "B"), ("x.conf", "X")]);
        let g = f.glob("conf/*.conf");
        assert_eq!(g.names().collect::<Vec<_>>(), vec!["conf/a.conf"]);
    }

    #[test]
    fn as_config_and_secrets_use_base_names_without_trailing_newline() {
        let f = files(&[("conf/a.conf", "A"), ("conf/b.txt", "B")]);
        let cfg = f.as_config();
        assert!(!cfg.ends_with('\n'));
        assert_eq!(
            crate::yaml::parse(&cfg).unwrap(),
            serde_json::json!({"a.conf": "A", "b.txt": "B"}).into()
        );
        let sec = f.as_secrets();
        assert_eq!(
            crate::yaml::parse(&sec).unwrap(),
            serde_json::json!({"a.conf": "QQ==", "b.txt": "Qg=="}).into()
        );
    }
}
