//! `plugin install`, `uninstall` and `update` (Helm's `installer`
//! package).
//!
//! Sources, tried in Helm's order: an existing local folder (linked into
//! the plugin folder, not copied) or `.tgz`/`.tar.gz` archive; an
//! `http(s)://` archive (by its suffix, or a gzip content type); anything
//! else is a git repository, cloned with the `git` command (`--version` a
//! tag, branch or commit, or a SemVer constraint over the tags). OCI
//! sources are not supported.
//!
//! Archives are unpacked into a temporary folder inside the plugin folder
//! and moved into place only when every entry is safe and the plugin
//! loads: names with `..`, absolute names, names with `:`, hard links and
//! symbolic links that are absolute or contain `..` are refused, and
//! nothing is left behind. New plugins go into the first plugin folder.

use super::loader::{find_plugins, install_dir, load_dir, plugin_dirs};
use super::{PLUGIN_FILE, Plugin, PluginError};
use crate::provenance::Verification;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where a plugin comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A local plugin folder (linked).
    LocalDir(PathBuf),
    /// A local `.tgz`/`.tar.gz` archive.
    LocalArchive(PathBuf),
    /// An archive served over HTTP(S).
    HttpArchive(String),
    /// A git repository.
    Git(String),
    /// An OCI registry reference (not supported).
    Oci(String),
}

impl Source {
    /// Whether provenance can be checked for this source (Helm: tarballs).
    pub fn supports_verification(&self) -> bool {
        match self {
            Source::LocalArchive(_) => true,
            Source::HttpArchive(u) => has_archive_suffix(u),
            _ => false,
        }
    }
}

/// Options of `plugin install`.
#[derive(Clone, Debug, Default)]
pub struct InstallOptions {
    /// `--version`: for git sources, a ref or a SemVer constraint.
    pub version: String,
    /// Check the archive's `.prov` against `keyring` first.
    pub verify: bool,
    /// The keyring for `verify`.
    pub keyring: PathBuf,
    /// Timeouts and size limits for downloads.
    pub http: crate::repo::http::HttpOptions,
}

/// A freshly installed plugin.
#[derive(Debug)]
pub struct Installed {
    /// The plugin, loaded from its new folder.
    pub plugin: Plugin,
    /// What verification established, when it ran.
    pub verification: Option<Verification>,
}

const SUFFIXES: [&str; 2] = [".tar.gz", ".tgz"];

fn has_archive_suffix(s: &str) -> bool {
    SUFFIXES.iter().any(|x| s.ends_with(x))
}

/// Decides what `source` is, as Helm's `NewForSource` does (an HTTP URL
/// without an archive suffix is asked for its content type).
pub async fn classify(source: &str, http: &crate::repo::http::HttpOptions) -> Source {
    if source.starts_with("oci://") {
        return Source::Oci(source.to_string());
    }
    let local = Path::new(source);
    if local.exists() {
        let abs = std::path::absolute(local).unwrap_or_else(|_| local.to_path_buf());
        return if has_archive_suffix(source) {
            Source::LocalArchive(abs)
        } else {
            Source::LocalDir(abs)
        };
    }
    if (source.starts_with("http://") || source.starts_with("https://"))
        && (has_archive_suffix(source) || served_as_gzip(source, http).await)
    {
        return Source::HttpArchive(source.to_string());
    }
    Source::Git(source.to_string())
}

/// A HEAD request says the URL is a gzip archive.
async fn served_as_gzip(url: &str, http: &crate::repo::http::HttpOptions) -> bool {
    let Ok(client) = reqwest::Client::builder()
        .user_agent(concat!("hoist/", env!("CARGO_PKG_VERSION")))
        .timeout(http.timeout)
        .build()
    else {
        return false;
    };
    let Ok(resp) = client.head(url).send().await else {
        return false;
    };
    let ct = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    matches!(
        ct.split(';').next().unwrap_or_default().trim(),
        "application/gzip" | "application/x-gzip" | "application/x-tgz" | "application/x-gtar"
    )
}

/// Helm's `stripPluginName`: the archive name without its suffix and
/// without a trailing `-VERSION...`.
pub fn strip_plugin_name(file_name: &str) -> String {
    let base = SUFFIXES
        .iter()
        .find_map(|s| file_name.strip_suffix(s))
        .unwrap_or("");
    // `(.*)-\d+\..*` with a greedy `.*`: the last `-` followed by digits
    // and a dot.
    let b = base.as_bytes();
    for i in (0..b.len()).rev() {
        if b[i] != b'-' {
            continue;
        }
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 && b.get(i + 1 + digits) == Some(&b'.') {
            return base[..i].to_string();
        }
    }
    base.to_string()
}

/// Installs the plugin from `source` into the first plugin folder. Hooks
/// are not run here (the caller runs the install hook, after telling the
/// user what happened).
pub async fn install(source: &Source, opts: &InstallOptions) -> Result<Installed, PluginError> {
    let dest = install_dir();
    match source {
        Source::Oci(r) => Err(PluginError::Install(format!(
            "cannot install plugin {r}: installing plugins from OCI registries is not supported by hoist"
        ))),
        Source::LocalDir(dir) => install_link(dir, &dest).map(|plugin| Installed {
            plugin,
            verification: None,
        }),
        Source::LocalArchive(path) => {
            let name = file_name(path);
            let target = dest.join(strip_plugin_name(&name));
            refuse_existing(&target)?;
            let bytes = std::fs::read(path)
                .map_err(|e| PluginError::io("failed to read archive", path, e))?;
            let prov = std::fs::read(crate::provenance::prov_path(path)).ok();
            install_archive(
                &bytes,
                prov,
                &name,
                &path.display().to_string(),
                &dest,
                &target,
                opts,
            )
        }
        Source::HttpArchive(url) => {
            let name = url
                .split(['?', '#'])
                .next()
                .and_then(|u| u.rsplit('/').next())
                .unwrap_or_default()
                .to_string();
            let stripped = strip_plugin_name(&name);
            if !stripped.is_empty() {
                refuse_existing(&dest.join(&stripped))?;
            }
            let getter =
                crate::repo::http::Getter::new(&crate::repo::RepoEntry::new("", url), &opts.http)?;
            let bytes = getter.get(url).await?;
            let prov = getter.get(&format!("{url}.prov")).await.ok();
            // Without a suffix the folder is named after the plugin.
            let target = if stripped.is_empty() {
                let meta = archive_metadata(&bytes, url)?;
                dest.join(meta.name)
            } else {
                dest.join(stripped)
            };
            install_archive(&bytes, prov, &name, url, &dest, &target, opts)
        }
        Source::Git(url) => install_git(url, &opts.version, &dest).map(|plugin| Installed {
            plugin,
            verification: None,
        }),
    }
}

/// Helm's error for a plugin folder that is already taken.
fn refuse_existing(target: &Path) -> Result<(), PluginError> {
    if std::fs::symlink_metadata(target).is_ok() {
        return Err(PluginError::Install("plugin already exists".into()));
    }
    Ok(())
}

/// Refuses a plugin whose name an installed plugin already has (two of
/// one name would make Helm and hoist refuse the whole folder).
fn refuse_same_name(name: &str) -> Result<(), PluginError> {
    let found = find_plugins(&plugin_dirs(), None)?;
    if let Some(p) = found.get(name, None) {
        return Err(PluginError::Install(format!(
            "plugin already exists: a plugin named {name:?} is installed at {}",
            p.dir().display()
        )));
    }
    Ok(())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn create_dir(dest: &Path) -> Result<(), PluginError> {
    std::fs::create_dir_all(dest)
        .map_err(|e| PluginError::io("creating the plugin folder", dest, e))
}

/// A local folder: checked, then linked as `<dest>/<folder name>`.
fn install_link(src: &Path, dest: &Path) -> Result<Plugin, PluginError> {
    if !src.is_dir() {
        return Err(PluginError::Install(
            "expected plugin to be a directory (containing a file 'plugin.yaml')".into(),
        ));
    }
    if !src.join(PLUGIN_FILE).is_file() {
        return Err(PluginError::Install(
            "plugin metadata (plugin.yaml) missing".into(),
        ));
    }
    let target = dest.join(src.file_name().unwrap_or_default());
    refuse_existing(&target)?;
    let plugin = load_dir(src)?;
    refuse_same_name(plugin.name())?;
    create_dir(dest)?;
    symlink_dir(src, &target)?;
    load_dir(&target)
}

#[cfg(unix)]
fn symlink_dir(src: &Path, link: &Path) -> Result<(), PluginError> {
    std::os::unix::fs::symlink(src, link)
        .map_err(|e| PluginError::io("linking the plugin folder", link, e))
}

#[cfg(windows)]
fn symlink_dir(src: &Path, link: &Path) -> Result<(), PluginError> {
    std::os::windows::fs::symlink_dir(src, link)
        .map_err(|e| PluginError::io("linking the plugin folder", link, e))
}

/// The metadata of the plugin in archive `bytes`, read without unpacking.
fn archive_metadata(bytes: &[u8], label: &str) -> Result<super::Metadata, PluginError> {
    let bad = |message: String| PluginError::Archive {
        archive: label.to_string(),
        message,
    };
    let mut archive = tar::Archive::new(capped_gunzip(bytes));
    let entries = archive.entries().map_err(|e| bad(e.to_string()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| bad(e.to_string()))?;
        let is_plugin_file = entry
            .path()
            .ok()
            .is_some_and(|p| p.file_name().is_some_and(|n| n == PLUGIN_FILE));
        if is_plugin_file && entry.header().entry_type().is_file() {
            let mut text = String::new();
            entry
                .by_ref()
                .take(1 << 20)
                .read_to_string(&mut text)
                .map_err(|e| bad(format!("reading plugin.yaml: {e}")))?;
            return super::metadata::parse(&text, Path::new(label));
        }
    }
    Err(bad("plugin.yaml not found in tarball".into()))
}

#[allow(clippy::too_many_arguments)]
fn install_archive(
    bytes: &[u8],
    prov: Option<Vec<u8>>,
    file_name: &str,
    label: &str,
    dest: &Path,
    target: &Path,
    opts: &InstallOptions,
) -> Result<Installed, PluginError> {
    refuse_existing(target)?;
    let verification = if opts.verify {
        let prov = prov
            .as_deref()
            .ok_or_else(|| PluginError::Verify("no provenance file (.prov) found".to_string()))?;
        let ring = crate::provenance::Keyring::load(&opts.keyring)
            .map_err(|e| PluginError::Verify(e.to_string()))?;
        let v = crate::provenance::verify(bytes, file_name, prov, &format!("{label}.prov"), &ring)
            .map_err(|e| PluginError::Verify(e.to_string()))?;
        Some(v)
    } else {
        None
    };
    create_dir(dest)?;
    // In the plugins folder, so that the final move is a rename on one
    // file system, but one level down: the loader looks for
    // `*/plugin.yaml`, and a flat archive unpacked right into the
    // temporary folder would be a second plugin of the same name while
    // this runs (or forever, if it is interrupted).
    let tmp = tempfile::Builder::new()
        .prefix(".hoist-plugin-")
        .tempdir_in(dest)
        .map_err(|e| PluginError::io("creating a temporary folder in", dest, e))?;
    let unpacked = tmp.path().join("unpacked");
    std::fs::create_dir(&unpacked)
        .map_err(|e| PluginError::io("creating a temporary folder in", &unpacked, e))?;
    extract(bytes, label, &unpacked)?;
    let root = plugin_root(&unpacked).ok_or_else(|| PluginError::Archive {
        archive: label.to_string(),
        message: "plugin.yaml not found at the top of the archive or in its top folders".into(),
    })?;
    let plugin = load_dir(&root)?;
    refuse_same_name(plugin.name())?;
    refuse_existing(target)?;
    // The temporary folder (and whatever else the archive held) goes
    // when `tmp` is dropped.
    std::fs::rename(&root, target)
        .map_err(|e| PluginError::io("moving the plugin to", target, e))?;
    // Kept beside the plugins, as Helm keeps them, so that `plugin list`
    // can tell a signed plugin; a failure here loses nothing else.
    let m = plugin.metadata();
    let saved = dest.join(format!("{}-{}.tgz", m.name, m.version));
    if std::fs::write(&saved, bytes).is_ok()
        && let Some(p) = &prov
    {
        let _ = std::fs::write(crate::provenance::prov_path(&saved), p);
    }
    Ok(Installed {
        plugin: load_dir(target)?,
        verification,
    })
}

/// The folder holding plugin.yaml: `dir` itself or one of its top folders.
fn plugin_root(dir: &Path) -> Option<PathBuf> {
    if dir.join(PLUGIN_FILE).is_file() {
        return Some(dir.to_path_buf());
    }
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    subdirs.sort();
    subdirs.into_iter().find(|d| d.join(PLUGIN_FILE).is_file())
}

/// Most a plugin archive may unpack to, and how many entries it may have.
const MAX_UNPACKED: u64 = 512 * 1024 * 1024;
const MAX_ENTRIES: usize = 100_000;

/// Most the tar stream inside a plugin archive may decompress to, headers
/// included. The tar reader keeps long names and PAX headers whole in
/// memory before any entry is seen, so the stream itself is capped: a
/// small archive cannot make hoist hold gigabytes.
const MAX_TAR_STREAM: u64 = 256 * 1024 * 1024;

/// A gzip decoder that fails once [`MAX_TAR_STREAM`] bytes came out.
fn capped_gunzip(bytes: &[u8]) -> CappedReader<flate2::read::GzDecoder<&[u8]>> {
    CappedReader {
        inner: flate2::read::GzDecoder::new(bytes),
        left: MAX_TAR_STREAM,
    }
}

/// A reader that errors (instead of ending quietly) past its limit.
struct CappedReader<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One byte more tells a stream at the limit from a larger one.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(std::io::Error::other(format!(
                    "the archive unpacks to more than {MAX_TAR_STREAM} bytes"
                ))),
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// Unpacks a gzip'd tar into `target` (which must be a fresh folder),
/// refusing anything that would land outside it.
pub fn extract(bytes: &[u8], label: &str, target: &Path) -> Result<(), PluginError> {
    let bad = |message: String| PluginError::Archive {
        archive: label.to_string(),
        message,
    };
    let unsafe_entry = |entry: &str, reason: &str| PluginError::UnsafeArchive {
        archive: label.to_string(),
        entry: entry.to_string(),
        reason: reason.to_string(),
    };
    let mut archive = tar::Archive::new(capped_gunzip(bytes));
    let entries = archive.entries().map_err(|e| bad(e.to_string()))?;
    let mut total: u64 = 0;
    for (i, entry) in entries.enumerate() {
        if i >= MAX_ENTRIES {
            return Err(bad(format!("more than {MAX_ENTRIES} entries")));
        }
        let mut entry = entry.map_err(|e| bad(e.to_string()))?;
        let raw = entry.path_bytes().into_owned();
        let name = String::from_utf8(raw).map_err(|_| bad("an entry name is not UTF-8".into()))?;
        let kind = entry.header().entry_type();
        if matches!(
            kind,
            tar::EntryType::XGlobalHeader | tar::EntryType::XHeader
        ) {
            continue;
        }
        let rel = safe_relative(&name).map_err(|r| unsafe_entry(&name, r))?;
        let path = target.join(&rel);
        match kind {
            tar::EntryType::Directory => {
                std::fs::create_dir_all(&path)
                    .map_err(|e| PluginError::io("creating folder", &path, e))?;
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                if rel.as_os_str().is_empty() {
                    return Err(unsafe_entry(&name, "is a file without a name"));
                }
                total = total.saturating_add(entry.header().size().unwrap_or(0));
                if total > MAX_UNPACKED {
                    return Err(bad(format!("unpacks to more than {MAX_UNPACKED} bytes")));
                }
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| PluginError::io("creating folder", parent, e))?;
                }
                let mode = entry.header().mode().unwrap_or(0o644) & 0o777;
                write_entry(&mut entry, &path, mode)?;
            }
            tar::EntryType::Symlink => {
                let link = entry
                    .link_name_bytes()
                    .map(|b| b.into_owned())
                    .unwrap_or_default();
                let link = String::from_utf8(link)
                    .map_err(|_| unsafe_entry(&name, "is a link whose target is not UTF-8"))?;
                safe_link_target(&link).map_err(|r| unsafe_entry(&name, r))?;
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| PluginError::io("creating folder", parent, e))?;
                }
                make_symlink(&link, &path)?;
            }
            tar::EntryType::Link => return Err(unsafe_entry(&name, "is a hard link")),
            other => {
                return Err(unsafe_entry(
                    &name,
                    &format!("has an unsupported type ({other:?})"),
                ));
            }
        }
    }
    Ok(())
}

/// The entry's path inside the target, or why it is refused (Helm's
/// `cleanJoin` rules).
fn safe_relative(name: &str) -> Result<PathBuf, &'static str> {
    if name.contains(':') {
        return Err("contains ':', which is illegal");
    }
    let name = name.replace('\\', "/");
    if name.split('/').any(|c| c == "..") {
        return Err("contains '..', which is illegal");
    }
    if name.starts_with('/') {
        return Err("is absolute, which is illegal");
    }
    Ok(name
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect())
}

/// A symbolic link may only point down into the plugin: relative, and
/// without `..` (so no chain of links can leave the folder).
fn safe_link_target(target: &str) -> Result<(), &'static str> {
    let t = target.replace('\\', "/");
    if t.is_empty() {
        return Err("is a link without a target");
    }
    if t.starts_with('/') || t.contains(':') {
        return Err("is a link to an absolute path, outside the plugin");
    }
    if t.split('/').any(|c| c == "..") {
        return Err("is a link that leads outside the plugin ('..')");
    }
    Ok(())
}

fn write_entry(entry: &mut impl Read, path: &Path, mode: u32) -> Result<(), PluginError> {
    // Replace rather than write through: an earlier entry may have put a
    // link here.
    if std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_dir()) {
        std::fs::remove_file(path).map_err(|e| PluginError::io("replacing", path, e))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = opts
        .open(path)
        .map_err(|e| PluginError::io("writing", path, e))?;
    std::io::copy(entry, &mut file).map_err(|e| PluginError::io("writing", path, e))?;
    Ok(())
}

#[cfg(unix)]
fn make_symlink(target: &str, link: &Path) -> Result<(), PluginError> {
    std::os::unix::fs::symlink(target, link).map_err(|e| PluginError::io("linking", link, e))
}

#[cfg(windows)]
fn make_symlink(target: &str, link: &Path) -> Result<(), PluginError> {
    std::os::windows::fs::symlink_file(target, link)
        .map_err(|e| PluginError::io("linking", link, e))
}

// ------------------------------------------------------------------- git

fn git(dir: Option<&Path>, args: &[&str]) -> Result<String, PluginError> {
    let mut cmd = Command::new("git");
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    cmd.args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(std::process::Stdio::null());
    let out = cmd.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            PluginError::Git(
                "installing or updating a plugin from a repository needs the `git` command, which is not in PATH".into(),
            )
        } else {
            PluginError::Git(format!("running git: {e}"))
        }
    })?;
    if !out.status.success() {
        return Err(PluginError::Git(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn install_git(url: &str, version: &str, dest: &Path) -> Result<Plugin, PluginError> {
    let base = url.trim_end_matches('/').rsplit('/').next().unwrap_or(url);
    let target = dest.join(base);
    refuse_existing(&target)?;
    create_dir(dest)?;
    let tmp = tempfile::Builder::new()
        .prefix(".hoist-plugin-")
        .tempdir_in(dest)
        .map_err(|e| PluginError::io("creating a temporary folder in", dest, e))?;
    let clone = tmp.path().join("clone");
    let clone_str = clone.to_string_lossy().into_owned();
    git(None, &["clone", "--quiet", "--", url, &clone_str])?;
    if !version.is_empty() {
        let reference = solve_version(&clone, url, version)?;
        git(
            Some(&clone),
            &[
                "-c",
                "advice.detachedHead=false",
                "checkout",
                "--quiet",
                &reference,
            ],
        )?;
    }
    if !clone.join(PLUGIN_FILE).is_file() {
        return Err(PluginError::Install(
            "plugin metadata (plugin.yaml) missing".into(),
        ));
    }
    let plugin = load_dir(&clone)?;
    refuse_same_name(plugin.name())?;
    refuse_existing(&target)?;
    std::fs::rename(&clone, &target)
        .map_err(|e| PluginError::io("moving the plugin to", &target, e))?;
    load_dir(&target)
}

/// `--version` for a repository: a ref as it is, else the newest tag that
/// satisfies it as a SemVer constraint.
fn solve_version(repo: &Path, url: &str, version: &str) -> Result<String, PluginError> {
    // Never an option to git: `checkout` gets the version as given.
    if version.starts_with('-') {
        return Err(PluginError::Install(format!(
            "requested version {version:?} does not exist for plugin {url:?}"
        )));
    }
    for candidate in [version.to_string(), format!("origin/{version}")] {
        if git(
            Some(repo),
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{candidate}^{{commit}}"),
            ],
        )
        .is_ok()
        {
            return Ok(version.to_string());
        }
    }
    let constraint = crate::chart::constraint::Constraint::parse(version)
        .map_err(|e| PluginError::Install(e.to_string()))?;
    let tags = git(Some(repo), &["tag", "--list"])?;
    let mut versions: Vec<(semver::Version, String)> = tags
        .lines()
        .filter_map(|t| {
            crate::chart::constraint::parse_version(t)
                .ok()
                .map(|v| (v, t.to_string()))
        })
        .collect();
    versions.sort_by(|a, b| b.0.cmp(&a.0));
    versions
        .into_iter()
        .find(|(v, _)| constraint.matches(v))
        .map(|(_, tag)| tag)
        .ok_or_else(|| {
            PluginError::Install(format!(
                "requested version {version:?} does not exist for plugin {url:?}"
            ))
        })
}

// -------------------------------------------------------- uninstall, update

/// The installed plugin named `name` (any type), in every plugin folder.
pub fn find_installed(name: &str) -> Result<Plugin, PluginError> {
    find_plugins(&plugin_dirs(), None)?
        .get(name, None)
        .cloned()
        .ok_or_else(|| PluginError::NotFound(name.to_string()))
}

/// Removes `plugin`'s folder (only the link, for a linked one) and the
/// archive and provenance kept beside it. The caller runs the delete hook.
pub fn uninstall(plugin: &Plugin) -> Result<(), PluginError> {
    let dir = plugin.dir();
    let meta = std::fs::symlink_metadata(dir).map_err(|e| PluginError::io("removing", dir, e))?;
    if meta.is_dir() {
        std::fs::remove_dir_all(dir)
    } else {
        std::fs::remove_file(dir)
    }
    .map_err(|e| PluginError::io("removing", dir, e))?;
    let m = plugin.metadata();
    if !m.version.is_empty()
        && let Some(parent) = dir.parent()
    {
        let saved = parent.join(format!("{}-{}.tgz", m.name, m.version));
        let _ = std::fs::remove_file(crate::provenance::prov_path(&saved));
        let _ = std::fs::remove_file(saved);
    }
    Ok(())
}

/// Updates a plugin installed from git (`git fetch --tags` and, on a
/// branch, `git pull`) and returns it reloaded. Other plugins get Helm's
/// error. The caller runs the update hook.
pub fn update(plugin: &Plugin) -> Result<Plugin, PluginError> {
    let real = std::fs::canonicalize(plugin.dir())
        .map_err(|e| PluginError::io("resolving", plugin.dir(), e))?;
    if !real.join(".git").exists() {
        return Err(PluginError::Install(
            "cannot get information about plugin source".into(),
        ));
    }
    let status = git(Some(&real), &["status", "--porcelain"])?;
    if !status.trim().is_empty() {
        return Err(PluginError::Install("plugin repo was modified".into()));
    }
    git(Some(&real), &["fetch", "--quiet", "--tags", "origin"])?;
    let on_branch = git(Some(&real), &["symbolic-ref", "-q", "HEAD"]).is_ok();
    if on_branch {
        git(Some(&real), &["pull", "--quiet"])?;
    }
    if !real.join(PLUGIN_FILE).is_file() {
        return Err(PluginError::Install(
            "plugin metadata (plugin.yaml) missing".into(),
        ));
    }
    load_dir(plugin.dir())
}

// ------------------------------------------------------------ provenance

/// What `plugin list` shows in PROVENANCE (Helm's `GetPluginSigningInfo`):
/// `local dev` for a linked folder, `unsigned` without the archive and
/// `.prov` kept beside the plugin, `invalid provenance` when the `.prov`
/// is no clear-signed message, `mismatched provenance` when it does not
/// name the archive's digest, else `signed` (the signature itself is
/// checked at install time, against a keyring).
pub fn signing_status(plugin: &Plugin) -> &'static str {
    let dir = plugin.dir();
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        return "unknown";
    };
    if meta.file_type().is_symlink() {
        return "local dev";
    }
    let m = plugin.metadata();
    let Some(parent) = dir.parent() else {
        return "unknown";
    };
    let file = format!("{}-{}.tgz", m.name, m.version);
    let archive = parent.join(&file);
    let Ok(bytes) = std::fs::read(&archive) else {
        return "unsigned";
    };
    let Ok(prov) = std::fs::read(crate::provenance::prov_path(&archive)) else {
        return "unsigned";
    };
    let Some(signed) = std::str::from_utf8(&prov)
        .ok()
        .and_then(|t| pgp::composed::CleartextSignedMessage::from_string(t.trim_start()).ok())
        .map(|(msg, _)| msg.signed_text())
    else {
        return "invalid provenance";
    };
    let digest = format!("sha256:{}", crate::chart::package::sha256_hex(&bytes));
    let files = crate::provenance::parse_files(&signed.replace("\r\n", "\n")).unwrap_or_default();
    if files
        .iter()
        .any(|(name, sum)| name.contains(&file) && *sum == digest)
    {
        "signed"
    } else {
        "mismatched provenance"
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::Write;

    /// A gzip'd tar of raw entries: (name, type, data or link target).
    fn tgz(entries: &[(&str, tar::EntryType, &str)]) -> Vec<u8> {
        let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::default(),
        ));
        for (name, kind, data) in entries {
            let mut h = tar::Header::new_old();
            // Write the raw name, unchecked, as a hostile archive would.
            h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
            h.set_entry_type(*kind);
            h.set_mode(0o755);
            if matches!(kind, tar::EntryType::Symlink | tar::EntryType::Link) {
                h.as_old_mut().linkname[..data.len()].copy_from_slice(data.as_bytes());
                h.set_size(0);
                h.set_cksum();
                b.append(&h, std::io::empty()).unwrap();
            } else {
                h.set_size(data.len() as u64);
                h.set_cksum();
                b.append(&h, data.as_bytes()).unwrap();
            }
        }
        let mut gz = b.into_inner().unwrap();
        gz.flush().unwrap();
        gz.finish().unwrap()
    }

    use tar::EntryType::{Directory as D, Link as H, Regular as F, Symlink as L};

    fn files_under(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
                if e.file_type().unwrap().is_dir() {
                    stack.push(p);
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn a_plain_archive_unpacks_with_modes_and_inner_links() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = tgz(&[
            ("p/", D, ""),
            ("p/plugin.yaml", F, "name: p\n"),
            ("./p/bin/run.sh", F, "#!/bin/sh\n"),
            ("p/run", L, "bin/run.sh"),
        ]);
        extract(&bytes, "p.tgz", dir.path()).unwrap();
        assert_eq!(
            files_under(dir.path()),
            ["p", "p/bin", "p/bin/run.sh", "p/plugin.yaml", "p/run"]
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("p/bin/run.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        assert_eq!(
            std::fs::read_link(dir.path().join("p/run")).unwrap(),
            Path::new("bin/run.sh")
        );
    }

    #[test]
    fn the_tar_stream_is_capped_before_the_tar_reader_sees_it() {
        let read_all = |data: &[u8], limit: u64| {
            let mut r = CappedReader {
                inner: data,
                left: limit,
            };
            let mut out = Vec::new();
            r.read_to_end(&mut out).map(|_| out)
        };
        assert_eq!(read_all(b"0123456789", 10).unwrap(), b"0123456789");
        let e = read_all(b"0123456789x", 10).unwrap_err();
        assert!(e.to_string().contains("unpacks to more than"), "{e}");
        // Through the real decoder: what fits passes.
        let bytes = tgz(&[("p/plugin.yaml", F, "name: p\n")]);
        let mut out = Vec::new();
        capped_gunzip(&bytes).read_to_end(&mut out).unwrap();
        assert!(out.len() >= 1024, "a tar stream of one entry");
    }

    #[test]
    fn hostile_entries_are_refused() {
        for (entries, why) in [
            (vec![("../evil", F, "x")], "'..'"),
            (vec![("p/../../evil", F, "x")], "'..'"),
            (vec![("p\\..\\evil", F, "x")], "'..'"),
            (vec![("/etc/evil", F, "x")], "absolute"),
            (vec![("C:/evil", F, "x")], "':'"),
            (vec![("p/link", L, "/etc")], "absolute"),
            (vec![("p/link", L, "../../etc")], "outside"),
            (vec![("p/link", L, "a/../..")], "outside"),
            (vec![("p/hard", H, "/etc/passwd")], "hard link"),
            (vec![("p/fifo", tar::EntryType::Fifo, "")], "unsupported"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let target = dir.path().join("t");
            std::fs::create_dir(&target).unwrap();
            let e = extract(&tgz(&entries), "evil.tgz", &target)
                .unwrap_err()
                .to_string();
            assert!(e.contains(why), "{entries:?}: {e}");
            assert!(e.starts_with("refusing plugin archive evil.tgz"), "{e}");
            // Nothing landed beside the target.
            assert_eq!(files_under(dir.path()), ["t"], "{entries:?}");
        }
    }

    #[test]
    fn plugin_names_are_stripped_as_helm_strips_them() {
        assert_eq!(strip_plugin_name("helm-diff-3.1.0.tgz"), "helm-diff");
        assert_eq!(strip_plugin_name("fx.tar.gz"), "fx");
        assert_eq!(
            strip_plugin_name("helm-diff-linux-amd64.tgz"),
            "helm-diff-linux-amd64"
        );
        assert_eq!(strip_plugin_name("a-1.2.3-rc-4.5.tgz"), "a-1.2.3-rc");
        assert_eq!(strip_plugin_name("x-12"), "");
        assert_eq!(strip_plugin_name("x-v1.0.tgz"), "x-v1.0");
    }

    #[test]
    fn the_plugin_root_is_the_top_or_a_top_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(plugin_root(dir.path()), None);
        std::fs::create_dir_all(dir.path().join("b")).unwrap();
        std::fs::write(dir.path().join("b/plugin.yaml"), "").unwrap();
        assert_eq!(plugin_root(dir.path()), Some(dir.path().join("b")));
        std::fs::write(dir.path().join("plugin.yaml"), "").unwrap();
        assert_eq!(plugin_root(dir.path()), Some(dir.path().to_path_buf()));
    }

    #[test]
    fn archive_metadata_is_read_without_unpacking() {
        let bytes = tgz(&[("fx/plugin.yaml", F, "name: fx\nversion: 1.2.3\n")]);
        let m = archive_metadata(&bytes, "fx.tgz").unwrap();
        assert_eq!((m.name.as_str(), m.version.as_str()), ("fx", "1.2.3"));
        let e = archive_metadata(&tgz(&[("x", F, "")]), "x.tgz").unwrap_err();
        assert!(e.to_string().contains("plugin.yaml not found"), "{e}");
    }
}
