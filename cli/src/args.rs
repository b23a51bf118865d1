//! Flag definitions. Names, short forms and defaults follow Helm's so that
//! scripts written for `helm` keep working with `hoist`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use hoist_core::action::dry_run::DryRun;
use hoist_core::kube::WaitStrategy;
use hoist_core::kube::wait::WaitFlag;
use std::ffi::OsString;
use std::path::PathBuf;

/// hoist: a Kubernetes chart package manager, drop-in compatible with Helm.
#[derive(Debug, Parser)]
#[command(name = "hoist", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print what hoist does, step by step, on stderr (Helm's --debug).
    #[arg(long, global = true, env = "HOIST_DEBUG")]
    pub debug: bool,
    /// When to colour the output: never, auto (only on a terminal, never
    /// with NO_COLOR or TERM=dumb) or always.
    #[arg(
        long,
        alias = "colour",
        global = true,
        value_enum,
        env = "HOIST_COLOR",
        default_value = "auto"
    )]
    pub color: ColorMode,
    #[command(flatten)]
    pub locations: LocationArgs,
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// Helm's global flags that move one configuration file or cache folder.
#[derive(Debug, Args, Clone, Default)]
pub struct LocationArgs {
    /// The file of repository names and URLs (default:
    /// <config home>/repositories.yaml).
    #[arg(
        long,
        global = true,
        env = "HOIST_REPOSITORY_CONFIG",
        value_name = "FILE"
    )]
    pub repository_config: Option<PathBuf>,
    /// The folder of cached repository indexes (default:
    /// <cache home>/repository).
    #[arg(
        long,
        global = true,
        env = "HOIST_REPOSITORY_CACHE",
        value_name = "DIR"
    )]
    pub repository_cache: Option<PathBuf>,
    /// The folder of downloaded charts (default: <cache home>/charts).
    #[arg(long, global = true, env = "HOIST_CONTENT_CACHE", value_name = "DIR")]
    pub content_cache: Option<PathBuf>,
    /// The registry credentials file (default:
    /// <config home>/registry/config.json).
    #[arg(
        long,
        global = true,
        env = "HOIST_REGISTRY_CONFIG",
        value_name = "FILE"
    )]
    pub registry_config: Option<PathBuf>,
}

impl LocationArgs {
    /// The variable each given flag stands for, with its value: the core
    /// library finds these files through the environment.
    pub fn as_environment(&self) -> Vec<(&'static str, &PathBuf)> {
        [
            ("HOIST_REPOSITORY_CONFIG", &self.repository_config),
            ("HOIST_REPOSITORY_CACHE", &self.repository_cache),
            ("HOIST_CONTENT_CACHE", &self.content_cache),
            ("HOIST_REGISTRY_CONFIG", &self.registry_config),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_ref().map(|v| (name, v)))
        .collect()
    }
}

impl Cli {
    /// The command to run, with Helm's global cluster flags (given before
    /// or after it) where its code reads them.
    pub fn into_command(self) -> Command {
        let Cli {
            command,
            cluster,
            debug,
            ..
        } = self;
        match with_cluster(command, cluster) {
            Command::Env(mut a) => {
                a.debug = debug;
                Command::Env(a)
            }
            other => other,
        }
    }
}

/// Every `--kube-as-group` on the command line, before and after the
/// command: clap keeps only the occurrences at the last level for a global
/// flag, where Helm's string array collects them all. `None` when the
/// flag is not given (the environment then applies).
pub fn kube_as_groups(args: &[String]) -> Option<Vec<String>> {
    let mut groups = Vec::new();
    let mut given = false;
    let mut args = args.iter().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--" {
            break;
        }
        let value = if arg == "--kube-as-group" {
            args.next().cloned()
        } else {
            arg.strip_prefix("--kube-as-group=").map(str::to_string)
        };
        if let Some(value) = value {
            given = true;
            groups.extend(
                value
                    .split(',')
                    .filter(|g| !g.is_empty())
                    .map(str::to_string),
            );
        }
    }
    given.then_some(groups)
}

fn with_cluster(command: Command, cluster: ClusterArgs) -> Command {
    use crate::commands::diff::DiffCommand;
    macro_rules! give {
        ($variant:path, $args:ident) => {{
            let mut a = $args;
            a.cluster = cluster;
            $variant(a)
        }};
    }
    match command {
        Command::Template(mut a) => {
            a.namespace = crate::commands::release::rendering_namespace(&cluster);
            a.cluster = cluster;
            Command::Template(a)
        }
        Command::Lint(mut a) => {
            a.namespace = crate::commands::release::rendering_namespace(&cluster);
            Command::Lint(a)
        }
        Command::Install(a) => give!(Command::Install, a),
        Command::Uninstall(a) => give!(Command::Uninstall, a),
        Command::List(a) => give!(Command::List, a),
        Command::Status(a) => give!(Command::Status, a),
        Command::History(a) => give!(Command::History, a),
        Command::Upgrade(a) => give!(Command::Upgrade, a),
        Command::Rollback(a) => give!(Command::Rollback, a),
        Command::Test(a) => give!(Command::Test, a),
        Command::Env(a) => give!(Command::Env, a),
        Command::Get(get) => Command::Get(match get {
            GetCommand::Values(a) => give!(GetCommand::Values, a),
            GetCommand::Manifest(a) => give!(GetCommand::Manifest, a),
            GetCommand::Notes(a) => give!(GetCommand::Notes, a),
            GetCommand::Hooks(a) => give!(GetCommand::Hooks, a),
            GetCommand::Metadata(a) => give!(GetCommand::Metadata, a),
            GetCommand::All(mut a) => {
                a.get.cluster = cluster;
                GetCommand::All(a)
            }
        }),
        Command::Diff(DiffCommand::Upgrade(mut a)) => {
            a.cluster = cluster;
            Command::Diff(DiffCommand::Upgrade(a))
        }
        Command::Diff(DiffCommand::Rollback(mut a)) => {
            a.cluster = cluster;
            Command::Diff(DiffCommand::Rollback(a))
        }
        other => other,
    }
}

/// Helm v4's `--color` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorMode {
    /// Never colour.
    Never,
    /// Colour for a person at a terminal.
    Auto,
    /// Always colour, even into a pipe.
    Always,
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
    /// Install a chart as a release on the cluster.
    Install(InstallArgs),
    /// Uninstall releases: delete their objects and their history.
    #[command(alias = "delete", alias = "un", alias = "del")]
    Uninstall(UninstallArgs),
    /// List releases.
    #[command(alias = "ls")]
    List(ListArgs),
    /// Show the status of a release.
    Status(crate::commands::status::StatusArgs),
    /// Show the revisions of a release.
    #[command(alias = "hist")]
    History(HistoryArgs),
    /// Show parts of a release.
    #[command(subcommand)]
    Get(GetCommand),
    /// Upgrade a release to a new chart version or new values.
    Upgrade(UpgradeArgs),
    /// Roll a release back to an earlier revision.
    Rollback(RollbackArgs),
    /// Run a release's tests (its `helm.sh/hook: test` Jobs and Pods).
    Test(TestArgs),
    /// Show what an upgrade or a rollback would change on the cluster.
    #[command(subcommand)]
    Diff(crate::commands::diff::DiffCommand),
    /// Print a shell completion script (bash, zsh, fish...).
    Completion(crate::commands::completion::CompletionArgs),
    /// Print the settings hoist runs with (Helm's `env`).
    Env(crate::commands::env::EnvArgs),
    /// Verify that a chart archive is signed and its provenance matches it.
    Verify(crate::commands::verify::VerifyArgs),
    /// Push a chart archive to an OCI registry.
    Push(crate::commands::push::PushArgs),
    /// Log in to or out of OCI registries.
    #[command(subcommand)]
    Registry(crate::commands::registry::RegistryCommand),
    /// Add, list, remove, update and index chart repositories.
    #[command(subcommand)]
    Repo(crate::commands::repo::RepoCommand),
    /// Search for charts in the configured repositories.
    #[command(subcommand)]
    Search(crate::commands::search::SearchCommand),
    /// Download a chart from a repository (and optionally unpack it).
    #[command(alias = "fetch")]
    Pull(crate::commands::pull::PullArgs),
    /// Manage a chart's dependencies.
    #[command(subcommand, alias = "dep", alias = "dependencies")]
    Dependency(crate::commands::dependency::DependencyCommand),
    /// Install, list, update or uninstall Helm plugins.
    #[command(subcommand)]
    Plugin(crate::commands::plugin::PluginCommand),
    /// `hoist NAME ARGS...`: the installed Helm plugin NAME.
    #[command(external_subcommand)]
    External(Vec<OsString>),
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
    /// Run `dependency update` first when dependencies are missing from charts/.
    #[arg(long)]
    pub dependency_update: bool,
    #[command(flatten)]
    pub values: ValuesArgs,
    /// The global `-n/--namespace`, else the kubeconfig context's, else
    /// `default`.
    #[arg(skip)]
    pub namespace: String,
    /// Helm's global flags: the cluster for `--dry-run=server`.
    #[arg(skip)]
    pub cluster: ClusterArgs,
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
    /// Let `getHostByName` in templates ask DNS (without it, it returns "").
    #[arg(long)]
    pub enable_dns: bool,
    /// Generate the release name (ignores NAME).
    #[arg(short = 'g', long)]
    pub generate_name: bool,
    /// Name the release from this Go template (Sprig functions, no data).
    #[arg(long, value_name = "TEMPLATE")]
    pub name_template: Option<String>,
    /// Where to find a chart that is not local (REPO/CHART, --repo, --version).
    #[command(flatten)]
    pub chart_ref: crate::commands::pull::ChartRefArgs,
    #[command(flatten)]
    pub post_render: crate::commands::upgrade::PostRenderArgs,
    /// Verify the chart's provenance (.prov) before using it.
    #[arg(long)]
    pub verify: bool,
    /// Keyring with the public keys for --verify (default: ~/.gnupg/pubring.gpg).
    #[arg(long)]
    pub keyring: Option<PathBuf>,
    /// `--dry-run[=client]` renders without the cluster (template always
    /// is a dry run); `--dry-run=server` renders against it.
    #[command(flatten)]
    pub dry_run: DryRunArg,
    /// With --dry-run=server: objects that exist outside the release would
    /// be adopted, so they do not fail the check.
    #[arg(long)]
    pub take_ownership: bool,
    /// Helm 3's `--validate`, deprecated there for `--dry-run=server`,
    /// which it means.
    #[arg(long, hide = true, conflicts_with = "dry_run")]
    pub validate: bool,
    /// Print Secrets as a comment instead of their data (not with
    /// --output-dir, where Helm writes them whole too).
    #[arg(long)]
    pub hide_secret: bool,
    #[command(flatten)]
    pub ignored: TemplateIgnoredArgs,
}

/// Install flags that Helm's `template` accepts and ignores (it shares
/// install's flag set), so a command line switched from `helm install` to
/// `template` still parses. They change nothing here either.
#[derive(Debug, Args, Clone, Default)]
pub struct TemplateIgnoredArgs {
    #[arg(long, hide = true)]
    create_namespace: bool,
    #[arg(long, hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "watcher")]
    wait: Option<WaitFlag>,
    #[arg(long, hide = true)]
    wait_for_jobs: bool,
    #[arg(long, hide = true, value_parser = parse_timeout)]
    timeout: Option<std::time::Duration>,
    #[arg(long, hide = true, alias = "rollback-on-failure")]
    atomic: bool,
    #[arg(short = 'l', long, hide = true, value_parser = parse_labels)]
    labels: Vec<std::collections::BTreeMap<String, String>>,
    #[arg(long, hide = true)]
    description: Option<String>,
    #[arg(long, hide = true)]
    replace: bool,
    #[arg(long, hide = true, alias = "force-replace")]
    force: bool,
    #[arg(long, hide = true)]
    force_conflicts: bool,
    #[arg(long, hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    server_side: Option<String>,
    #[arg(long, hide = true)]
    disable_openapi_validation: bool,
    #[arg(long, hide = true)]
    hide_notes: bool,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Chart folders or archives (default: the current folder), or charts
    /// to download: REPO/CHART, oci://..., a chart URL, a name with --repo.
    #[arg(value_name = "CHART")]
    pub charts: Vec<String>,
    /// Where to find a chart that is not local (REPO/CHART, oci://, --repo, --version).
    #[command(flatten)]
    pub chart_ref: crate::commands::pull::ChartRefArgs,
    /// Fail on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Lint the charts under each chart's charts/ folder too.
    #[arg(long)]
    pub with_subcharts: bool,
    /// Print only warnings and errors (and nothing for a clean chart).
    #[arg(long)]
    pub quiet: bool,
    /// Skip values.schema.json validation.
    #[arg(long)]
    pub skip_schema_validation: bool,
    #[command(flatten)]
    pub values: ValuesArgs,
    /// The global `-n/--namespace`, else the kubeconfig context's, else
    /// `default`.
    #[arg(skip)]
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
    /// Start from this starter chart instead: a name under
    /// <data home>/starters/, or an absolute path.
    #[arg(short = 'p', long, value_name = "STARTER", conflicts_with = "engine")]
    pub starter: Option<PathBuf>,
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
    /// Sign the archive with a PGP private key, writing ARCHIVE.prov beside it.
    #[arg(long)]
    pub sign: bool,
    /// Name (or email, or part of the user ID) of the signing key.
    #[arg(long)]
    pub key: Option<String>,
    /// Keyring holding the secret key (binary or ASCII-armored).
    #[arg(long)]
    pub keyring: Option<PathBuf>,
    /// File whose first line is the key's passphrase (`-` reads standard input).
    #[arg(long)]
    pub passphrase_file: Option<PathBuf>,
    /// Run `dependency update` on each chart first (charts/ from Chart.yaml).
    #[arg(short = 'u', long)]
    pub dependency_update: bool,
    /// How `--dependency-update` reaches OCI registries.
    #[command(flatten)]
    pub remote: crate::commands::dependency::RemoteArgs,
}

#[derive(Debug, Subcommand)]
pub enum ShowCommand {
    /// Chart.yaml.
    Chart(ShowArgs),
    /// values.yaml.
    Values(ShowValuesArgs),
    /// The README.
    Readme(ShowArgs),
    /// The CRDs under crds/.
    Crds(ShowArgs),
    /// Everything above.
    All(ShowArgs),
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Chart folder or archive, REPO/CHART, or a chart URL.
    pub chart: PathBuf,
    /// Output format (schemas in docs/cli-output.md).
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
    /// Where to find a chart that is not local (REPO/CHART, --repo, --version).
    #[command(flatten)]
    pub chart_ref: crate::commands::pull::ChartRefArgs,
}

/// `show values`: [`ShowArgs`] and Helm's `--jsonpath`, which only
/// `show values` has.
#[derive(Debug, Args)]
pub struct ShowValuesArgs {
    #[command(flatten)]
    pub show: ShowArgs,
    /// Print this JSONPath template over the values instead of
    /// values.yaml, as Helm does (kubectl's syntax, e.g. '{.image.tag}'
    /// or '{range .ports[*]}{.name}{"\n"}{end}').
    #[arg(
        long,
        value_name = "TEMPLATE",
        conflicts_with = "output",
        allow_hyphen_values = true
    )]
    pub jsonpath: Option<String>,
}

#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Print only the version number.
    #[arg(long)]
    pub short: bool,
    /// Print through this Go template instead ({{.Version}},
    /// {{.GitCommit}}, {{.GitTreeState}}, {{.GoVersion}},
    /// {{.KubeClientVersion}}, {{.HelmCompatible}}).
    #[arg(long, value_name = "TEMPLATE")]
    pub template: Option<String>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

/// Where releases live: which cluster, which namespace, which storage.
/// Global, as Helm's: accepted before or after any command, and ignored
/// by the commands that do not reach a cluster.
#[derive(Debug, Args, Clone, Default)]
pub struct ClusterArgs {
    /// Namespace of the release (default: the kubeconfig context's).
    #[arg(global = true, short = 'n', long, env = "HOIST_NAMESPACE")]
    pub namespace: Option<String>,
    /// Path to the kubeconfig file.
    #[arg(global = true, long)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use.
    #[arg(global = true, long, env = "HOIST_KUBECONTEXT")]
    pub kube_context: Option<String>,
    /// The address and port of the Kubernetes API server (no kubeconfig
    /// needed with it).
    #[arg(global = true, long, env = "HOIST_KUBEAPISERVER")]
    pub kube_apiserver: Option<String>,
    /// A bearer token for the API server, instead of the kubeconfig user's
    /// credentials.
    #[arg(global = true, long, env = "HOIST_KUBETOKEN", hide_env_values = true)]
    pub kube_token: Option<String>,
    /// Impersonate this user.
    #[arg(global = true, long, env = "HOIST_KUBEASUSER")]
    pub kube_as_user: Option<String>,
    /// Impersonate this group (repeat for more; the env var takes a
    /// comma-separated list).
    #[arg(global = true, long, env = "HOIST_KUBEASGROUPS", value_delimiter = ',')]
    pub kube_as_group: Vec<String>,
    /// The certificate authority file for the API server's certificate.
    #[arg(global = true, long, env = "HOIST_KUBECAFILE")]
    pub kube_ca_file: Option<PathBuf>,
    /// Do not check the API server's certificate (insecure). Takes
    /// `=true`/`=false` as Helm's boolean flags do.
    #[arg(
        global = true,
        long,
        env = "HOIST_KUBEINSECURE_SKIP_TLS_VERIFY",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        default_value_t = false,
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new(),
        value_name = "BOOL"
    )]
    pub kube_insecure_skip_tls_verify: bool,
    /// The name to check the API server's certificate against.
    #[arg(global = true, long, env = "HOIST_KUBETLS_SERVER_NAME")]
    pub kube_tls_server_name: Option<String>,
    /// Where release records are stored (Helm's HELM_DRIVER): secret,
    /// configmap or memory. Checked only by the commands that use it, so
    /// a HELM_DRIVER hoist lacks (sql) does not stop `template`.
    #[arg(
        global = true,
        long,
        env = "HOIST_DRIVER",
        default_value = "secret",
        value_name = "DRIVER"
    )]
    pub storage: String,
    /// Throttle requests to the API server to this many per second after
    /// the burst (default: no throttling; Helm's default is 5 per second).
    #[arg(global = true, long, env = "HOIST_QPS", allow_negative_numbers = true)]
    pub qps: Option<f32>,
    /// With --qps, how many requests may go at once before throttling
    /// starts (default 100, as Helm's).
    #[arg(global = true, long, env = "HOIST_BURST_LIMIT")]
    pub burst_limit: Option<u32>,
}

impl ClusterArgs {
    /// The storage backend `--storage` / HOIST_DRIVER / HELM_DRIVER names.
    pub fn storage_choice(&self) -> Result<StorageChoice, String> {
        StorageChoice::from_str(&self.storage, true).map_err(|_| {
            format!(
                "storage driver {:?} is not supported by hoist: use secret, configmap or memory",
                self.storage
            )
        })
    }
}

/// Release storage backends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum StorageChoice {
    /// Secrets in the release namespace (Helm's default).
    #[default]
    #[value(alias = "secrets")]
    Secret,
    /// ConfigMaps in the release namespace.
    #[value(alias = "configmaps")]
    Configmap,
    /// In memory, for this process only.
    Memory,
}

/// Flags shared by install, upgrade and rollback: waiting, failure
/// handling and ownership.
#[derive(Debug, Args, Clone)]
pub struct DeployArgs {
    /// Wait until the objects are ready (Deployments available, Pods
    /// ready, PVCs bound...) before marking the release deployed:
    /// `--wait` or `--wait=watcher` (Helm v4's rules), `--wait=legacy`
    /// (Helm 3's), `--wait=hookOnly` (only hooks, the default).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "watcher", value_name = "STRATEGY")]
    pub wait: Option<WaitFlag>,
    /// With --wait, also wait for Jobs to complete.
    #[arg(long)]
    pub wait_for_jobs: bool,
    /// How long to wait for any single Kubernetes operation, hooks and
    /// --wait included (a Go duration).
    #[arg(long, default_value = "5m0s", value_parser = parse_timeout)]
    pub timeout: std::time::Duration,
    /// On failure, undo: uninstall a failed install, roll back a failed
    /// upgrade. Implies --wait.
    #[arg(long, alias = "rollback-on-failure")]
    pub atomic: bool,
    /// Take over fields that other field managers own (server-side apply).
    #[arg(long)]
    pub force_conflicts: bool,
}

impl DeployArgs {
    /// Whether objects are waited for (`--atomic` implies `--wait`, as in Helm).
    pub fn waits(&self) -> bool {
        matches!(self.wait, Some(WaitFlag::Resources(_))) || self.atomic
    }

    /// The readiness rules for resources and hooks.
    pub fn strategy(&self) -> WaitStrategy {
        self.wait.map(WaitFlag::hook_strategy).unwrap_or_default()
    }
}

fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    hoist_core::release::time::parse_timeout(text)
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Release name (omit with --generate-name).
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Chart folder or archive.
    #[arg(value_name = "CHART")]
    pub chart: Option<String>,
    /// Generate the release name (CHART-UNIXSECONDS); NAME is then the chart.
    #[arg(short = 'g', long)]
    pub generate_name: bool,
    /// Name the release from this Go template (Sprig functions, no data),
    /// e.g. 'web-{{ randAlpha 5 | lower }}'; NAME is then the chart.
    #[arg(long, value_name = "TEMPLATE")]
    pub name_template: Option<String>,
    /// Where to find a chart that is not local (REPO/CHART, oci://, --repo, --version).
    #[command(flatten)]
    pub chart_ref: crate::commands::pull::ChartRefArgs,
    /// Verify the chart's provenance (.prov) before using it.
    #[arg(long)]
    pub verify: bool,
    /// Keyring with the public keys for --verify (default: ~/.gnupg/pubring.gpg).
    #[arg(long)]
    pub keyring: Option<PathBuf>,
    /// Run `dependency update` first when dependencies are missing from charts/.
    #[arg(long)]
    pub dependency_update: bool,
    /// Adopt existing objects that belong to no release or another one.
    #[arg(long)]
    pub take_ownership: bool,
    #[command(flatten)]
    pub deploy: DeployArgs,
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Helm's global flags, given anywhere on the command line.
    #[arg(skip)]
    pub cluster: ClusterArgs,
    /// Create the release namespace if it does not exist.
    #[arg(long)]
    pub create_namespace: bool,
    #[command(flatten)]
    pub preview: PreviewArgs,
    /// A custom description of the release.
    #[arg(long)]
    pub description: Option<String>,
    /// Labels for the release record (k1=v1,k2=v2; repeatable), for `list -l`.
    #[arg(short = 'l', long, value_parser = parse_labels)]
    pub labels: Vec<std::collections::BTreeMap<String, String>>,
    /// Do not install the CRDs of crds/.
    #[arg(long)]
    pub skip_crds: bool,
    /// Do not run pre-install and post-install hooks.
    #[arg(long)]
    pub no_hooks: bool,
    /// object updates run in the server instead of the client
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub server_side: bool,
    /// Re-use the name of an uninstalled or failed release.
    #[arg(long)]
    pub replace: bool,
    /// Render subcharts' NOTES.txt too.
    #[arg(long)]
    pub render_subchart_notes: bool,
    /// Skip values.schema.json validation.
    #[arg(long)]
    pub skip_schema_validation: bool,
    /// Let `getHostByName` in templates ask DNS (without it, it returns "").
    #[arg(long)]
    pub enable_dns: bool,
    #[command(flatten)]
    pub post_render: crate::commands::upgrade::PostRenderArgs,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// Release names.
    #[arg(required = true)]
    pub names: Vec<String>,
    /// Helm's global flags, given anywhere on the command line.
    #[arg(skip)]
    pub cluster: ClusterArgs,
    /// Keep the release history, marked uninstalled.
    #[arg(long)]
    pub keep_history: bool,
    /// Treat a release that does not exist as uninstalled.
    #[arg(long)]
    pub ignore_not_found: bool,
    /// Only check that the release exists; delete nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// A custom description of the uninstall.
    #[arg(long)]
    pub description: Option<String>,
    /// Do not run pre-delete and post-delete hooks.
    #[arg(long)]
    pub no_hooks: bool,
    /// Wait until the deleted objects are gone: `--wait` or
    /// `--wait=watcher|legacy`; `--wait=hookOnly` (the default) does not.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "watcher", value_name = "STRATEGY")]
    pub wait: Option<WaitFlag>,
    /// How long hooks and --wait may take (a Go duration).
    #[arg(long, default_value = "5m0s", value_parser = parse_timeout)]
    pub timeout: std::time::Duration,
    /// How dependents are deleted: background, foreground or orphan.
    #[arg(long, default_value = "background", value_parser = ["background", "foreground", "orphan"])]
    pub cascade: String,
    /// Helm 2's `delete --purge`: accepted for old scripts and ignored,
    /// history is purged unless --keep-history.
    #[arg(long)]
    pub purge: bool,
    /// Output format (schemas in docs/cli-output.md).
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Helm's global flags, given anywhere on the command line.
    #[arg(skip)]
    pub cluster: ClusterArgs,
    /// List releases in every namespace.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Show releases in every state, not only deployed and failed.
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Show deployed releases (with no state flag: deployed and failed).
    #[arg(long)]
    pub deployed: bool,
    /// Show failed releases.
    #[arg(long)]
    pub failed: bool,
    /// Show pending releases (install, upgrade or rollback in progress).
    #[arg(long)]
    pub pending: bool,
    /// Show superseded revisions.
    #[arg(long)]
    pub superseded: bool,
    /// Show releases uninstalled with --keep-history.
    #[arg(long)]
    pub uninstalled: bool,
    /// Show releases being uninstalled.
    #[arg(long)]
    pub uninstalling: bool,
    /// Only releases whose name matches this regular expression.
    #[arg(short = 'f', long)]
    pub filter: Option<String>,
    /// Only releases whose labels match this selector (key=value, key!=value,
    /// key in (a,b), ...).
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// Sort by release date.
    #[arg(short = 'd', long)]
    pub date: bool,
    /// Reverse the sort order.
    #[arg(short = 'r', long)]
    pub reverse: bool,
    /// Maximum number of releases to show (0: no limit).
    #[arg(short = 'm', long, default_value_t = 256)]
    pub max: usize,
    /// Skip this many releases first.
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Read the release records from the API server's cache instead of
    /// etcd: much faster with many releases and no load on etcd, but a
    /// change made a moment ago may not show yet. Helm always reads etcd.
    #[arg(long)]
    pub cached: bool,
    /// Print only the release names.
    #[arg(short = 'q', long)]
    pub short: bool,
    /// Print the table without its header row.
    #[arg(long)]
    pub no_headers: bool,
    /// Format the UPDATED column with a Go time layout (e.g. "2006-01-02 15:04:05Z07:00").
    #[arg(long)]
    pub time_format: Option<String>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Release name.
    pub name: String,
    /// Helm's global flags, given anywhere on the command line.
    #[arg(skip)]
    pub cluster: ClusterArgs,
    /// Show at most this many revisions (the newest).
    #[arg(long, default_value_t = 256)]
    pub max: usize,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub enum GetCommand {
    /// The values of a release.
    Values(GetValuesArgs),
    /// The manifest of a release.
    Manifest(GetArgs),
    /// The notes of a release.
    Notes(GetArgs),
    /// The hooks of a release.
    Hooks(GetArgs),
    /// The chart and revision metadata of a release.
    Metadata(GetArgs),
    /// Everything about a release: status, values, hooks, manifest, notes.
    All(GetAllArgs),
}

/// `get all`: [`GetArgs`] and Helm's `--template`.
#[derive(Debug, Args)]
pub struct GetAllArgs {
    #[command(flatten)]
    pub get: GetArgs,
    /// Print through this Go template over `.Release` (Helm's field names,
    /// e.g. '{{.Release.Name}} {{.Release.Info.Status}}').
    #[arg(long, value_name = "TEMPLATE")]
    pub template: Option<String>,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// Release name.
    pub name: String,
    /// Helm's global flags, given anywhere on the command line.
    #[arg(skip)]
    pub cluster: ClusterArgs,
    /// The revision to read (default: the last).
    #[arg(long)]
    pub revision: Option<i64>,
    /// Output format (schemas in docs/cli-output.md).
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct GetValuesArgs {
    /// Release name.
    pub name: String,
    /// Helm's global flags, given anywhere on the command line.
    #[arg(skip)]
    pub cluster: ClusterArgs,
    /// The revision to read (default: the last).
    #[arg(long)]
    pub revision: Option<i64>,
    /// Every value, the chart's defaults included.
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// Release name.
    pub name: String,
    /// Chart folder or archive, REPO/CHART, oci://..., or a chart URL.
    pub chart: String,
    /// Where to find a chart that is not local (REPO/CHART, oci://, --repo, --version).
    #[command(flatten)]
    pub chart_ref: crate::commands::pull::ChartRefArgs,
    /// Verify the chart's provenance (.prov) before using it.
    #[arg(long)]
    pub verify: bool,
    /// Keyring with the public keys for --verify (default: ~/.gnupg/pubring.gpg).
    #[arg(long)]
    pub keyring: Option<PathBuf>,
    /// Run `dependency update` first when dependencies are missing from charts/.
    #[arg(long)]
    pub dependency_update: bool,
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Helm's global flags, given anywhere on the command line.
    #[arg(skip)]
    pub cluster: ClusterArgs,
    #[command(flatten)]
    pub deploy: DeployArgs,
    /// Install the release if it does not exist (or was uninstalled).
    #[arg(short = 'i', long)]
    pub install: bool,
    /// With --install, create the release namespace if needed.
    #[arg(long)]
    pub create_namespace: bool,
    /// Reuse the last release's values and merge in the new ones.
    #[arg(long)]
    pub reuse_values: bool,
    /// Reset the values to the chart's defaults, ignoring the last release's.
    #[arg(long)]
    pub reset_values: bool,
    /// Reset to the chart's defaults, then merge the last release's values and the new ones.
    #[arg(long)]
    pub reset_then_reuse_values: bool,
    /// Keep at most this many revisions (0: no limit).
    #[arg(long, default_value_t = 10, env = "HOIST_MAX_HISTORY")]
    pub history_max: usize,
    /// Delete the objects this upgrade created when it fails.
    #[arg(long)]
    pub cleanup_on_fail: bool,
    /// Replace objects (delete and re-create) and create a revision even when nothing changed.
    #[arg(long, alias = "force-replace")]
    pub force: bool,
    /// Adopt existing objects that belong to no release or another one.
    #[arg(long)]
    pub take_ownership: bool,
    #[command(flatten)]
    pub preview: PreviewArgs,
    /// A custom description of the revision.
    #[arg(long)]
    pub description: Option<String>,
    /// Labels to add to the release record (k1=v1,k2=v2; repeatable); `k=` removes one.
    #[arg(short = 'l', long, value_parser = parse_labels)]
    pub labels: Vec<std::collections::BTreeMap<String, String>>,
    /// Do not run hooks.
    #[arg(long)]
    pub no_hooks: bool,
    /// With --install, do not install the CRDs of crds/.
    #[arg(long)]
    pub skip_crds: bool,
    /// Render subcharts' NOTES.txt too.
    #[arg(long)]
    pub render_subchart_notes: bool,
    /// Skip values.schema.json validation.
    #[arg(long)]
    pub skip_schema_validation: bool,
    /// Let `getHostByName` in templates ask DNS (without it, it returns "").
    #[arg(long)]
    pub enable_dns: bool,
    #[command(flatten)]
    pub server_side: crate::commands::upgrade::ServerSideFlag,
    #[command(flatten)]
    pub post_render: crate::commands::upgrade::PostRenderArgs,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// Release name.
    pub name: String,
    /// Revision to return to (default: the one before the last).
    pub revision: Option<i64>,
    /// Helm's global flags, given anywhere on the command line.
    #[arg(skip)]
    pub cluster: ClusterArgs,
    /// Wait until the objects are ready (`--wait[=watcher|legacy|hookOnly]`).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "watcher", value_name = "STRATEGY")]
    pub wait: Option<WaitFlag>,
    /// With --wait, also wait for Jobs to complete.
    #[arg(long)]
    pub wait_for_jobs: bool,
    /// How long to wait for any single Kubernetes operation (a Go duration).
    #[arg(long, default_value = "5m0s", value_parser = parse_timeout)]
    pub timeout: std::time::Duration,
    /// Keep at most this many revisions (0: no limit).
    #[arg(long, default_value_t = 10, env = "HOIST_MAX_HISTORY")]
    pub history_max: usize,
    /// Delete the objects this rollback created when it fails.
    #[arg(long)]
    pub cleanup_on_fail: bool,
    /// Replace objects (delete and re-create).
    #[arg(long, alias = "force-replace")]
    pub force: bool,
    /// Take over fields that other field managers own.
    #[arg(long)]
    pub force_conflicts: bool,
    #[command(flatten)]
    pub dry_run: DryRunArg,
    /// Do not run hooks.
    #[arg(long)]
    pub no_hooks: bool,
    /// A custom description of the revision.
    #[arg(long)]
    pub description: Option<String>,
    #[command(flatten)]
    pub server_side: crate::commands::upgrade::ServerSideFlag,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Release name.
    pub name: String,
    /// Helm's global flags, given anywhere on the command line.
    #[arg(skip)]
    pub cluster: ClusterArgs,
    /// How long each test may run (a Go duration).
    #[arg(long, default_value = "5m0s", value_parser = parse_timeout)]
    pub timeout: std::time::Duration,
    /// Print the test pods' logs.
    #[arg(long)]
    pub logs: bool,
    /// Run only tests matching `name=NAME`, or skip them with `!name=NAME`
    /// (repeatable, or comma-separated as in Helm).
    #[arg(long, value_delimiter = ',')]
    pub filter: Vec<String>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

/// What clap records for `--dry-run` given without a value (Helm's
/// `NoOptDefVal`).
const DRY_RUN_UNSET: &str = "unset";

/// Helm v4's `--dry-run[=STRATEGY]`.
#[derive(Debug, Args, Clone, Default)]
pub struct DryRunArg {
    /// Change nothing: `--dry-run=client` renders without the cluster,
    /// `--dry-run=server` also checks against it (`--dry-run` alone and
    /// `=true` are client, `=none` and `=false` no dry run, as Helm's).
    #[arg(id = "dry_run", long = "dry-run", num_args = 0..=1, require_equals = true, default_missing_value = DRY_RUN_UNSET, value_name = "STRATEGY")]
    pub value: Option<String>,
}

impl DryRunArg {
    /// The strategy asked for, read as [`dry_run_strategy`] reads it.
    pub fn strategy(&self) -> miette::Result<DryRun> {
        dry_run_strategy(self.value.as_deref()).map_err(|e| miette::miette!("{e}"))
    }
}

/// What install and upgrade show instead of, or besides, doing: Helm's
/// `--dry-run`, `--hide-notes` and `--hide-secret`.
#[derive(Debug, Args, Clone, Default)]
pub struct PreviewArgs {
    #[command(flatten)]
    pub dry_run: DryRunArg,
    /// Do not print the chart's notes.
    #[arg(long)]
    pub hide_notes: bool,
    /// Accepted for Helm scripts: hoist never validates objects against
    /// the OpenAPI schema on the client; the API server validates them.
    #[arg(long)]
    pub disable_openapi_validation: bool,
    /// With --dry-run, print Secrets as a comment instead of their data.
    #[arg(long)]
    pub hide_secret: bool,
}

impl PreviewArgs {
    /// The dry-run strategy; `--hide-secret` without one is refused, as in
    /// Helm.
    pub fn strategy(&self) -> miette::Result<DryRun> {
        let dry_run = self.dry_run.strategy()?;
        if self.hide_secret && !dry_run.is_dry_run() {
            return Err(miette::miette!(
                "hiding Kubernetes secrets requires a dry-run mode"
            ));
        }
        Ok(dry_run)
    }

    /// The release as install and upgrade print it for a person: Secrets
    /// hidden with `--hide-secret` (a dry run's record, never stored), no
    /// NOTES with `--hide-notes`.
    pub fn text(&self, release: &hoist_core::release::record::Release) -> String {
        hoist_core::action::status::status_text(&self.shown(release.clone(), !self.hide_notes))
    }

    /// The release as printed in any format: Secrets hidden with
    /// `--hide-secret`; its notes kept only when `notes` (JSON and YAML
    /// keep them, as Helm's do).
    pub fn shown(
        &self,
        mut release: hoist_core::release::record::Release,
        notes: bool,
    ) -> hoist_core::release::record::Release {
        if self.hide_secret {
            release.manifest = hoist_core::release::manifest::hide_secrets(&release.manifest);
        }
        if !notes && let Some(info) = release.info.as_mut() {
            info.notes.clear();
        }
        release
    }
}

/// Helm v4's reading of `--dry-run[=VALUE]`, with its warnings for the
/// deprecated forms (a bare `--dry-run` and booleans), on stderr.
pub fn dry_run_strategy(value: Option<&str>) -> Result<DryRun, String> {
    let Some(value) = value else {
        return Ok(DryRun::None);
    };
    match value {
        DRY_RUN_UNSET => {
            eprintln!(
                "WARNING: --dry-run is deprecated and should be replaced with '--dry-run=client'"
            );
            Ok(DryRun::Client)
        }
        "client" => Ok(DryRun::Client),
        "server" => Ok(DryRun::Server),
        "none" => Ok(DryRun::None),
        other => {
            // Go's strconv.ParseBool.
            let dry = match other {
                "1" | "t" | "T" | "TRUE" | "true" | "True" => DryRun::Client,
                "0" | "f" | "F" | "FALSE" | "false" | "False" => DryRun::None,
                _ => {
                    return Err(format!(
                        "invalid dry-run value ({other:?}). Must be \"none\", \"server\", or \"client\""
                    ));
                }
            };
            let replacement = if dry == DryRun::Client {
                "client"
            } else {
                "none"
            };
            eprintln!(
                "WARNING: boolean '--dry-run={other}' flag is deprecated and must be replaced with '--dry-run={replacement}'"
            );
            Ok(dry)
        }
    }
}

/// Every `--labels` given, merged in order (a later key wins), as pflag's
/// stringToString merges repeated flags.
pub fn merged_labels(
    given: &[std::collections::BTreeMap<String, String>],
) -> std::collections::BTreeMap<String, String> {
    given
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// `--labels k1=v1,k2=v2` (pflag's stringToString): pairs separated by
/// commas, each split at its first `=`.
fn parse_labels(text: &str) -> Result<std::collections::BTreeMap<String, String>, String> {
    let mut labels = std::collections::BTreeMap::new();
    for pair in text.split(',').filter(|p| !p.trim().is_empty()) {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| format!("{pair:?} must be formatted as key=value"))?;
        labels.insert(k.trim().to_string(), v.trim().to_string());
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Command {
        let mut all = vec!["hoist"];
        all.extend_from_slice(args);
        match Cli::try_parse_from(all) {
            Ok(cli) => cli.command,
            Err(e) => panic!("{args:?}: {e}"),
        }
    }

    #[test]
    fn repeated_labels_merge_as_helms_do() {
        let Command::Install(a) = parse(&["install", "r", "./c", "-l", "a=1,b=2", "-l", "b=3"])
        else {
            panic!("not install");
        };
        let labels = merged_labels(&a.labels);
        assert_eq!(labels.get("a").map(String::as_str), Some("1"));
        assert_eq!(labels.get("b").map(String::as_str), Some("3"));
        let Command::Install(a) = parse(&["install", "r", "./c"]) else {
            panic!("not install");
        };
        assert!(merged_labels(&a.labels).is_empty());
    }

    #[test]
    fn test_filters_split_at_commas() {
        let Command::Test(a) = parse(&[
            "test",
            "r",
            "--filter",
            "name=a,!name=b",
            "--filter",
            "name=c",
        ]) else {
            panic!("not test");
        };
        assert_eq!(a.filter, ["name=a", "!name=b", "name=c"]);
    }

    #[test]
    fn uninstall_wait_takes_helms_strategies() {
        for (flag, waits) in [
            (None, false),
            (Some("--wait"), true),
            (Some("--wait=watcher"), true),
            (Some("--wait=legacy"), true),
            (Some("--wait=true"), true),
            (Some("--wait=hookOnly"), false),
            (Some("--wait=false"), false),
        ] {
            let mut args = vec!["uninstall", "r"];
            args.extend(flag);
            let Command::Uninstall(a) = parse(&args) else {
                panic!("not uninstall");
            };
            assert_eq!(
                matches!(a.wait, Some(WaitFlag::Resources(_))),
                waits,
                "{flag:?}"
            );
        }
        let e = Cli::try_parse_from(["hoist", "uninstall", "r", "--wait=soon"]).unwrap_err();
        assert!(
            e.to_string()
                .contains("Valid inputs are watcher, hookOnly, and legacy"),
            "{e}"
        );
    }

    #[test]
    fn dry_run_values_read_as_helm_v4_reads_them() {
        let dry = |args: &[&str]| {
            let mut all = vec!["install", "r", "./c"];
            all.extend_from_slice(args);
            let Command::Install(a) = parse(&all) else {
                panic!("not install");
            };
            dry_run_strategy(a.preview.dry_run.value.as_deref())
        };
        assert_eq!(dry(&[]), Ok(DryRun::None));
        assert_eq!(dry(&["--dry-run"]), Ok(DryRun::Client));
        assert_eq!(dry(&["--dry-run=client"]), Ok(DryRun::Client));
        assert_eq!(dry(&["--dry-run=server"]), Ok(DryRun::Server));
        assert_eq!(dry(&["--dry-run=none"]), Ok(DryRun::None));
        assert_eq!(dry(&["--dry-run=true"]), Ok(DryRun::Client));
        assert_eq!(dry(&["--dry-run=False"]), Ok(DryRun::None));
        assert!(
            dry(&["--dry-run=yes"])
                .unwrap_err()
                .contains("invalid dry-run value (\"yes\")")
        );
        // Without `=`, the next word is not the flag's value.
        let Command::Install(a) = parse(&["install", "--dry-run", "r", "./c"]) else {
            panic!("not install");
        };
        assert_eq!((a.name.as_str(), a.chart.as_deref()), ("r", Some("./c")));
    }

    fn command_of(args: &[&str]) -> Command {
        let mut all = vec!["hoist"];
        all.extend_from_slice(args);
        match Cli::try_parse_from(all) {
            Ok(cli) => cli.into_command(),
            Err(e) => panic!("{args:?}: {e}"),
        }
    }

    #[test]
    fn kube_as_group_is_collected_from_every_position() {
        let args: Vec<String> = [
            "hoist",
            "--kube-as-group",
            "a",
            "list",
            "--kube-as-group=b,c",
            "--",
            "--kube-as-group",
            "z",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            kube_as_groups(&args),
            Some(vec!["a".into(), "b".into(), "c".into()])
        );
        assert_eq!(kube_as_groups(&["hoist".into(), "list".into()]), None);
    }

    #[test]
    fn global_flags_go_before_or_after_any_command() {
        for args in [
            &["-n", "web", "--kube-context", "prod", "list"][..],
            &["list", "-n", "web", "--kube-context", "prod"][..],
            &["--namespace=web", "list", "--kube-context=prod"][..],
        ] {
            let Command::List(a) = command_of(args) else {
                panic!("not list");
            };
            assert_eq!(a.cluster.namespace.as_deref(), Some("web"), "{args:?}");
            assert_eq!(a.cluster.kube_context.as_deref(), Some("prod"), "{args:?}");
        }
        let Command::Get(GetCommand::Values(a)) =
            command_of(&["--kube-token", "t", "get", "values", "r", "-n", "x"])
        else {
            panic!("not get values");
        };
        assert_eq!(
            (
                a.cluster.kube_token.as_deref(),
                a.cluster.namespace.as_deref()
            ),
            (Some("t"), Some("x"))
        );
        // Commands that reach no cluster accept them and use -n only.
        let Command::Template(a) = command_of(&[
            "--kubeconfig",
            "/none",
            "template",
            "r",
            "./c",
            "-n",
            "ns",
            "--qps",
            "3",
        ]) else {
            panic!("not template");
        };
        assert_eq!(a.namespace, "ns");
        let Command::Lint(a) = command_of(&["lint", "./c", "--kubeconfig", "/none/such/file"])
        else {
            panic!("not lint");
        };
        assert_eq!(a.namespace, "default");
        assert!(matches!(
            command_of(&["--kube-context", "x", "repo", "list"]),
            Command::Repo(_)
        ));
    }

    #[test]
    fn template_accepts_the_install_flags_helm_template_ignores() {
        let Command::Template(a) = command_of(&[
            "template",
            "r",
            "./c",
            "--create-namespace",
            "--wait",
            "--wait-for-jobs",
            "--timeout",
            "10m",
            "--atomic",
            "-l",
            "a=b",
            "--description",
            "d",
            "--replace",
            "--force",
            "--server-side=false",
            "--take-ownership",
            "--disable-openapi-validation",
            "--hide-notes",
            "--dry-run=client",
        ]) else {
            panic!("not template");
        };
        assert_eq!((a.first.as_str(), a.chart.as_deref()), ("r", Some("./c")));
        assert_eq!(
            dry_run_strategy(a.dry_run.value.as_deref()),
            Ok(DryRun::Client)
        );
        // Their values are still checked as Helm checks them.
        assert!(
            Cli::try_parse_from(["hoist", "template", "r", "./c", "--timeout", "300"]).is_err()
        );
    }

    #[test]
    fn hide_notes_is_accepted_by_install_and_upgrade() {
        let Command::Install(a) = parse(&["install", "r", "./c", "--hide-notes"]) else {
            panic!("not install");
        };
        assert!(a.preview.hide_notes);
        let Command::Upgrade(a) = parse(&["upgrade", "r", "./c", "--hide-notes"]) else {
            panic!("not upgrade");
        };
        assert!(a.preview.hide_notes);
        for verb in ["install", "upgrade"] {
            assert!(
                Cli::try_parse_from(["hoist", verb, "r", "./c", "--disable-openapi-validation"])
                    .is_ok(),
                "{verb}"
            );
        }
    }
}
