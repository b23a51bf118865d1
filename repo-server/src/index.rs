//! The repository index, kept in memory and updated incrementally.
//!
//! Each chart name keeps its versions (newest first) together with the
//! serialized YAML and JSON of that chart's entry list. An upload or delete
//! re-serializes only the chart it touches; the full index.yaml / index.json
//! are then re-assembled by concatenating the cached fragments, and their
//! gzip forms are computed lazily on first request.
//!
//! The YAML is laid out as `sigs.k8s.io/yaml` writes Helm's `repo.IndexFile`
//! (what ChartMuseum serves); the JSON follows Go's `encoding/json` field
//! order and escaping for the same structs.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use chrono::{DateTime, Timelike, Utc};
use sha2::{Digest, Sha256};

use crate::archive::{ChartMeta, Dependency};
use crate::goyaml::{Node, Writer, key_cmp};
use crate::version::{ChartVersion, newest_first};

/// One chart version as listed in the index.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexEntry {
    /// Chart.yaml of the package.
    pub meta: ChartMeta,
    /// Name of the package in storage (the URL is `charts/<file_name>`).
    pub file_name: String,
    /// sha256 of the package, hex.
    pub digest: String,
    /// When the package was stored.
    pub created: DateTime<Utc>,
}

/// All versions of one chart with their cached serialized forms.
#[derive(Debug)]
struct ChartGroup {
    versions: Vec<IndexEntry>,
    /// `  <name>:\n  - ...` lines of index.yaml for this chart.
    yaml: String,
    /// The JSON array of this chart's versions.
    json: String,
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

fn etag(data: &[u8]) -> String {
    let sum = Sha256::digest(data);
    format!("\"{}\"", hex::encode(&sum[..16]))
}

/// The in-memory index of a repository.
#[derive(Debug)]
pub struct Index {
    charts: BTreeMap<String, ChartGroup>,
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

    /// Adds or replaces (same name and version) entries without publishing;
    /// for bulk loading at startup, followed by [`Index::publish`].
    pub fn insert_quiet(&mut self, entry: IndexEntry) {
        let name = entry.meta.name.clone();
        let group = self
            .charts
            .entry(name.clone())
            .or_insert_with(|| ChartGroup {
                versions: Vec::new(),
                yaml: String::new(),
                json: String::new(),
            });
        group
            .versions
            .retain(|e| e.meta.version != entry.meta.version);
        group.versions.push(entry);
        group
            .versions
            .sort_by(|a, b| newest_first(&a.meta.version, &b.meta.version));
        self.refresh_group(&name);
    }

    /// Adds or replaces one chart version and republishes.
    pub fn upsert(&mut self, entry: IndexEntry) {
        self.insert_quiet(entry);
        self.publish();
    }

    /// Removes one chart version; true when it was present.
    pub fn remove(&mut self, name: &str, version: &str) -> bool {
        let Some(group) = self.charts.get_mut(name) else {
            return false;
        };
        let before = group.versions.len();
        group.versions.retain(|e| e.meta.version != version);
        if group.versions.len() == before {
            return false;
        }
        if group.versions.is_empty() {
            self.charts.remove(name);
        } else {
            self.refresh_group(name);
        }
        self.publish();
        true
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
            out.push_str(&go_json_string(name));
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

    /// One version of a chart; `latest` (or an empty version) is the newest
    /// version that is not a pre-release, as Helm's `IndexFile.Get`.
    pub fn get(&self, name: &str, version: &str) -> Result<&IndexEntry, String> {
        let group = self
            .charts
            .get(name)
            .ok_or_else(|| "no chart name found".to_string())?;
        if version.is_empty() || version == "latest" {
            return group
                .versions
                .iter()
                .find(|e| ChartVersion::parse(&e.meta.version).is_some_and(|v| !v.is_prerelease()))
                .ok_or_else(|| format!("no chart version found for {name}-"));
        }
        group
            .versions
            .iter()
            .find(|e| e.meta.version == version)
            .ok_or_else(|| format!("no chart version found for {name}-{version}"))
    }

    /// The JSON of one index entry.
    pub fn entry_json(&self, entry: &IndexEntry) -> String {
        go_json(&self.entry_node(entry))
    }

    fn url_for(&self, file_name: &str) -> String {
        if self.chart_url.is_empty() {
            format!("charts/{file_name}")
        } else {
            format!("{}/charts/{file_name}", self.chart_url)
        }
    }

    fn refresh_group(&mut self, name: &str) {
        let Some(group) = self.charts.get(name) else {
            return;
        };
        let nodes: Vec<Node> = group.versions.iter().map(|e| self.entry_node(e)).collect();
        let mut w = Writer::new();
        w.key_value(name, &Node::Seq(nodes.clone()), 2);
        let yaml = format!("  {}", w.finish());
        let json = go_json(&Node::Seq(nodes));
        if let Some(group) = self.charts.get_mut(name) {
            group.yaml = yaml;
            group.json = json;
        }
    }

    /// Re-assembles index.yaml and index.json from the cached fragments.
    pub fn publish(&mut self) {
        let generated = go_time(&Utc::now().with_nanosecond(0).unwrap_or_else(Utc::now));
        let mut w = Writer::new();
        let head = [
            ("apiVersion".to_string(), Node::Str("v1".into())),
            ("entries".to_string(), Node::Map(Vec::new())),
        ];
        let mut yaml =
            String::with_capacity(self.charts.values().map(|g| g.yaml.len()).sum::<usize>() + 256);
        if self.charts.is_empty() {
            w.mapping(&head, 0);
            yaml.push_str(&w.finish());
        } else {
            yaml.push_str("apiVersion: v1\nentries:\n");
            let mut names: Vec<&String> = self.charts.keys().collect();
            names.sort_by(|a, b| key_cmp(a, b));
            for name in names {
                if let Some(g) = self.charts.get(name) {
                    yaml.push_str(&g.yaml);
                }
            }
        }
        let server_info = self.server_info();
        let mut tail = Writer::new();
        tail.mapping(
            &[
                ("generated".to_string(), Node::Str(generated.clone())),
                ("serverInfo".to_string(), server_info.clone()),
            ],
            0,
        );
        yaml.push_str(&tail.finish());

        let json = format!(
            "{{\"apiVersion\":\"v1\",\"generated\":{},\"entries\":{},\"serverInfo\":{}}}",
            go_json_string(&generated),
            self.charts_json(0, None),
            go_json(&server_info)
        );
        let yaml = Bytes::from(yaml);
        let json = Bytes::from(json);
        self.snapshot = Arc::new(Snapshot {
            yaml_etag: etag(&yaml),
            json_etag: etag(&json),
            yaml,
            json,
            yaml_gz: OnceLock::new(),
            json_gz: OnceLock::new(),
        });
    }

    fn server_info(&self) -> Node {
        if self.context_path.is_empty() {
            Node::Map(Vec::new())
        } else {
            Node::Map(vec![(
                "contextPath".to_string(),
                Node::Str(self.context_path.clone()),
            )])
        }
    }

    /// Helm's `repo.ChartVersion` in Go struct field order (JSON keeps it,
    /// YAML sorts keys).
    fn entry_node(&self, e: &IndexEntry) -> Node {
        let m = &e.meta;
        let mut f: Vec<(String, Node)> = Vec::new();
        let s = |k: &str, v: &str, f: &mut Vec<(String, Node)>| {
            if !v.is_empty() {
                f.push((k.to_string(), Node::Str(v.to_string())));
            }
        };
        let list = |v: &[String]| Node::Seq(v.iter().map(|x| Node::Str(x.clone())).collect());
        s("name", &m.name, &mut f);
        s("home", &m.home, &mut f);
        if !m.sources.is_empty() {
            f.push(("sources".into(), list(&m.sources)));
        }
        s("version", &m.version, &mut f);
        s("description", &m.description, &mut f);
        if !m.keywords.is_empty() {
            f.push(("keywords".into(), list(&m.keywords)));
        }
        if !m.maintainers.is_empty() {
            let ms = m
                .maintainers
                .iter()
                .map(|mt| {
                    let mut o = Vec::new();
                    s("name", &mt.name, &mut o);
                    s("email", &mt.email, &mut o);
                    s("url", &mt.url, &mut o);
                    Node::Map(o)
                })
                .collect();
            f.push(("maintainers".into(), Node::Seq(ms)));
        }
        s("icon", &m.icon, &mut f);
        s("apiVersion", &m.api_version, &mut f);
        s("condition", &m.condition, &mut f);
        s("tags", &m.tags, &mut f);
        s("appVersion", &m.app_version, &mut f);
        if m.deprecated {
            f.push(("deprecated".into(), Node::Bool(true)));
        }
        if !m.annotations.is_empty() {
            let a = m
                .annotations
                .iter()
                .map(|(k, v)| (k.clone(), Node::Str(v.clone())))
                .collect();
            f.push(("annotations".into(), Node::Map(a)));
        }
        s("kubeVersion", &m.kube_version, &mut f);
        if !m.dependencies.is_empty() {
            let deps = m.dependencies.iter().map(dependency_node).collect();
            f.push(("dependencies".into(), Node::Seq(deps)));
        }
        s("type", &m.chart_type, &mut f);
        f.push((
            "urls".into(),
            Node::Seq(vec![Node::Str(self.url_for(&e.file_name))]),
        ));
        f.push(("created".into(), Node::Str(go_time(&e.created))));
        s("digest", &e.digest, &mut f);
        Node::Map(f)
    }
}

fn dependency_node(d: &Dependency) -> Node {
    let mut o: Vec<(String, Node)> = vec![("name".into(), Node::Str(d.name.clone()))];
    if !d.version.is_empty() {
        o.push(("version".into(), Node::Str(d.version.clone())));
    }
    o.push(("repository".into(), Node::Str(d.repository.clone())));
    if !d.condition.is_empty() {
        o.push(("condition".into(), Node::Str(d.condition.clone())));
    }
    if !d.tags.is_empty() {
        let t = d.tags.iter().map(|x| Node::Str(x.clone())).collect();
        o.push(("tags".into(), Node::Seq(t)));
    }
    if d.enabled {
        o.push(("enabled".into(), Node::Bool(true)));
    }
    if !d.import_values.is_empty() {
        let iv = d.import_values.iter().map(json_to_node).collect();
        o.push(("import-values".into(), Node::Seq(iv)));
    }
    if !d.alias.is_empty() {
        o.push(("alias".into(), Node::Str(d.alias.clone())));
    }
    Node::Map(o)
}

fn json_to_node(v: &serde_json::Value) -> Node {
    match v {
        serde_json::Value::Null => Node::Raw("null".into()),
        serde_json::Value::Bool(b) => Node::Bool(*b),
        serde_json::Value::Number(n) => Node::Raw(n.to_string()),
        serde_json::Value::String(s) => Node::Str(s.clone()),
        serde_json::Value::Array(a) => Node::Seq(a.iter().map(json_to_node).collect()),
        serde_json::Value::Object(o) => {
            // Go marshals maps with keys in byte order.
            let mut items: Vec<(String, Node)> = o
                .iter()
                .map(|(k, v)| (k.clone(), json_to_node(v)))
                .collect();
            items.sort_by(|a, b| a.0.cmp(&b.0));
            Node::Map(items)
        }
    }
}

/// Go's `time.Time` JSON form: RFC 3339 with nanoseconds, trailing zeros
/// of the fraction dropped.
pub fn go_time(t: &DateTime<Utc>) -> String {
    let base = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = t.nanosecond() % 1_000_000_000;
    if nanos == 0 {
        format!("{base}Z")
    } else {
        let frac = format!("{nanos:09}");
        format!("{base}.{}Z", frac.trim_end_matches('0'))
    }
}

fn node_to_json(n: &Node) -> serde_json::Value {
    match n {
        Node::Str(s) => serde_json::Value::String(s.clone()),
        Node::Bool(b) => serde_json::Value::Bool(*b),
        Node::Raw(r) => serde_json::from_str(r).unwrap_or(serde_json::Value::Null),
        Node::Seq(items) => serde_json::Value::Array(items.iter().map(node_to_json).collect()),
        Node::Map(items) => serde_json::Value::Object(
            items
                .iter()
                .map(|(k, v)| (k.clone(), node_to_json(v)))
                .collect(),
        ),
    }
}

/// Serializes like Go's `encoding/json`, including its HTML-safe escapes.
pub fn go_json(n: &Node) -> String {
    go_escape(&node_to_json(n).to_string())
}

fn go_json_string(s: &str) -> String {
    go_escape(&serde_json::Value::String(s.to_string()).to_string())
}

/// Go escapes `<`, `>`, `&`, U+2028 and U+2029 inside JSON strings; these
/// characters can only occur inside strings in serde_json's output.
fn go_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn entry(name: &str, version: &str) -> IndexEntry {
        IndexEntry {
            meta: ChartMeta {
                name: name.into(),
                version: version.into(),
                api_version: "v2".into(),
                app_version: "1.0".into(),
                description: "A <demo> chart".into(),
                ..ChartMeta::default()
            },
            file_name: format!("{name}-{version}.tgz"),
            digest: "abc".into(),
            created: Utc
                .timestamp_opt(1_700_000_000, 120_000_000)
                .single()
                .unwrap_or_default(),
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
            idx.get("nope", "latest").err().as_deref(),
            Some("no chart name found")
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
        let meta = ChartMeta::from_yaml(
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: db\n  version: ~1.2\n  repository: https://x\n  import-values:\n  - child: a\n    parent: b\n  - data\n- name: local\n",
        )
        .unwrap();
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
        let t = Utc.timestamp_opt(0, 500).single().unwrap_or_default();
        assert_eq!(go_time(&t), "1970-01-01T00:00:00.0000005Z");
        let t = Utc.timestamp_opt(0, 0).single().unwrap_or_default();
        assert_eq!(go_time(&t), "1970-01-01T00:00:00Z");
    }
}
