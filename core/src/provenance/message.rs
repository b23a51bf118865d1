//! The text Helm signs: the chart's metadata, a `...` line, then the file
//! digests (`pkg/provenance` messageBlock / parseMessageBlock).

use super::ProvenanceError;
use crate::values::Value;
use std::collections::BTreeMap;

/// Helm's separator between the metadata and the digests. YAML's `---`
/// would be dash-escaped in a clear-signed message, so Helm uses the YAML
/// document-end marker instead.
const SEPARATOR: &str = "\n...\n";

/// The message block for `archive` published as `filename`: Chart.yaml as
/// Helm marshals the archive's `chart.Metadata`, then the sha256 of the
/// archive under `files:`.
pub fn message_block(archive: &[u8], filename: &str) -> Result<String, ProvenanceError> {
    let chart_err = |message: String| ProvenanceError::Chart {
        archive: filename.to_string(),
        message,
    };
    let chart = crate::chart::load_archive_bytes(archive).map_err(|e| chart_err(e.to_string()))?;
    let metadata =
        crate::chart::package::metadata_value(&chart.metadata, true).map_err(chart_err)?;
    let mut files = BTreeMap::new();
    files.insert(
        filename.to_string(),
        Value::String(format!(
            "sha256:{}",
            crate::chart::package::sha256_hex(archive)
        )),
    );
    let mut sums = BTreeMap::new();
    sums.insert("files".to_string(), Value::Map(files));

    let mut out = crate::yaml::to_string(&metadata);
    out.push_str(SEPARATOR);
    out.push_str(&crate::yaml::to_string(&Value::Map(sums)));
    Ok(out)
}

/// The `files:` digests of a message block (`NAME -> sha256:HEX`), read as
/// Helm reads them: the text between the first and second `...` separator.
pub fn parse_files(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut parts = text.split(SEPARATOR);
    let (Some(_metadata), Some(sums)) = (parts.next(), parts.next()) else {
        return Err("message block must have at least two parts (no \"...\" line)".to_string());
    };
    let value = crate::yaml::parse(sums).map_err(|e| format!("files block: {e}"))?;
    let mut out = BTreeMap::new();
    match value {
        Value::Map(m) => match m.get("files") {
            Some(Value::Map(files)) => {
                for (name, sum) in files {
                    match sum {
                        Value::String(s) => {
                            out.insert(name.clone(), s.clone());
                        }
                        other => {
                            return Err(format!(
                                "files block: the digest of {name:?} is not a string: {other:?}"
                            ));
                        }
                    }
                }
            }
            Some(Value::Null) | None => {}
            Some(_) => return Err("files block: `files` is not a map".to_string()),
        },
        Value::Null => {}
        _ => return Err("files block is not a map".to_string()),
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_read_from_the_second_part() {
        let text = "name: x\n...\nfiles:\n  x-1.0.0.tgz: sha256:abc\n";
        let files = parse_files(text).unwrap();
        assert_eq!(
            files.get("x-1.0.0.tgz").map(String::as_str),
            Some("sha256:abc")
        );
    }

    #[test]
    fn a_block_without_separator_is_refused() {
        let err = parse_files("name: x\nfiles:\n  a: b\n").unwrap_err();
        assert!(err.contains("two parts"), "{err}");
    }

    #[test]
    fn non_string_digest_is_refused() {
        assert!(parse_files("a: b\n...\nfiles:\n  a.tgz: [1]\n").is_err());
    }
}
