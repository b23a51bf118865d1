//! Loading charts from folders and archives, as Helm's `pkg/chart/v2/loader`.
//!
//! Both sources end in [`load_files`], which sorts files into the chart the
//! way Helm's `LoadFiles` does:
//! - `Chart.yaml` → metadata (apiVersion defaults to `v1` when absent);
//! - `values.yaml` → values (documents merged) and `raw_values`;
//! - `values.schema.json` → schema; `Chart.lock` → lock;
//! - `requirements.yaml` / `requirements.lock` (v1 charts) → dependencies and
//!   lock, and for v1 charts also kept in `files`;
//! - `templates/**` → templates;
//! - `charts/*.prov` → files; `charts/X.tgz` → subchart archive;
//!   `charts/X/**` → subchart folder; names starting with `_` or `.` are
//!   skipped; any other file directly in charts/ is a subchart without a
//!   Chart.yaml, which is an error, as in Helm;
//! - everything else (including `.helmignore`) → files.

use super::archive::{self, ArchiveFile};
use super::ignore::{HELM_IGNORE, Rules};
use super::validate::validate_metadata;
use super::{Chart, ChartError, ChartFile, Lock, Metadata};
use crate::values::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Loads a chart from a folder or a `.tgz` archive, whichever `path` is.
pub fn load(path: impl AsRef<Path>) -> Result<Chart, ChartError> {
    let path = path.as_ref();
    let meta = std::fs::metadata(path).map_err(|e| ChartError::io(path, e))?;
    if meta.is_dir() {
        load_dir(path)
    } else {
        load_archive(path)
    }
}

/// Loads a chart archive file.
pub fn load_archive(path: impl AsRef<Path>) -> Result<Chart, ChartError> {
    let path = path.as_ref();
    let label = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| ChartError::io(path, e))?;
    let mut head = [0u8; 3];
    let n = (&file)
        .take(3)
        .read(&mut head)
        .map_err(|e| ChartError::io(path, e))?;
    if head[..n] != b"\x1f\x8b\x08"[..] {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let message = if ext == "yaml" || ext == "yml" {
            "seems to be a YAML file, but expected a gzipped archive".to_string()
        } else {
            "does not appear to be a gzipped archive".to_string()
        };
        return Err(ChartError::Archive {
            archive: label,
            message,
        });
    }
    let file = std::fs::File::open(path).map_err(|e| ChartError::io(path, e))?;
    let files = archive::read_archive(file, &label)?;
    load_files(files, &label)
}

/// Loads a chart archive held in memory.
pub fn load_archive_bytes(bytes: &[u8]) -> Result<Chart, ChartError> {
    let files = archive::read_archive_bytes(bytes, "<archive>")?;
    load_files(files, "<archive>")
}

/// Loads a chart archive from a stream.
pub fn load_archive_reader<R: Read>(reader: R) -> Result<Chart, ChartError> {
    let files = archive::read_archive(reader, "<archive>")?;
    load_files(files, "<archive>")
}

/// Loads a chart folder, leaving out what `.helmignore` (plus Helm's default
/// rule `templates/.?*`) ignores. Symbolic links are followed, as in Helm.
pub fn load_dir(dir: impl AsRef<Path>) -> Result<Chart, ChartError> {
    let files = read_dir_files(dir.as_ref())?;
    load_files(files, &dir.as_ref().display().to_string())
}

/// The files of a chart folder as the loader sees them (ignore rules
/// applied, BOMs removed), in walk order. Packaging reuses this.
pub fn read_dir_files(dir: &Path) -> Result<Vec<ArchiveFile>, ChartError> {
    let label = dir.display().to_string();
    let top = std::fs::canonicalize(dir).map_err(|e| ChartError::io(dir, e))?;
    let ignore_path = top.join(HELM_IGNORE);
    let mut rules = if ignore_path.is_file() {
        let text = std::fs::read(&ignore_path).map_err(|e| ChartError::io(&ignore_path, e))?;
        let text = String::from_utf8_lossy(&text);
        Rules::parse(&text).map_err(|e| ChartError::Ignore {
            file: ignore_path.display().to_string(),
            line: e.line,
            message: e.message,
        })?
    } else {
        Rules::empty()
    };
    rules.add_defaults();
    let mut files = Vec::new();
    let mut ancestors = vec![top.clone()];
    walk_dir(&top, "", &rules, &label, &mut ancestors, &mut files)?;
    Ok(files)
}

fn walk_dir(
    dir: &Path,
    rel: &str,
    rules: &Rules,
    label: &str,
    ancestors: &mut Vec<PathBuf>,
    out: &mut Vec<ArchiveFile>,
) -> Result<(), ChartError> {
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| ChartError::io(dir, e))? {
        let entry = entry.map_err(|e| ChartError::io(dir, e))?;
        let name = entry
            .file_name()
            .into_string()
            .map_err(|n| ChartError::BadFile {
                chart: label.to_string(),
                message: format!("file name {n:?} in {} is not UTF-8", dir.display()),
            })?;
        names.push(name);
    }
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let rel_name = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        // Follow symbolic links, as Helm's walker does.
        let meta = std::fs::metadata(&path).map_err(|e| ChartError::io(&path, e))?;
        if meta.is_dir() {
            if rules.ignore(&rel_name, true) {
                continue;
            }
            let real = std::fs::canonicalize(&path).map_err(|e| ChartError::io(&path, e))?;
            if ancestors.contains(&real) {
                return Err(ChartError::BadFile {
                    chart: label.to_string(),
                    message: format!("{rel_name}: symbolic link loop"),
                });
            }
            ancestors.push(real);
            walk_dir(&path, &rel_name, rules, label, ancestors, out)?;
            ancestors.pop();
            continue;
        }
        if rules.ignore(&rel_name, false) {
            continue;
        }
        if !meta.is_file() {
            return Err(ChartError::BadFile {
                chart: label.to_string(),
                message: format!(
                    "cannot load irregular file {rel_name} as it has file mode type bits set"
                ),
            });
        }
        if meta.len() > archive::MAX_FILE_SIZE {
            return Err(ChartError::BadFile {
                chart: label.to_string(),
                message: format!(
                    "chart file {rel_name:?} is larger than the maximum file size {}",
                    archive::MAX_FILE_SIZE
                ),
            });
        }
        let data = std::fs::read(&path).map_err(|e| ChartError::io(&path, e))?;
        let data = super::archive::strip_utf8_bom(data);
        out.push(ArchiveFile {
            name: rel_name,
            data,
        });
    }
    Ok(())
}

fn text<'a>(label: &str, file: &str, data: &'a [u8]) -> Result<&'a str, ChartError> {
    std::str::from_utf8(data).map_err(|e| ChartError::Parse {
        chart: label.to_string(),
        file: file.to_string(),
        message: format!("not valid UTF-8: {e}"),
    })
}

fn parse_err(label: &str, file: &str, message: impl std::fmt::Display) -> ChartError {
    ChartError::Parse {
        chart: label.to_string(),
        file: file.to_string(),
        message: message.to_string(),
    }
}

/// Parses a metadata-like YAML file (Chart.yaml, requirements.yaml) into a
/// JSON object ready for serde, with Go's leniencies: null fields are as
/// good as absent, and a number or boolean written where a string belongs
/// becomes a string the way sigs.k8s.io/yaml makes it (integers in decimal,
/// floats as Go's `FormatFloat(f, 'g', -1, 32)`, so `appVersion: 1.10` is
/// `"1.1"`, as Helm reads it).
fn metadata_json(
    label: &str,
    file: &str,
    data: &[u8],
) -> Result<serde_json::Map<String, serde_json::Value>, ChartError> {
    let text = text(label, file, data)?;
    let value = crate::yaml::parse(text).map_err(|e| parse_err(label, file, e))?;
    let mut json = serde_json::to_value(&value).map_err(|e| parse_err(label, file, e))?;
    let raw = raw_scalar_tree(text).unwrap_or(serde_json::Value::Null);
    stringify_scalars(&mut json, &raw, "");
    drop_nulls(&mut json);
    match json {
        serde_json::Value::Null => Ok(serde_json::Map::new()),
        serde_json::Value::Object(m) => Ok(m),
        other => Err(parse_err(
            label,
            file,
            format!("expected a mapping at the top level, found {other}"),
        )),
    }
}

/// Fields of the metadata model that really are booleans.
const BOOL_FIELDS: &[&str] = &["deprecated", "enabled"];

fn stringify_scalars(json: &mut serde_json::Value, raw: &serde_json::Value, key: &str) {
    use serde_json::Value as J;
    match json {
        J::Object(m) => {
            for (k, v) in m.iter_mut() {
                stringify_scalars(v, raw.get(k).unwrap_or(&J::Null), k);
            }
        }
        J::Array(a) => {
            for (i, v) in a.iter_mut().enumerate() {
                stringify_scalars(v, raw.get(i).unwrap_or(&J::Null), key);
            }
        }
        J::Bool(b) if !BOOL_FIELDS.contains(&key) => *json = J::String(b.to_string()),
        J::Number(n) => {
            let literal = raw.as_str().unwrap_or("");
            let s = if let Some(i) = n.as_i64() {
                i.to_string()
            } else if let Some(u) = n.as_u64() {
                u.to_string()
            } else {
                let f = n.as_f64().unwrap_or(0.0);
                let integer_literal = !literal.is_empty()
                    && literal
                        .trim_start_matches(['+', '-'])
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b == b'_');
                if integer_literal && f.fract() == 0.0 && f.abs() < 9.2e18 {
                    (f as i64).to_string()
                } else {
                    // sigs.k8s.io/yaml writes a float read into a string field as float32 text.
                    crate::strconv::format_float_bits(f, 'g', -1, 32)
                }
            };
            *json = J::String(s);
        }
        _ => {}
    }
}

fn drop_nulls(json: &mut serde_json::Value) {
    match json {
        serde_json::Value::Object(m) => {
            m.retain(|_, v| !v.is_null());
            m.values_mut().for_each(drop_nulls);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// The first YAML document with every scalar as its source text, used to
/// recover literals that YAML typing turned into numbers.
fn raw_scalar_tree(text: &str) -> Option<serde_json::Value> {
    use saphyr_parser::{Event, Parser};
    let mut parser = Parser::new_from_str(text);
    let mut events = Vec::new();
    for ev in parser.by_ref() {
        let (ev, _) = ev.ok()?;
        match ev {
            Event::DocumentEnd => break,
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::Nothing => {}
            other => events.push(other),
        }
    }
    let mut it = events.into_iter();
    let first = it.next()?;
    build_from(first, &mut it)
}

fn build_from<'a>(
    first: saphyr_parser::Event<'a>,
    it: &mut impl Iterator<Item = saphyr_parser::Event<'a>>,
) -> Option<serde_json::Value> {
    use saphyr_parser::Event;
    match first {
        Event::Scalar(s, ..) => Some(serde_json::Value::String(s.into_owned())),
        Event::SequenceStart(..) => {
            let mut items = Vec::new();
            loop {
                let ev = it.next()?;
                if matches!(ev, Event::SequenceEnd) {
                    return Some(serde_json::Value::Array(items));
                }
                items.push(build_from(ev, it)?);
            }
        }
        Event::MappingStart(..) => build_map(it),
        _ => Some(serde_json::Value::Null),
    }
}

fn build_map<'a>(
    it: &mut impl Iterator<Item = saphyr_parser::Event<'a>>,
) -> Option<serde_json::Value> {
    use saphyr_parser::Event;
    let mut map = serde_json::Map::new();
    loop {
        let key = it.next()?;
        let key = match key {
            Event::MappingEnd => return Some(serde_json::Value::Object(map)),
            Event::Scalar(s, ..) => s.into_owned(),
            // Complex keys never name metadata fields; skip their value.
            other => {
                build_from(other, it)?;
                let v = it.next()?;
                build_from(v, it)?;
                continue;
            }
        };
        let v = it.next()?;
        map.insert(key, build_from(v, it)?);
    }
}

/// Builds a chart from its files (names relative to the chart root, `/`
/// separated). `label` names the chart in errors.
pub fn load_files(files: Vec<ArchiveFile>, label: &str) -> Result<Chart, ChartError> {
    let mut files = files;
    files.sort_by(|a, b| a.name.cmp(&b.name));

    let mut chart = Chart {
        values: Value::empty_map(),
        ..Chart::default()
    };
    let mut meta_json: Option<serde_json::Map<String, serde_json::Value>> = None;
    if let Some(f) = files.iter().find(|f| f.name == "Chart.yaml") {
        let m = metadata_json(label, "Chart.yaml", &f.data)?;
        // Check it alone first so errors name the right file.
        deserialize_metadata(label, "Chart.yaml", m.clone())?;
        meta_json = Some(m);
    }
    let api_v1 = |m: &Option<serde_json::Map<String, serde_json::Value>>| {
        m.as_ref()
            .and_then(|m| m.get("apiVersion"))
            .and_then(|v| v.as_str())
            .is_none_or(|v| v.is_empty() || v == "v1")
    };

    let mut subcharts: BTreeMap<String, Vec<ArchiveFile>> = BTreeMap::new();
    for f in files {
        match f.name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" => chart.lock = Some(parse_lock(label, "Chart.lock", &f.data)?),
            "values.yaml" => {
                let text = text(label, "values.yaml", &f.data)?;
                chart.values = load_values(text).map_err(|m| parse_err(label, "values.yaml", m))?;
                chart.raw_values = Some(text.to_string());
            }
            "values.schema.json" => chart.schema = Some(f.data),
            "requirements.yaml" => {
                let req = metadata_json(label, "requirements.yaml", &f.data)?;
                deserialize_metadata(label, "requirements.yaml", req.clone())?;
                if !api_v1(&meta_json) {
                    tracing::warn!(
                        chart = label,
                        "Dependencies are handled in Chart.yaml since apiVersion \"v2\". We recommend migrating dependencies to Chart.yaml."
                    );
                }
                // Helm decodes requirements.yaml over the metadata already read.
                let m = meta_json.get_or_insert_with(serde_json::Map::new);
                m.extend(req);
                if api_v1(&meta_json) {
                    chart.files.push(ChartFile {
                        name: f.name,
                        data: f.data,
                    });
                }
            }
            "requirements.lock" => {
                chart.lock = Some(parse_lock(label, "requirements.lock", &f.data)?);
                if !api_v1(&meta_json) {
                    tracing::warn!(
                        chart = label,
                        "Dependency locking is handled in Chart.lock since apiVersion \"v2\". We recommend migrating to Chart.lock."
                    );
                }
                if api_v1(&meta_json) {
                    chart.files.push(ChartFile {
                        name: f.name,
                        data: f.data,
                    });
                }
            }
            n if n.starts_with("templates/") => chart.templates.push(ChartFile {
                name: f.name,
                data: f.data,
            }),
            n if n.starts_with("charts/") => {
                if is_prov(n) {
                    chart.files.push(ChartFile {
                        name: f.name,
                        data: f.data,
                    });
                    continue;
                }
                let rest = &n["charts/".len()..];
                let cname = rest.split('/').next().unwrap_or(rest).to_string();
                let sub_name = rest.to_string();
                subcharts.entry(cname).or_default().push(ArchiveFile {
                    name: sub_name,
                    data: f.data,
                });
            }
            _ => chart.files.push(ChartFile {
                name: f.name,
                data: f.data,
            }),
        }
    }

    let Some(mut meta_json) = meta_json else {
        return Err(ChartError::MissingChartYaml {
            chart: label.to_string(),
        });
    };
    if meta_json
        .get("apiVersion")
        .and_then(|v| v.as_str())
        .is_none_or(str::is_empty)
    {
        // Helm 2 charts may omit apiVersion; Helm reads them as v1.
        meta_json.insert("apiVersion".into(), "v1".into());
    }
    chart.metadata = deserialize_metadata(label, "Chart.yaml", meta_json)?;
    validate_metadata(&mut chart.metadata).map_err(|message| ChartError::Validation {
        chart: label.to_string(),
        message,
    })?;

    let parent = chart.metadata.name.clone();
    for (name, files) in subcharts {
        if name.starts_with('_') || name.starts_with('.') {
            continue;
        }
        let sub_label = format!("{label}/charts/{name}");
        let wrap = |e: ChartError| ChartError::Subchart {
            parent: parent.clone(),
            name: name.clone(),
            source: Box::new(e),
        };
        let sub = if Path::new(&name).extension().and_then(|e| e.to_str()) == Some("tgz") {
            let mut files = files;
            let file = files.remove(0);
            if file.name != name {
                return Err(wrap(ChartError::Archive {
                    archive: sub_label,
                    message: format!("expected {name}, got {}", file.name),
                }));
            }
            let inner = archive::read_archive_bytes(&file.data, &sub_label).map_err(wrap)?;
            load_files(inner, &sub_label).map_err(wrap)?
        } else {
            let inner: Vec<ArchiveFile> = files
                .into_iter()
                .filter_map(|f| {
                    let (_, rest) = f.name.split_once('/')?;
                    Some(ArchiveFile {
                        name: rest.to_string(),
                        data: f.data,
                    })
                })
                .collect();
            load_files(inner, &sub_label).map_err(wrap)?
        };
        chart.dependencies.push(sub);
    }
    Ok(chart)
}

/// `charts/*.prov` provenance files stay with the parent, as in Helm
/// (which tests the extension of the whole path).
fn is_prov(name: &str) -> bool {
    Path::new(name).extension().and_then(|e| e.to_str()) == Some("prov")
}

fn deserialize_metadata(
    label: &str,
    file: &str,
    json: serde_json::Map<String, serde_json::Value>,
) -> Result<Metadata, ChartError> {
    serde_json::from_value::<Metadata>(serde_json::Value::Object(json))
        .map_err(|e| parse_err(label, file, e))
}

fn parse_lock(label: &str, file: &str, data: &[u8]) -> Result<Lock, ChartError> {
    let m = metadata_json(label, file, data)?;
    serde_json::from_value::<Lock>(serde_json::Value::Object(m))
        .map_err(|e| parse_err(label, file, e))
}

/// Helm's `LoadValues` for values.yaml: every YAML document must be a map
/// (or empty); later documents are merged over earlier ones. The same
/// function reads `-f` files, so it lives in [`crate::values::options`].
pub fn load_values(text: &str) -> Result<Value, String> {
    crate::values::options::load_values(text.as_bytes()).map(Value::Map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, data: &str) -> ArchiveFile {
        ArchiveFile {
            name: name.into(),
            data: data.as_bytes().to_vec(),
        }
    }

    const CHART: &str = "apiVersion: v2\nname: demo\nversion: 0.1.0\n";

    #[test]
    fn sorts_files_into_their_places() {
        let c = load_files(
            vec![
                f("templates/b.yaml", "b"),
                f("Chart.yaml", CHART),
                f("templates/_helpers.tpl", "h"),
                f("values.yaml", "a: 1\n"),
                f("values.schema.json", "{}"),
                f("README.md", "r"),
                f("crds/x.yaml", "c"),
                f(".helmignore", "*.bak"),
                f("charts/sub.prov", "p"),
            ],
            "t",
        )
        .unwrap();
        assert_eq!(c.name(), "demo");
        let t: Vec<_> = c.templates.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(t, ["templates/_helpers.tpl", "templates/b.yaml"]);
        let fl: Vec<_> = c.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            fl,
            [".helmignore", "README.md", "charts/sub.prov", "crds/x.yaml"]
        );
        assert_eq!(c.schema.as_deref(), Some(&b"{}"[..]));
        assert_eq!(c.raw_values.as_deref(), Some("a: 1\n"));
        assert!(c.values.get_path("a").is_some());
    }

    #[test]
    fn missing_values_give_an_empty_map() {
        let c = load_files(vec![f("Chart.yaml", CHART)], "t").unwrap();
        assert_eq!(c.values, Value::empty_map());
        assert_eq!(c.raw_values, None);
    }

    #[test]
    fn values_documents_are_merged() {
        let v = load_values("a:\n  b: 1\n  c: 2\n---\na:\n  c: 3\nd: x\n").unwrap();
        assert_eq!(v, load_values("a:\n  b: 1\n  c: 3\nd: x\n").unwrap());
        assert!(load_values("- 1\n").is_err());
        // Helm v4 (helm-render on a chart whose values.yaml is `- 1`):
        // "cannot load values.yaml: " followed by this.
        assert_eq!(
            load_values("- 1\n").unwrap_err(),
            "cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"
        );
    }

    #[test]
    fn missing_chart_yaml_is_an_error() {
        let e = load_files(vec![f("values.yaml", "")], "t").unwrap_err();
        assert!(e.to_string().contains("Chart.yaml file is missing"), "{e}");
    }

    #[test]
    fn unknown_fields_are_named() {
        let e = load_files(
            vec![f(
                "Chart.yaml",
                "apiVersion: v2\nname: a\nversion: 1.0.0\nnmae: x\n",
            )],
            "mychart",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("mychart") && e.contains("Chart.yaml") && e.contains("nmae"),
            "{e}"
        );
    }

    #[test]
    fn numbers_where_strings_belong_become_strings_like_helm() {
        let c = load_files(
            vec![f(
                "Chart.yaml",
                "apiVersion: v2\nname: a\nversion: 1.0.0\nappVersion: 1.10\nkubeVersion: 1\n",
            )],
            "t",
        )
        .unwrap();
        // As Helm reads it: the float 1.10 printed back as "1.1".
        assert_eq!(c.metadata.app_version.as_deref(), Some("1.1"));
        assert_eq!(c.metadata.kube_version.as_deref(), Some("1"));
    }

    #[test]
    fn null_fields_are_absent_and_api_version_defaults_to_v1() {
        let c = load_files(
            vec![f("Chart.yaml", "name: a\nversion: 1.0.0\ndescription:\n")],
            "t",
        )
        .unwrap();
        assert_eq!(c.metadata.api_version, "v1");
        assert_eq!(c.metadata.description, None);
    }

    #[test]
    fn v1_requirements_feed_dependencies_and_stay_in_files() {
        let c = load_files(
            vec![
                f("Chart.yaml", "apiVersion: v1\nname: a\nversion: 1.0.0\n"),
                f("requirements.yaml", "dependencies:\n- name: b\n  version: 1.x\n  repository: file://b\n"),
                f("requirements.lock", "dependencies:\n- name: b\n  version: 1.2.0\n  repository: file://b\ndigest: d\ngenerated: \"2020-01-01T00:00:00Z\"\n"),
                f("charts/b/Chart.yaml", "apiVersion: v1\nname: b\nversion: 1.2.0\n"),
            ],
            "t",
        )
        .unwrap();
        assert_eq!(c.metadata.dependencies.len(), 1);
        assert_eq!(c.lock.as_ref().map(|l| l.digest.as_str()), Some("d"));
        let fl: Vec<_> = c.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(fl, ["requirements.lock", "requirements.yaml"]);
        assert_eq!(c.dependencies.len(), 1);
        assert_eq!(c.dependencies[0].name(), "b");
    }

    #[test]
    fn stray_files_in_charts_are_subcharts_without_chart_yaml() {
        let e = load_files(
            vec![f("Chart.yaml", CHART), f("charts/README.md", "x")],
            "t",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("error unpacking subchart README.md in demo")
                && e.contains("Chart.yaml file is missing"),
            "{e}"
        );
        // Names starting with `_` or `.` are skipped.
        let c = load_files(
            vec![
                f("Chart.yaml", CHART),
                f("charts/.keep", ""),
                f("charts/_x/a", ""),
            ],
            "t",
        )
        .unwrap();
        assert!(c.dependencies.is_empty());
    }

    fn write(dir: &Path, name: &str, data: &[u8]) {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn folders_follow_symlinks_and_strip_boms() {
        let t = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        write(
            t.path(),
            "Chart.yaml",
            b"\xEF\xBB\xBFapiVersion: v2\nname: a\nversion: 1.0.0\n",
        );
        write(outside.path(), "shared/cm.yaml", b"kind: ConfigMap\n");
        write(outside.path(), "LICENSE", b"text");
        std::os::unix::fs::symlink(outside.path().join("shared"), t.path().join("templates"))
            .unwrap();
        std::os::unix::fs::symlink(outside.path().join("LICENSE"), t.path().join("LICENSE"))
            .unwrap();
        let c = load_dir(t.path()).unwrap();
        assert_eq!(c.name(), "a");
        assert_eq!(c.templates[0].name, "templates/cm.yaml");
        assert_eq!(c.files[0].name, "LICENSE");
        assert_eq!(c.files[0].data, b"text");
    }

    #[cfg(unix)]
    #[test]
    fn folders_refuse_big_and_irregular_files() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), "Chart.yaml", CHART.as_bytes());
        write(t.path(), "files/big.bin", &vec![0u8; 5 * 1024 * 1024 + 1]);
        let e = load_dir(t.path()).unwrap_err().to_string();
        assert!(
            e.contains("files/big.bin") && e.contains("maximum file size"),
            "{e}"
        );
        std::fs::remove_file(t.path().join("files/big.bin")).unwrap();
        let fifo = t.path().join("files/pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let e = load_dir(t.path()).unwrap_err().to_string();
            assert!(e.contains("files/pipe") && e.contains("irregular"), "{e}");
        }
    }

    #[test]
    fn a_yaml_file_is_not_an_archive() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), "Chart.yaml", CHART.as_bytes());
        let e = load(t.path().join("Chart.yaml")).unwrap_err().to_string();
        assert!(e.contains("seems to be a YAML file"), "{e}");
    }

    #[test]
    fn helmignore_errors_name_the_line() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), "Chart.yaml", CHART.as_bytes());
        write(t.path(), ".helmignore", b"ok\nfoo/**/bar\n");
        let e = load_dir(t.path()).unwrap_err().to_string();
        assert!(
            e.contains(".helmignore:2") && e.contains("double-star"),
            "{e}"
        );
    }
}
