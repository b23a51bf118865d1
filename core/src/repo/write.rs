//! `repo index DIR`: build index.yaml (or index.json) for a folder of
//! chart archives, as Helm's `IndexDirectory` does.
//!
//! Entries are each archive's Chart.yaml in Go's JSON form followed by
//! `urls`, `created` and `digest`; the YAML goes through JSON as
//! sigs.k8s.io/yaml does (keys sorted), the JSON keeps Go's field order.

use super::RepoError;
use super::fsutil::write_atomic;
use super::index::newest_first;
use crate::chart::gojson::ChartMetadata;
use crate::chart::package::sha256_hex;
use crate::release::time::GoTime;
use crate::values::{Map, Value};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Options of [`index_directory`].
#[derive(Clone, Debug, Default)]
pub struct IndexOptions {
    /// URL prefix for the archives (`--url`); relative paths when empty.
    pub url: String,
    /// An existing index whose entries are kept unless replaced (`--merge`).
    pub merge: Option<PathBuf>,
    /// Write index.json instead of index.yaml (`--json`).
    pub json: bool,
}

#[derive(Serialize)]
struct EntryJson {
    #[serde(flatten)]
    meta: ChartMetadata,
    urls: [String; 1],
    created: String,
    digest: String,
}

/// Archives directly in `dir` and one folder below (Helm's `*.tgz` and
/// `**/*.tgz` globs, where `**` matches one level), sorted.
fn archives(dir: &Path) -> Result<Vec<PathBuf>, RepoError> {
    let read = |d: &Path| -> Result<Vec<PathBuf>, RepoError> {
        let rd = std::fs::read_dir(d).map_err(|e| RepoError::io("reading folder", d, e))?;
        Ok(rd.flatten().map(|e| e.path()).collect())
    };
    let mut out = Vec::new();
    for p in read(dir)? {
        if p.is_dir() {
            out.extend(
                read(&p)?
                    .into_iter()
                    .filter(|q| q.is_file() && q.extension().is_some_and(|x| x == "tgz")),
            );
        } else if p.extension().is_some_and(|x| x == "tgz") {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// Writes `dir/index.yaml` (or `index.json`) and returns its path.
pub fn index_directory(dir: &Path, opts: &IndexOptions) -> Result<PathBuf, RepoError> {
    let mut entries: BTreeMap<String, Vec<(String, serde_json::Value)>> = BTreeMap::new();
    for arch in archives(dir)? {
        let rel = arch
            .strip_prefix(dir)
            .unwrap_or(&arch)
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(&arch).map_err(|e| RepoError::io("reading", &arch, e))?;
        let chart = crate::chart::load_archive_bytes(&bytes)?;
        let url = if opts.url.is_empty() {
            rel
        } else {
            format!("{}/{}", opts.url.trim_end_matches('/'), rel)
        };
        let entry = EntryJson {
            meta: ChartMetadata::from(&chart.metadata),
            urls: [url],
            created: GoTime::now().to_string(),
            digest: sha256_hex(&bytes),
        };
        let value = serde_json::to_value(&entry).map_err(|e| {
            RepoError::Invalid(format!(
                "cannot write the index entry of {}: {e}",
                arch.display()
            ))
        })?;
        let list = entries.entry(chart.metadata.name.clone()).or_default();
        if !list.iter().any(|(v, _)| *v == chart.metadata.version) {
            list.push((chart.metadata.version.clone(), value));
        }
    }
    if let Some(merge) = &opts.merge {
        merge_into(&mut entries, merge)?;
    }
    for list in entries.values_mut() {
        list.sort_by(|a, b| newest_first(&a.0, &b.0));
    }
    let generated = GoTime::now().to_string();
    let (name, text) = if opts.json {
        let mut m = serde_json::Map::new();
        m.insert("apiVersion".into(), "v1".into());
        m.insert("generated".into(), generated.into());
        let e: serde_json::Map<String, serde_json::Value> = entries
            .into_iter()
            .map(|(k, l)| {
                (
                    k,
                    serde_json::Value::Array(l.into_iter().map(|x| x.1).collect()),
                )
            })
            .collect();
        m.insert("entries".into(), e.into());
        let text = super::deps::go_escape(
            &serde_json::to_string_pretty(&serde_json::Value::Object(m)).unwrap_or_default(),
        );
        ("index.json", text)
    } else {
        let mut doc = Map::new();
        doc.insert("apiVersion".into(), Value::from("v1"));
        let e: Map = entries
            .into_iter()
            .map(|(k, l)| {
                (
                    k,
                    Value::List(l.into_iter().map(|x| Value::from(x.1)).collect()),
                )
            })
            .collect();
        doc.insert("entries".into(), Value::Map(e));
        doc.insert("generated".into(), Value::from(generated.as_str()));
        ("index.yaml", crate::yaml::to_string(&Value::Map(doc)))
    };
    let out = dir.join(name);
    write_atomic(&out, text.as_bytes(), 0o644)?;
    Ok(out)
}

/// Adds the entries of an existing index whose name and version are not
/// in `entries` (Helm's `IndexFile.Merge`: the new index wins).
fn merge_into(
    entries: &mut BTreeMap<String, Vec<(String, serde_json::Value)>>,
    path: &Path,
) -> Result<(), RepoError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        // Helm merges with nothing when the file does not exist yet.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(RepoError::io("reading", path, e)),
    };
    let bad = |message: String| RepoError::BadIndex {
        source_name: path.display().to_string(),
        message,
    };
    let doc = crate::yaml::parse(&text).map_err(|e| bad(e.to_string()))?;
    let Value::Map(doc) = doc else {
        return Err(bad("not a mapping".into()));
    };
    let Some(Value::Map(old)) = doc.get("entries") else {
        return Ok(());
    };
    for (name, list) in old {
        let Value::List(list) = list else { continue };
        for item in list {
            let version = match item {
                Value::Map(m) => match m.get("version") {
                    Some(Value::String(s)) => s.clone(),
                    _ => continue,
                },
                _ => continue,
            };
            let slot = entries.entry(name.clone()).or_default();
            if !slot.iter().any(|(v, _)| *v == version) {
                let json = serde_json::to_value(item)
                    .map_err(|e| bad(format!("entry {name} {version}: {e}")))?;
                slot.push((version, json));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::IndexFile;

    fn make_chart(root: &Path, name: &str, version: &str, dest: &Path) {
        let d = root.join(format!("{name}-{version}-src"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("Chart.yaml"),
            format!("apiVersion: v2\nname: {name}\nversion: {version}\ndescription: d & <x>\n"),
        )
        .unwrap();
        crate::chart::package(
            &d,
            &crate::chart::PackageOptions {
                destination: dest.to_path_buf(),
                ..Default::default()
            },
        )
        .unwrap();
    }

    #[test]
    fn indexes_archives_with_digests_and_merges() {
        let src = tempfile::tempdir().unwrap();
        let repo = tempfile::tempdir().unwrap();
        make_chart(src.path(), "a", "1.0.0", repo.path());
        make_chart(src.path(), "a", "1.10.0", &repo.path().join("sub"));
        let out = index_directory(
            repo.path(),
            &IndexOptions {
                url: "https://charts.example.com/".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        let idx = IndexFile::parse(text.as_bytes(), "t").unwrap();
        let a = idx.versions("a").unwrap();
        assert_eq!(a[0].version, "1.10.0");
        assert_eq!(a[0].urls, ["https://charts.example.com/sub/a-1.10.0.tgz"]);
        let bytes = std::fs::read(repo.path().join("a-1.0.0.tgz")).unwrap();
        assert_eq!(a[1].digest, sha256_hex(&bytes));
        assert!(
            text.starts_with("apiVersion: v1\nentries:\n  a:\n  - apiVersion: v2\n    created: "),
            "{text}"
        );

        // Merging keeps an old entry the folder no longer has.
        let old = repo.path().join("old.yaml");
        std::fs::write(
            &old,
            "apiVersion: v1\nentries:\n  z:\n  - name: z\n    version: 9.0.0\n    urls: [z.tgz]\n",
        )
        .unwrap();
        let out = index_directory(
            repo.path(),
            &IndexOptions {
                merge: Some(old),
                json: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(out.ends_with("index.json"));
        // Go's encoder escapes HTML characters.
        assert!(
            std::fs::read_to_string(&out)
                .unwrap()
                .contains("d \\u0026 \\u003cx\\u003e")
        );
        let idx = IndexFile::parse(&std::fs::read(&out).unwrap(), "t").unwrap();
        assert_eq!(idx.versions("z").unwrap()[0].version, "9.0.0");
        assert_eq!(idx.versions("a").unwrap()[1].urls, ["a-1.0.0.tgz"]);
    }
}
