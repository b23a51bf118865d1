//! The repository index, kept in memory and updated incrementally.
//!
//! Each chart name keeps its versions (newest first) together with two
//! cached serialized fragments: its `entries` block of index.yaml and the
//! JSON array of index.json. An upload or delete marks only the chart it
//! touches as dirty; [`Index::publish`] re-serializes the dirty charts and
//! then concatenates the cached fragments, so publishing costs one copy of
//! the document rather than a full re-marshal (which is what ChartMuseum
//! does on every change). The ETag is derived from per-fragment hashes, and
//! the gzip forms are computed once per published state.
//!
//! The YAML fragment of a chart is written by hoist-core's
//! `sigs.k8s.io/yaml` writer as the document `{entries: {name: [...]}}`
//! minus its first line, so line folding (which depends on the column) is
//! exactly what writing the whole index in one go gives; fragments are
//! concatenated in go-yaml's key order. The result is byte-identical to
//! marshalling the whole index (a test checks it).
//!
//! Entries are Helm's `repo.ChartVersion`: the chart's metadata in Go's JSON
//! form ([`ChartMetadata`]) followed by `urls`, `created` and `digest`. The
//! JSON keeps Go's struct field order and escaping; the YAML goes through
//! JSON as sigs.k8s.io/yaml does, so its keys are in go-yaml's order.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use hoist_core::chart::constraint::ConstraintError;
use hoist_core::chart::gojson::ChartMetadata;
use hoist_core::release::time::GoTime;
use hoist_core::values::{Map, Value};
use jiff::Timestamp;
use jiff::tz::Offset;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::version::{newest_first, select};

/// One chart version as listed in the index.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexEntry {
    /// Chart.yaml of the package, in Go's JSON form.
    pub meta: ChartMetadata,
    /// Name of the package in storage (the URL is `charts/<file_name>`).
    pub file_name: String,
    /// sha256 of the package, hex.
    pub digest: String,
    /// When the package was stored.
    pub created: Timestamp,
}

/// Why [`Index::get`] found nothing; the messages are Helm's
/// `IndexFile.Get` errors, which ChartMuseum returns with a 404.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// No chart of that name.
    #[error("no chart name found")]
    NoChartName,
    /// No version of the chart matches the request.
    #[error("no chart version found for {name}-{version}")]
    NoChartVersion {
        /// Chart name.
        name: String,
        /// The version or constraint asked for (empty for `latest`).
        version: String,
    },
    /// The request is neither a listed version nor a valid constraint.
    #[error(transparent)]
    Constraint(#[from] ConstraintError),
}

/// All versions of one chart with their cached serialized forms.
#[derive(Debug, Default)]
struct ChartGroup {
    versions: Vec<IndexEntry>,
    /// This chart's lines of index.yaml under `entries:`.
    yaml: String,
    /// The JSON array of this chart's versions.
    json: String,
    /// sha256 of `yaml` and `json`, folded into the document ETags.
    hash: [u8; 32],
    /// The cached forms are stale.
    dirty: bool,
}

/// Serialized forms of one state of the index, shared with readers.
#[derive(Debug)]
pub struct Snapshot {
    /// index.yaml.
    pub yaml: Bytes,
    /// index.json.
    pub json: Bytes,
    /// Strong ETag of `yaml`.
    pub yaml_etag: String,
    /// Strong ETag of `json`.
    pub json_etag: String,
    yaml_gz: OnceLock<Bytes>,
    json_gz: OnceLock<Bytes>,
}

impl Snapshot {
    /// index.yaml gzip-compressed (computed once per snapshot).
    pub fn yaml_gzip(&self) -> Bytes {
        self.yaml_gz.get_or_init(|| gzip(&self.yaml)).clone()
    }

    /// index.yaml gzip-compressed if that was already computed.
    pub fn yaml_gzip_ready(&self) -> Option<Bytes> {
        self.yaml_gz.get().cloned()
    }

    /// index.json gzip-compressed if that was already computed.
    pub fn json_gzip_ready(&self) -> Option<Bytes> {
        self.json_gz.get().cloned()
    }

    /// index.json gzip-compressed (computed once per snapshot).
    pub fn json_gzip(&self) -> Bytes {
        self.json_gz.get_or_init(|| gzip(&self.json)).clone()
    }
}

fn gzip(data: &[u8]) -> Bytes {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(data);
    Bytes::from(enc.finish().unwrap_or_default())
}

/// Helm's `repo.ChartVersion` as Go's `encoding/json` lays it out: the
/// embedded metadata's fields first, then the entry's own.
#[derive(Serialize)]
struct EntryJson<'a> {
    #[serde(flatten)]
    meta: &'a ChartMetadata,
    urls: [String; 1],
    created: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    digest: &'a str,
}

/// The in-memory index of a repository.
#[derive(Debug)]
pub struct Index {
    charts: BTreeMap<String, ChartGroup>,
    /// Chart names in go-yaml's key order; `None` after a name was added
    /// or removed.
    yaml_order: Option<Vec<String>>,
    chart_url: String,
    context_path: String,
    snapshot: Arc<Snapshot>,
}

impl Index {
    /// An empty index. `chart_url` (may be empty) prefixes package URLs;
    /// `context_path` (may be empty) is advertised in `serverInfo`.
    pub fn new(chart_url: &str, context_path: &str) -> Self {
        let mut index = Self {
            charts: BTreeMap::new(),
            yaml_order: None,
            chart_url: chart_url.trim_end_matches('/').to_string(),
            context_path: context_path.to_string(),
            snapshot: Arc::new(Snapshot {
                yaml: Bytes::new(),
                json: Bytes::new(),
                yaml_etag: String::new(),
                json_etag: String::new(),
                yaml_gz: OnceLock::new(),
                json_gz: OnceLock::new(),
            }),
        };
        index.publish();
        index
    }

    /// The current serialized index.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.clone()
    }

    /// Adds or replaces (same name and version) an entry without
    /// publishing; for batches (startup, replica sync), followed by
    /// [`Index::publish`].
    pub fn insert_quiet(&mut self, entry: IndexEntry) {
        let name = entry.meta.name.clone();
        if !self.charts.contains_key(&name) {
            self.yaml_order = None;
        }
        let group = self.charts.entry(name).or_default();
        group
            .versions
            .retain(|e| e.meta.version != entry.meta.version);
        group.versions.push(entry);
        group.dirty = true;
    }

    /// Adds or replaces one chart version and republishes.
    pub fn upsert(&mut self, entry: IndexEntry) {
        self.insert_quiet(entry);
        self.publish();
    }

    /// Removes one chart version without publishing; true when it was
    /// present.
    pub fn remove_quiet(&mut self, name: &str, version: &str) -> bool {
        let Some(group) = self.charts.get_mut(name) else {
            return false;
        };
        let before = group.versions.len();
        group.versions.retain(|e| e.meta.version != version);
        if group.versions.len() == before {
            return false;
        }
        group.dirty = true;
        if group.versions.is_empty() {
            self.charts.remove(name);
            self.yaml_order = None;
        }
        true
    }

    /// Removes the version stored as `file_name` without publishing; true
    /// when it was present.
    pub fn remove_file_quiet(&mut self, file_name: &str) -> bool {
        let found = self.charts.iter().find_map(|(name, g)| {
            g.versions
                .iter()
                .find(|e| e.file_name == file_name)
                .map(|e| (name.clone(), e.meta.version.clone()))
        });
        match found {
            Some((name, version)) => self.remove_quiet(&name, &version),
            None => false,
        }
    }

    /// Sets the `created` time of the version stored as `file_name`
    /// without publishing; true when it changed.
    pub fn set_created(&mut self, file_name: &str, created: Timestamp) -> bool {
        for g in self.charts.values_mut() {
            if let Some(e) = g.versions.iter_mut().find(|e| e.file_name == file_name) {
                if e.created == created {
                    return false;
                }
                e.created = created;
                g.dirty = true;
                return true;
            }
        }
        false
    }

    /// Removes one chart version and republishes; true when it was present.
    pub fn remove(&mut self, name: &str, version: &str) -> bool {
        let removed = self.remove_quiet(name, version);
        if removed {
            self.publish();
        }
        removed
    }

    /// Every stored package name with its digest, for comparing the index
    /// with a storage listing.
    pub fn files(&self) -> impl Iterator<Item = &IndexEntry> {
        self.charts.values().flat_map(|g| g.versions.iter())
    }

    /// Number of chart versions.
    pub fn version_count(&self) -> usize {
        self.charts.values().map(|g| g.versions.len()).sum()
    }

    /// Number of chart names.
    pub fn chart_count(&self) -> usize {
        self.charts.len()
    }

    /// The JSON object `{name: [versions...]}` for `GET /api/charts`,
    /// names in byte order, skipping `offset` names and keeping at most
    /// `limit` (ChartMuseum's paging).
    pub fn charts_json(&self, offset: usize, limit: Option<usize>) -> String {
        let mut out = String::from("{");
        let iter = self.charts.iter().skip(offset);
        let iter: Box<dyn Iterator<Item = _>> = match limit {
            Some(l) => Box::new(iter.take(l)),
            None => Box::new(iter),
        };
        for (n, (name, group)) in iter.enumerate() {
            if n > 0 {
                out.push(',');
            }
            out.push_str(&hoist_core::json::quote(name));
            out.push(':');
            out.push_str(&group.json);
        }
        out.push('}');
        out
    }

    /// The JSON array of one chart's versions.
    pub fn chart_json(&self, name: &str) -> Option<String> {
        self.charts.get(name).map(|g| g.json.clone())
    }

    /// One version of a chart, chosen as Helm's `IndexFile.Get` does (which
    /// ChartMuseum calls): `latest` or an empty version is the newest
    /// version that is not a prerelease; an exact version string wins;
    /// anything else is read as a semver constraint (`~1.2`, `>=2.0.0-0`).
    pub fn get(&self, name: &str, version: &str) -> Result<&IndexEntry, LookupError> {
        let group = self.charts.get(name).ok_or(LookupError::NoChartName)?;
        let version = if version == "latest" { "" } else { version };
        select(&group.versions, version, |e| e.meta.version.as_str())?.ok_or_else(|| {
            LookupError::NoChartVersion {
                name: name.to_string(),
                version: version.to_string(),
            }
        })
    }

    /// The JSON of one index entry.
    pub fn entry_json(&self, entry: &IndexEntry) -> String {
        go_json(&self.entry_json_value(entry))
    }

    fn url_for(&self, file_name: &str) -> String {
        if self.chart_url.is_empty() {
            format!("charts/{file_name}")
        } else {
            format!("{}/charts/{file_name}", self.chart_url)
        }
    }

    /// Re-serializes one chart's fragments.
    fn refresh_group(&self, name: &str, group: &mut ChartGroup) {
        group
            .versions
            .sort_by(|a, b| newest_first(&a.meta.version, &b.meta.version));
        let json: Vec<serde_json::Value> = group
            .versions
            .iter()
            .map(|e| self.entry_json_value(e))
            .collect();
        let text = go_json(&serde_json::Value::Array(json.clone()));
        let list = Value::List(json.into_iter().map(Value::from).collect());
        let mut entries = Map::new();
        entries.insert(name.to_string(), list);
        let mut doc = Map::new();
        doc.insert("entries".into(), Value::Map(entries));
        let yaml = match hoist_core::yaml::try_to_string(&Value::Map(doc)) {
            Ok(y) => y.strip_prefix("entries:\n").unwrap_or(&y).to_string(),
            Err(e) => {
                // Entries come from validated Chart.yaml files, so this is
                // not expected; leave the chart out rather than break the
                // whole index.
                tracing::error!(chart = %name, error = %e, "cannot write index entry; leaving it out");
                String::new()
            }
        };
        let mut h = Sha256::new();
        h.update(yaml.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        group.hash = h.finalize().into();
        group.yaml = yaml;
        group.json = text;
        group.dirty = false;
    }

    /// Re-serializes the charts changed since the last call and assembles
    /// index.yaml and index.json from the cached fragments.
    pub fn publish(&mut self) {
        let mut charts = std::mem::take(&mut self.charts);
        for (name, group) in charts.iter_mut().filter(|(_, g)| g.dirty) {
            self.refresh_group(name, group);
        }
        self.charts = charts;
        let order = match self.yaml_order.take() {
            Some(order) => order,
            None => {
                let mut keyed: Vec<(String, ())> =
                    self.charts.keys().map(|k| (k.clone(), ())).collect();
                hoist_core::yaml::sort_keys_as_written(&mut keyed);
                keyed.into_iter().map(|(k, ())| k).collect()
            }
        };
        let now = Timestamp::now();
        let generated = go_time(Timestamp::from_second(now.as_second()).unwrap_or(now));
        let server_info = self.server_info();
        let mut tail = Map::new();
        tail.insert("generated".into(), Value::from(generated.as_str()));
        tail.insert("serverInfo".into(), server_info.clone());
        let tail = hoist_core::yaml::to_string(&Value::Map(tail));
        let body_len: usize = self.charts.values().map(|g| g.yaml.len()).sum();
        let mut yaml = String::with_capacity(body_len + tail.len() + 32);
        yaml.push_str("apiVersion: v1\n");
        if self.charts.is_empty() {
            yaml.push_str("entries: {}\n");
        } else {
            yaml.push_str("entries:\n");
            for name in &order {
                if let Some(g) = self.charts.get(name) {
                    yaml.push_str(&g.yaml);
                }
            }
        }
        yaml.push_str(&tail);
        self.yaml_order = Some(order);
        let json = format!(
            "{{\"apiVersion\":\"v1\",\"generated\":{},\"entries\":{},\"serverInfo\":{}}}",
            hoist_core::json::quote(&generated),
            self.charts_json(0, None),
            hoist_core::json::to_string(&server_info)
        );
        // The ETags hash the per-chart hashes and the changing tail instead
        // of the whole document.
        let mut h = Sha256::new();
        for g in self.charts.values() {
            h.update(g.hash);
        }
        h.update(generated.as_bytes());
        h.update(self.context_path.as_bytes());
        let sum: [u8; 32] = h.finalize().into();
        let yaml_etag = format!("\"y{}\"", hex::encode(&sum[..16]));
        let json_etag = format!("\"j{}\"", hex::encode(&sum[..16]));
        self.snapshot = Arc::new(Snapshot {
            yaml: Bytes::from(yaml),
            json: Bytes::from(json),
            yaml_etag,
            json_etag,
            yaml_gz: OnceLock::new(),
            json_gz: OnceLock::new(),
        });
    }

    fn server_info(&self) -> Value {
        let mut info = Map::new();
        if !self.context_path.is_empty() {
            info.insert(
                "contextPath".into(),
                Value::from(self.context_path.as_str()),
            );
        }
        Value::Map(info)
    }

    /// Helm's `repo.ChartVersion` in Go struct field order.
    fn entry_json_value(&self, e: &IndexEntry) -> serde_json::Value {
        let entry = EntryJson {
            meta: &e.meta,
            urls: [self.url_for(&e.file_name)],
            created: go_time(e.created),
            digest: &e.digest,
        };
        // Strings, lists and maps of strings: serializing cannot fail.
        serde_json::to_value(&entry).unwrap_or(serde_json::Value::Null)
    }
}

/// Go's `time.Time` JSON form in UTC: RFC 3339 with nanoseconds, trailing
/// zeros of the fraction dropped.
pub fn go_time(t: Timestamp) -> String {
    GoTime::new(t, Offset::UTC).to_string()
}

/// Writes JSON as Go's `encoding/json` does (strings quoted by hoist-core's
/// Go-exact quoting, HTML characters escaped), keeping object keys in the
/// order they were built in: the struct field order Go uses for
/// `repo.ChartVersion`, which a sorted map would lose.
fn go_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_go_json(&mut out, value);
    out
}

fn write_go_json(out: &mut String, value: &serde_json::Value) {
    match value {
        serde_json::Value::Null => out.push_str("null"),
        serde_json::Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if !n.is_i64() && !n.is_u64() => {
                out.push_str(&hoist_core::json::format_float(f).unwrap_or_default());
            }
            _ => out.push_str(&n.to_string()),
        },
        serde_json::Value::String(s) => out.push_str(&hoist_core::json::quote(s)),
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json(out, item);
            }
            out.push(']');
        }
        serde_json::Value::Object(fields) => {
            out.push('{');
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&hoist_core::json::quote(k));
                out.push(':');
                write_go_json(out, v);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, version: &str) -> IndexEntry {
        IndexEntry {
            meta: ChartMetadata {
                name: name.into(),
                version: version.into(),
                api_version: "v2".into(),
                app_version: "1.0".into(),
                description: "A <demo> chart".into(),
                ..ChartMetadata::default()
            },
            file_name: format!("{name}-{version}.tgz"),
            digest: "abc".into(),
            created: Timestamp::new(1_700_000_000, 120_000_000).unwrap(),
        }
    }

    #[test]
    fn yaml_layout_matches_helm_index() {
        let mut idx = Index::new("", "");
        idx.upsert(entry("demo", "0.1.0"));
        idx.upsert(entry("demo", "0.2.0"));
        let yaml = String::from_utf8(idx.snapshot().yaml.to_vec()).unwrap();
        let body: String = yaml.lines().take(24).collect::<Vec<_>>().join("\n");
        assert!(body.starts_with(
            "apiVersion: v1\nentries:\n  demo:\n  - apiVersion: v2\n    appVersion: \"1.0\"\n    created: \"2023-11-14T22:13:20.12Z\"\n    description: A <demo> chart\n    digest: abc\n    name: demo\n    urls:\n    - charts/demo-0.2.0.tgz\n    version: 0.2.0\n  - apiVersion: v2\n"
        ), "{yaml}");
        assert!(yaml.contains("\ngenerated: \""));
        assert!(yaml.ends_with("serverInfo: {}\n"));
    }

    /// The old, whole-document way of writing index.yaml.
    fn marshal_whole(idx: &Index) -> String {
        let entries: Map = idx
            .charts
            .iter()
            .map(|(name, g)| {
                let list = g
                    .versions
                    .iter()
                    .map(|e| Value::from(idx.entry_json_value(e)));
                (name.clone(), Value::List(list.collect()))
            })
            .collect();
        let yaml = String::from_utf8(idx.snapshot().yaml.to_vec()).unwrap();
        let generated = yaml
            .lines()
            .find_map(|l| l.strip_prefix("generated: \""))
            .unwrap()
            .trim_end_matches('"')
            .to_string();
        let mut doc = Map::new();
        doc.insert("apiVersion".into(), Value::from("v1"));
        doc.insert("entries".into(), Value::Map(entries));
        doc.insert("generated".into(), Value::from(generated.as_str()));
        doc.insert("serverInfo".into(), idx.server_info());
        hoist_core::yaml::try_to_string(&Value::Map(doc)).unwrap()
    }

    #[test]
    fn incremental_yaml_is_byte_identical_to_whole_marshal() {
        let mut idx = Index::new("http://example.com/some/long/prefix", "/ctx");
        assert_eq!(
            String::from_utf8(idx.snapshot().yaml.to_vec()).unwrap(),
            marshal_whole(&idx)
        );
        // go-yaml orders a2 before a10 and letters before other runes;
        // the long description folds at a column that depends on indentation.
        let long = "word ".repeat(40);
        for (n, v) in [
            ("a10", "1.0.0"),
            ("a2", "1.0.0"),
            ("B", "0.1.0"),
            ("_x", "2.0.0"),
            ("a2", "1.1.0"),
            ("z-9", "1.0.0"),
        ] {
            let mut e = entry(n, v);
            e.meta.description = format!("{long}multi\nline {n}");
            e.meta.home = long.trim().to_string();
            idx.upsert(e);
            assert_eq!(
                String::from_utf8(idx.snapshot().yaml.to_vec()).unwrap(),
                marshal_whole(&idx),
                "after adding {n} {v}"
            );
        }
        let before = idx.snapshot().yaml_etag.clone();
        assert!(idx.remove("a2", "1.0.0"));
        assert!(idx.remove("B", "0.1.0"));
        assert_eq!(
            String::from_utf8(idx.snapshot().yaml.to_vec()).unwrap(),
            marshal_whole(&idx)
        );
        assert_ne!(before, idx.snapshot().yaml_etag);
        assert_eq!(idx.version_count(), 4);
    }

    #[test]
    fn remove_drops_empty_charts_and_updates_snapshot() {
        let mut idx = Index::new("", "/ctx");
        idx.upsert(entry("a", "1.0.0"));
        idx.upsert(entry("b", "1.0.0"));
        let before = idx.snapshot();
        assert!(idx.remove("a", "1.0.0"));
        assert!(!idx.remove("a", "1.0.0"));
        let after = idx.snapshot();
        assert_ne!(before.yaml_etag, after.yaml_etag);
        let yaml = String::from_utf8(after.yaml.to_vec()).unwrap();
        assert!(!yaml.contains("\n  a:\n"));
        assert!(yaml.contains("\n  b:\n"));
        assert!(yaml.ends_with("serverInfo:\n  contextPath: /ctx\n"));
        assert_eq!(idx.chart_count(), 1);
    }

    #[test]
    fn json_uses_go_field_order_and_escapes() {
        let idx = Index::new("http://x", "");
        let j = idx.entry_json(&entry("demo", "1.0.0"));
        assert!(j.starts_with("{\"name\":\"demo\",\"version\":\"1.0.0\",\"description\":\"A \\u003cdemo\\u003e chart\",\"apiVersion\":\"v2\",\"appVersion\":\"1.0\",\"urls\":[\"http://x/charts/demo-1.0.0.tgz\"],\"created\":"), "{j}");
    }

    #[test]
    fn json_keeps_build_order_and_go_escapes() {
        let v = serde_json::json!({"z": "a\u{2028}b<&>\u{1}\n", "a": [true, null]});
        assert_eq!(
            go_json(&v),
            r#"{"z":"a\u2028b\u003c\u0026\u003e\u0001\n","a":[true,null]}"#
        );
    }

    #[test]
    fn latest_skips_prereleases() {
        let mut idx = Index::new("", "");
        idx.upsert(entry("demo", "1.0.0"));
        idx.upsert(entry("demo", "2.0.0-rc.1"));
        assert_eq!(
            idx.get("demo", "latest").map(|e| e.meta.version.as_str()),
            Ok("1.0.0")
        );
        assert!(idx.get("demo", "3.0.0").is_err());
        assert_eq!(
            idx.get("nope", "latest")
                .map_err(|e| e.to_string())
                .err()
                .as_deref(),
            Some("no chart name found")
        );
        assert_eq!(
            idx.get("demo", "")
                .map_err(|e| e.to_string())
                .map(|e| e.meta.version.as_str()),
            Ok("1.0.0")
        );
    }

    #[test]
    fn paging_follows_name_order() {
        let mut idx = Index::new("", "");
        for n in ["c", "a", "b"] {
            idx.upsert(entry(n, "1.0.0"));
        }
        let page: serde_json::Value = serde_json::from_str(&idx.charts_json(1, Some(1))).unwrap();
        assert!(page.get("b").is_some() && page.as_object().map(|o| o.len()) == Some(1));
    }

    #[test]
    fn dependencies_follow_helm_omitempty_rules() {
        let chart = hoist_core::chart::load_files(
            vec![hoist_core::chart::archive::ArchiveFile {
                name: "Chart.yaml".into(),
                data: b"apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: db\n  version: ~1.2\n  repository: https://x\n  import-values:\n  - child: a\n    parent: b\n  - data\n- name: local\n".to_vec(),
            }],
            "app",
        )
        .unwrap();
        let meta = ChartMetadata::from(&chart.metadata);
        let mut idx = Index::new("", "");
        idx.upsert(IndexEntry {
            meta,
            ..entry("app", "1.0.0")
        });
        let yaml = String::from_utf8(idx.snapshot().yaml.to_vec()).unwrap();
        assert!(
            yaml.contains("    dependencies:\n    - import-values:\n      - child: a\n        parent: b\n      - data\n      name: db\n      repository: https://x\n      version: ~1.2\n    - name: local\n      repository: \"\"\n"),
            "{yaml}"
        );
        let json = idx.chart_json("app").unwrap_or_default();
        assert!(json.contains("\"dependencies\":[{\"name\":\"db\",\"version\":\"~1.2\",\"repository\":\"https://x\",\"import-values\":[{\"child\":\"a\",\"parent\":\"b\"},\"data\"]},{\"name\":\"local\",\"repository\":\"\"}]"), "{json}");
    }

    #[test]
    fn go_time_trims_fraction() {
        let t = Timestamp::new(0, 500).unwrap();
        assert_eq!(go_time(t), "1970-01-01T00:00:00.0000005Z");
        let t = Timestamp::new(0, 0).unwrap();
        assert_eq!(go_time(t), "1970-01-01T00:00:00Z");
    }
}
