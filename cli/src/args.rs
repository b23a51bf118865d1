//! Flag definitions. Names, short forms and defaults follow Helm's so that
//! scripts written for `helm` keep working with `hoist`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// hoist: a Kubernetes chart package manager, drop-in compatible with Helm.
#[derive(Debug, Parser)]
#[command(name = "hoist", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render chart templates locally and print the manifests.
    Template(TemplateArgs),
    /// Check a chart for problems: structure, rendering, schema, kubeVersion.
    Lint(LintArgs),
    /// Create a new chart with a working starter layout.
    Create(CreateArgs),
    /// Package a chart folder into a versioned, reproducible archive.
    Package(PackageArgs),
    /// Show information about a chart.
    #[command(subcommand, alias = "inspect")]
    Show(ShowCommand),
    /// Print the version of hoist.
    Version(VersionArgs),
}

/// Output formats for machine-readable results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable text.
    Table,
    /// One JSON document.
    Json,
    /// One YAML document.
    Yaml,
}

/// The values flags shared by every command that renders a chart.
#[derive(Debug, Args, Default, Clone)]
pub struct ValuesArgs {
    /// Values files (repeatable; `-` reads standard input).
    #[arg(short = 'f', long = "values", value_delimiter = ',')]
    pub values: Vec<String>,
    /// Set values on the command line (key1=val1,key2=val2).
    #[arg(long = "set")]
    pub set: Vec<String>,
    /// Set string values on the command line; no type inference.
    #[arg(long = "set-string")]
    pub set_string: Vec<String>,
    /// Set values from files (key=path).
    #[arg(long = "set-file")]
    pub set_file: Vec<String>,
    /// Set JSON values on the command line (key=jsonval).
    #[arg(long = "set-json")]
    pub set_json: Vec<String>,
    /// Set a literal string value (no splitting or escapes).
    #[arg(long = "set-literal")]
    pub set_literal: Vec<String>,
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// Release name (defaults to `release-name`, as Helm's).
    #[arg(value_name = "NAME")]
    pub first: String,
    /// Chart folder or archive.
    #[arg(value_name = "CHART")]
    pub chart: Option<String>,
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Namespace scope for the release.
    #[arg(short = 'n', long, default_value = "default", env = "HOIST_NAMESPACE")]
    pub namespace: String,
    /// Kubernetes version used for Capabilities.KubeVersion.
    #[arg(long)]
    pub kube_version: Option<String>,
    /// Kubernetes API versions used for Capabilities.APIVersions (repeatable or comma-separated).
    #[arg(short = 'a', long = "api-versions", value_delimiter = ',')]
    pub api_versions: Vec<String>,
    /// Include CRDs in the output.
    #[arg(long)]
    pub include_crds: bool,
    /// Leave CRDs out (the default for `template`; accepted for symmetry with install).
    #[arg(long, conflicts_with = "include_crds")]
    pub skip_crds: bool,
    /// Only show manifests rendered from the given templates (repeatable, globs allowed).
    #[arg(short = 's', long = "show-only")]
    pub show_only: Vec<String>,
    /// Write the rendered templates to files in this folder instead of stdout.
    #[arg(long)]
    pub output_dir: Option<PathBuf>,
    /// Use the release name in the output-dir path.
    #[arg(long = "release-name")]
    pub use_release_name: bool,
    /// Set .Release.IsUpgrade instead of .Release.IsInstall.
    #[arg(long)]
    pub is_upgrade: bool,
    /// Leave test hooks out of the output.
    #[arg(long)]
    pub skip_tests: bool,
    /// Leave hooks out of the output.
    #[arg(long)]
    pub no_hooks: bool,
    /// Render subcharts' NOTES.txt too.
    #[arg(long)]
    pub render_subchart_notes: bool,
    /// Skip values.schema.json validation.
    #[arg(long)]
    pub skip_schema_validation: bool,
    /// Generate the release name (ignores NAME).
    #[arg(short = 'g', long)]
    pub generate_name: bool,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Chart folders or archives (default: the current folder).
    #[arg(value_name = "CHART")]
    pub charts: Vec<PathBuf>,
    /// Fail on warnings too.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Namespace used while rendering.
    #[arg(short = 'n', long, default_value = "default")]
    pub namespace: String,
    /// Kubernetes version used for Capabilities.KubeVersion and the kubeVersion check.
    #[arg(long)]
    pub kube_version: Option<String>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

/// Template engines a new chart can start with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EngineChoice {
    /// Go text/template, the format every Helm chart uses.
    Gotemplate,
    /// hoist's handlebars engine.
    Handlebars,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Name of the chart (also the folder created).
    pub name: PathBuf,
    /// Template engine of the starter chart.
    #[arg(long, value_enum, default_value = "gotemplate")]
    pub engine: EngineChoice,
}

#[derive(Debug, Args)]
pub struct PackageArgs {
    /// Chart folders to package.
    #[arg(required = true)]
    pub charts: Vec<PathBuf>,
    /// Set the chart's version (SemVer 2).
    #[arg(long)]
    pub version: Option<String>,
    /// Set the chart's appVersion.
    #[arg(long)]
    pub app_version: Option<String>,
    /// Where to write the archive.
    #[arg(short = 'd', long, default_value = ".")]
    pub destination: PathBuf,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub enum ShowCommand {
    /// Chart.yaml.
    Chart(ShowArgs),
    /// values.yaml.
    Values(ShowArgs),
    /// The README.
    Readme(ShowArgs),
    /// The CRDs under crds/.
    Crds(ShowArgs),
    /// Everything above.
    All(ShowArgs),
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Chart folder or archive.
    pub chart: PathBuf,
}

#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Print only the version number.
    #[arg(long)]
    pub short: bool,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}
