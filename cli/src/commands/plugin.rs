//! `hoist plugin ...` and `hoist NAME ...` for an installed CLI plugin:
//! Helm v4's `plugin` commands and plugin dispatch (`pkg/cmd/plugin*.go`,
//! `pkg/cmd/load_plugins.go`).

use crate::args::{Cli, ClusterArgs};
use clap::{Args, CommandFactory, FromArgMatches, Subcommand};
use hoist_core::plugin::install::{self, InstallOptions, Source};
use hoist_core::plugin::run::{self, PluginEnv};
use hoist_core::plugin::{PluginError, PluginType, find_plugins, plugin_dirs};
use miette::miette;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

/// `hoist plugin`.
#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Install a plugin from a folder, a .tgz archive (path or URL) or a
    /// git repository.
    #[command(alias = "add")]
    Install(InstallArgs),
    /// List the installed plugins.
    #[command(alias = "ls")]
    List(ListArgs),
    /// Uninstall plugins.
    #[command(alias = "rm", alias = "remove")]
    Uninstall(NamesArgs),
    /// Update plugins installed from git repositories.
    #[command(alias = "up")]
    Update(NamesArgs),
}

/// `plugin install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// A plugin folder (linked, for development), a .tgz/.tar.gz archive
    /// (path or http(s) URL) or a git repository URL.
    #[arg(value_name = "PATH|URL")]
    pub source: String,
    /// For git sources: a tag, branch or commit, or a SemVer constraint
    /// over the tags (default: the default branch).
    #[arg(long)]
    pub version: Option<String>,
    /// Verify the archive's provenance (`ARCHIVE.prov`) before installing
    /// (on by default, as in Helm v4; folders are never verified, and git
    /// sources need --verify=false).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub verify: bool,
    /// Keyring with the public keys for --verify (default:
    /// ~/.gnupg/pubring.gpg).
    #[arg(long)]
    pub keyring: Option<PathBuf>,
}

/// `plugin list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only plugins of this type (cli/v1, getter/v1, postrenderer/v1).
    #[arg(long = "type", value_name = "TYPE")]
    pub plugin_type: Option<String>,
}

/// `plugin uninstall` and `plugin update`.
#[derive(Debug, Args)]
pub struct NamesArgs {
    /// Plugin names.
    #[arg(value_name = "PLUGIN")]
    pub names: Vec<String>,
}

pub fn run(command: PluginCommand, cluster: ClusterArgs, debug: bool) -> miette::Result<ExitCode> {
    let vars = helm_variables(&cluster, debug);
    match command {
        PluginCommand::Install(a) => super::release::block_on(install_plugin(a, vars)),
        PluginCommand::List(a) => list(a),
        PluginCommand::Uninstall(a) => uninstall(a, &vars),
        PluginCommand::Update(a) => update(a, &vars),
    }
}

/// Helm's `EnvVars` for plugins, from `hoist env`'s list: each under
/// Helm's name and hoist's (so that a plugin running `$HELM_BIN` gets the
/// same settings), with `HELM_BIN` the path of this very binary.
pub fn helm_variables(cluster: &ClusterArgs, debug: bool) -> Vec<(String, String)> {
    let a = super::env::EnvArgs {
        name: None,
        cluster: cluster.clone(),
        debug,
    };
    let mut out = Vec::new();
    for (k, v) in super::env::variables(&a) {
        let v = if k == "HOIST_BIN" {
            std::env::current_exe()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or(v)
        } else {
            v
        };
        if let Some(rest) = k.strip_prefix("HOIST_") {
            out.push((format!("HELM_{rest}"), v.clone()));
        }
        out.push((k, v));
    }
    out
}

/// Tells the user about plugins that could not be read (Helm logs them).
fn warn_skipped(found: &hoist_core::plugin::Found) {
    for (file, e) in &found.skipped {
        eprintln!(
            "WARNING: failed to load plugin (ignoring) {}: {e}",
            file.display()
        );
    }
}

fn list(a: ListArgs) -> miette::Result<ExitCode> {
    // Helm filters by the type's name: one no plugin has matches none,
    // and the table is printed empty.
    let (kind, none_match) = match a.plugin_type.as_deref() {
        None | Some("") => (None, false),
        Some(t) => match PluginType::parse(t) {
            Some(kind) => (Some(kind), false),
            None => (None, true),
        },
    };
    let mut found = find_plugins(&plugin_dirs(), kind).map_err(|e| miette!("{e}"))?;
    warn_skipped(&found);
    if none_match {
        found.plugins.clear();
    }
    let mut rows = vec![
        [
            "NAME",
            "VERSION",
            "TYPE",
            "APIVERSION",
            "PROVENANCE",
            "SOURCE",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for p in &found.plugins {
        let m = p.metadata();
        rows.push(vec![
            m.name.clone(),
            m.version.clone(),
            m.plugin_type.to_string(),
            m.api_version.clone(),
            install::signing_status(p).to_string(),
            if m.source_url.is_empty() {
                "unknown".to_string()
            } else {
                m.source_url.clone()
            },
        ]);
    }
    print!("{}", hoist_core::action::list::ui_table(&rows));
    Ok(ExitCode::SUCCESS)
}

/// The built-in commands (and aliases) a plugin of that name would hide
/// behind.
fn builtin_names() -> Vec<String> {
    let cmd = Cli::command();
    cmd.get_subcommands()
        .flat_map(|c| {
            std::iter::once(c.get_name().to_string()).chain(c.get_all_aliases().map(str::to_string))
        })
        .chain(["help".to_string()])
        .collect()
}

async fn install_plugin(a: InstallArgs, vars: Vec<(String, String)>) -> miette::Result<ExitCode> {
    let http = hoist_core::repo::http::HttpOptions::from_env();
    let source = install::classify(&a.source, &http).await;
    let verify = match &source {
        Source::LocalDir(_) => {
            println!("Installing plugin from local directory (development mode)");
            false
        }
        _ if a.verify => {
            if !source.supports_verification() {
                return Err(miette!(
                    "plugin source does not support verification. Use --verify=false to skip verification"
                ));
            }
            true
        }
        _ => {
            println!("WARNING: Skipping plugin signature verification");
            false
        }
    };
    if verify {
        println!("Verifying plugin signature...");
    }
    let opts = InstallOptions {
        version: a.version.unwrap_or_default(),
        verify,
        keyring: a.keyring.unwrap_or_else(super::verify::default_keyring),
        http,
    };
    let installed = install::install(&source, &opts)
        .await
        .map_err(|e| match source {
            Source::Git(_) | Source::HttpArchive(_) => {
                miette!("cannot install plugin from {:?}: {e}", a.source)
            }
            _ => miette!("{e}"),
        })?;
    if let Some(v) = &installed.verification {
        for id in &v.identities {
            println!("Signed by: {id}");
        }
        println!("Using Key With Fingerprint: {}", v.fingerprint);
        println!("Plugin Hash Verified: {}", v.file_hash);
    }
    let plugin = installed.plugin;
    run::run_hook(&plugin, "install", &PluginEnv::new(&plugin, &vars))
        .map_err(|e| miette!("{e}"))?;
    if builtin_names().iter().any(|n| n == plugin.name()) {
        eprintln!(
            "WARNING: plugin {:?} has the name of a built-in command: `hoist {}` runs the built-in command",
            plugin.name(),
            plugin.name()
        );
    }
    println!("Installed plugin: {}", plugin.name());
    Ok(ExitCode::SUCCESS)
}

fn uninstall(a: NamesArgs, vars: &[(String, String)]) -> miette::Result<ExitCode> {
    if a.names.is_empty() {
        return Err(miette!("please provide plugin name to uninstall"));
    }
    let mut errors = Vec::new();
    for name in &a.names {
        let result = install::find_installed(name).and_then(|p| {
            install::uninstall(&p)?;
            run::run_hook(&p, "delete", &PluginEnv::new(&p, vars))
        });
        match result {
            Ok(()) => println!("Uninstalled plugin: {name}"),
            Err(e @ PluginError::NotFound(_)) => errors.push(e.to_string()),
            Err(e) => errors.push(format!(
                "failed to uninstall plugin {name}, got error ({e})"
            )),
        }
    }
    if errors.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(miette!("{}", errors.join("\n")))
    }
}

fn update(a: NamesArgs, vars: &[(String, String)]) -> miette::Result<ExitCode> {
    if a.names.is_empty() {
        return Err(miette!("please provide plugin name to update"));
    }
    let mut errors = Vec::new();
    for name in &a.names {
        let result = install::find_installed(name).and_then(|p| {
            let p = install::update(&p)?;
            run::run_hook(&p, "update", &PluginEnv::new(&p, vars))
        });
        match result {
            Ok(()) => println!("Updated plugin: {name}"),
            Err(e @ PluginError::NotFound(_)) => errors.push(e.to_string()),
            Err(e) => errors.push(format!("failed to update plugin {name}, got error ({e})")),
        }
    }
    if errors.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(miette!("{}", errors.join("\n")))
    }
}

// ------------------------------------------------------------- dispatch

/// Helm's global flags that a plugin command line may carry anywhere:
/// hoist reads them (they change the plugin's `HELM_*` variables) and
/// does not pass them on. Each takes a value, as in Helm's list (which
/// includes `--kube-insecure-skip-tls-verify`: the word after it is
/// consumed too and lost, as in Helm).
const VALUE_FLAGS: &[&str] = &[
    "--kube-context",
    "--namespace",
    "-n",
    "--kubeconfig",
    "--kube-apiserver",
    "--kube-token",
    "--kube-as-user",
    "--kube-as-group",
    "--kube-ca-file",
    "--registry-config",
    "--repository-cache",
    "--repository-config",
    "--kube-insecure-skip-tls-verify",
    "--kube-tls-server-name",
];

/// Helm's `manuallyProcessArgs`: the global flags hoist reads (known) and
/// the words passed to the plugin (unknown), each in order. The known
/// ones come back ready for clap (a boolean flag without the word Helm
/// consumes after it).
fn split_args(args: &[OsString]) -> (Vec<OsString>, Vec<OsString>) {
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let text = a.to_str().unwrap_or_default();
        if text == "--debug" {
            known.push(a.clone());
        } else if VALUE_FLAGS.contains(&text) {
            known.push(a.clone());
            i += 1;
            if text != "--kube-insecure-skip-tls-verify"
                && let Some(v) = args.get(i)
            {
                known.push(v.clone());
            }
        } else if VALUE_FLAGS
            .iter()
            .any(|f| text.starts_with(&format!("{f}=")))
        {
            known.push(a.clone());
        } else {
            unknown.push(a.clone());
        }
        i += 1;
    }
    (known, unknown)
}

/// True when plugins are turned off (`HOIST_NO_PLUGINS=1` or Helm's
/// `HELM_NO_PLUGINS=1`).
fn plugins_disabled() -> bool {
    ["HOIST_NO_PLUGINS", "HELM_NO_PLUGINS"]
        .iter()
        .any(|k| std::env::var_os(k).is_some_and(|v| v == "1"))
}

/// clap's own error for a command that is not a built-in one and not a
/// plugin: the command line parsed again without external commands.
fn unknown_command() -> ! {
    let argv: Vec<OsString> = std::env::args_os().collect();
    match Cli::command()
        .external_subcommand_value_parser(None::<clap::builder::ValueParser>)
        .allow_external_subcommands(false)
        .try_get_matches_from(&argv)
    {
        Err(e) => e.exit(),
        Ok(_) => {
            eprintln!("Error: unknown command");
            std::process::exit(2)
        }
    }
}

/// `hoist NAME ARGS...`: runs the installed CLI plugin NAME. Its exit code
/// becomes hoist's.
pub fn run_external(words: Vec<OsString>) -> miette::Result<ExitCode> {
    let Some(name) = words.first().and_then(|w| w.to_str()).map(str::to_string) else {
        unknown_command()
    };
    if plugins_disabled() || !hoist_core::plugin::is_valid_name(&name) {
        unknown_command()
    }
    let found = find_plugins(&plugin_dirs(), None).map_err(|e| miette!("{e}"))?;
    // A Helm 3 plugin with both a command and downloaders (helm-s3's
    // `s3 init|push`) is a getter/v1 plugin to Helm v4, which no longer
    // runs it as a command; hoist still does, as Helm 3 did.
    let legacy_command = |p: &&hoist_core::plugin::Plugin| {
        p.name() == name
            && p.metadata().api_version == "legacy"
            && !p.metadata().runtime_config.platform_command.is_empty()
    };
    let plugin = match found
        .get(&name, Some(PluginType::Cli))
        .or_else(|| found.plugins.iter().find(legacy_command))
    {
        Some(p) => p.clone(),
        None => {
            if let Some(e) = found.skipped_as(&name) {
                return Err(miette!("{e}"));
            }
            unknown_command()
        }
    };
    let (known, unknown) = split_args(&words[1..]);
    // The command line again, with the global flags given after the
    // plugin's name moved before it, for clap to read as it reads them
    // anywhere else.
    let argv: Vec<OsString> = std::env::args_os().collect();
    let prefix = &argv[..argv.len().saturating_sub(words.len())];
    let mut again: Vec<OsString> = prefix.to_vec();
    again.extend(known);
    again.push(OsString::from(&name));
    // A flag given on both sides of the name: the later one wins, as with
    // pflag.
    let matches = Cli::command()
        .args_override_self(true)
        .try_get_matches_from(&again)
        .unwrap_or_else(|e| e.exit());
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let mut cluster = cli.cluster.clone();
    let texts: Vec<String> = argv
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    cluster.kube_as_group = crate::args::kube_as_groups(&texts).unwrap_or(cluster.kube_as_group);
    for (k, v) in cli.locations.as_environment() {
        // SAFETY: still single-threaded: no runtime or other thread has
        // been started by this command.
        unsafe { std::env::set_var(k, v) };
    }
    let vars = helm_variables(&cluster, cli.debug);
    match run::run_cli(&plugin, &unknown, &PluginEnv::new(&plugin, &vars)) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(PluginError::Exited { code, .. }) => {
            eprintln!("Error: plugin {name:?} exited with error");
            let code = code.unwrap_or(1).clamp(1, 255);
            Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
        }
        Err(e) => Err(miette!("{e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<OsString> {
        w.iter().map(OsString::from).collect()
    }

    #[test]
    fn global_flags_are_taken_out_as_helm_takes_them() {
        let (known, unknown) = split_args(&words(&[
            "upgrade",
            "-n",
            "web",
            "--kube-context=prod",
            "--debug",
            "--namespace",
            "x",
            "--set",
            "a=b",
            "--kube-insecure-skip-tls-verify",
            "lost",
            "-q",
            "--kubeconfig",
        ]));
        assert_eq!(
            known,
            words(&[
                "-n",
                "web",
                "--kube-context=prod",
                "--debug",
                "--namespace",
                "x",
                "--kube-insecure-skip-tls-verify",
                "--kubeconfig"
            ])
        );
        assert_eq!(unknown, words(&["upgrade", "--set", "a=b", "-q"]));
    }

    #[test]
    fn boolean_globals_with_a_value_reach_clap_as_helm_takes_them() {
        use clap::Parser;
        for (word, expected) in [
            ("--kube-insecure-skip-tls-verify=true", true),
            ("--kube-insecure-skip-tls-verify=false", false),
        ] {
            let (known, unknown) = split_args(&words(&["upgrade", word, "-q"]));
            assert_eq!(unknown, words(&["upgrade", "-q"]));
            let mut argv = vec![OsString::from("hoist")];
            argv.extend(known);
            argv.push(OsString::from("version"));
            let cli = crate::args::Cli::try_parse_from(argv).unwrap();
            assert_eq!(
                cli.cluster.kube_insecure_skip_tls_verify, expected,
                "{word}"
            );
        }
    }

    #[test]
    fn plugin_variables_have_helms_names_and_hoists() {
        let vars = helm_variables(&ClusterArgs::default(), true);
        let get = |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("HELM_DEBUG"), Some("true"));
        assert_eq!(get("HOIST_DEBUG"), Some("true"));
        assert!(get("HELM_PLUGINS").is_some());
        assert!(get("HELM_NAMESPACE").is_some());
        let bin = get("HELM_BIN").unwrap();
        assert!(std::path::Path::new(bin).is_absolute(), "{bin}");
    }
}
