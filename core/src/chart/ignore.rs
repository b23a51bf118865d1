//! `.helmignore` rules, evaluated exactly as Helm's `pkg/ignore` does.
//!
//! - One pattern per line; surrounding spaces are trimmed; blank lines and
//!   lines starting with `#` are skipped. There are no inline comments.
//! - Patterns use Go's `filepath.Match` syntax (`*`, `?`, `[...]`, `[^...]`,
//!   `\` escapes); `*` never crosses `/`. A pattern containing `**` is an
//!   error, as in Helm.
//! - A trailing `/` restricts the rule to directories; a leading `/` anchors
//!   it at the chart root; a pattern without `/` is tested against the base
//!   name at any depth; any other pattern against the whole relative path.
//! - Rules are tried in order and the first decision wins. A `!` rule is
//!   Helm's peculiar negation: a path it does *not* match is ignored right
//!   there, a path it matches goes on to the next rule.
//! - Helm always appends one default rule, `templates/.?*` (dotfiles directly
//!   under templates/), when loading a chart folder. Archives get no rules at
//!   all: `.helmignore` is only read from folders.

/// The file name Helm reads rules from.
pub const HELM_IGNORE: &str = ".helmignore";

/// The rule Helm adds to every folder load.
pub const DEFAULT_RULE: &str = "templates/.?*";

/// A `.helmignore` line that is not a valid rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct IgnoreError {
    /// 1-based line number (0 for rules added programmatically).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

#[derive(Clone, Debug)]
enum Anchor {
    /// Leading `/`: matched against the whole relative path.
    Root,
    /// Contains `/`: matched against the whole relative path.
    Path,
    /// No `/`: matched against the base name.
    Basename,
}

#[derive(Clone, Debug)]
struct Pattern {
    glob: String,
    anchor: Anchor,
    negate: bool,
    must_dir: bool,
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        let subject = match self.anchor {
            Anchor::Root | Anchor::Path => path,
            Anchor::Basename => base_name(path),
        };
        go_match(&self.glob, subject).unwrap_or(false)
    }
}

/// Go's `filepath.Base` for `/`-separated relative paths.
fn base_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() { "." } else { "/" };
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// An ordered list of ignore rules.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    patterns: Vec<Pattern>,
}

impl Rules {
    /// No rules: nothing is ignored.
    pub fn empty() -> Self {
        Rules::default()
    }

    /// Parses the text of a `.helmignore` file. A UTF-8 byte order mark at
    /// the start is skipped, as Helm does.
    pub fn parse(text: &str) -> Result<Self, IgnoreError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rules = Rules::empty();
        // Go's bufio.Scanner splits on \n and drops one trailing \r.
        for (i, line) in text.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            rules.add(line).map_err(|message| IgnoreError {
                line: i + 1,
                message,
            })?;
        }
        Ok(rules)
    }

    /// Appends Helm's default rule (`templates/.?*`).
    pub fn add_defaults(&mut self) {
        // The default rule is valid by construction.
        let _ = self.add(DEFAULT_RULE);
    }

    /// Appends one rule written as in a `.helmignore` line.
    pub fn add(&mut self, rule: &str) -> Result<(), String> {
        let rule = rule.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err(format!(
                "{rule:?}: double-star (**) syntax is not supported"
            ));
        }
        // Helm checks the raw rule (with any `!` or `/`) for glob syntax.
        if go_match(rule, "abc").is_err() {
            return Err(format!("{rule:?}: syntax error in pattern"));
        }
        let mut glob = rule;
        let negate = if let Some(rest) = glob.strip_prefix('!') {
            glob = rest;
            true
        } else {
            false
        };
        let must_dir = if let Some(rest) = glob.strip_suffix('/') {
            glob = rest;
            true
        } else {
            false
        };
        let anchor = if let Some(rest) = glob.strip_prefix('/') {
            glob = rest;
            Anchor::Root
        } else if glob.contains('/') {
            Anchor::Path
        } else {
            Anchor::Basename
        };
        self.patterns.push(Pattern {
            glob: glob.to_string(),
            anchor,
            negate,
            must_dir,
        });
        Ok(())
    }

    /// Whether `path` (relative to the chart root, `/`-separated) should be
    /// left out. `is_dir` says whether it names a directory.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for p in &self.patterns {
            if p.negate {
                if p.must_dir && !is_dir {
                    return true;
                }
                if !p.matches(path) {
                    return true;
                }
                continue;
            }
            if p.must_dir && !is_dir {
                continue;
            }
            if p.matches(path) {
                return true;
            }
        }
        false
    }
}

/// A malformed glob (Go's `filepath.ErrBadPattern`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadPattern;

/// Go's `filepath.Match` with `/` as separator: the whole of `name` must
/// match. Malformed patterns are reported even when the match fails early.
pub fn go_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let mut pattern = pattern;
    let mut name = name;
    'outer: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(!name.contains('/'));
        }
        let (t, ok) = match_chunk(chunk, name)?;
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if star {
            for (i, b) in name.bytes().enumerate() {
                if b == b'/' {
                    break;
                }
                let Some(tail) = name.get(i + 1..) else {
                    continue;
                };
                let (t, ok) = match_chunk(chunk, tail)?;
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        continue;
                    }
                    name = t;
                    continue 'outer;
                }
            }
        }
        // Before failing, make sure the rest of the pattern is well-formed.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, "")?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

fn scan_chunk(pattern: &str) -> (bool, &str, &str) {
    let trimmed = pattern.trim_start_matches('*');
    let star = trimmed.len() != pattern.len();
    let bytes = trimmed.as_bytes();
    let mut in_range = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if i + 1 < bytes.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &trimmed[..i], &trimmed[i..])
}

/// Matches one star-free chunk at the start of `s`; returns the rest of `s`
/// and whether it matched. After a failure the chunk is still parsed to the
/// end so syntax errors surface.
fn match_chunk<'a>(chunk: &str, s: &'a str) -> Result<(&'a str, bool), BadPattern> {
    let mut chunk = chunk;
    let mut s = s;
    let mut failed = false;
    while let Some(c0) = chunk.chars().next() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match c0 {
            '[' => {
                let mut r = '\u{0}';
                if !failed {
                    let mut it = s.chars();
                    r = it.next().unwrap_or('\u{0}');
                    s = it.as_str();
                }
                chunk = &chunk[1..];
                let negated = chunk.starts_with('^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut nrange = 0;
                loop {
                    if chunk.starts_with(']') && nrange > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = get_esc(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if let Some(rest) = chunk.strip_prefix('-') {
                        let (h, rest) = get_esc(rest)?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    nrange += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            '?' => {
                if !failed {
                    if s.starts_with('/') {
                        failed = true;
                    }
                    let mut it = s.chars();
                    it.next();
                    s = it.as_str();
                }
                chunk = &chunk[1..];
            }
            _ => {
                if c0 == '\\' {
                    chunk = &chunk[1..];
                    if chunk.is_empty() {
                        return Err(BadPattern);
                    }
                }
                let lit = chunk.chars().next().ok_or(BadPattern)?;
                if !failed {
                    if s.starts_with(lit) {
                        s = &s[lit.len_utf8()..];
                    } else {
                        failed = true;
                    }
                }
                chunk = &chunk[lit.len_utf8()..];
            }
        }
    }
    if failed {
        Ok(("", false))
    } else {
        Ok((s, true))
    }
}

fn get_esc(chunk: &str) -> Result<(char, &str), BadPattern> {
    let mut chunk = chunk;
    if chunk.is_empty() || chunk.starts_with('-') || chunk.starts_with(']') {
        return Err(BadPattern);
    }
    if let Some(rest) = chunk.strip_prefix('\\') {
        chunk = rest;
        if chunk.is_empty() {
            return Err(BadPattern);
        }
    }
    let c = chunk.chars().next().ok_or(BadPattern)?;
    let rest = &chunk[c.len_utf8()..];
    if rest.is_empty() {
        return Err(BadPattern);
    }
    Ok((c, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Rules {
        let mut r = Rules::parse(text).unwrap();
        r.add_defaults();
        r
    }

    #[test]
    fn go_match_follows_filepath_match() {
        assert_eq!(go_match("*.txt", "a.txt"), Ok(true));
        assert_eq!(go_match("*.txt", "dir/a.txt"), Ok(false));
        assert_eq!(go_match("a?c", "abc"), Ok(true));
        assert_eq!(go_match("a?c", "a/c"), Ok(false));
        assert_eq!(go_match("a[b-d].txt", "ac.txt"), Ok(true));
        assert_eq!(go_match("a[^b-d].txt", "ac.txt"), Ok(false));
        assert_eq!(go_match("a[^b-d].txt", "ae.txt"), Ok(true));
        assert_eq!(go_match(r"a\*b", "a*b"), Ok(true));
        assert_eq!(go_match(r"a\*b", "axb"), Ok(false));
        assert_eq!(go_match("*/b", "a/b"), Ok(true));
        assert_eq!(go_match("a*b*c", "axxbyyc"), Ok(true));
        assert_eq!(go_match("a*", "ab/c"), Ok(false));
        assert_eq!(go_match("[", "a"), Err(BadPattern));
        assert_eq!(go_match("a[", "a"), Err(BadPattern));
        assert_eq!(go_match("[]a]", "a"), Err(BadPattern));
        assert_eq!(go_match("x", "a"), Ok(false));
        // Syntax errors after a failed match are still reported.
        assert_eq!(go_match("x[", "abc"), Err(BadPattern));
        assert_eq!(go_match(r"ab\", "abc"), Err(BadPattern));
    }

    #[test]
    fn comments_blanks_and_spaces() {
        let r = Rules::parse("# comment\n\n   *.bak   \r\n").unwrap();
        assert!(r.ignore("x.bak", false));
        assert!(r.ignore("deep/dir/x.bak", false));
        assert!(!r.ignore("# comment", false));
        assert!(!r.ignore("x.bak2", false));
    }

    #[test]
    fn bom_is_skipped_on_first_line() {
        let r = Rules::parse("\u{feff}*.bak\n").unwrap();
        assert!(r.ignore("a.bak", false));
    }

    #[test]
    fn basename_versus_path_versus_root() {
        let r = Rules::parse("foo.txt\ndocs/*.md\n/top.txt\n").unwrap();
        assert!(r.ignore("foo.txt", false));
        assert!(r.ignore("a/b/foo.txt", false));
        assert!(r.ignore("docs/x.md", false));
        assert!(!r.ignore("sub/docs/x.md", false));
        assert!(!r.ignore("docs/sub/x.md", false));
        assert!(r.ignore("top.txt", false));
        assert!(!r.ignore("sub/top.txt", false));
    }

    #[test]
    fn trailing_slash_means_directories_only() {
        let r = Rules::parse("build/\n").unwrap();
        assert!(r.ignore("build", true));
        assert!(r.ignore("a/build", true));
        assert!(!r.ignore("build", false));
        // A directory path given with its trailing slash still matches.
        assert!(r.ignore("build/", true));
        // A trailing-slash rule never matches a file of that name.
        let r = Rules::parse("notes.txt/\n").unwrap();
        assert!(!r.ignore("notes.txt", false));
        // A file-pattern negation ignores directories it does not match.
        let r = Rules::parse("!*.txt\n").unwrap();
        assert!(r.ignore("docs", true));
    }

    #[test]
    fn negation_is_helms_first_decision_wins() {
        // A non-matching path is ignored by the `!` rule itself...
        let r = Rules::parse("!keep.txt\n").unwrap();
        assert!(!r.ignore("keep.txt", false));
        assert!(r.ignore("other.txt", false));
        assert!(r.ignore("Chart.yaml", false));
        // ...and an earlier positive rule wins over a later negation.
        let r = Rules::parse("*.txt\n!keep.txt\n").unwrap();
        assert!(r.ignore("keep.txt", false));
        // A directory-only negation ignores every file.
        let r = Rules::parse("!dir/\n").unwrap();
        assert!(r.ignore("a.txt", false));
        assert!(!r.ignore("dir", true));
    }

    #[test]
    fn default_rule_hides_dotfiles_directly_under_templates() {
        let r = rules("");
        assert!(r.ignore("templates/.hidden", false));
        assert!(r.ignore("templates/.git", true));
        assert!(!r.ignore("templates/.", false));
        assert!(!r.ignore("templates/sub/.hidden", false));
        assert!(!r.ignore(".hidden", false));
        assert!(!r.ignore("templates/a.yaml", false));
    }

    #[test]
    fn root_and_empty_paths_are_never_ignored() {
        let r = Rules::parse("*\n.*\n").unwrap();
        assert!(!r.ignore("", true));
        assert!(!r.ignore(".", true));
        assert!(r.ignore("x", false));
    }

    #[test]
    fn invalid_rules_are_errors_with_line_numbers() {
        let e = Rules::parse("ok\n**/x\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("double-star"), "{e}");
        assert!(Rules::parse("[z-").is_err());
        let e = Rules::parse("a[\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("syntax error"), "{e}");
    }
}
