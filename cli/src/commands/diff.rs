//! `hoist diff upgrade|rollback`: what the operation would change on the
//! cluster, as a unified diff per object (helm-diff's output, built in).

use super::release::{connect, print_rows, storage, with_storage};
use crate::args::{ClusterArgs, OutputFormat, ValuesArgs};
use crate::output::merge_values;
use clap::{Args, Subcommand};
use hoist_core::action::diff::{
    DEFAULT_CONTEXT_LINES, DiffOptions, ObjectDiff, diff_rollback, diff_text, diff_upgrade,
    has_changes,
};
use hoist_core::action::upgrade::UpgradeOptions;
use hoist_core::chart;
use hoist_core::values::reuse::ReuseMode;
use miette::miette;
use std::process::ExitCode;

/// `hoist diff` subcommands.
#[derive(Debug, Subcommand)]
pub enum DiffCommand {
    /// Show what `hoist upgrade NAME CHART` would change on the cluster.
    Upgrade(Box<DiffUpgradeArgs>),
    /// Show what `hoist rollback NAME [REVISION]` would change on the cluster.
    Rollback(Box<DiffRollbackArgs>),
}

/// How the diff is reported.
#[derive(Debug, Args)]
pub struct DiffReportArgs {
    /// Exit with code 2 when there are changes, 0 when there are none.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Never colour the output (colour is used only on a terminal, and not
    /// when NO_COLOR is set).
    #[arg(long)]
    pub no_color: bool,
    /// Lines of unchanged context around each change.
    #[arg(short = 'C', long, default_value_t = DEFAULT_CONTEXT_LINES)]
    pub context: usize,
    /// Leave hooks out of the diff.
    #[arg(long)]
    pub no_hooks: bool,
    /// Also diff test hooks.
    #[arg(long)]
    pub include_tests: bool,
    /// Output format: table is the coloured text diff.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

/// `hoist diff upgrade`.
#[derive(Debug, Args)]
pub struct DiffUpgradeArgs {
    /// Release name.
    pub name: String,
    /// Chart folder or archive.
    pub chart: String,
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Helm's global flags, given anywhere on the command line.
    #[arg(skip)]
    pub cluster: ClusterArgs,
    /// Diff a release that does not exist yet as `upgrade --install` would
    /// install it.
    #[arg(short = 'i', long)]
    pub install: bool,
    /// Reuse the last release's values and merge in the new ones.
    #[arg(long)]
    pub reuse_values: bool,
    /// Reset the values to the chart's defaults.
    #[arg(long)]
    pub reset_values: bool,
    /// Reset to the chart's defaults, then merge the last release's values and the new ones.
    #[arg(long)]
    pub reset_then_reuse_values: bool,
    /// Skip values.schema.json validation.
    #[arg(long)]
    pub skip_schema_validation: bool,
    /// Let `getHostByName` in templates ask DNS (helm-diff's flag).
    #[arg(long)]
    pub enable_dns: bool,
    /// As upgrade's --take-ownership: objects owned by no or another release may be adopted.
    #[arg(long)]
    pub take_ownership: bool,
    #[command(flatten)]
    pub post_render: super::upgrade::PostRenderArgs,
    #[command(flatten)]
    pub report: DiffReportArgs,
}

/// `hoist diff rollback`.
#[derive(Debug, Args)]
pub struct DiffRollbackArgs {
    /// Release name.
    pub name: String,
    /// Revision to return to (default: the one before the last).
    pub revision: Option<i64>,
    /// Helm's global flags, given anywhere on the command line.
    #[arg(skip)]
    pub cluster: ClusterArgs,
    #[command(flatten)]
    pub report: DiffReportArgs,
}

pub async fn run(c: DiffCommand) -> miette::Result<ExitCode> {
    match c {
        DiffCommand::Upgrade(a) => upgrade(*a).await,
        DiffCommand::Rollback(a) => rollback(*a).await,
    }
}

async fn upgrade(a: DiffUpgradeArgs) -> miette::Result<ExitCode> {
    let post_renderer = a.post_render.renderer()?;
    let chart = chart::load(std::path::Path::new(&a.chart)).map_err(|e| miette!("{e}"))?;
    let user_values = merge_values(&a.values)?;
    let reuse = match (a.reset_values, a.reuse_values, a.reset_then_reuse_values) {
        (true, _, _) => ReuseMode::Reset,
        (false, true, _) => ReuseMode::Reuse,
        (false, false, true) => ReuseMode::ResetThenReuse,
        _ => ReuseMode::Default,
    };
    let client = connect(&a.cluster).await?;
    let namespace = client.namespace().to_string();
    let opts = UpgradeOptions {
        name: a.name.clone(),
        namespace: namespace.clone(),
        user_values,
        install: a.install,
        reuse,
        dry_run: hoist_core::action::dry_run::DryRun::Server,
        skip_schema_validation: a.skip_schema_validation,
        enable_dns: a.enable_dns,
        take_ownership: a.take_ownership,
        post_renderer,
        ..UpgradeOptions::default()
    };
    let backend = storage(&a.cluster, &client, Some(&namespace));
    let diffs = with_storage!(&backend, s => diff_upgrade(s, &client, chart, &opts, &a.report.options()).await)
        .map_err(|e| miette!("DIFF FAILED: {e}"))?;
    report(&diffs, &a.report)
}

async fn rollback(a: DiffRollbackArgs) -> miette::Result<ExitCode> {
    let client = connect(&a.cluster).await?;
    let namespace = client.namespace().to_string();
    let backend = storage(&a.cluster, &client, Some(&namespace));
    let revision = a.revision.unwrap_or(0);
    let diffs = with_storage!(&backend, s => diff_rollback(s, &client, &a.name, revision, &a.report.options()).await)
        .map_err(|e| miette!("DIFF FAILED: {e}"))?;
    report(&diffs, &a.report)
}

impl DiffReportArgs {
    fn options(&self) -> DiffOptions {
        DiffOptions {
            context: self.context,
            no_hooks: self.no_hooks,
            include_tests: self.include_tests,
        }
    }
}

/// Prints the diffs and picks the exit code.
fn report(diffs: &[ObjectDiff], r: &DiffReportArgs) -> miette::Result<ExitCode> {
    match r.output {
        OutputFormat::Table => {
            let text = diff_text(diffs);
            if !r.no_color && crate::output::colour_stdout() {
                print!("{}", colourize(&text));
            } else {
                print!("{text}");
            }
        }
        f => print_rows(&diffs, f)?,
    }
    Ok(if r.detailed_exitcode && has_changes(diffs) {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const YELLOW: &str = "\x1b[33m";
const RESET: &str = "\x1b[0m";

/// ANSI colours for the text report: headers yellow, hunk lines cyan,
/// removals red, additions green.
fn colourize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let colour = if body.starts_with("@@") {
            Some(CYAN)
        } else if body.starts_with('-') {
            Some(RED)
        } else if body.starts_with('+') {
            Some(GREEN)
        } else if !body.is_empty() && !body.starts_with(' ') {
            Some(YELLOW)
        } else {
            None
        };
        match colour {
            Some(c) => {
                out.push_str(c);
                out.push_str(body);
                out.push_str(RESET);
            }
            None => out.push_str(body),
        }
        out.push_str(nl);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_follow_line_kinds() {
        let text = "ns, a, ConfigMap (v1) has changed:\n@@ -1 +1 @@\n-a: 1\n+a: 2\n b: 3\n\n";
        let c = colourize(text);
        assert!(c.contains(&format!(
            "{YELLOW}ns, a, ConfigMap (v1) has changed:{RESET}\n"
        )));
        assert!(c.contains(&format!("{RED}-a: 1{RESET}\n")));
        assert!(c.contains(&format!("{GREEN}+a: 2{RESET}\n")));
        assert!(c.contains("\n b: 3\n\n"));
        assert_eq!(
            c.replace(RED, "")
                .replace(GREEN, "")
                .replace(CYAN, "")
                .replace(YELLOW, "")
                .replace(RESET, ""),
            text
        );
    }
}
