//! `hoist dependency update|build|list` (alias `dep`).

use clap::{Args, Subcommand};
use hoist_core::action::list::ui_table;
use hoist_core::repo::FetchOptions;
use hoist_core::repo::deps::{DepOptions, DepReport, build, list, update};
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
    /// Keyring holding public keys for --verify.
    #[arg(long)]
    pub keyring: Option<PathBuf>,
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

fn options(a: &UpdateArgs) -> miette::Result<DepOptions> {
    if a.verify {
        // LEAD: provenance verification of dependencies goes here once
        // core::provenance exists.
        return Err(miette!(
            "--verify: provenance verification is not available in this build yet"
        ));
    }
    Ok(DepOptions {
        skip_refresh: a.skip_refresh,
        fetch: FetchOptions {
            http: HttpOptions::from_env(),
            ..FetchOptions::default()
        },
    })
}

fn print_report(r: &DepReport) {
    for m in &r.messages {
        println!("{m}");
    }
}

pub fn run(cmd: DependencyCommand) -> miette::Result<ExitCode> {
    match cmd {
        DependencyCommand::Update(a) => {
            let opts = options(&a)?;
            super::release::block_on(async move {
                let r = update(&a.chart, &opts).await.map_err(|e| miette!("{e}"))?;
                print_report(&r);
                Ok(ExitCode::SUCCESS)
            })
        }
        DependencyCommand::Build(a) => {
            let opts = options(&a)?;
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
