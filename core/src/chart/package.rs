//! Reproducible chart packaging (`helm package`).
//!
//! The archive holds what Helm's `chartutil.Save` writes, in the same order:
//! `NAME/Chart.yaml` (re-marshalled from the metadata, keys sorted, as Helm
//! does with sigs.k8s.io/yaml; v1 charts without `dependencies`),
//! `NAME/Chart.lock` (v2 charts, re-marshalled), `NAME/values.yaml` (as
//! written), `NAME/values.schema.json`, templates, other files, then every
//! subchart expanded under `NAME/charts/SUB/` the same way.
//!
//! Unlike Helm, the bytes depend on the chart alone: every entry has mtime
//! 0, uid/gid 0, empty owner names and mode 0644; templates and files are in
//! name order; the gzip header carries no name and no time, and compression
//! level 6 is fixed. The gzip extra field and comment are Helm's constants.

use super::constraint::parse_version;
use super::gojson::ChartMetadata;
use super::loader::{load_files, read_dir_files};
use super::{Chart, ChartError, Lock, Metadata};
use crate::values::{Map, Value};
use flate2::{Compression, GzBuilder};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Options of [`package`].
#[derive(Clone, Debug, Default)]
pub struct PackageOptions {
    /// Replaces Chart.yaml's `version` (must parse as a version).
    pub version: Option<String>,
    /// Replaces Chart.yaml's `appVersion`.
    pub app_version: Option<String>,
    /// Folder to write `NAME-VERSION.tgz` into (created when missing).
    pub destination: PathBuf,
}

/// Helm's gzip extra subfield, written by every `helm package`.
const GZIP_EXTRA: &[u8] = b"rr\x28\x00aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=";

/// Packages the chart folder `dir` into `destination/NAME-VERSION.tgz` and
/// returns that path. The chart is loaded (so validated) first, with
/// `.helmignore` applied; dependencies declared in Chart.yaml must be
/// present in charts/. The archive is written to a temporary file and
/// renamed into place, so a failure leaves nothing behind.
pub fn package(dir: impl AsRef<Path>, opts: &PackageOptions) -> Result<PathBuf, ChartError> {
    let dir = dir.as_ref();
    let label = dir.display().to_string();
    let files = read_dir_files(dir)?;
    let mut chart = load_files(files, &label)?;
    let pkg_err = |message: String| ChartError::Package {
        chart: label.clone(),
        message,
    };

    if let Some(v) = opts.version.as_deref().filter(|v| !v.is_empty()) {
        chart.metadata.version = v.to_string();
    }
    parse_version(&chart.metadata.version)
        .map_err(|e| pkg_err(format!("version {:?}: {e}", chart.metadata.version)))?;
    if let Some(v) = opts.app_version.as_deref().filter(|v| !v.is_empty()) {
        chart.metadata.app_version = Some(v.to_string());
    }
    check_dependencies(&chart).map_err(pkg_err)?;

    let entries = archive_entries(&chart, "").map_err(pkg_err)?;
    let bytes = write_tgz(&entries).map_err(|e| pkg_err(format!("cannot build archive: {e}")))?;

    let dest = &opts.destination;
    std::fs::create_dir_all(dest).map_err(|e| ChartError::io(dest, e))?;
    let target = dest.join(format!(
        "{}-{}.tgz",
        chart.metadata.name, chart.metadata.version
    ));
    let mut tmp = tempfile::Builder::new()
        .prefix(".hoist-package-")
        .suffix(".tmp")
        .tempfile_in(dest)
        .map_err(|e| ChartError::io(dest, e))?;
    tmp.write_all(&bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| ChartError::io(tmp.path(), e))?;
    tmp.persist(&target)
        .map_err(|e| ChartError::io(&target, e.error))?;
    Ok(target)
}

/// The archive `package` would write for an already loaded chart, as
/// bytes (Helm's `chartutil.Save` of a chart in memory).
pub fn archive_bytes(chart: &Chart) -> Result<Vec<u8>, ChartError> {
    let pkg_err = |message: String| ChartError::Package {
        chart: chart.metadata.name.clone(),
        message,
    };
    let entries = archive_entries(chart, "").map_err(pkg_err)?;
    write_tgz(&entries).map_err(|e| pkg_err(format!("cannot build archive: {e}")))
}

/// The lowercase hex SHA-256 of `bytes`, as `helm package` users and
/// repository indexes (`digest`) print it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Helm's `CheckDependencies`: every dependency declared in Chart.yaml
/// must be present under charts/ (matched by chart name).
fn check_dependencies(chart: &Chart) -> Result<(), String> {
    let missing = chart.missing_dependencies();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        ))
    }
}

/// The archive's entries for `chart` under `prefix`, in Helm's order.
fn archive_entries(chart: &Chart, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    let name = &chart.metadata.name;
    if name.is_empty() || name.contains('/') || name == "." || name == ".." {
        return Err(format!("chart name {name:?} is invalid"));
    }
    let base = format!("{prefix}{name}");
    let mut out = Vec::new();
    let v1 = chart.metadata.api_version == "v1";
    out.push((
        format!("{base}/Chart.yaml"),
        crate::yaml::to_string(&metadata_value(&chart.metadata, !v1)?).into_bytes(),
    ));
    if chart.metadata.api_version == "v2"
        && let Some(lock) = &chart.lock
    {
        out.push((
            format!("{base}/Chart.lock"),
            crate::yaml::to_string(&lock_value(lock)).into_bytes(),
        ));
    }
    if let Some(raw) = &chart.raw_values {
        out.push((format!("{base}/values.yaml"), raw.clone().into_bytes()));
    }
    if let Some(schema) = &chart.schema {
        if serde_json::from_slice::<serde_json::Value>(schema).is_err() {
            return Err(format!("invalid JSON in {base}/values.schema.json"));
        }
        out.push((format!("{base}/values.schema.json"), schema.clone()));
    }
    let mut templates: Vec<_> = chart.templates.iter().collect();
    templates.sort_by(|a, b| a.name.cmp(&b.name));
    for f in templates {
        out.push((format!("{base}/{}", f.name), f.data.clone()));
    }
    let mut files: Vec<_> = chart.files.iter().collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    for f in files {
        out.push((format!("{base}/{}", f.name), f.data.clone()));
    }
    let mut deps: Vec<&Chart> = chart.dependencies.iter().collect();
    deps.sort_by(|a, b| a.name().cmp(b.name()));
    for dep in deps {
        out.extend(archive_entries(dep, &format!("{base}/charts/"))?);
    }
    Ok(out)
}

fn write_tgz(entries: &[(String, Vec<u8>)]) -> std::io::Result<Vec<u8>> {
    let gz = GzBuilder::new()
        .extra(GZIP_EXTRA.to_vec())
        .comment("Helm")
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), Compression::new(6));
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    for (name, data) in entries {
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        h.set_size(data.len() as u64);
        h.set_username("")?;
        h.set_groupname("")?;
        tar.append_data(&mut h, name, &data[..])?;
    }
    tar.into_inner()?.finish()
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

fn put_str(m: &mut Map, key: &str, v: &str) {
    if !v.is_empty() {
        m.insert(key.into(), s(v));
    }
}

/// Chart.yaml as Go marshals `chart.Metadata` (see [`ChartMetadata`]);
/// apiVersion v1 charts keep their dependencies in requirements.yaml, so
/// `with_dependencies` is false for them.
pub(crate) fn metadata_value(md: &Metadata, with_dependencies: bool) -> Result<Value, String> {
    let mut go = ChartMetadata::from(md);
    if !with_dependencies {
        go.dependencies.clear();
    }
    serde_json::to_value(&go)
        .map(Value::from)
        .map_err(|e| format!("cannot write Chart.yaml for {:?}: {e}", md.name))
}

fn lock_value(lock: &Lock) -> Value {
    let mut m = Map::new();
    m.insert("generated".into(), s(&lock.generated));
    m.insert("digest".into(), s(&lock.digest));
    let deps = lock
        .dependencies
        .iter()
        .map(|d| {
            let mut mm = Map::new();
            mm.insert("name".into(), s(&d.name));
            put_str(&mut mm, "version", &d.version);
            mm.insert("repository".into(), s(&d.repository));
            Value::Map(mm)
        })
        .collect();
    m.insert("dependencies".into(), Value::List(deps));
    Value::Map(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Dependency;

    fn write(dir: &Path, name: &str, data: &str) {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }

    fn chart_dir() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            "Chart.yaml",
            "apiVersion: v2\nname: demo\nversion: 0.1.0\n# a comment\n",
        );
        write(t.path(), "values.yaml", "# keep me\na: 1\n");
        write(t.path(), "templates/cm.yaml", "kind: ConfigMap\n");
        write(t.path(), "README.md", "hi\n");
        t
    }

    #[test]
    fn writes_name_version_tgz_with_helms_layout() {
        let src = chart_dir();
        let out = tempfile::tempdir().unwrap();
        let opts = PackageOptions {
            destination: out.path().join("new"),
            ..Default::default()
        };
        let p = package(src.path(), &opts).unwrap();
        assert_eq!(p.file_name().unwrap(), "demo-0.1.0.tgz");
        let bytes = std::fs::read(&p).unwrap();
        let files = crate::chart::archive::read_archive_bytes(&bytes, "t").unwrap();
        let names: Vec<_> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Chart.yaml",
                "values.yaml",
                "templates/cm.yaml",
                "README.md"
            ]
        );
        // values.yaml is kept verbatim; Chart.yaml is re-marshalled.
        assert_eq!(files[1].data, b"# keep me\na: 1\n");
        assert!(!String::from_utf8_lossy(&files[0].data).contains("comment"));
        // Nothing else is left in the destination.
        assert_eq!(
            std::fs::read_dir(out.path().join("new")).unwrap().count(),
            1
        );
    }

    #[test]
    fn overrides_rewrite_chart_yaml() {
        let src = chart_dir();
        let out = tempfile::tempdir().unwrap();
        let opts = PackageOptions {
            version: Some("2.0.0-rc.1".into()),
            app_version: Some("9.9".into()),
            destination: out.path().to_path_buf(),
        };
        let p = package(src.path(), &opts).unwrap();
        assert_eq!(p.file_name().unwrap(), "demo-2.0.0-rc.1.tgz");
        let c = crate::chart::load(&p).unwrap();
        assert_eq!(c.metadata.version, "2.0.0-rc.1");
        assert_eq!(c.metadata.app_version.as_deref(), Some("9.9"));
    }

    #[test]
    fn bad_version_override_leaves_nothing_behind() {
        let src = chart_dir();
        let out = tempfile::tempdir().unwrap();
        let opts = PackageOptions {
            version: Some("not-a-version".into()),
            destination: out.path().to_path_buf(),
            ..Default::default()
        };
        let e = package(src.path(), &opts).unwrap_err().to_string();
        assert!(e.contains("not-a-version"), "{e}");
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
    }

    #[test]
    fn missing_declared_dependency_is_an_error() {
        let src = chart_dir();
        write(
            src.path(),
            "Chart.yaml",
            "apiVersion: v2\nname: demo\nversion: 0.1.0\ndependencies:\n- name: sub\n  version: 1.x\n  repository: file://../sub\n",
        );
        let out = tempfile::tempdir().unwrap();
        let opts = PackageOptions {
            destination: out.path().to_path_buf(),
            ..Default::default()
        };
        let e = package(src.path(), &opts).unwrap_err().to_string();
        assert!(e.contains("missing in charts/ directory: sub"), "{e}");
    }

    #[test]
    fn sha256_hex_is_lowercase_hex() {
        // The SHA-256 of the empty input, from FIPS 180-2 test vectors.
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn metadata_value_follows_go_json_tags() {
        let md = Metadata {
            api_version: "v2".into(),
            name: "a".into(),
            version: "1.0.0".into(),
            dependencies: vec![Dependency {
                name: "b".into(),
                ..Dependency::default()
            }],
            ..Metadata::default()
        };
        let v = metadata_value(&md, true).unwrap();
        let dep = &v.get_path("dependencies").unwrap();
        let Value::List(l) = dep else { panic!() };
        assert_eq!(l[0].get_path("repository"), Some(&s("")));
        assert_eq!(l[0].get_path("version"), None);
        assert_eq!(
            metadata_value(&md, false).unwrap().get_path("dependencies"),
            None
        );
        assert_eq!(v.get_path("description"), None);
    }
}
