//! Reads a chart's metadata (Chart.yaml) out of a packaged chart (.tgz).
//!
//! Stopgap: this is to be replaced by `hoist_core::chart::load_archive` once
//! that lands; only [`chart_meta_from_archive`] / [`chart_meta_from_reader`]
//! and [`ChartMeta`] are used by the rest of the server.
//!
//! The reader streams the gzip tar without unpacking it to disk, checks every
//! entry path the way Helm's archive loader does (no absolute paths, nothing
//! outside the chart's top folder), and enforces Helm's size limits, so a
//! hostile upload cannot exhaust memory.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Read;

use crate::version::ChartVersion;

/// Largest Chart.yaml (and any single file) accepted, as Helm's loader.
pub const MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;
/// Largest total decompressed size accepted, as Helm's loader.
pub const MAX_DECOMPRESSED_SIZE: u64 = 100 * 1024 * 1024;

/// Why an archive is not a loadable chart.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Not gzip at all.
    #[error("file does not appear to be a gzipped archive")]
    NotGzip,
    /// The gzip or tar stream is damaged.
    #[error("reading the chart archive: {0}")]
    Io(#[from] std::io::Error),
    /// An entry path escapes the chart folder.
    #[error("chart illegally contains content outside the base directory: {0:?}")]
    OutsideBase(String),
    /// An entry path is absolute.
    #[error("chart illegally contains absolute paths: {0:?}")]
    AbsolutePath(String),
    /// Chart.yaml sits at the archive root instead of in the chart folder.
    #[error("chart yaml not in base directory")]
    ChartYamlAtRoot,
    /// No `<top>/Chart.yaml`.
    #[error("Chart.yaml file is missing")]
    MissingChartYaml,
    /// A file is bigger than Helm accepts.
    #[error("file {name:?} is larger than the maximum file size {max} bytes")]
    FileTooLarge {
        /// Entry path.
        name: String,
        /// The limit.
        max: u64,
    },
    /// The whole archive decompresses to more than Helm accepts.
    #[error("decompressed chart is larger than the maximum size {0} bytes")]
    TooLarge(u64),
    /// Chart.yaml is not valid YAML for chart metadata.
    #[error("cannot load Chart.yaml: {0}")]
    BadChartYaml(String),
    /// Chart.yaml parsed but fails Helm's metadata validation.
    #[error("validation: {0}")]
    Invalid(String),
}

/// A maintainer entry of Chart.yaml.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Maintainer {
    /// Name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// E-mail address.
    #[serde(default, deserialize_with = "nullable")]
    pub email: String,
    /// URL.
    #[serde(default, deserialize_with = "nullable")]
    pub url: String,
}

/// A dependency entry of Chart.yaml.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Dependency {
    /// Chart name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// Version constraint.
    #[serde(default, deserialize_with = "nullable")]
    pub version: String,
    /// Repository.
    #[serde(default, deserialize_with = "nullable")]
    pub repository: String,
    /// Condition.
    #[serde(default, deserialize_with = "nullable")]
    pub condition: String,
    /// Tags.
    #[serde(default, deserialize_with = "nullable")]
    pub tags: Vec<String>,
    /// Enabled.
    #[serde(default, deserialize_with = "nullable")]
    pub enabled: bool,
    /// import-values, kept as written (strings or child/parent maps).
    #[serde(default, deserialize_with = "nullable")]
    pub import_values: Vec<serde_json::Value>,
    /// Alias.
    #[serde(default, deserialize_with = "nullable")]
    pub alias: String,
}

/// The Chart.yaml fields an index entry carries (Helm's `chart.Metadata`).
/// Empty strings and lists stand for absent fields, as Go's zero values do.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartMeta {
    /// Name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// Home page.
    #[serde(default, deserialize_with = "nullable")]
    pub home: String,
    /// Source URLs.
    #[serde(default, deserialize_with = "nullable")]
    pub sources: Vec<String>,
    /// Version.
    #[serde(default, deserialize_with = "nullable")]
    pub version: String,
    /// Description.
    #[serde(default, deserialize_with = "nullable")]
    pub description: String,
    /// Keywords.
    #[serde(default, deserialize_with = "nullable")]
    pub keywords: Vec<String>,
    /// Maintainers.
    #[serde(default, deserialize_with = "nullable")]
    pub maintainers: Vec<Maintainer>,
    /// Icon URL.
    #[serde(default, deserialize_with = "nullable")]
    pub icon: String,
    /// Chart API version (v1/v2).
    #[serde(default, deserialize_with = "nullable")]
    pub api_version: String,
    /// Condition (v1 charts).
    #[serde(default, deserialize_with = "nullable")]
    pub condition: String,
    /// Tags (v1 charts).
    #[serde(default, deserialize_with = "nullable")]
    pub tags: String,
    /// Application version.
    #[serde(default, deserialize_with = "nullable")]
    pub app_version: String,
    /// Deprecated flag.
    #[serde(default, deserialize_with = "nullable")]
    pub deprecated: bool,
    /// Annotations.
    #[serde(default, deserialize_with = "nullable")]
    pub annotations: BTreeMap<String, String>,
    /// Kubernetes version constraint.
    #[serde(default, deserialize_with = "nullable")]
    pub kube_version: String,
    /// Dependencies.
    #[serde(default, deserialize_with = "nullable")]
    pub dependencies: Vec<Dependency>,
    /// `application` or `library`.
    #[serde(default, rename = "type", deserialize_with = "nullable")]
    pub chart_type: String,
}

/// Go decodes an explicit `null` into the zero value; do the same.
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

impl ChartMeta {
    /// Parses Chart.yaml text (unknown fields are ignored, as Helm does).
    pub fn from_yaml(text: &str) -> Result<Self, ArchiveError> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        serde_saphyr::from_str(text).map_err(|e| ArchiveError::BadChartYaml(e.to_string()))
    }

    /// Helm's `Metadata.Validate`, for the checks that matter to a repository.
    pub fn validate(&self) -> Result<(), ArchiveError> {
        let invalid = |m: String| Err(ArchiveError::Invalid(m));
        if self.api_version.is_empty() {
            return invalid("chart.metadata.apiVersion is required".into());
        }
        if self.name.is_empty() {
            return invalid("chart.metadata.name is required".into());
        }
        if !is_safe_file_component(&self.name) {
            return invalid(format!("chart.metadata.name {:?} is invalid", self.name));
        }
        if self.version.is_empty() {
            return invalid("chart.metadata.version is required".into());
        }
        if ChartVersion::parse(&self.version).is_none() || self.version.contains('/') {
            return invalid(format!(
                "chart.metadata.version {:?} is invalid",
                self.version
            ));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return invalid("chart.metadata.type must be application or library".into());
        }
        for dep in &self.dependencies {
            if dep.name.is_empty() {
                return invalid("dependencies must have a name".into());
            }
            let alias_ok = dep
                .alias
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
            if !alias_ok {
                return invalid(format!(
                    "dependency {:?} has disallowed characters in the alias",
                    dep.name
                ));
            }
        }
        Ok(())
    }

    /// The file name ChartMuseum stores this chart under: `<name>-<version>.tgz`.
    pub fn package_file_name(&self) -> String {
        format!("{}-{}.tgz", self.name, self.version)
    }
}

/// True when `s` can be used as a single file name inside the storage root:
/// not empty, no separators or NUL, not `.`/`..`, not hidden.
pub fn is_safe_file_component(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('.')
        && !s.contains(['/', '\\', '\0'])
        && !s.chars().any(char::is_control)
}

/// Reads and validates the Chart.yaml of an in-memory chart archive.
pub fn chart_meta_from_archive(bytes: &[u8]) -> Result<ChartMeta, ArchiveError> {
    chart_meta_from_reader(bytes)
}

/// Streams a chart archive and returns its validated Chart.yaml; memory use
/// is bounded by [`MAX_FILE_SIZE`] whatever the archive holds.
pub fn chart_meta_from_reader<R: Read>(mut reader: R) -> Result<ChartMeta, ArchiveError> {
    let mut magic = [0u8; 2];
    let mut got = 0;
    while got < 2 {
        let n = reader.read(&mut magic[got..])?;
        if n == 0 {
            return Err(ArchiveError::NotGzip);
        }
        got += n;
    }
    if magic != [0x1f, 0x8b] {
        return Err(ArchiveError::NotGzip);
    }
    let gz = flate2::read::MultiGzDecoder::new(std::io::Cursor::new(magic).chain(reader));
    let mut archive = tar::Archive::new(gz);
    let mut total: u64 = 0;
    let mut chart_yaml: Option<String> = None;
    for entry in archive.entries()? {
        let mut entry = entry?;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).replace('\\', "/");
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind.is_dir()) {
            // Helm skips pax/GNU headers; the tar crate already folds those
            // into the next entry, so anything else (links, devices) is ignored.
            continue;
        }
        if raw.starts_with('/') {
            return Err(ArchiveError::AbsolutePath(raw));
        }
        let clean = clean_path(&raw).ok_or_else(|| ArchiveError::OutsideBase(raw.clone()))?;
        if kind.is_dir() {
            continue;
        }
        let size = entry.size();
        if size > MAX_FILE_SIZE {
            return Err(ArchiveError::FileTooLarge {
                name: clean,
                max: MAX_FILE_SIZE,
            });
        }
        total += size;
        if total > MAX_DECOMPRESSED_SIZE {
            return Err(ArchiveError::TooLarge(MAX_DECOMPRESSED_SIZE));
        }
        let mut parts = clean.splitn(2, '/');
        let top = parts.next().unwrap_or_default();
        let rest = parts.next();
        if rest.is_none() && top == "Chart.yaml" {
            return Err(ArchiveError::ChartYamlAtRoot);
        }
        if rest == Some("Chart.yaml") {
            let mut text = String::new();
            (&mut entry).take(MAX_FILE_SIZE).read_to_string(&mut text)?;
            chart_yaml = Some(text);
        } else {
            std::io::copy(&mut (&mut entry).take(MAX_FILE_SIZE), &mut std::io::sink())?;
        }
    }
    let text = chart_yaml.ok_or(ArchiveError::MissingChartYaml)?;
    let meta = ChartMeta::from_yaml(&text)?;
    meta.validate()?;
    Ok(meta)
}

/// Lexically cleans a relative path; `None` when it climbs out of the root.
fn clean_path(p: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            other => out.push(other),
        }
    }
    Some(out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};

    fn tgz(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
        for (name, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            // Raw name bytes: the builder refuses `..`, which tests need.
            h.as_gnu_mut().unwrap().name[..name.len()].copy_from_slice(name.as_bytes());
            h.set_cksum();
            b.append(&h, *data).unwrap();
        }
        b.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn reads_name_version_and_fields() {
        let chart = b"apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: 1.10\ndescription: A demo\nmaintainers:\n- name: Ann\n  email: a@b.c\nannotations:\n  x: y\nextraUnknown: 1\n";
        let data = tgz(&[
            ("demo/values.yaml", b"a: 1\n"),
            ("demo/Chart.yaml", chart),
            (
                "demo/charts/sub/Chart.yaml",
                b"apiVersion: v2\nname: sub\nversion: 9.9.9\n",
            ),
        ]);
        let meta = chart_meta_from_archive(&data).unwrap();
        assert_eq!(meta.name, "demo");
        assert_eq!(meta.version, "1.2.3");
        assert_eq!(meta.app_version, "1.10");
        assert_eq!(meta.maintainers[0].email, "a@b.c");
        assert_eq!(meta.annotations.get("x").map(String::as_str), Some("y"));
    }

    #[test]
    fn rejects_non_gzip_and_missing_chart_yaml() {
        assert!(matches!(
            chart_meta_from_archive(b"hello"),
            Err(ArchiveError::NotGzip)
        ));
        let data = tgz(&[("demo/values.yaml", b"a: 1\n")]);
        assert!(matches!(
            chart_meta_from_archive(&data),
            Err(ArchiveError::MissingChartYaml)
        ));
    }

    #[test]
    fn rejects_escaping_paths_and_root_chart_yaml() {
        let data = tgz(&[("demo/../../evil", b"x")]);
        assert!(matches!(
            chart_meta_from_archive(&data),
            Err(ArchiveError::OutsideBase(_))
        ));
        let data = tgz(&[("Chart.yaml", b"name: x\n")]);
        assert!(matches!(
            chart_meta_from_archive(&data),
            Err(ArchiveError::ChartYamlAtRoot)
        ));
    }

    #[test]
    fn validates_metadata() {
        let bad = [
            "name: x\nversion: 1.0.0\n",
            "apiVersion: v2\nversion: 1.0.0\n",
            "apiVersion: v2\nname: x\n",
            "apiVersion: v2\nname: x\nversion: banana\n",
            "apiVersion: v2\nname: ../x\nversion: 1.0.0\n",
            "apiVersion: v2\nname: x\nversion: 1.0.0\ntype: other\n",
        ];
        for text in bad {
            let data = tgz(&[("x/Chart.yaml", text.as_bytes())]);
            assert!(
                matches!(
                    chart_meta_from_archive(&data),
                    Err(ArchiveError::Invalid(_))
                ),
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_oversized_chart_yaml() {
        let big = vec![b'#'; (MAX_FILE_SIZE + 1) as usize];
        let data = tgz(&[("x/Chart.yaml", &big)]);
        assert!(matches!(
            chart_meta_from_archive(&data),
            Err(ArchiveError::FileTooLarge { .. })
        ));
    }

    #[test]
    fn null_fields_read_as_empty() {
        let meta = ChartMeta::from_yaml("apiVersion: v2\nname: x\nversion: 1.0.0\ndescription:\n")
            .unwrap();
        assert_eq!(meta.description, "");
    }
}
