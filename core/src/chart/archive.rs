//! Reading chart archives (gzip-compressed tar) safely.
//!
//! Helm's rules (`pkg/chart/loader/archive`) are kept: the top folder is
//! stripped from every name, directories and PAX headers are skipped, a file
//! over 5 MiB or a total over 100 MiB is refused, a UTF-8 BOM at the start of
//! a file is dropped. On top of Helm, anything that could escape or confuse
//! the chart root is refused with the entry named: absolute paths, `..`
//! components, links, devices and other non-regular entries, entries beside
//! the top folder, and a second top folder.
//!
//! Memory stays bounded whatever the archive claims: the archive is first
//! streamed through a validating pass that keeps no file data (so a gzip
//! bomb stops at the first limit crossed, having used a fixed-size buffer),
//! and only an archive that passed is read again to keep its files.

use super::ChartError;
use flate2::read::GzDecoder;
use std::io::{self, Read};

/// Largest file Helm accepts in a chart (5 MiB).
pub const MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;
/// Largest total of file sizes Helm accepts in a chart (100 MiB).
pub const MAX_CHART_SIZE: u64 = 100 * 1024 * 1024;
/// Largest compressed archive read from a stream. A compressed archive is
/// at most slightly larger than what it holds, so this is generous.
pub const MAX_COMPRESSED_SIZE: u64 = MAX_CHART_SIZE + 28 * 1024 * 1024;
/// Largest decompressed tar stream (file data plus headers and padding);
/// bounds archives made of countless empty entries.
const MAX_TAR_STREAM: u64 = 2 * MAX_CHART_SIZE;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Drops a leading UTF-8 byte order mark, as Helm's loaders do for every
/// chart file, from archives and folders alike.
pub(crate) fn strip_utf8_bom(mut data: Vec<u8>) -> Vec<u8> {
    if data.starts_with(UTF8_BOM) {
        data.drain(..UTF8_BOM.len());
    }
    data
}

/// One file read from an archive, with its name relative to the chart root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveFile {
    /// `/`-separated path below the top folder, e.g. `templates/a.yaml`.
    pub name: String,
    /// Contents, without a leading UTF-8 BOM.
    pub data: Vec<u8>,
}

/// Reads a chart archive from a stream (at most [`MAX_COMPRESSED_SIZE`]
/// bytes). `label` names the archive in errors.
pub fn read_archive<R: Read>(reader: R, label: &str) -> Result<Vec<ArchiveFile>, ChartError> {
    let mut compressed = Vec::new();
    reader
        .take(MAX_COMPRESSED_SIZE + 1)
        .read_to_end(&mut compressed)
        .map_err(|e| archive_err(label, format!("cannot read: {e}")))?;
    if compressed.len() as u64 > MAX_COMPRESSED_SIZE {
        return Err(archive_err(
            label,
            format!("compressed archive is larger than {MAX_COMPRESSED_SIZE} bytes"),
        ));
    }
    read_archive_bytes(&compressed, label)
}

/// Reads a chart archive held in memory. `label` names the archive in errors.
pub fn read_archive_bytes(bytes: &[u8], label: &str) -> Result<Vec<ArchiveFile>, ChartError> {
    if !bytes.starts_with(b"\x1f\x8b\x08") {
        return Err(archive_err(
            label,
            "does not appear to be a gzipped archive".to_string(),
        ));
    }
    walk(bytes, label, |_, _| Ok(()), false)?;
    let mut files = Vec::new();
    walk(
        bytes,
        label,
        |name, data| {
            files.push(ArchiveFile {
                name,
                data: strip_utf8_bom(data),
            });
            Ok(())
        },
        true,
    )?;
    if files.is_empty() {
        return Err(archive_err(label, "no files in chart archive".to_string()));
    }
    Ok(files)
}

fn archive_err(label: &str, message: String) -> ChartError {
    ChartError::Archive {
        archive: label.to_string(),
        message,
    }
}

/// Counts bytes read through it and fails once `limit` is passed, so no
/// stream can make a caller read without bound.
struct Limited<R> {
    inner: R,
    read: u64,
    limit: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(io::Error::other(format!(
                "decompressed archive is larger than {} bytes",
                self.limit
            )));
        }
        Ok(n)
    }
}

/// Streams every entry of the archive through the safety rules and hands
/// each regular file to `sink`. With `keep == false` file data is drained
/// through a small buffer and `sink` gets an empty vector.
fn walk(
    bytes: &[u8],
    label: &str,
    mut sink: impl FnMut(String, Vec<u8>) -> Result<(), ChartError>,
    keep: bool,
) -> Result<(), ChartError> {
    let err = |m: String| archive_err(label, m);
    let stream = Limited {
        inner: GzDecoder::new(bytes),
        read: 0,
        limit: MAX_TAR_STREAM,
    };
    let mut archive = tar::Archive::new(stream);
    let entries = archive
        .entries()
        .map_err(|e| err(format!("cannot read: {e}")))?;
    let mut remaining = MAX_CHART_SIZE;
    let mut top: Option<String> = None;
    for entry in entries {
        let mut entry = entry.map_err(|e| err(format!("cannot read: {e}")))?;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        let is_dir = kind.is_dir() || (kind.as_byte() == b'\0' && raw.ends_with('/'));
        let name = std::str::from_utf8(&entry.path_bytes())
            .map_err(|_| err(format!("entry {raw:?} has a name that is not UTF-8")))?
            .to_string();
        let (top_dir, rel) =
            split_entry_name(&name).map_err(|m| err(format!("entry {raw:?}: {m}")))?;
        if !is_dir {
            if !(kind.is_file() || kind.is_contiguous()) {
                let what = if kind.is_symlink() {
                    "a symbolic link"
                } else if kind.is_hard_link() {
                    "a hard link"
                } else if kind.is_character_special() || kind.is_block_special() {
                    "a device"
                } else if kind.is_fifo() {
                    "a FIFO"
                } else {
                    "not a regular file"
                };
                return Err(err(format!(
                    "entry {raw:?} is {what}; chart archives may only hold regular files"
                )));
            }
            if rel.is_none() {
                return Err(err(format!(
                    "entry {raw:?} is outside the chart's top-level folder"
                )));
            }
        }
        if let Some(top_dir) = &top_dir {
            match &top {
                None => top = Some(top_dir.clone()),
                Some(t) if t != top_dir => {
                    return Err(err(format!(
                        "entry {raw:?} is in a second top-level folder {top_dir:?} (first was {t:?}); a chart archive holds one folder"
                    )));
                }
                Some(_) => {}
            }
        }
        let Some(rel) = rel.filter(|_| !is_dir) else {
            continue;
        };
        let size = entry.size();
        if size > MAX_FILE_SIZE {
            return Err(err(format!(
                "entry {raw:?} ({size} bytes) is larger than the maximum file size {MAX_FILE_SIZE}"
            )));
        }
        if size >= remaining {
            return Err(err(format!(
                "entry {raw:?} makes the decompressed chart larger than the maximum size {MAX_CHART_SIZE}"
            )));
        }
        let data = if keep {
            let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            (&mut entry)
                .take(size)
                .read_to_end(&mut data)
                .map_err(|e| err(format!("entry {raw:?}: cannot read: {e}")))?;
            data
        } else {
            io::copy(&mut (&mut entry).take(size), &mut io::sink())
                .map_err(|e| err(format!("entry {raw:?}: cannot read: {e}")))?;
            Vec::new()
        };
        remaining -= size;
        sink(rel, data)?;
    }
    Ok(())
}

/// Splits an entry name into its top folder and the path below it, after
/// normalising `\` to `/` (archives made on Windows) and dropping `./`
/// prefixes. Refuses absolute paths, drive letters and `..` components.
/// An entry directly at the top level yields no relative path.
fn split_entry_name(name: &str) -> Result<(Option<String>, Option<String>), String> {
    let normalized = name.replace('\\', "/");
    if normalized.starts_with('/') {
        return Err("absolute paths are not allowed in a chart archive".into());
    }
    let b = normalized.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Err("paths with a drive letter are not allowed in a chart archive".into());
    }
    let parts: Vec<&str> = normalized
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Err("references a parent directory (`..`)".into());
    }
    let Some((first, rest)) = parts.split_first() else {
        return Ok((None, None));
    };
    if rest.is_empty() {
        // A lone name: a top-level file, or the top folder itself.
        return Ok((Some((*first).to_string()), None));
    }
    let rel = rest.join("/");
    let rb = rel.as_bytes();
    if rb.len() >= 2 && rb[0].is_ascii_alphabetic() && rb[1] == b':' {
        return Err("contains an illegally named file".into());
    }
    Ok((Some((*first).to_string()), Some(rel)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};

    fn tgz(entries: &[(&str, tar::EntryType, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
        for (name, kind, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(*kind);
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            // Write the raw name so hostile names survive the builder's checks.
            let bytes = name.as_bytes();
            h.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
            h.set_cksum();
            b.append(&h, *data).unwrap();
        }
        b.into_inner().unwrap().finish().unwrap()
    }

    fn reg(
        name: &'static str,
        data: &'static [u8],
    ) -> (&'static str, tar::EntryType, &'static [u8]) {
        (name, tar::EntryType::Regular, data)
    }

    fn err_of(bytes: &[u8]) -> String {
        read_archive_bytes(bytes, "t.tgz").unwrap_err().to_string()
    }

    #[test]
    fn strips_top_folder_and_bom_and_skips_dirs() {
        let a = tgz(&[
            ("c/", tar::EntryType::Directory, b""),
            reg("c/Chart.yaml", b"\xEF\xBB\xBFname: c"),
            reg("./c/templates/a.yaml", b"x"),
        ]);
        let files = read_archive_bytes(&a, "t").unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].name, "Chart.yaml");
        assert_eq!(files[0].data, b"name: c");
        assert_eq!(files[1].name, "templates/a.yaml");
    }

    #[test]
    fn windows_separators_are_normalised() {
        let a = tgz(&[reg("c\\templates\\a.yaml", b"x")]);
        let files = read_archive_bytes(&a, "t").unwrap();
        assert_eq!(files[0].name, "templates/a.yaml");
    }

    #[test]
    fn refuses_unsafe_names_and_types() {
        let e = err_of(&tgz(&[reg("c/../../etc/x", b"x")]));
        assert!(e.contains("c/../../etc/x") && e.contains("parent"), "{e}");
        let e = err_of(&tgz(&[reg("/etc/passwd", b"x")]));
        assert!(e.contains("/etc/passwd") && e.contains("absolute"), "{e}");
        let e = err_of(&tgz(&[reg("c/C:/x", b"x")]));
        assert!(e.contains("illegally named"), "{e}");
        let e = err_of(&tgz(&[reg("Chart.yaml", b"x")]));
        assert!(e.contains("outside"), "{e}");
        let e = err_of(&tgz(&[("c/l", tar::EntryType::Symlink, b"")]));
        assert!(e.contains("\"c/l\"") && e.contains("symbolic link"), "{e}");
        let e = err_of(&tgz(&[("c/f", tar::EntryType::Fifo, b"")]));
        assert!(e.contains("FIFO"), "{e}");
        let e = err_of(&tgz(&[reg("a/x", b"1"), reg("b/y", b"2")]));
        assert!(e.contains("b/y") && e.contains("second top-level"), "{e}");
    }

    #[test]
    fn refuses_non_gzip_and_empty_archives() {
        assert!(err_of(b"apiVersion: v2").contains("gzipped"));
        let e = err_of(&tgz(&[("c/", tar::EntryType::Directory, b"")]));
        assert!(e.contains("no files"), "{e}");
    }

    #[test]
    fn refuses_big_files_by_header() {
        let big = vec![b'a'; (MAX_FILE_SIZE + 1) as usize];
        let mut b = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
        let mut h = tar::Header::new_gnu();
        h.set_size(big.len() as u64);
        b.append_data(&mut h, "c/big.bin", &big[..]).unwrap();
        let a = b.into_inner().unwrap().finish().unwrap();
        let e = err_of(&a);
        assert!(
            e.contains("c/big.bin") && e.contains("maximum file size"),
            "{e}"
        );
    }

    #[test]
    fn split_entry_name_rules() {
        assert_eq!(
            split_entry_name("./c/./a/b").unwrap(),
            (Some("c".into()), Some("a/b".into()))
        );
        assert_eq!(split_entry_name("c").unwrap(), (Some("c".into()), None));
        assert!(split_entry_name("c/a/../b").is_err());
    }
}
