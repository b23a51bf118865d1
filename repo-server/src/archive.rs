//! Reads and validates an uploaded chart package with hoist-core's chart
//! loader ([`hoist_core::chart::load_archive`]): Helm's archive safety rules
//! (no absolute paths, nothing outside the chart folder, Helm's file and
//! total size limits) and Helm's full Chart.yaml validation. The index entry
//! is built from the metadata in Go's JSON form
//! ([`hoist_core::chart::gojson::ChartMetadata`]), as Helm's `repo.ChartVersion`
//! embeds `chart.Metadata`.

use std::io::Read;
use std::path::Path;

pub use hoist_core::chart::ChartError;
pub use hoist_core::chart::gojson::ChartMetadata;

/// Reads a chart archive from a stream (a staged upload) and returns its
/// validated Chart.yaml.
///
/// Memory use is bounded by the stream's size (an upload is capped by
/// `--max-upload-size`) plus Helm's limits on each file and on the
/// decompressed total, which core's loader enforces. Errors name the archive
/// `<archive>`, so a client never sees the server's staging path.
pub fn chart_meta_from_reader<R: Read>(reader: R) -> Result<ChartMetadata, ChartError> {
    let chart = hoist_core::chart::load_archive_reader(reader)?;
    Ok(ChartMetadata::from(&chart.metadata))
}

/// Like [`chart_meta_from_reader`], for the archive file at `path`.
pub fn chart_meta_from_file(path: &Path) -> Result<ChartMetadata, ChartError> {
    let file = std::fs::File::open(path).map_err(|source| ChartError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    chart_meta_from_reader(std::io::BufReader::new(file))
}

/// Like [`chart_meta_from_reader`], for a package held in memory.
pub fn chart_meta_from_archive(bytes: &[u8]) -> Result<ChartMetadata, ChartError> {
    let chart = hoist_core::chart::load_archive_bytes(bytes)?;
    Ok(ChartMetadata::from(&chart.metadata))
}

/// The file name ChartMuseum stores a chart under: `<name>-<version>.tgz`.
pub fn package_file_name(meta: &ChartMetadata) -> String {
    format!("{}-{}.tgz", meta.name, meta.version)
}

/// True when `s` can be used as a single file name inside the storage root:
/// not empty, no separators or NUL, not `.`/`..`, not hidden.
pub fn is_safe_file_component(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('.')
        && !s.contains(['/', '\\', '\0'])
        && !s.chars().any(char::is_control)
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
        let chart = b"apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: \"1.10\"\ndescription: A demo\nmaintainers:\n- name: Ann\n  email: a@b.c\nannotations:\n  x: z\n";
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
        assert_eq!(meta.annotations.get("x").map(String::as_str), Some("z"));
        assert_eq!(package_file_name(&meta), "demo-1.2.3.tgz");
    }

    #[test]
    fn unquoted_scalars_are_typed_as_in_helm() {
        // Helm v4 (helm-render of charts with these Chart.yaml lines) reports
        // `appVersion: 1.10` as `1.1` and the annotation `x: y` as `true`:
        // YAML 1.1 typing, then the JSON round trip.
        let data = tgz(&[(
            "demo/Chart.yaml",
            b"apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: 1.10\nannotations:\n  x: y\n",
        )]);
        let meta = chart_meta_from_archive(&data).unwrap();
        assert_eq!(meta.app_version, "1.1");
        assert_eq!(meta.annotations.get("x").map(String::as_str), Some("true"));
    }

    #[test]
    fn reads_from_a_file() {
        let data = tgz(&[(
            "demo/Chart.yaml",
            b"apiVersion: v2\nname: demo\nversion: 1.0.0\n",
        )]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("upload");
        std::fs::write(&path, data).unwrap();
        let meta = chart_meta_from_file(&path).unwrap();
        assert_eq!(
            (meta.name.as_str(), meta.version.as_str()),
            ("demo", "1.0.0")
        );
    }

    #[test]
    fn rejects_non_gzip_and_missing_chart_yaml() {
        let err = chart_meta_from_archive(b"hello").unwrap_err();
        assert!(matches!(err, ChartError::Archive { .. }), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("upload");
        std::fs::write(&path, b"hello").unwrap();
        let err = chart_meta_from_file(&path).unwrap_err();
        assert!(
            err.to_string()
                .contains("does not appear to be a gzipped archive"),
            "{err}"
        );
        let data = tgz(&[("demo/values.yaml", b"a: 1\n")]);
        assert!(matches!(
            chart_meta_from_archive(&data),
            Err(ChartError::MissingChartYaml { .. })
        ));
    }

    #[test]
    fn rejects_escaping_paths_and_root_chart_yaml() {
        let data = tgz(&[("demo/../../evil", b"x")]);
        let err = chart_meta_from_archive(&data).unwrap_err();
        assert!(
            matches!(&err, ChartError::Archive { message, .. } if message.contains("parent directory")),
            "{err}"
        );
        let data = tgz(&[("Chart.yaml", b"name: x\n")]);
        let err = chart_meta_from_archive(&data).unwrap_err();
        assert!(
            matches!(&err, ChartError::Archive { message, .. } if message.contains("outside the chart's top-level folder")),
            "{err}"
        );
    }

    #[test]
    fn validates_metadata() {
        let bad = [
            "apiVersion: v3\nname: x\nversion: 1.0.0\n",
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
                    Err(ChartError::Validation { .. })
                ),
                "{text}"
            );
        }
        // Helm's loader reads a Chart.yaml without apiVersion as a v1 chart,
        // so ChartMuseum accepts it.
        let data = tgz(&[("x/Chart.yaml", b"name: x\nversion: 1.0.0\n")]);
        let meta = chart_meta_from_archive(&data).unwrap();
        assert_eq!(meta.api_version, "v1");
    }

    #[test]
    fn rejects_oversized_chart_yaml() {
        let big = vec![b'#'; (hoist_core::chart::archive::MAX_FILE_SIZE + 1) as usize];
        let data = tgz(&[("x/Chart.yaml", &big)]);
        let err = chart_meta_from_archive(&data).unwrap_err();
        assert!(
            matches!(&err, ChartError::Archive { message, .. } if message.contains("larger than the maximum file size")),
            "{err}"
        );
    }

    #[test]
    fn null_fields_read_as_empty() {
        let data = tgz(&[(
            "x/Chart.yaml",
            b"apiVersion: v2\nname: x\nversion: 1.0.0\ndescription:\n",
        )]);
        let meta = chart_meta_from_archive(&data).unwrap();
        assert_eq!(meta.description, "");
    }
}
