//! The repository cache: `<cache>/repository/<name>-index.yaml` as Helm
//! keeps it, with hoist's additions beside it:
//!
//! - `<name>-index.meta.json`: the ETag / Last-Modified of the last fetch,
//!   so `repo update` can ask for the index only when it changed;
//! - `<name>-index.fast`: the parsed entries in a compact binary form, stamped
//!   with the YAML's size and modification time, so search and install read
//!   that instead of parsing megabytes of YAML again;
//! - `<name>-charts.txt`: chart names, one a line, as Helm writes it.
//!
//! Every file is written through a temporary file and a rename; nothing is
//! renamed into place before the index has been parsed and validated, so a
//! bad download never replaces a good cache.

use super::fsutil::write_atomic;
use super::http::{Fetched, Getter, Validators};
use super::index::IndexFile;
use super::{RepoEntry, RepoError};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Version of the fast cache layout; bump when [`IndexFile`] changes.
const FAST_FORMAT: u32 = 2;

/// The files of one repository in the cache folder.
#[derive(Clone, Debug)]
pub struct CacheFiles {
    /// index.yaml as downloaded (Helm's `<name>-index.yaml`).
    pub yaml: PathBuf,
    /// Validators of the last fetch.
    pub meta: PathBuf,
    /// The fast parsed form.
    pub fast: PathBuf,
    /// Chart names, one a line.
    pub charts: PathBuf,
}

impl CacheFiles {
    /// The files of repository `name` under `cache_dir`.
    pub fn new(cache_dir: &Path, name: &str) -> Self {
        CacheFiles {
            yaml: super::paths::index_file_in(cache_dir, name),
            meta: cache_dir.join(format!("{name}-index.meta.json")),
            fast: cache_dir.join(format!("{name}-index.fast")),
            charts: cache_dir.join(format!("{name}-charts.txt")),
        }
    }
}

/// What the YAML looked like when the fast cache was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    format: u32,
    len: u64,
    mtime_ns: u128,
}

fn stamp_of(path: &Path) -> Option<Stamp> {
    let md = std::fs::metadata(path).ok()?;
    let mtime_ns = md
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(Stamp {
        format: FAST_FORMAT,
        len: md.len(),
        mtime_ns,
    })
}

/// The outcome of refreshing one repository.
#[derive(Debug)]
pub enum Refreshed {
    /// The server said the index is unchanged (304); nothing was transferred.
    NotModified,
    /// A new index was downloaded and cached.
    Updated {
        /// Number of charts in it.
        charts: usize,
        /// Entries skipped as invalid.
        warnings: Vec<String>,
    },
}

/// `<url>/index.yaml`, keeping the URL's query (Helm joins the path only).
pub fn index_url(repo_url: &str) -> Result<String, RepoError> {
    let mut u = reqwest::Url::parse(repo_url)
        .map_err(|e| RepoError::Invalid(format!("invalid repository URL {repo_url:?}: {e}")))?;
    let path = format!("{}/index.yaml", u.path().trim_end_matches('/'));
    u.set_path(&path);
    Ok(u.to_string())
}

/// Downloads the index of `entry` into `cache_dir` unless the server says
/// it has not changed since the cached copy (sent as `If-None-Match` /
/// `If-Modified-Since`).
pub async fn refresh(
    entry: &RepoEntry,
    getter: &Getter,
    cache_dir: &Path,
) -> Result<Refreshed, RepoError> {
    let files = CacheFiles::new(cache_dir, &entry.name);
    let url = index_url(&entry.url)?;
    // Validators count only while the YAML they describe is still there.
    let prev: Option<Validators> = if files.yaml.exists() {
        std::fs::read(&files.meta)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
    } else {
        None
    };
    match getter.get_conditional(&url, prev.as_ref()).await? {
        Fetched::NotModified => {
            if read_fast(&files).is_none() {
                let data = std::fs::read(&files.yaml)
                    .map_err(|e| RepoError::io("reading", &files.yaml, e))?;
                let index = IndexFile::parse(&data, &files.yaml.display().to_string())?;
                write_fast(&files, &index)?;
            }
            Ok(Refreshed::NotModified)
        }
        Fetched::Body { bytes, validators } => {
            let index = parse_and_store(&files, &bytes, &validators, &url)?;
            Ok(Refreshed::Updated {
                charts: index.entries.len(),
                warnings: index.warnings,
            })
        }
    }
}

/// Writes a parsed index and its source into the cache.
pub fn store(
    files: &CacheFiles,
    yaml: &[u8],
    index: &IndexFile,
    validators: &Validators,
) -> Result<(), RepoError> {
    // The old validators must not outlive the YAML they describe.
    let _ = std::fs::remove_file(&files.meta);
    write_atomic(&files.yaml, yaml, 0o644)?;
    store_parsed(files, index, validators)
}

/// Parses a downloaded index (`source` names it in messages) and stores it
/// with its validators. The YAML is written and synced to a temporary file
/// while it is parsed, and moved into place only once the parse succeeded,
/// so a bad download still never replaces a good cache.
pub fn parse_and_store(
    files: &CacheFiles,
    yaml: &[u8],
    validators: &Validators,
    source: &str,
) -> Result<IndexFile, RepoError> {
    let (staged, parsed) = std::thread::scope(|s| {
        let writer = s.spawn(|| super::fsutil::stage(&files.yaml, yaml, 0o644));
        let parsed = IndexFile::parse(yaml, source);
        (writer.join(), parsed)
    });
    let index = parsed?;
    let staged = staged.map_err(|_| {
        RepoError::Invalid(format!(
            "writing {} failed unexpectedly",
            files.yaml.display()
        ))
    })??;
    let _ = std::fs::remove_file(&files.meta);
    staged
        .persist(&files.yaml)
        .map_err(|e| RepoError::io("replacing", &files.yaml, e.error))?;
    store_parsed(files, &index, validators)?;
    Ok(index)
}

/// Everything derived from the YAML once it is in place: the fast form and
/// the chart names (written side by side, each synced), then the
/// validators.
fn store_parsed(
    files: &CacheFiles,
    index: &IndexFile,
    validators: &Validators,
) -> Result<(), RepoError> {
    let mut names = String::new();
    for name in index.entries.keys() {
        names.push_str(name);
        names.push('\n');
    }
    let (fast, charts) = std::thread::scope(|s| {
        let fast = s.spawn(|| write_fast(files, index));
        let charts = write_atomic(&files.charts, names.as_bytes(), 0o644);
        (fast.join(), charts)
    });
    charts?;
    fast.map_err(|_| {
        RepoError::Invalid(format!(
            "writing {} failed unexpectedly",
            files.fast.display()
        ))
    })??;
    if validators.etag.is_some() || validators.last_modified.is_some() {
        let meta = serde_json::to_vec(validators).unwrap_or_default();
        write_atomic(&files.meta, &meta, 0o644)?;
    }
    Ok(())
}

fn write_fast(files: &CacheFiles, index: &IndexFile) -> Result<(), RepoError> {
    let Some(stamp) = stamp_of(&files.yaml) else {
        return Ok(());
    };
    let stamp = serde_json::to_vec(&stamp).unwrap_or_default();
    write_atomic(&files.fast, &super::codec::encode(&stamp, index), 0o644)
}

fn read_fast(files: &CacheFiles) -> Option<IndexFile> {
    let bytes = std::fs::read(&files.fast).ok()?;
    let (stamp, index) = super::codec::decode(&bytes)?;
    let stamp: Stamp = serde_json::from_slice(&stamp).ok()?;
    (Some(&stamp) == stamp_of(&files.yaml).as_ref()).then_some(index)
}

/// The cached index of repository `name`: the fast form when it matches
/// the YAML, else the YAML parsed again (and the fast form rewritten).
pub fn load(cache_dir: &Path, name: &str) -> Result<IndexFile, RepoError> {
    let files = CacheFiles::new(cache_dir, name);
    if let Some(index) = read_fast(&files) {
        return Ok(index);
    }
    let data = std::fs::read(&files.yaml).map_err(|e| RepoError::NoCache {
        repo: name.to_string(),
        reason: format!("{}: {e}", files.yaml.display()),
    })?;
    let index = IndexFile::parse(&data, &files.yaml.display().to_string())?;
    // A read-only cache folder should not stop a search.
    let _ = write_fast(&files, &index);
    Ok(index)
}

/// Deletes the cache files of repository `name` (on `repo remove`).
pub fn remove(cache_dir: &Path, name: &str) {
    let f = CacheFiles::new(cache_dir, name);
    for p in [f.yaml, f.meta, f.fast, f.charts] {
        let _ = std::fs::remove_file(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_url_appends_to_the_path_and_keeps_the_query() {
        assert_eq!(
            index_url("https://x/charts/").unwrap(),
            "https://x/charts/index.yaml"
        );
        assert_eq!(index_url("https://x").unwrap(), "https://x/index.yaml");
        assert_eq!(
            index_url("https://x/a?t=1").unwrap(),
            "https://x/a/index.yaml?t=1"
        );
        assert!(index_url("not a url").is_err());
    }

    #[test]
    fn parse_and_store_writes_nothing_for_a_bad_index() {
        let dir = tempfile::tempdir().unwrap();
        let files = CacheFiles::new(&dir.path().join("repository"), "r");
        let good = b"apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n";
        let v = Validators {
            etag: Some("\"e1\"".into()),
            ..Validators::default()
        };
        let index = parse_and_store(&files, good, &v, "t").unwrap();
        assert_eq!(index.entries.len(), 1);
        assert_eq!(std::fs::read(&files.yaml).unwrap(), good);
        assert_eq!(load(&dir.path().join("repository"), "r").unwrap(), index);
        assert!(files.meta.exists());
        let listing = || {
            let mut names: Vec<_> = std::fs::read_dir(files.yaml.parent().unwrap())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        };
        let before = listing();
        assert_eq!(before.len(), 4, "{before:?}");
        // A malformed download leaves the previous cache as it was, and no
        // temporary file behind.
        let err = parse_and_store(&files, b"apiVersion: v1\nentries: [\n", &v, "u")
            .unwrap_err()
            .to_string();
        assert!(err.contains('u'), "{err}");
        assert_eq!(listing(), before);
        assert_eq!(std::fs::read(&files.yaml).unwrap(), good);
    }

    #[test]
    fn fast_cache_is_used_until_the_yaml_changes() {
        let dir = tempfile::tempdir().unwrap();
        let yaml = b"apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n";
        let index = IndexFile::parse(yaml, "t").unwrap();
        let files = CacheFiles::new(dir.path(), "r");
        store(&files, yaml, &index, &Validators::default()).unwrap();
        assert_eq!(load(dir.path(), "r").unwrap(), index);
        assert_eq!(std::fs::read_to_string(&files.charts).unwrap(), "a\n");
        // Tamper with the fast form: it is trusted while the stamp matches...
        let mut changed = index.clone();
        changed.entries.clear();
        write_fast(&files, &changed).unwrap();
        assert!(load(dir.path(), "r").unwrap().entries.is_empty());
        // ...and ignored once the YAML is different.
        let yaml2 = b"apiVersion: v1\nentries:\n  b:\n  - name: b\n    version: 2.0.0\n  c: []\n";
        std::fs::write(&files.yaml, yaml2).unwrap();
        let again = load(dir.path(), "r").unwrap();
        assert!(again.entries.contains_key("b"));
        remove(dir.path(), "r");
        assert!(matches!(
            load(dir.path(), "r"),
            Err(RepoError::NoCache { .. })
        ));
    }
}
