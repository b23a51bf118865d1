//! `dependency update | build | list`: Helm's `downloader.Manager` and
//! `resolver` over hoist's repository client.
//!
//! `update` resolves every Chart.yaml dependency against the repositories'
//! indexes (refreshed first), `file://` folders and charts/, vendors the
//! archives into charts/ and writes Chart.lock with Helm's digest; `build`
//! downloads exactly what Chart.lock names, refusing a lock whose digest no
//! longer matches Chart.yaml.
//!
//! `oci://HOST/PATH` dependencies are the chart `oci://HOST/PATH/NAME`: an
//! exact version is used as is, a constraint picks the highest semver tag
//! of the registry that satisfies it (Helm's resolver does the same), and
//! the registry's credentials (`registry login`, credential helpers) apply.

use super::cache;
use super::fetch::{
    FetchOptions, Resolved, archive_name, download, resolve_in_index, verify_download,
};
use super::fsutil::write_atomic;
use super::http::Getter;
use super::index::IndexFile;
use super::{Paths, RepoEntry, RepoError, RepoFile};
use crate::chart::constraint::{Constraint, parse_version};
use crate::chart::gojson::ChartDependency;
use crate::chart::{Dependency, Lock, LockDependency};
use crate::release::time::GoTime;
use crate::values::{Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Helm's `resolver.HashReq`: `"sha256:" + hex(sha256(json.Marshal([2][]*Dependency{req, lock})))`,
/// with Go's field order, `omitempty` rules and HTML escaping.
pub fn lock_digest(req: &[Dependency], locked: &[LockDependency]) -> String {
    let req: Vec<ChartDependency> = req.iter().map(ChartDependency::from).collect();
    let locked: Vec<ChartDependency> = locked
        .iter()
        .map(|l| ChartDependency {
            name: l.name.clone(),
            version: l.version.clone(),
            repository: l.repository.clone(),
            ..ChartDependency::default()
        })
        .collect();
    // Serializing plain strings, lists and maps cannot fail.
    let json = serde_json::to_string(&(req, locked)).unwrap_or_default();
    format!(
        "sha256:{}",
        crate::chart::package::sha256_hex(go_escape(&json).as_bytes())
    )
}

/// Go's `encoding/json` escapes `<`, `>`, `&`, U+2028 and U+2029 in strings;
/// outside strings those characters cannot occur in JSON, so a plain
/// replacement is exact.
pub(crate) fn go_escape(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Chart.lock as `sigs.k8s.io/yaml` writes Helm's `chart.Lock`.
pub fn lock_yaml(lock: &Lock) -> String {
    let deps = lock
        .dependencies
        .iter()
        .map(|d| {
            let mut m = Map::new();
            m.insert("name".into(), Value::String(d.name.clone()));
            m.insert("repository".into(), Value::String(d.repository.clone()));
            if !d.version.is_empty() {
                m.insert("version".into(), Value::String(d.version.clone()));
            }
            Value::Map(m)
        })
        .collect();
    let mut m = Map::new();
    m.insert("dependencies".into(), Value::List(deps));
    m.insert("digest".into(), Value::String(lock.digest.clone()));
    m.insert("generated".into(), Value::String(lock.generated.clone()));
    crate::yaml::to_string(&Value::Map(m))
}

/// Options of the dependency commands.
#[derive(Clone, Debug, Default)]
pub struct DepOptions {
    /// Do not refresh repository indexes first (`--skip-refresh`).
    pub skip_refresh: bool,
    /// Download settings (timeouts, size cap, folders).
    pub fetch: FetchOptions,
    /// Check each downloaded archive's provenance with this keyring
    /// (`--verify --keyring`): the repository's `URL.prov` or the OCI
    /// provenance layer. Charts packaged from `file://` folders and charts
    /// already in charts/ are not checked, as in Helm.
    pub verify: Option<PathBuf>,
    /// With `verify`: a chart that has no provenance (no `URL.prov`, no OCI
    /// provenance layer) is vendored with a warning instead of failing.
    /// Helm's `dependency build --verify` works this way (`VerifyIfPossible`),
    /// also when it falls back to an update for want of a Chart.lock;
    /// `dependency update --verify` is strict (`VerifyAlways`). A signature
    /// that is present but does not verify fails either way.
    pub verify_if_possible: bool,
}

/// What update/build did, for the command to print.
#[derive(Clone, Debug, Default)]
pub struct DepReport {
    /// Progress lines in Helm's wording.
    pub messages: Vec<String>,
    /// The lock written (or checked).
    pub lock: Option<Lock>,
}

fn load_chart_dir(dir: &Path) -> Result<crate::chart::Chart, RepoError> {
    if !dir.is_dir() {
        return Err(RepoError::Dependency(format!(
            "only unpacked charts can be updated: {} is not a folder",
            dir.display()
        )));
    }
    Ok(crate::chart::load_dir(dir)?)
}

/// Where one dependency comes from.
enum Source {
    /// Already under charts/ (no repository).
    Vendored,
    /// A `file://` folder.
    Folder(PathBuf),
    /// A repository (configured or only named by URL) and its index.
    Repo(RepoEntry),
    /// An OCI registry path (`oci://HOST/PATH`); the chart is `PATH/NAME`.
    Oci(String),
}

fn trim_slash(s: &str) -> &str {
    s.trim_end_matches('/')
}

/// Helm's `GetLocalPath`: `file://` paths are relative to the chart.
fn local_path(repo: &str, chart_dir: &Path) -> Result<PathBuf, RepoError> {
    let p = repo.trim_start_matches("file://");
    let path = if Path::new(p).is_absolute() {
        PathBuf::from(p)
    } else {
        chart_dir.join(p)
    };
    if !path.exists() {
        return Err(RepoError::Dependency(format!(
            "directory {} not found",
            path.display()
        )));
    }
    Ok(path)
}

fn source_of(dep: &Dependency, config: &RepoFile, chart_dir: &Path) -> Result<Source, RepoError> {
    let r = dep.repository.as_str();
    if r.is_empty() {
        return Ok(Source::Vendored);
    }
    if r.starts_with("file://") {
        return Ok(Source::Folder(local_path(r, chart_dir)?));
    }
    if r.starts_with(crate::registry::OCI_SCHEME) {
        return Ok(Source::Oci(trim_slash(r).to_string()));
    }
    if let Some(name) = r.strip_prefix('@').or_else(|| r.strip_prefix("alias:")) {
        return config.get(name).cloned().map(Source::Repo).ok_or_else(|| {
            RepoError::Dependency(format!(
                "no repository definition for {r} (dependency {:?}); add it with `hoist repo add {name} URL`",
                dep.name
            ))
        });
    }
    if !(r.starts_with("http://") || r.starts_with("https://") || crate::plugin::getter::handles(r))
    {
        return Err(RepoError::Dependency(format!(
            "dependency {:?}: repository {r:?} is not a URL, @name, file:// or oci:// reference",
            dep.name
        )));
    }
    Ok(Source::Repo(
        config
            .repositories
            .iter()
            .find(|e| trim_slash(&e.url) == trim_slash(r))
            .cloned()
            .unwrap_or_else(|| RepoEntry::new("", r)),
    ))
}

/// Loads (refreshing unless told not to) the index of each repository the
/// dependencies use. Configured repositories go through the cache;
/// repositories named only by URL are fetched into memory.
async fn indexes_for(
    sources: &[Source],
    paths: &Paths,
    opts: &DepOptions,
    messages: &mut Vec<String>,
) -> Result<HashMap<String, IndexFile>, RepoError> {
    let mut out = HashMap::new();
    let first = messages.len();
    for s in sources {
        let Source::Repo(entry) = s else { continue };
        let key = trim_slash(&entry.url).to_string();
        if out.contains_key(&key) {
            continue;
        }
        let getter = Getter::new(entry, &opts.fetch.http)?;
        let index = if entry.name.is_empty() {
            let url = cache::index_url(&entry.url)?;
            let bytes = getter.get(&url).await?;
            IndexFile::parse(&bytes, &url)?
        } else {
            if !opts.skip_refresh {
                cache::refresh(entry, &getter, &paths.repository_cache()).await?;
                messages.push(format!(
                    "...Successfully got an update from the {:?} chart repository",
                    entry.name
                ));
            }
            cache::load(&paths.repository_cache(), &entry.name)?
        };
        messages.extend(index.warnings.iter().cloned());
        out.insert(key, index);
    }
    if messages[first..]
        .iter()
        .any(|m| m.starts_with("...Successfully"))
    {
        messages.insert(
            first,
            "Hang tight while we grab the latest from your chart repositories...".into(),
        );
        messages.push("Update Complete. ⎈Happy Helming!⎈".into());
    }
    Ok(out)
}

/// The reference of a dependency's chart in a registry: `oci://HOST/PATH/NAME`.
fn oci_chart(base: &str, name: &str) -> String {
    format!("{base}/{name}")
}

/// Helm's resolver for `oci://` dependencies: a version that parses as
/// semver is taken as is (no registry round trip); otherwise the highest
/// tag satisfying the constraint. `None` when no tag does.
async fn oci_version(
    base: &str,
    dep: &Dependency,
    constraint: &Constraint,
    opts: &DepOptions,
) -> Result<Option<String>, RepoError> {
    if parse_version(&dep.version).is_ok() {
        return Ok(Some(dep.version.clone()));
    }
    let tags = crate::registry::tags(&oci_chart(base, &dep.name), &opts.fetch.registry)
        .await
        .map_err(|e| {
            RepoError::Dependency(format!(
                "could not retrieve list of tags for repository {}: {e}",
                dep.repository
            ))
        })?;
    // `tags` is newest first, so the first match is the highest.
    Ok(tags
        .into_iter()
        .find(|t| parse_version(t).is_ok_and(|v| constraint.matches(&v))))
}

/// `dependency update`: resolve, vendor, write Chart.lock.
pub async fn update(chart_dir: &Path, opts: &DepOptions) -> Result<DepReport, RepoError> {
    let chart = load_chart_dir(chart_dir)?;
    let reqs = chart.metadata.dependencies.clone();
    let mut report = DepReport::default();
    if reqs.is_empty() {
        return Ok(report);
    }
    let paths = opts.fetch.paths.clone().unwrap_or_else(Paths::from_env);
    let config = RepoFile::load(&paths.repository_config())?;
    let sources = reqs
        .iter()
        .map(|d| source_of(d, &config, chart_dir))
        .collect::<Result<Vec<_>, _>>()?;
    let indexes = indexes_for(&sources, &paths, opts, &mut report.messages).await?;

    let mut locked = Vec::new();
    let mut missing = Vec::new();
    for (dep, source) in reqs.iter().zip(&sources) {
        let constraint = Constraint::parse(&dep.version).map_err(|e| {
            RepoError::Dependency(format!(
                "dependency {:?} has an invalid version/constraint format: {e}",
                dep.name
            ))
        })?;
        let version = match source {
            Source::Vendored => {
                let p = chart_dir.join("charts").join(&dep.name);
                if !p.exists() {
                    return Err(RepoError::Dependency(format!(
                        "directory {} not found",
                        p.display()
                    )));
                }
                Some(dep.version.clone())
            }
            Source::Folder(dir) => {
                let sub = crate::chart::load_dir(dir)?;
                parse_version(&sub.metadata.version)
                    .ok()
                    .filter(|v| constraint.matches(v))
                    .map(|_| sub.metadata.version.clone())
            }
            Source::Repo(entry) => indexes
                .get(trim_slash(&entry.url))
                .and_then(|i| i.versions(&dep.name))
                .ok_or_else(|| {
                    RepoError::Dependency(format!(
                        "{} chart not found in repo {}",
                        dep.name, dep.repository
                    ))
                })?
                .iter()
                .find(|v| {
                    !v.urls.is_empty()
                        && parse_version(&v.version).is_ok_and(|p| constraint.matches(&p))
                })
                .map(|v| v.version.clone()),
            Source::Oci(base) => oci_version(base, dep, &constraint, opts).await?,
        };
        match version {
            Some(version) => locked.push(LockDependency {
                name: dep.name.clone(),
                version,
                repository: dep.repository.clone(),
            }),
            None => missing.push(format!(
                "{:?} (repository {:?}, version {:?})",
                dep.name, dep.repository, dep.version
            )),
        }
    }
    if !missing.is_empty() {
        return Err(RepoError::Dependency(format!(
            "can't get a valid version for {} subchart(s): {}. Make sure a matching chart version exists in the repo, or change the version constraint in Chart.yaml",
            missing.len(),
            missing.join(", ")
        )));
    }
    vendor(
        chart_dir,
        &reqs,
        &locked,
        &sources,
        &indexes,
        opts,
        &mut report,
    )
    .await?;
    let digest = lock_digest(&reqs, &locked);
    let lock = Lock {
        generated: GoTime::now().to_string(),
        digest,
        dependencies: locked,
    };
    let unchanged = chart.lock.as_ref().is_some_and(|l| l.digest == lock.digest);
    if !unchanged {
        let path = chart_dir.join(if chart.metadata.api_version == "v1" {
            "requirements.lock"
        } else {
            "Chart.lock"
        });
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(RepoError::Dependency(format!(
                "the {} file is a symlink; refusing to write it",
                path.display()
            )));
        }
        write_atomic(&path, lock_yaml(&lock).as_bytes(), 0o644)?;
    }
    report.lock = Some(lock);
    Ok(report)
}

/// `dependency build`: vendor exactly what Chart.lock lists.
pub async fn build(chart_dir: &Path, opts: &DepOptions) -> Result<DepReport, RepoError> {
    let chart = load_chart_dir(chart_dir)?;
    let Some(lock) = chart.lock.clone() else {
        return update(chart_dir, opts).await;
    };
    let reqs = chart.metadata.dependencies.clone();
    if lock_digest(&reqs, &lock.dependencies) != lock.digest {
        return Err(RepoError::Dependency(
            "the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). Please update the dependencies with 'hoist dependency update'".into(),
        ));
    }
    let paths = opts.fetch.paths.clone().unwrap_or_else(Paths::from_env);
    let config = RepoFile::load(&paths.repository_config())?;
    let as_deps: Vec<Dependency> = lock
        .dependencies
        .iter()
        .map(|l| Dependency {
            name: l.name.clone(),
            version: l.version.clone(),
            repository: l.repository.clone(),
            ..Dependency::default()
        })
        .collect();
    let sources = as_deps
        .iter()
        .map(|d| source_of(d, &config, chart_dir))
        .collect::<Result<Vec<_>, _>>()?;
    let mut report = DepReport::default();
    let indexes = indexes_for(&sources, &paths, opts, &mut report.messages).await?;
    vendor(
        chart_dir,
        &as_deps,
        &lock.dependencies,
        &sources,
        &indexes,
        opts,
        &mut report,
    )
    .await?;
    report.lock = Some(lock);
    Ok(report)
}

/// Downloads or packages every locked dependency into a temporary folder
/// under the chart, then swaps them into charts/: a failure leaves charts/
/// as it was.
async fn vendor(
    chart_dir: &Path,
    reqs: &[Dependency],
    locked: &[LockDependency],
    sources: &[Source],
    indexes: &HashMap<String, IndexFile>,
    opts: &DepOptions,
    report: &mut DepReport,
) -> Result<(), RepoError> {
    let charts = chart_dir.join("charts");
    std::fs::create_dir_all(&charts).map_err(|e| RepoError::io("creating folder", &charts, e))?;
    let tmp = tempfile::Builder::new()
        .prefix("tmpcharts-")
        .tempdir_in(chart_dir)
        .map_err(|e| RepoError::io("creating a temporary folder in", chart_dir, e))?;
    report
        .messages
        .push(format!("Saving {} charts", locked.len()));
    let mut fetched: Vec<(String, PathBuf)> = Vec::new();
    for ((dep, lock), source) in reqs.iter().zip(locked).zip(sources) {
        match source {
            Source::Vendored => {
                report.messages.push(format!(
                    "Dependency {} did not declare a repository. Assuming it exists in the charts directory",
                    dep.name
                ));
            }
            Source::Folder(dir) => {
                let out = crate::chart::package(
                    dir,
                    &crate::chart::PackageOptions {
                        destination: tmp.path().to_path_buf(),
                        ..Default::default()
                    },
                )?;
                fetched.push((dep.name.clone(), out));
            }
            Source::Repo(entry) => {
                let index = indexes.get(trim_slash(&entry.url)).ok_or_else(|| {
                    RepoError::Dependency(format!("no index loaded for {}", entry.url))
                })?;
                let exact = FetchOptions {
                    version: lock.version.clone(),
                    ..opts.fetch.clone()
                };
                let resolved: Resolved = resolve_in_index(index, entry, &dep.name, &exact)?;
                report.messages.push(format!(
                    "Downloading {} from repo {}",
                    dep.name, dep.repository
                ));
                let bytes = download(&resolved, &opts.fetch.http).await?;
                let file = archive_name(&resolved.url)?;
                if opts.verify.is_some() {
                    let prov_url = format!("{}.prov", resolved.url);
                    let prov = Getter::new(&resolved.entry, &opts.fetch.http)?
                        .get(&prov_url)
                        .await
                        .map_err(|e| e.to_string());
                    check_provenance(
                        opts,
                        Download {
                            archive: &bytes,
                            file: &file,
                            reference: &resolved.url,
                        },
                        prov,
                        &prov_url,
                        &mut report.messages,
                    )?;
                }
                let out = tmp.path().join(file);
                std::fs::write(&out, &bytes).map_err(|e| RepoError::io("writing", &out, e))?;
                fetched.push((dep.name.clone(), out));
            }
            Source::Oci(base) => {
                report.messages.push(format!(
                    "Downloading {} from repo {}",
                    dep.name, dep.repository
                ));
                let chart = oci_chart(base, &dep.name);
                let pulled =
                    crate::registry::pull(&chart, Some(&lock.version), &opts.fetch.registry)
                        .await
                        .map_err(|e| {
                            RepoError::Dependency(format!("could not download {chart}: {e}"))
                        })?;
                report
                    .messages
                    .push(format!("Pulled: {}", pulled.reference));
                report
                    .messages
                    .push(format!("Digest: {}", pulled.manifest_digest));
                let file = pulled.file_name();
                if opts.verify.is_some() {
                    let reference = format!("oci://{}", pulled.reference);
                    check_provenance(
                        opts,
                        Download {
                            archive: &pulled.chart,
                            file: &file,
                            reference: &reference,
                        },
                        pulled
                            .prov
                            .clone()
                            .ok_or_else(|| "the manifest has no provenance layer".to_string()),
                        &format!("{} (provenance layer)", pulled.reference),
                        &mut report.messages,
                    )?;
                }
                if file.contains(['/', '\\']) || file.starts_with('.') {
                    return Err(RepoError::Invalid(format!(
                        "{}: the chart's name and version ({file}) do not make a file name",
                        pulled.reference
                    )));
                }
                let out = tmp.path().join(file);
                std::fs::write(&out, &pulled.chart)
                    .map_err(|e| RepoError::io("writing", &out, e))?;
                fetched.push((dep.name.clone(), out));
            }
        }
    }
    // Old archives of the same charts go first, so two versions never sit
    // side by side in charts/.
    if let Ok(rd) = std::fs::read_dir(&charts) {
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "tgz")
                && let Ok(c) = crate::chart::load_archive(&p)
                && fetched.iter().any(|(n, _)| *n == c.metadata.name)
            {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
    for (_, p) in fetched {
        let Some(file) = p.file_name() else { continue };
        let dest = charts.join(file);
        std::fs::rename(&p, &dest).map_err(|e| RepoError::io("moving into place", &dest, e))?;
    }
    Ok(())
}

/// One downloaded dependency archive, for [`check_provenance`].
struct Download<'a> {
    archive: &'a [u8],
    /// The archive's file name, which the provenance file signs.
    file: &'a str,
    /// Where it came from (URL or `oci://` reference), for the warning.
    reference: &'a str,
}

/// Checks a vendored archive against its provenance (`prov`: the file, or
/// why there is none) when `--verify` is on. A missing provenance is a
/// warning in `messages` under `verify_if_possible` and an error otherwise;
/// a provenance that does not verify is always an error.
fn check_provenance(
    opts: &DepOptions,
    download: Download<'_>,
    prov: Result<Vec<u8>, String>,
    prov_label: &str,
    messages: &mut Vec<String>,
) -> Result<(), RepoError> {
    let Some(keyring) = &opts.verify else {
        return Ok(());
    };
    match prov {
        Err(why) if opts.verify_if_possible => {
            // Helm's chart downloader prints this and carries on.
            messages.push(format!(
                "WARNING: Verification not found for {}: {why}",
                download.reference
            ));
            Ok(())
        }
        prov => verify_download(
            download.archive,
            download.file,
            prov.ok().as_deref(),
            prov_label,
            keyring,
        ),
    }
}

/// Helm's `CheckDependencies` message for the dependencies Chart.yaml
/// declares but charts/ lacks, or `None` when all are there.
pub fn missing_dependencies_message(chart: &crate::chart::Chart) -> Option<String> {
    let missing = chart.missing_dependencies();
    (!missing.is_empty()).then(|| {
        format!(
            "found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        )
    })
}

/// What install and upgrade do before using a chart (Helm's
/// `--dependency-update` handling): load it, and when dependencies are
/// missing from charts/ either fail with Helm's message (pointing at
/// `hoist dependency build`) or, with `update`, run `dependency update` on
/// the chart folder and load it again. The report holds the update's
/// progress lines (empty when nothing was missing).
pub async fn load_with_dependencies(
    chart_path: &Path,
    update_missing: bool,
    opts: &DepOptions,
) -> Result<(crate::chart::Chart, DepReport), RepoError> {
    let chart = crate::chart::load(chart_path)?;
    let Some(missing) = missing_dependencies_message(&chart) else {
        return Ok((chart, DepReport::default()));
    };
    if !update_missing {
        return Err(RepoError::Dependency(format!(
            "an error occurred while checking for chart dependencies. You may need to run 'hoist dependency build' to fetch missing dependencies: {missing}"
        )));
    }
    let report = update(chart_path, opts).await?;
    let chart = crate::chart::load(chart_path).map_err(|e| {
        RepoError::Dependency(format!("failed reloading chart after repo update: {e}"))
    })?;
    Ok((chart, report))
}

/// One row of `dependency list`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepStatus {
    /// Dependency name.
    pub name: String,
    /// Version constraint from Chart.yaml.
    pub version: String,
    /// Repository from Chart.yaml.
    pub repository: String,
    /// Helm's status word: ok, missing, wrong version, unpacked, corrupt,
    /// misnamed, too many matches, invalid version.
    pub status: String,
}

fn version_status(found: &str, wanted: &str) -> Option<&'static str> {
    if found == wanted {
        return None;
    }
    let (Ok(c), Ok(v)) = (Constraint::parse(wanted), parse_version(found)) else {
        return Some("invalid version");
    };
    (!c.matches(&v)).then_some("wrong version")
}

/// `dependency list`: each declared dependency with its status in charts/.
pub fn list(chart_dir: &Path) -> Result<Vec<DepStatus>, RepoError> {
    let chart = crate::chart::load(chart_dir)?;
    let charts = chart_dir.join("charts");
    let mut rows = Vec::new();
    for dep in &chart.metadata.dependencies {
        let prefix = format!("{}-", dep.name);
        let mut archives: Vec<PathBuf> = std::fs::read_dir(&charts)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.path())
                    .filter(|p| {
                        p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".tgz"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if archives.len() > 1 {
            archives.retain(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.strip_prefix(&prefix))
                    .and_then(|n| n.strip_suffix(".tgz"))
                    .is_some_and(crate::chart::is_strict_semver)
            });
        }
        let status = if archives.len() > 1 {
            "too many matches".to_string()
        } else if let Some(a) = archives.first() {
            match crate::chart::load_archive(a) {
                Err(_) => "corrupt".into(),
                Ok(c) if c.metadata.name != dep.name => "misnamed".into(),
                Ok(c) => version_status(&c.metadata.version, &dep.version)
                    .unwrap_or("ok")
                    .into(),
            }
        } else {
            match chart.dependencies.iter().find(|c| c.name() == dep.name) {
                None => "missing".into(),
                Some(c) => version_status(&c.metadata.version, &dep.version)
                    .unwrap_or("unpacked")
                    .into(),
            }
        };
        rows.push(DepStatus {
            name: dep.name.clone(),
            version: dep.version.clone(),
            repository: dep.repository.clone(),
            status,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(name: &str, version: &str, repo: &str) -> Dependency {
        Dependency {
            name: name.into(),
            version: version.into(),
            repository: repo.into(),
            ..Dependency::default()
        }
    }

    #[test]
    fn digest_hashes_go_json_of_requests_and_lock() {
        let req = [dep("a", "^1.0", "https://r/x?a=1&b=<2>")];
        let lock = [LockDependency {
            name: "a".into(),
            version: "1.2.0".into(),
            repository: "https://r/x?a=1&b=<2>".into(),
        }];
        // What Go's json.Marshal prints for these values.
        let go = r#"[[{"name":"a","version":"^1.0","repository":"https://r/x?a=1\u0026b=\u003c2\u003e"}],[{"name":"a","version":"1.2.0","repository":"https://r/x?a=1\u0026b=\u003c2\u003e"}]]"#;
        assert_eq!(
            lock_digest(&req, &lock),
            format!(
                "sha256:{}",
                crate::chart::package::sha256_hex(go.as_bytes())
            )
        );
    }

    #[test]
    fn lock_yaml_has_sorted_keys() {
        let lock = Lock {
            generated: "2026-01-02T03:04:05.5Z".into(),
            digest: "sha256:ab".into(),
            dependencies: vec![LockDependency {
                name: "a".into(),
                version: "1.0.0".into(),
                repository: String::new(),
            }],
        };
        let y = lock_yaml(&lock);
        assert!(
            y.starts_with("dependencies:\n- name: a\n  repository: \"\"\n  version: 1.0.0\ndigest: sha256:ab\ngenerated: \""),
            "{y}"
        );
    }

    fn write_chart(dir: &Path, name: &str, version: &str, deps: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(
            dir.join("Chart.yaml"),
            format!("apiVersion: v2\nname: {name}\nversion: {version}\n{deps}"),
        )
        .unwrap();
    }

    #[test]
    fn file_dependencies_update_build_and_list() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let top = tmp.path().join("top");
        write_chart(&tmp.path().join("sub"), "sub", "1.2.3", "");
        write_chart(
            &top,
            "top",
            "0.1.0",
            "dependencies:\n- name: sub\n  version: ^1.0.0\n  repository: file://../sub\n",
        );
        let opts = DepOptions {
            fetch: FetchOptions {
                paths: Some(Paths::under(
                    tmp.path().join("cfg"),
                    tmp.path().join("cache"),
                    tmp.path().join("data"),
                )),
                ..FetchOptions::default()
            },
            ..DepOptions::default()
        };
        assert_eq!(list(&top).unwrap()[0].status, "missing");
        let report = rt.block_on(update(&top, &opts)).unwrap();
        let lock = report.lock.unwrap();
        assert_eq!(lock.dependencies[0].version, "1.2.3");
        assert!(top.join("charts/sub-1.2.3.tgz").exists());
        assert_eq!(list(&top).unwrap()[0].status, "ok");
        let text = std::fs::read_to_string(top.join("Chart.lock")).unwrap();
        assert!(text.contains(&lock.digest), "{text}");
        // build re-vendors from the lock...
        std::fs::remove_file(top.join("charts/sub-1.2.3.tgz")).unwrap();
        rt.block_on(build(&top, &opts)).unwrap();
        assert!(top.join("charts/sub-1.2.3.tgz").exists());
        // ...and refuses a lock that no longer matches Chart.yaml.
        write_chart(
            &top,
            "top",
            "0.1.0",
            "dependencies:\n- name: sub\n  version: ~1.2.0\n  repository: file://../sub\n",
        );
        let e = rt.block_on(build(&top, &opts)).unwrap_err().to_string();
        assert!(e.contains("out of sync"), "{e}");
        // A constraint nothing satisfies names the dependency.
        write_chart(
            &top,
            "top",
            "0.1.0",
            "dependencies:\n- name: sub\n  version: ^2.0.0\n  repository: file://../sub\n",
        );
        let e = rt.block_on(update(&top, &opts)).unwrap_err().to_string();
        assert!(e.contains("\"sub\"") && e.contains("^2.0.0"), "{e}");
        assert_eq!(list(&top).unwrap()[0].status, "wrong version");
        // No temporary folders are left in the chart.
        let leftovers: Vec<_> = std::fs::read_dir(&top)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("tmpcharts"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn missing_dependencies_fail_like_helm_or_are_updated() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let top = tmp.path().join("top");
        write_chart(&tmp.path().join("sub"), "sub", "1.0.0", "");
        write_chart(
            &top,
            "top",
            "0.1.0",
            "dependencies:\n- name: sub\n  version: 1.0.0\n  repository: file://../sub\n- name: local\n  version: 0.1.0\n",
        );
        write_chart(&top.join("charts/local"), "local", "0.1.0", "");
        let opts = DepOptions {
            fetch: FetchOptions {
                paths: Some(Paths::under(
                    tmp.path().join("cfg"),
                    tmp.path().join("cache"),
                    tmp.path().join("data"),
                )),
                ..FetchOptions::default()
            },
            ..DepOptions::default()
        };
        let e = rt
            .block_on(load_with_dependencies(&top, false, &opts))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "an error occurred while checking for chart dependencies. You may need to run 'hoist dependency build' to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: sub"
        );
        assert!(!top.join("Chart.lock").exists());
        let (chart, report) = rt
            .block_on(load_with_dependencies(&top, true, &opts))
            .unwrap();
        assert!(chart.missing_dependencies().is_empty());
        assert!(report.messages.iter().any(|m| m == "Saving 2 charts"));
        assert!(top.join("charts/sub-1.0.0.tgz").exists());
        // Nothing missing: no update, no messages.
        let (_, report) = rt
            .block_on(load_with_dependencies(&top, true, &opts))
            .unwrap();
        assert!(report.messages.is_empty());
    }

    #[test]
    fn unknown_alias_is_a_clear_error_and_oci_is_a_registry_path() {
        let cfg = RepoFile::default();
        let d = dep("a", "1", "@nope");
        let e = source_of(&d, &cfg, Path::new("."))
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("@nope"), "{e}");
        let d = dep("a", "1", "oci://r:5000/x/");
        match source_of(&d, &cfg, Path::new(".")) {
            Ok(Source::Oci(base)) => assert_eq!(oci_chart(&base, "a"), "oci://r:5000/x/a"),
            _ => panic!("oci:// is not a registry source"),
        }
    }

    #[test]
    fn verify_if_possible_warns_on_missing_provenance_but_not_on_bad_ones() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/provenance");
        let file = "signme-1.2.3+build.7.tgz";
        let archive = std::fs::read(fixtures.join("helm").join(file)).unwrap();
        let prov = std::fs::read(fixtures.join("helm").join(format!("{file}.prov"))).unwrap();
        let strict = DepOptions {
            verify: Some(fixtures.join("pubring.gpg")),
            ..DepOptions::default()
        };
        let lenient = DepOptions {
            verify_if_possible: true,
            ..strict.clone()
        };
        let dl = |archive| Download {
            archive,
            file,
            reference: "http://r/signme.tgz",
        };
        let missing = || Err("404 Not Found".to_string());
        let mut messages = Vec::new();

        check_provenance(&lenient, dl(&archive), missing(), "p", &mut messages).unwrap();
        assert_eq!(
            messages,
            ["WARNING: Verification not found for http://r/signme.tgz: 404 Not Found"]
        );
        let e = check_provenance(&strict, dl(&archive), missing(), "p.prov", &mut messages)
            .unwrap_err()
            .to_string();
        assert!(e.contains("p.prov"), "{e}");
        assert_eq!(messages.len(), 1);

        // A signature that is there is checked, leniently or not.
        check_provenance(&lenient, dl(&archive), Ok(prov.clone()), "p", &mut messages).unwrap();
        let mut tampered = archive.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(check_provenance(&lenient, dl(&tampered), Ok(prov), "p", &mut messages).is_err());
        assert_eq!(messages.len(), 1);

        // Without --verify nothing is looked at.
        check_provenance(
            &DepOptions::default(),
            dl(&tampered),
            missing(),
            "p",
            &mut messages,
        )
        .unwrap();
        assert_eq!(messages.len(), 1);
    }
}
