//! `hoist dependency update|build|list` (alias `dep`).

use clap::{Args, Subcommand};
use hoist_core::action::list::ui_table;
use hoist_core::registry::{ClientOptions, Credentials};
use hoist_core::repo::FetchOptions;
use hoist_core::repo::deps::{DepOptions, DepReport, build, list, load_with_dependencies, update};
use hoist_core::repo::http::HttpOptions;
use miette::miette;
use std::path::PathBuf;
use std::process::ExitCode;

/// Manage a chart's dependencies.
#[derive(Debug, Subcommand)]
pub enum DependencyCommand {
    /// Resolve Chart.yaml's dependencies, vendor them into charts/ and write Chart.lock.
    #[command(alias = "up")]
    Update(UpdateArgs),
    /// Vendor the dependencies Chart.lock names into charts/.
    Build(UpdateArgs),
    /// List the dependencies of a chart and their status.
    #[command(alias = "ls")]
    List(ListArgs),
}

/// `dependency update` / `build`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Chart folder.
    #[arg(default_value = ".")]
    pub chart: PathBuf,
    /// Do not refresh the repository indexes first.
    #[arg(long)]
    pub skip_refresh: bool,
    /// Verify the packages against their signatures.
    #[arg(long)]
    pub verify: bool,
    /// Keyring holding public keys for --verify (default: ~/.gnupg/pubring.gpg).
    #[arg(long)]
    pub keyring: Option<PathBuf>,
    /// How to reach OCI registries (credentials, plain HTTP, TLS checks);
    /// repositories named by URL use the settings of `repo add`.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// Registry and download settings of `dependency update|build` (Helm's
/// `--username`, `--password`, `--plain-http`, TLS flags).
#[derive(Debug, Args, Default, Clone)]
pub struct RemoteArgs {
    /// OCI registry username (used with --password instead of the stored login).
    #[arg(long)]
    pub username: Option<String>,
    /// OCI registry password.
    #[arg(long)]
    pub password: Option<String>,
    /// Talk plain HTTP to OCI registries (local registries).
    #[arg(long)]
    pub plain_http: bool,
    /// Skip TLS certificate checks of OCI registries.
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,
}

impl RemoteArgs {
    /// The registry client settings: explicit credentials only when both
    /// parts are given, as Helm does.
    pub fn registry(&self) -> ClientOptions {
        let credentials = match (&self.username, &self.password) {
            (Some(u), Some(p)) if !u.is_empty() && !p.is_empty() => Some(Credentials {
                username: u.clone(),
                password: p.clone(),
            }),
            _ => None,
        };
        ClientOptions {
            plain_http: self.plain_http,
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
            credentials,
            credentials_file: None,
        }
    }
}

/// `dependency list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Chart folder or archive.
    #[arg(default_value = ".")]
    pub chart: PathBuf,
    /// Maximum column width of the table.
    #[arg(long, default_value_t = 80)]
    pub max_col_width: usize,
}

/// The options of `update` or `build`; `verify_if_possible` for build,
/// where Helm only warns about a dependency without provenance.
fn options(a: &UpdateArgs, verify_if_possible: bool) -> miette::Result<DepOptions> {
    Ok(DepOptions {
        skip_refresh: a.skip_refresh,
        fetch: FetchOptions {
            http: HttpOptions::from_env(),
            registry: a.remote.registry(),
            ..FetchOptions::default()
        },
        verify: a.verify.then(|| {
            a.keyring
                .clone()
                .unwrap_or_else(super::pull::default_keyring)
        }),
        verify_if_possible,
    })
}

fn print_report(r: &DepReport) {
    for m in &r.messages {
        println!("{m}");
    }
}

/// Install/upgrade `--dependency-update`: loads the chart at `path`, and
/// when Chart.yaml declares dependencies missing from charts/ either fails
/// with Helm's message or (with `update`) runs `dependency update` first,
/// printing its progress (to stderr when `quiet_stdout`, so `-o json`
/// stays parseable).
pub async fn load_checked(
    path: &std::path::Path,
    update: bool,
    fetch: FetchOptions,
    quiet_stdout: bool,
) -> miette::Result<hoist_core::chart::Chart> {
    let opts = DepOptions {
        skip_refresh: false,
        fetch,
        verify: None,
        verify_if_possible: false,
    };
    let (chart, report) = load_with_dependencies(path, update, &opts)
        .await
        .map_err(|e| miette!("{e}"))?;
    for m in &report.messages {
        if quiet_stdout {
            eprintln!("{m}");
        } else {
            println!("{m}");
        }
    }
    Ok(chart)
}

pub fn run(cmd: DependencyCommand) -> miette::Result<ExitCode> {
    match cmd {
        DependencyCommand::Update(a) => {
            let opts = options(&a, false)?;
            super::release::block_on(async move {
                let r = update(&a.chart, &opts).await.map_err(|e| miette!("{e}"))?;
                print_report(&r);
                Ok(ExitCode::SUCCESS)
            })
        }
        DependencyCommand::Build(a) => {
            let opts = options(&a, true)?;
            super::release::block_on(async move {
                let r = build(&a.chart, &opts).await.map_err(|e| miette!("{e}"))?;
                print_report(&r);
                Ok(ExitCode::SUCCESS)
            })
        }
        DependencyCommand::List(a) => {
            let rows = list(&a.chart).map_err(|e| miette!("{e}"))?;
            if rows.is_empty() {
                println!(
                    "WARNING: no dependencies at {}",
                    a.chart.join("charts").display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            let cut = |s: &str| -> String {
                if s.chars().count() > a.max_col_width {
                    let keep: String = s.chars().take(a.max_col_width.saturating_sub(3)).collect();
                    format!("{keep}...")
                } else {
                    s.to_string()
                }
            };
            let mut t = vec![
                ["NAME", "VERSION", "REPOSITORY", "STATUS"]
                    .map(String::from)
                    .to_vec(),
            ];
            for r in rows {
                t.push(
                    [&r.name, &r.version, &r.repository, &r.status]
                        .map(|s| cut(s))
                        .to_vec(),
                );
            }
            println!("{}", ui_table(&t));
            Ok(ExitCode::SUCCESS)
        }
    }
}
