//! `hoist repo add|update|list|remove|index|import-helm`.

use crate::args::OutputFormat;
use crate::output::print_structured;
use clap::{Args, Subcommand};
use hoist_core::action::list::ui_table;
use hoist_core::repo::cache::{self, Refreshed};
use hoist_core::repo::http::{Getter, HttpOptions};
use hoist_core::repo::write::{IndexOptions, index_directory};
use hoist_core::repo::{Paths, RepoEntry, RepoError, RepoFile};
use miette::{IntoDiagnostic, miette};
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

/// Add, list, remove, update and index chart repositories.
#[derive(Debug, Subcommand)]
pub enum RepoCommand {
    /// Add a chart repository.
    Add(AddArgs),
    /// Update the cached indexes of chart repositories.
    #[command(alias = "up")]
    Update(UpdateArgs),
    /// List chart repositories.
    #[command(alias = "ls")]
    List(ListArgs),
    /// Remove chart repositories.
    #[command(alias = "rm")]
    Remove(RemoveArgs),
    /// Generate an index file for a folder of packaged charts.
    Index(IndexArgs),
    /// Copy the repositories configured for Helm into hoist's configuration.
    ImportHelm,
}

/// `repo add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// Local name of the repository.
    pub name: String,
    /// Repository URL.
    pub url: String,
    #[command(flatten)]
    pub credentials: super::pull::RepoCredentialArgs,
    /// Read the password from standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// Replace (overwrite) the repository if it already exists.
    #[arg(long)]
    pub force_update: bool,
    /// Raise an error if the repository is already registered.
    #[arg(long)]
    pub no_update: bool,
    /// How long the index download may take (a Go duration; default 2m,
    /// or HOIST_HTTP_TIMEOUT).
    #[arg(long, value_parser = parse_timeout)]
    pub timeout: Option<std::time::Duration>,
    /// Allow the permanently deleted official repositories of Helm 2's
    /// days (kubernetes-charts*.storage.googleapis.com).
    #[arg(long)]
    pub allow_deprecated_repos: bool,
}

/// Helm's permanently deleted repositories and their replacements.
const DEPRECATED_REPOS: [(&str, &str); 2] = [
    (
        "//kubernetes-charts.storage.googleapis.com",
        "https://charts.helm.sh/stable",
    ),
    (
        "//kubernetes-charts-incubator.storage.googleapis.com",
        "https://charts.helm.sh/incubator",
    ),
];

fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    hoist_core::release::time::parse_timeout(text)
}

/// The HTTP settings, with `--timeout` over HOIST_HTTP_TIMEOUT; 0 is no
/// timeout, as Go's http.Client reads it (a year stands for none).
fn http_options(timeout: Option<std::time::Duration>) -> HttpOptions {
    let mut http = HttpOptions::from_env();
    match timeout {
        Some(t) if t.is_zero() => http.timeout = std::time::Duration::from_secs(365 * 24 * 3600),
        Some(t) => http.timeout = t,
        None => {}
    }
    http
}

/// `repo update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Repositories to update (default: all).
    pub names: Vec<String>,
    /// Fail on update warnings.
    #[arg(long)]
    pub fail_on_repo_update_fail: bool,
    /// How long each index download may take (a Go duration; default 2m,
    /// or HOIST_HTTP_TIMEOUT).
    #[arg(long, value_parser = parse_timeout)]
    pub timeout: Option<std::time::Duration>,
}

/// `repo list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

/// `repo remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Repositories to remove.
    #[arg(required = true)]
    pub names: Vec<String>,
}

/// `repo index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Folder of chart archives.
    pub dir: PathBuf,
    /// URL of the chart repository.
    #[arg(long, default_value = "")]
    pub url: String,
    /// Merge the generated index into this index file.
    #[arg(long)]
    pub merge: Option<PathBuf>,
    /// Write the index as JSON (index.json).
    #[arg(long)]
    pub json: bool,
}

fn err(e: RepoError) -> miette::Report {
    miette!("{e}")
}

pub fn run(cmd: RepoCommand) -> miette::Result<ExitCode> {
    let paths = Paths::from_env();
    match cmd {
        RepoCommand::Add(a) => super::release::block_on(add(a, paths)),
        RepoCommand::Update(a) => super::release::block_on(update(a, paths)),
        RepoCommand::List(a) => list(a, &paths),
        RepoCommand::Remove(a) => remove(a, &paths),
        RepoCommand::Index(a) => {
            index_directory(
                &a.dir,
                &IndexOptions {
                    url: a.url,
                    merge: a.merge,
                    json: a.json,
                },
            )
            .map_err(err)?;
            Ok(ExitCode::SUCCESS)
        }
        RepoCommand::ImportHelm => import_helm(&paths),
    }
}

async fn add(a: AddArgs, paths: Paths) -> miette::Result<ExitCode> {
    if !a.allow_deprecated_repos
        && let Some((_, replacement)) = DEPRECATED_REPOS.iter().find(|(old, _)| a.url.contains(old))
    {
        return Err(miette!(
            "repo {:?} is no longer available; try {replacement:?} instead",
            a.url
        ));
    }
    if a.name.contains('/') {
        return Err(miette!(
            "repository name ({}) contains '/', please specify a different name without '/'",
            a.name
        ));
    }
    let mut entry = a.credentials.entry();
    if a.password_stdin {
        let mut password = String::new();
        std::io::stdin()
            .read_to_string(&mut password)
            .into_diagnostic()?;
        entry.password = password.trim_end_matches(['\r', '\n']).to_string();
    } else if !entry.username.is_empty() && entry.password.is_empty() {
        // Helm asks for the password of --username on the terminal.
        if !std::io::stdin().is_terminal() {
            return Err(miette!(
                "--username {} needs a password, and standard input is not a terminal to ask for one: pass it with --password-stdin (or --password)",
                entry.username
            ));
        }
        entry.password = super::registry::prompt_secret("Password: ")?;
    }
    entry.name = a.name.clone();
    entry.url = a.url.clone();
    let config_path = paths.repository_config();
    let mut config = RepoFile::load(&config_path).map_err(err)?;
    if let Some(existing) = config.get(&a.name) {
        if a.no_update {
            return Err(miette!("repository name ({}) already exists", a.name));
        }
        if !a.force_update {
            if *existing == entry {
                println!(
                    "{:?} already exists with the same configuration, skipping",
                    a.name
                );
                return Ok(ExitCode::SUCCESS);
            }
            return Err(err(RepoError::RepoExists(a.name.clone())));
        }
    }
    let getter = Getter::new(&entry, &http_options(a.timeout)).map_err(err)?;
    // Helm checks the repository by downloading its index before saving it.
    let refreshed = cache::refresh(&entry, &getter, &paths.repository_cache())
        .await
        .map_err(|e| {
            miette!(
                "looks like {:?} is not a valid chart repository or cannot be reached: {e}",
                entry.url
            )
        })?;
    if let Refreshed::Updated { warnings, .. } = refreshed {
        for w in warnings {
            eprintln!("WARNING: {w}");
        }
    }
    config.upsert(entry);
    config.save(&config_path).map_err(err)?;
    println!("{:?} has been added to your repositories", a.name);
    Ok(ExitCode::SUCCESS)
}

async fn update(a: UpdateArgs, paths: Paths) -> miette::Result<ExitCode> {
    let config = RepoFile::load(&paths.repository_config()).map_err(err)?;
    if config.repositories.is_empty() {
        return Err(miette!(
            "no repositories found. You must add one before updating"
        ));
    }
    for n in &a.names {
        if config.get(n).is_none() {
            return Err(miette!(
                "no repositories found matching '{n}'.  Nothing will be updated"
            ));
        }
    }
    let chosen: Vec<RepoEntry> = config
        .repositories
        .iter()
        .filter(|r| a.names.is_empty() || a.names.contains(&r.name))
        .cloned()
        .collect();
    println!("Hang tight while we grab the latest from your chart repositories...");
    let tty = std::io::stderr().is_terminal();
    let multi = indicatif::MultiProgress::new();
    let http = http_options(a.timeout);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, entry) in chosen.into_iter().enumerate() {
        let bar = tty.then(|| {
            let b = multi.add(indicatif::ProgressBar::new_spinner());
            b.set_message(format!("{} ({})", entry.name, entry.url));
            b.enable_steady_tick(std::time::Duration::from_millis(120));
            b
        });
        let cache_dir = paths.repository_cache();
        let http = http.clone();
        tasks.spawn(async move {
            let result = match Getter::new(&entry, &http) {
                Ok(g) => cache::refresh(&entry, &g, &cache_dir).await,
                Err(e) => Err(e),
            };
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            (i, entry, result)
        });
    }
    let mut results = Vec::new();
    while let Some(done) = tasks.join_next().await {
        results.push(done.into_diagnostic()?);
    }
    results.sort_by_key(|r| r.0);
    let mut failed = Vec::new();
    for (_, entry, result) in results {
        match result {
            Ok(Refreshed::Updated { warnings, .. }) => {
                for w in warnings {
                    eprintln!("WARNING: {w}");
                }
                println!(
                    "...Successfully got an update from the {:?} chart repository",
                    entry.name
                );
            }
            Ok(Refreshed::NotModified) => {
                println!(
                    "...Successfully got an update from the {:?} chart repository",
                    entry.name
                );
            }
            Err(e) => {
                println!(
                    "...Unable to get an update from the {:?} chart repository ({}):\n\t{e}",
                    entry.name, entry.url
                );
                failed.push(entry.name);
            }
        }
    }
    if !failed.is_empty() {
        return Err(miette!(
            "failed to update the following repositories: {failed:?}"
        ));
    }
    println!("Update Complete. ⎈Happy Helming!⎈");
    Ok(ExitCode::SUCCESS)
}

#[derive(serde::Serialize)]
struct ListRow {
    name: String,
    url: String,
}

fn list(a: ListArgs, paths: &Paths) -> miette::Result<ExitCode> {
    let config = RepoFile::load(&paths.repository_config()).map_err(err)?;
    if config.repositories.is_empty() && a.output == OutputFormat::Table {
        return Err(miette!("no repositories to show"));
    }
    let rows: Vec<ListRow> = config
        .repositories
        .iter()
        .map(|r| ListRow {
            name: r.name.clone(),
            url: r.url.clone(),
        })
        .collect();
    match a.output {
        OutputFormat::Table => {
            let mut t = vec![vec!["NAME".to_string(), "URL".to_string()]];
            t.extend(rows.into_iter().map(|r| vec![r.name, r.url]));
            print!("{}", ui_table(&t));
        }
        f => print_structured(&rows, f)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn remove(a: RemoveArgs, paths: &Paths) -> miette::Result<ExitCode> {
    let config_path = paths.repository_config();
    let mut config = RepoFile::load(&config_path).map_err(err)?;
    for name in &a.names {
        if !config.remove(name) {
            return Err(err(RepoError::NoSuchRepo(name.clone())));
        }
        config.save(&config_path).map_err(err)?;
        cache::remove(&paths.repository_cache(), name);
        println!("{name:?} has been removed from your repositories");
    }
    Ok(ExitCode::SUCCESS)
}

fn import_helm(paths: &Paths) -> miette::Result<ExitCode> {
    let helm = Paths::helm_from_env();
    let helm_file = helm.repository_config();
    if !helm_file.exists() {
        return Err(miette!(
            "no Helm repositories file at {}",
            helm_file.display()
        ));
    }
    let theirs = RepoFile::load(&helm_file).map_err(err)?;
    let config_path = paths.repository_config();
    let mut mine = RepoFile::load(&config_path).map_err(err)?;
    let added = mine.import(&theirs);
    mine.save(&config_path).map_err(err)?;
    for name in &added {
        println!("{name:?} has been imported from {}", helm_file.display());
    }
    let skipped = theirs.repositories.len() - added.len();
    if skipped > 0 {
        println!("{skipped} repositories already configured in hoist were left as they are");
    }
    if !added.is_empty() {
        println!("Run `hoist repo update` to download their indexes.");
    }
    Ok(ExitCode::SUCCESS)
}
