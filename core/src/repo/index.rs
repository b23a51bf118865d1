//! Reading a repository's index.yaml (or index.json) into the entries the
//! client needs, with Helm's checks: entries that fail validation are
//! skipped with a warning naming the chart and version, and each chart's
//! versions are sorted newest first.
//!
//! Only the fields search, pull and dependency resolution use are kept;
//! the rest of each entry (maintainers, sources, annotations...) is skipped
//! while parsing, which keeps a 27 MB index well inside the memory budget.
//!
//! YAML is read by the first of these that accepts the document:
//!
//! 1. `split`: big indexes in the usual block layout, cut at chart-name
//!    lines and read on several threads, each piece by the line scanner
//!    or, where it gives up, by the event reader;
//! 2. `scan`: a line scanner for the plain block subset real index writers
//!    produce, on the whole document;
//! 3. `events`: the event reader on the whole document;
//! 4. serde-saphyr, the reference, which also words every error.
//!
//! The first three give up rather than guess, so the result is always the
//! reference's (`equivalence` tests this on every path). JSON goes through
//! serde_json.

use super::RepoError;
use crate::chart::constraint::parse_version;
use crate::json::fields::null_default;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// One chart version of an index: the parts of Helm's `repo.ChartVersion`
/// hoist uses.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartVersion {
    /// Chart name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// Chart version (SemVer).
    #[serde(default, deserialize_with = "null_default")]
    pub version: String,
    /// Version of the packaged application.
    #[serde(default, deserialize_with = "null_default")]
    pub app_version: String,
    /// One-line description.
    #[serde(default, deserialize_with = "null_default")]
    pub description: String,
    /// Search keywords.
    #[serde(default, deserialize_with = "null_default")]
    pub keywords: Vec<String>,
    /// `v1` or `v2` (Helm fills in `v1` when missing).
    #[serde(default, deserialize_with = "null_default")]
    pub api_version: String,
    /// `application` or `library`.
    #[serde(default, rename = "type", deserialize_with = "null_default")]
    pub chart_type: String,
    /// Whether the chart is deprecated.
    #[serde(default, deserialize_with = "null_default")]
    pub deprecated: bool,
    /// Download URLs, absolute or relative to the repository URL.
    #[serde(default, deserialize_with = "null_default")]
    pub urls: Vec<String>,
    /// sha256 of the archive, hex (optionally `sha256:`-prefixed).
    #[serde(default, deserialize_with = "null_default")]
    pub digest: String,
    /// When the entry was created, as written in the index.
    #[serde(default, deserialize_with = "null_default")]
    pub created: String,
}

/// A parsed index: chart name to versions, newest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IndexFile {
    /// Index format version (`v1`).
    pub api_version: String,
    /// Entries by chart name (sorted by name).
    pub entries: BTreeMap<String, Vec<ChartVersion>>,
    /// One message per skipped entry, naming chart and version.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod equivalence;
mod events;
mod scan;
mod split;

use events::RawVersions;

/// The index as serde reads it (JSON, and YAML the fast readers leave to
/// serde-saphyr).
#[derive(Deserialize)]
struct RawIndex {
    #[serde(default, rename = "apiVersion", deserialize_with = "null_default")]
    api_version: String,
    #[serde(default, deserialize_with = "null_default")]
    entries: BTreeMap<String, RawVersions>,
}

/// Orders version strings newest first like Helm's `SortEntries`: SemVer
/// precedence when both parse, text order otherwise.
pub fn newest_first(a: &str, b: &str) -> Ordering {
    match (parse_version(a), parse_version(b)) {
        (Ok(x), Ok(y)) => y.cmp_precedence(&x).then_with(|| b.cmp(a)),
        _ => b.cmp(a),
    }
}

/// Checks an entry as Helm's metadata validation does, plus hoist's
/// refusal of URLs that climb out of the repository with `..`. Returns the
/// parsed version, which sorting needs next, or why the entry is unusable.
fn validate(v: &ChartVersion) -> Result<semver::Version, String> {
    if v.name.is_empty() {
        return Err("chart.metadata.name is required".into());
    }
    if v.name == "." || v.name == ".." || v.name.contains('/') || v.name.contains('\\') {
        return Err(format!("chart.metadata.name {:?} is invalid", v.name));
    }
    if v.version.is_empty() {
        return Err("chart.metadata.version is required".into());
    }
    let Ok(parsed) = parse_version(&v.version) else {
        return Err(format!("chart.metadata.version {:?} is invalid", v.version));
    };
    if !matches!(v.chart_type.as_str(), "" | "application" | "library") {
        return Err("chart.metadata.type must be application or library".into());
    }
    if let Some(u) = v.urls.iter().find(|u| has_dot_dot(u)) {
        return Err(format!("URL {u:?} contains a `..` path segment"));
    }
    Ok(parsed)
}

/// True when a URL or path has a `..` segment (also percent-encoded), which
/// could make a download or cache path escape its folder.
pub fn has_dot_dot(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let decoded = path.replace("%2e", ".").replace("%2E", ".");
    decoded.split(['/', '\\']).any(|seg| seg == "..")
}

/// One chart after Helm's load-time checks: its usable versions newest
/// first, and a warning for each entry skipped (in document order).
struct Checked {
    versions: Vec<ChartVersion>,
    warnings: Vec<String>,
}

/// Drops empty and invalid entries (with a warning naming chart and
/// version), defaults `apiVersion` to `v1`, and sorts by descending
/// SemVer; each version string is parsed once.
fn check_chart(name: &str, versions: RawVersions, source: &str) -> Checked {
    let mut warnings = Vec::new();
    let mut kept = Vec::new();
    for v in versions.unwrap_or_default() {
        let Some(mut v) = v else {
            warnings.push(format!(
                "skipping an empty entry for chart {name:?} in {source}"
            ));
            continue;
        };
        if v.api_version.is_empty() {
            v.api_version = "v1".into();
        }
        match validate(&v) {
            Ok(parsed) => kept.push((parsed, v)),
            Err(reason) => warnings.push(format!(
                "skipping invalid entry for chart {name:?} version {:?} in {source}: {reason}",
                v.version
            )),
        }
    }
    // The order of `newest_first` for versions that all parse.
    kept.sort_by(|(x, a), (y, b)| y.cmp_precedence(x).then_with(|| b.version.cmp(&a.version)));
    Checked {
        versions: kept.into_iter().map(|(_, v)| v).collect(),
        warnings,
    }
}

/// Builds the index from checked charts. `None` when a chart name repeats,
/// which serde-saphyr reports as an error.
fn assemble(
    api_version: String,
    charts: impl IntoIterator<Item = (String, Checked)>,
) -> Option<IndexFile> {
    let mut entries = BTreeMap::new();
    let mut warnings: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, checked) in charts {
        if !checked.warnings.is_empty() {
            warnings.insert(name.clone(), checked.warnings);
        }
        if entries.insert(name, checked.versions).is_some() {
            return None;
        }
    }
    Some(IndexFile {
        api_version,
        entries,
        // By chart name, then document order: as a walk of the sorted map.
        warnings: warnings.into_values().flatten().collect(),
    })
}

impl IndexFile {
    /// Parses an index in YAML or JSON. `source` names it in messages.
    ///
    /// Big YAML indexes are read on several threads when their layout
    /// allows it (see `split`), others by a direct event reader; whatever
    /// those do not fully understand goes through serde-saphyr, whose result
    /// they always equal.
    pub fn parse(data: &[u8], source: &str) -> Result<IndexFile, RepoError> {
        Self::parse_with_threads(data, source, split::threads())
    }

    /// [`IndexFile::parse`] using at most `threads` threads (the default is
    /// the machine's cores, at most 8); for callers that must stay on one.
    pub fn parse_with_threads(
        data: &[u8],
        source: &str,
        threads: usize,
    ) -> Result<IndexFile, RepoError> {
        if data.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(RepoError::BadIndex {
                source_name: source.to_string(),
                message: "empty index.yaml file".into(),
            });
        }
        if data.trim_ascii_start().first() == Some(&b'{')
            && let Ok(raw) = serde_json::from_slice::<RawIndex>(data)
        {
            return Self::from_raw(raw, source);
        }
        Self::parse_yaml(data, source, threads)
    }

    /// The YAML path of [`IndexFile::parse`] with at most `threads` threads.
    fn parse_yaml(data: &[u8], source: &str, threads: usize) -> Result<IndexFile, RepoError> {
        let bad = |message: String| RepoError::BadIndex {
            source_name: source.to_string(),
            message,
        };
        let text = std::str::from_utf8(data).map_err(|e| bad(format!("not UTF-8: {e}")))?;
        if threads > 1
            && text.len() >= split::MIN_PARALLEL_BYTES
            && let Some(index) = split::read(text, source, threads)
        {
            return finish(index, source);
        }
        if let Some(doc) = scan::read_index(text)
            .ok()
            .or_else(|| events::read_index(text).ok())
        {
            let api_version = doc.api_version.unwrap_or_default();
            let charts = doc
                .entries
                .unwrap_or_default()
                .into_iter()
                .map(|(name, versions)| {
                    let checked = check_chart(&name, versions, source);
                    (name, checked)
                });
            if let Some(index) = assemble(api_version, charts) {
                return finish(index, source);
            }
        }
        let raw = parse_serde_saphyr(text).map_err(bad)?;
        Self::from_raw(raw, source)
    }

    fn from_raw(raw: RawIndex, source: &str) -> Result<IndexFile, RepoError> {
        let charts = raw.entries.into_iter().map(|(name, versions)| {
            let checked = check_chart(&name, versions, source);
            (name, checked)
        });
        // Names of a map are unique, so assembling cannot fail here.
        let index = assemble(raw.api_version, charts).unwrap_or_default();
        finish(index, source)
    }

    /// The versions of `chart`, newest first.
    pub fn versions(&self, chart: &str) -> Option<&[ChartVersion]> {
        self.entries.get(chart).map(Vec::as_slice)
    }
}

/// Helm's last check, made after the entries are loaded.
fn finish(index: IndexFile, source: &str) -> Result<IndexFile, RepoError> {
    if index.api_version.is_empty() {
        return Err(RepoError::BadIndex {
            source_name: source.to_string(),
            message: "no API version specified".into(),
        });
    }
    Ok(index)
}

/// The reference reader: serde-saphyr into [`RawIndex`].
fn parse_serde_saphyr(text: &str) -> Result<RawIndex, String> {
    // Big indexes have millions of events; the default budget is sized for
    // configuration files. Aliases stay limited so an alias bomb still fails.
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = usize::MAX;
    budget.max_nodes = usize::MAX;
    budget.max_total_scalar_bytes = usize::MAX;
    budget.max_reader_input_bytes = None;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    serde_saphyr::from_str_with_options(text, options).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "apiVersion: v1\nentries:\n  web:\n  - name: web\n    version: 1.2.0\n    urls: [web-1.2.0.tgz]\n    maintainers: [{name: a}]\n  - name: web\n    version: 1.10.0-rc.1\n    urls: [web-1.10.0-rc.1.tgz]\n  - name: web\n    version: 1.10.0\n    description: Web\n    keywords: [http, server]\n    urls: [web-1.10.0.tgz]\n    digest: abc\n  - name: web\n    version: not-semver\n  - name: web\n    version: 2.0.0\n    urls: [../../etc/passwd]\n  - ~\n  db:\ngenerated: 2020-01-01T00:00:00Z\nserverInfo: {}\n";

    #[test]
    fn sorts_newest_first_and_skips_invalid_entries() {
        let idx = IndexFile::parse(INDEX.as_bytes(), "test").unwrap();
        let vs: Vec<_> = idx
            .versions("web")
            .unwrap()
            .iter()
            .map(|v| v.version.as_str())
            .collect();
        assert_eq!(vs, ["1.10.0", "1.10.0-rc.1", "1.2.0"]);
        assert_eq!(idx.versions("db").unwrap().len(), 0);
        let w = idx.warnings.join("\n");
        assert!(w.contains("\"web\" version \"not-semver\""), "{w}");
        assert!(w.contains("\"2.0.0\"") && w.contains(".."), "{w}");
        assert!(w.contains("empty entry"), "{w}");
        let top = &idx.versions("web").unwrap()[0];
        assert_eq!(top.keywords, ["http", "server"]);
        assert_eq!(top.api_version, "v1");
    }

    #[test]
    fn reads_json_indexes() {
        let json = r#"{"apiVersion":"v1","entries":{"a":[{"name":"a","version":"0.1.0","urls":["a.tgz"],"keywords":null}]}}"#;
        let idx = IndexFile::parse(json.as_bytes(), "j").unwrap();
        assert_eq!(idx.versions("a").unwrap()[0].urls, ["a.tgz"]);
    }

    #[test]
    fn rejects_empty_and_versionless_indexes() {
        let e = IndexFile::parse(b"  \n", "x").unwrap_err().to_string();
        assert!(e.contains("empty index.yaml"), "{e}");
        let e = IndexFile::parse(b"entries: {}\n", "x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no API version"), "{e}");
        let e = IndexFile::parse(b"apiVersion: v1\nentries: [\n", "src.yaml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("src.yaml"), "{e}");
    }

    #[test]
    fn dot_dot_detection() {
        assert!(has_dot_dot("https://x/../a.tgz"));
        assert!(has_dot_dot("charts/%2e%2e/a.tgz"));
        assert!(!has_dot_dot("https://x/a..b.tgz"));
        assert!(!has_dot_dot("https://x/a.tgz?q=.."));
    }
}
