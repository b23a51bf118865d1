//! `hoist status`: Helm v4's `helm status` (`--revision`, `-o`), which
//! always prints the description and the release's resources as they are
//! in the cluster now.

use super::release::{connect, print_release, storage, with_storage};
use crate::args::{ClusterArgs, OutputFormat};
use clap::Args;
use hoist_core::action::status::{ResourceView, StatusOptions, run_status, status_text_colored};
use miette::miette;
use std::process::ExitCode;

/// `hoist status RELEASE_NAME`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Release name.
    pub name: String,
    /// Helm's global flags, given anywhere on the command line.
    #[arg(skip)]
    pub cluster: ClusterArgs,
    /// If set, display the status of the named release with revision.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub revision: i64,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
    /// Accepted for Helm 3 scripts; Helm 4 always shows the description.
    #[arg(long, hide = true)]
    pub show_desc: bool,
    /// Accepted for Helm 3 scripts; Helm 4 always shows the resources.
    #[arg(long, hide = true)]
    pub show_resources: bool,
}

pub async fn run(a: StatusArgs) -> miette::Result<ExitCode> {
    let client = connect(&a.cluster).await?;
    let namespace = client.namespace().to_string();
    let backend = storage(&a.cluster, &client, Some(&namespace));
    // As kubectl does, the text output asks the server for its tables and
    // JSON/YAML carry the whole objects.
    let opts = StatusOptions {
        revision: a.revision,
        resources: match a.output {
            OutputFormat::Table => ResourceView::Table,
            _ => ResourceView::Objects,
        },
    };
    let mut rel = with_storage!(&backend, s => run_status(s, &client, &a.name, &opts).await)
        .map_err(|e| miette!("{e}"))?;
    match a.output {
        OutputFormat::Table => print!(
            "{}",
            status_text_colored(&rel, crate::output::colour_stdout())
        ),
        f => {
            // Helm's command drops the chart before printing.
            rel.chart = None;
            print_release(&rel, f)?
        }
    }
    Ok(ExitCode::SUCCESS)
}
