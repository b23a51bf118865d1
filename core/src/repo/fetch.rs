//! Finding a chart in a repository and downloading it: `pull`, and the
//! `REPO/CHART --version C`, `--repo URL` and URL references install,
//! upgrade, template, show and lint accept ([`locate_chart`]).
//!
//! Every archive listed with a digest is checked against it before a byte
//! is written anywhere (Helm does not check; hoist always does).

use super::cache;
use super::fsutil::write_atomic;
use super::http::{Getter, HttpOptions};
use super::index::{IndexFile, has_dot_dot};
use super::select::select_or_err;
use super::{Paths, RepoEntry, RepoError, RepoFile};
use crate::chart::package::sha256_hex;
use std::path::{Path, PathBuf};

/// How to find and fetch a chart: the flags `pull`, `install`,
/// `template`... share (`--version`, `--devel`, `--repo` and its
/// credentials and TLS files).
#[derive(Clone, Debug, Default)]
pub struct FetchOptions {
    /// Version or constraint (`--version`); empty for the newest stable.
    pub version: String,
    /// Consider prereleases (`--devel`).
    pub devel: bool,
    /// Look the chart up in this repository URL instead of a configured
    /// one (`--repo`).
    pub repo_url: Option<String>,
    /// Credentials and TLS settings for `--repo` and plain URLs
    /// (`--username`, `--password`, `--ca-file`...); `name` and `url` unused.
    pub auth: RepoEntry,
    /// Timeouts and size limits.
    pub http: HttpOptions,
    /// hoist's folders (repositories.yaml and the caches).
    pub paths: Option<Paths>,
    /// How to reach OCI registries (`oci://` references).
    pub registry: crate::registry::ClientOptions,
}

impl FetchOptions {
    fn paths(&self) -> Paths {
        self.paths.clone().unwrap_or_else(Paths::from_env)
    }
}

/// A chart version found in an index (or given by URL), ready to download.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// Absolute archive URL.
    pub url: String,
    /// Chart name (empty for a plain URL).
    pub name: String,
    /// Chart version (empty for a plain URL).
    pub version: String,
    /// Expected sha256 (hex) from the index, when it lists one.
    pub digest: Option<String>,
    /// The repository settings used to download.
    pub entry: RepoEntry,
}

/// True for references that are URLs rather than names: http(s), or a
/// scheme an installed downloader plugin handles.
fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://") || crate::plugin::getter::handles(s)
}

/// Resolves `href` (absolute, or relative to the repository URL) as Helm's
/// `ResolveReferenceURL`: the base is treated as a folder.
pub fn resolve_url(base: &str, href: &str) -> Result<String, RepoError> {
    if is_url(href) {
        return Ok(href.to_string());
    }
    let mut b = reqwest::Url::parse(base)
        .map_err(|e| RepoError::Invalid(format!("invalid repository URL {base:?}: {e}")))?;
    if !b.path().ends_with('/') {
        let p = format!("{}/", b.path());
        b.set_path(&p);
    }
    let query = b.query().map(str::to_string);
    let mut joined = b
        .join(href)
        .map_err(|e| RepoError::Invalid(format!("invalid chart URL {href:?}: {e}")))?;
    // Repositories that authenticate with a query token need it on every file.
    if joined.query().is_none() && query.is_some() {
        joined.set_query(query.as_deref());
    }
    Ok(joined.to_string())
}

/// Picks the version from an index and builds the download.
pub fn resolve_in_index(
    index: &IndexFile,
    entry: &RepoEntry,
    chart: &str,
    opts: &FetchOptions,
) -> Result<Resolved, RepoError> {
    let repo_label = if entry.name.is_empty() {
        &entry.url
    } else {
        &entry.name
    };
    let versions = index
        .versions(chart)
        .ok_or_else(|| RepoError::ChartNotFound {
            chart: chart.to_string(),
            repo: repo_label.clone(),
        })?;
    let cv = select_or_err(versions, chart, &opts.version, opts.devel, repo_label)?;
    let first = cv.urls.first().ok_or_else(|| {
        RepoError::Invalid(format!(
            "chart {chart:?} version {} has no download URL in repository {repo_label}",
            cv.version
        ))
    })?;
    let digest = cv
        .digest
        .strip_prefix("sha256:")
        .unwrap_or(&cv.digest)
        .to_ascii_lowercase();
    Ok(Resolved {
        url: resolve_url(&entry.url, first)?,
        name: cv.name.clone(),
        version: cv.version.clone(),
        digest: (!digest.is_empty()).then_some(digest),
        entry: entry.clone(),
    })
}

/// [`locate_chart`] with `--verify`: the chart must be a packaged archive
/// whose provenance (the `.prov` beside a local archive, the repository's
/// `URL.prov`, or an OCI provenance layer) is signed by a key in
/// `keyring` and matches the archive; otherwise nothing is returned.
pub async fn locate_verified(
    reference: &str,
    opts: &FetchOptions,
    keyring: &Path,
) -> Result<PathBuf, RepoError> {
    let local = Path::new(reference);
    if opts.repo_url.is_none() && local.exists() {
        if local.is_dir() {
            return Err(RepoError::Invalid(format!(
                "{reference}: --verify needs a packaged chart (.tgz) with its .prov beside it, not a folder"
            )));
        }
        let archive =
            std::fs::read(local).map_err(|e| RepoError::io("read the chart", local, e))?;
        let prov_path = PathBuf::from(format!("{reference}.prov"));
        let prov = std::fs::read(&prov_path).ok();
        let name = local
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        verify_download(
            &archive,
            &name,
            prov.as_deref(),
            &prov_path.display().to_string(),
            keyring,
        )?;
        return Ok(local.to_path_buf());
    }
    let pulled = pull(
        reference,
        opts,
        &PullOptions {
            destination: opts.paths().content_cache(),
            verify: Some(keyring.to_path_buf()),
            ..PullOptions::default()
        },
    )
    .await?;
    Ok(pulled.path)
}

/// Checks a download against its provenance with the keyring at
/// `keyring`; a missing .prov is an error.
pub(crate) fn verify_download(
    archive: &[u8],
    file_name: &str,
    prov: Option<&[u8]>,
    prov_label: &str,
    keyring: &Path,
) -> Result<(), RepoError> {
    let prov = prov.ok_or_else(|| {
        RepoError::Provenance(crate::provenance::ProvenanceError::ProvenanceMissing {
            prov: prov_label.to_string(),
        })
    })?;
    let ring = crate::provenance::Keyring::load(keyring)?;
    crate::provenance::verify(archive, file_name, prov, prov_label, &ring)?;
    Ok(())
}

/// `pull oci://...`: the chart (and its provenance layer) from a registry,
/// digests checked by the registry client.
async fn pull_oci(
    reference: &str,
    fetch: &FetchOptions,
    opts: &PullOptions,
) -> Result<Pulled, RepoError> {
    let version = (!fetch.version.is_empty()).then_some(fetch.version.as_str());
    let pulled = crate::registry::pull(reference, version, &fetch.registry).await?;
    let file_name = pulled.file_name();
    if let Some(keyring) = &opts.verify {
        verify_download(
            &pulled.chart,
            &file_name,
            pulled.prov.as_deref(),
            &format!("{reference} (provenance layer)"),
            keyring,
        )?;
    }
    let dest = if opts.destination.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        opts.destination.clone()
    };
    let resolved = Resolved {
        url: reference.to_string(),
        name: pulled.name.clone(),
        version: pulled.version.clone(),
        digest: Some(
            pulled
                .chart_digest
                .trim_start_matches("sha256:")
                .to_string(),
        ),
        entry: RepoEntry::default(),
    };
    let prov = match pulled.prov.as_ref().filter(|_| opts.prov) {
        Some(p) => {
            let path = dest.join(format!("{file_name}.prov"));
            write_atomic(&path, p, 0o644)?;
            Some(path)
        }
        None => None,
    };
    let path = if opts.untar {
        let ud = opts.untar_dir.clone().unwrap_or_else(|| PathBuf::from("."));
        let ud = if ud.is_absolute() { ud } else { dest.join(ud) };
        untar(&pulled.chart, &file_name, &ud)?
    } else {
        let path = dest.join(&file_name);
        write_atomic(&path, &pulled.chart, 0o644)?;
        path
    };
    Ok(Pulled {
        path,
        prov,
        resolved,
        warnings: Vec::new(),
    })
}

/// Finds `reference` (`REPO/CHART`, a chart name with `--repo`, or an
/// archive URL) and returns what to download.
pub async fn resolve(reference: &str, opts: &FetchOptions) -> Result<Resolved, RepoError> {
    if reference.starts_with("oci://") {
        return Err(RepoError::Unsupported(format!(
            "{reference}: OCI registries are not supported by this build yet"
        )));
    }
    let paths = opts.paths();
    if let Some(repo_url) = &opts.repo_url {
        let entry = RepoEntry {
            name: String::new(),
            url: repo_url.clone(),
            ..opts.auth.clone()
        };
        let getter = Getter::new(&entry, &opts.http)?;
        let url = cache::index_url(repo_url)?;
        let bytes = getter.get(&url).await?;
        let index = IndexFile::parse(&bytes, &url)?;
        return resolve_in_index(&index, &entry, reference, opts);
    }
    if is_url(reference) {
        // Use a configured repository's credentials when the URL is under it.
        let config = RepoFile::load(&paths.repository_config())?;
        let entry = config
            .repositories
            .iter()
            .find(|r| !r.url.is_empty() && reference.starts_with(r.url.trim_end_matches('/')))
            .cloned()
            .unwrap_or_else(|| RepoEntry {
                url: reference.to_string(),
                ..opts.auth.clone()
            });
        return Ok(Resolved {
            url: reference.to_string(),
            name: String::new(),
            version: String::new(),
            digest: None,
            entry,
        });
    }
    let Some((repo, chart)) = reference.split_once('/') else {
        return Err(RepoError::Invalid(format!(
            "{reference:?} is not a local chart, and not REPO/CHART or a URL (non-absolute references must be REPO/CHART)"
        )));
    };
    let config = RepoFile::load(&paths.repository_config())?;
    let entry = config
        .get(repo)
        .cloned()
        .ok_or_else(|| RepoError::NoSuchRepo(repo.to_string()))?;
    let index = cache::load(&paths.repository_cache(), repo)?;
    resolve_in_index(&index, &entry, chart, opts)
}

/// The archive's file name: the last segment of its URL path.
pub fn archive_name(url: &str) -> Result<String, RepoError> {
    let bad = || RepoError::Invalid(format!("cannot take a chart file name from URL {url:?}"));
    let u = reqwest::Url::parse(url).map_err(|_| bad())?;
    let name = u
        .path_segments()
        .and_then(|mut s| s.next_back())
        .filter(|n| !n.is_empty() && *n != "." && *n != ".." && !n.contains('\\'))
        .ok_or_else(bad)?;
    Ok(name.to_string())
}

/// Downloads the archive and checks its digest; nothing is written.
pub async fn download(resolved: &Resolved, http: &HttpOptions) -> Result<Vec<u8>, RepoError> {
    if has_dot_dot(&resolved.url) {
        return Err(RepoError::Invalid(format!(
            "refusing chart URL {:?}: it contains a `..` path segment",
            resolved.url
        )));
    }
    // No chart the loader accepts is bigger than its compressed-size cap,
    // so a larger download can stop early.
    let capped = HttpOptions {
        max_bytes: http
            .max_bytes
            .min(crate::chart::archive::MAX_COMPRESSED_SIZE),
        ..http.clone()
    };
    let getter = Getter::new(&resolved.entry, &capped)?;
    let bytes = getter.get(&resolved.url).await?;
    check_digest(&resolved.url, resolved.digest.as_deref(), &bytes)?;
    Ok(bytes)
}

/// Compares `bytes` with the expected sha256 (when there is one).
pub fn check_digest(url: &str, expected: Option<&str>, bytes: &[u8]) -> Result<(), RepoError> {
    if let Some(expected) = expected {
        let actual = sha256_hex(bytes);
        if !actual.eq_ignore_ascii_case(expected) {
            return Err(RepoError::DigestMismatch {
                url: url.to_string(),
                expected: expected.to_string(),
                actual,
            });
        }
    }
    Ok(())
}

/// Flags of `pull` beyond [`FetchOptions`].
#[derive(Clone, Debug, Default)]
pub struct PullOptions {
    /// Folder to write into (`-d/--destination`, default `.`).
    pub destination: PathBuf,
    /// Unpack instead of keeping the archive (`--untar`).
    pub untar: bool,
    /// Where to unpack (`--untardir`, relative to `destination`; default `.`).
    pub untar_dir: Option<PathBuf>,
    /// Also download the `.prov` file (`--prov`).
    pub prov: bool,
    /// Verify the provenance (`--verify`) with this keyring (`--keyring`).
    pub verify: Option<PathBuf>,
}

/// What `pull` wrote.
#[derive(Clone, Debug)]
pub struct Pulled {
    /// The archive, or the unpacked chart folder with `--untar`.
    pub path: PathBuf,
    /// The .prov file, when downloaded.
    pub prov: Option<PathBuf>,
    /// The resolved download.
    pub resolved: Resolved,
    /// Notes for the user (e.g. no digest to check against).
    pub warnings: Vec<String>,
}

/// `pull`: resolve, download, verify, then write the archive (or unpack it).
pub async fn pull(
    reference: &str,
    fetch: &FetchOptions,
    opts: &PullOptions,
) -> Result<Pulled, RepoError> {
    if reference.starts_with("oci://") {
        return pull_oci(reference, fetch, opts).await;
    }
    let resolved = resolve(reference, fetch).await?;
    let bytes = download(&resolved, &fetch.http).await?;
    let mut warnings = Vec::new();
    if resolved.digest.is_none() && !resolved.name.is_empty() {
        warnings.push(format!(
            "the index lists no digest for {} {}; the download could not be checked",
            resolved.name, resolved.version
        ));
    }
    let prov_bytes = if opts.prov || opts.verify.is_some() {
        let getter = Getter::new(&resolved.entry, &fetch.http)?;
        Some(
            getter
                .get(&format!("{}.prov", resolved.url))
                .await
                .map_err(|e| {
                    RepoError::Invalid(format!(
                        "the provenance file for {} is unavailable: {e}",
                        resolved.url
                    ))
                })?,
        )
    } else {
        None
    };
    let file_name = archive_name(&resolved.url)?;
    if let Some(keyring) = &opts.verify {
        verify_download(
            &bytes,
            &file_name,
            prov_bytes.as_deref(),
            &format!("{}.prov", resolved.url),
            keyring,
        )?;
    }
    let dest = if opts.destination.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        opts.destination.clone()
    };
    let prov_path = dest.join(format!("{file_name}.prov"));
    if opts.untar {
        let ud = opts.untar_dir.clone().unwrap_or_else(|| PathBuf::from("."));
        let ud = if ud.is_absolute() { ud } else { dest.join(ud) };
        // `a/.` would make create_dir_all fail on some systems.
        let ud: PathBuf = ud
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect();
        let ud = if ud.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            ud
        };
        let path = untar(&bytes, &file_name, &ud)?;
        let prov = match prov_bytes.filter(|_| opts.prov) {
            Some(p) => {
                write_atomic(&prov_path, &p, 0o644)?;
                Some(prov_path)
            }
            None => None,
        };
        return Ok(Pulled {
            path,
            prov,
            resolved,
            warnings,
        });
    }
    let path = dest.join(&file_name);
    write_atomic(&path, &bytes, 0o644)?;
    let prov = match prov_bytes.filter(|_| opts.prov) {
        Some(p) => {
            write_atomic(&prov_path, &p, 0o644)?;
            Some(prov_path)
        }
        None => None,
    };
    Ok(Pulled {
        path,
        prov,
        resolved,
        warnings,
    })
}

/// Unpacks a chart archive into `dir/<chart name>`, refusing to overwrite
/// an existing folder; files land in a temporary folder first and are
/// renamed into place whole.
pub fn untar(bytes: &[u8], label: &str, dir: &Path) -> Result<PathBuf, RepoError> {
    let chart = crate::chart::load_archive_bytes(bytes)?;
    let files = crate::chart::archive::read_archive_bytes(bytes, label)?;
    let target = dir.join(chart.name());
    if target.exists() {
        return Err(RepoError::Invalid(format!(
            "failed to untar: a file or directory with the name {} already exists",
            target.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| RepoError::io("creating folder", dir, e))?;
    let tmp = tempfile::Builder::new()
        .prefix(".hoist-untar-")
        .tempdir_in(dir)
        .map_err(|e| RepoError::io("creating a temporary folder in", dir, e))?;
    for f in &files {
        // The archive reader has refused absolute and `..` names already.
        let p = tmp.path().join(&f.name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| RepoError::io("creating folder", parent, e))?;
        }
        std::fs::write(&p, &f.data).map_err(|e| RepoError::io("writing", &p, e))?;
    }
    let kept = tmp.keep();
    std::fs::rename(&kept, &target).map_err(|e| {
        let _ = std::fs::remove_dir_all(&kept);
        RepoError::io("moving the unpacked chart to", &target, e)
    })?;
    Ok(target)
}

/// Where [`locate_chart`] found the chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Located {
    /// A local folder or archive, as given.
    Local(PathBuf),
    /// An archive downloaded (and digest-checked) into hoist's cache.
    Downloaded(PathBuf),
}

impl Located {
    /// The path to load the chart from.
    pub fn path(&self) -> &Path {
        match self {
            Located::Local(p) | Located::Downloaded(p) => p,
        }
    }
}

/// Finds a chart the way install, upgrade, template, show and lint do: an
/// existing local folder or archive is used as is (unless `--repo` is
/// given); otherwise `REPO/CHART`, a name with `--repo`, or a URL is
/// resolved, downloaded, checked against the index digest and kept in
/// `<cache>/charts/` (a cached archive whose digest matches is reused).
pub async fn locate_chart(reference: &str, opts: &FetchOptions) -> Result<Located, RepoError> {
    if reference.starts_with("oci://") {
        let version = (!opts.version.is_empty()).then_some(opts.version.as_str());
        let pulled = crate::registry::pull(reference, version, &opts.registry).await?;
        let path = opts.paths().content_cache().join(pulled.file_name());
        write_atomic(&path, &pulled.chart, 0o644)?;
        return Ok(Located::Downloaded(path));
    }
    let local = Path::new(reference);
    if opts.repo_url.is_none() && local.exists() {
        return Ok(Located::Local(local.to_path_buf()));
    }
    // Helm's LocateChart: absolute and dot-relative names are paths only.
    if opts.repo_url.is_none() && (local.is_absolute() || reference.starts_with('.')) {
        return Err(RepoError::Invalid(format!("path {reference:?} not found")));
    }
    let resolved = resolve(reference, opts).await?;
    let dir = opts.paths().content_cache();
    let name = archive_name(&resolved.url)?;
    let path = dir.join(&name);
    if let Some(digest) = &resolved.digest
        && let Ok(existing) = std::fs::read(&path)
        && sha256_hex(&existing).eq_ignore_ascii_case(digest)
    {
        return Ok(Located::Downloaded(path));
    }
    let bytes = download(&resolved, &opts.http).await?;
    write_atomic(&path, &bytes, 0o644)?;
    Ok(Located::Downloaded(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls_resolve_against_the_repository_folder() {
        assert_eq!(
            resolve_url("https://x/charts", "a-1.0.0.tgz").unwrap(),
            "https://x/charts/a-1.0.0.tgz"
        );
        assert_eq!(
            resolve_url("https://x/charts/", "sub/a.tgz").unwrap(),
            "https://x/charts/sub/a.tgz"
        );
        assert_eq!(
            resolve_url("https://x/c?token=1", "a.tgz").unwrap(),
            "https://x/c/a.tgz?token=1"
        );
        assert_eq!(
            resolve_url("https://x", "https://cdn/a.tgz").unwrap(),
            "https://cdn/a.tgz"
        );
    }

    #[test]
    fn digest_mismatch_names_both() {
        let e = check_digest("u", Some("00"), b"abc")
            .unwrap_err()
            .to_string();
        assert!(e.contains("sha256:00"), "{e}");
        assert!(e.contains(&sha256_hex(b"abc")), "{e}");
        check_digest("u", Some(&sha256_hex(b"abc").to_uppercase()), b"abc").unwrap();
        check_digest("u", None, b"abc").unwrap();
    }

    #[test]
    fn archive_names_come_from_the_url_path() {
        assert_eq!(archive_name("https://x/c/a-1.tgz?x=1").unwrap(), "a-1.tgz");
        assert!(archive_name("https://x/").is_err());
    }

    #[test]
    fn plain_names_need_a_repo() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let opts = FetchOptions {
            paths: Some(Paths::under(
                dir.path().into(),
                dir.path().into(),
                dir.path().into(),
            )),
            ..FetchOptions::default()
        };
        let e = rt
            .block_on(resolve("nginx", &opts))
            .unwrap_err()
            .to_string();
        assert!(e.contains("REPO/CHART"), "{e}");
        let e = rt
            .block_on(resolve("nope/nginx", &opts))
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"nope\""), "{e}");
        let e = rt
            .block_on(resolve("oci://r/c", &opts))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not supported"), "{e}");
    }
}
