//! `plugin.yaml` in both of Helm's formats, read into one [`Metadata`].
//!
//! - Legacy (Helm 3, no `apiVersion`): `name`, `version`, `usage`,
//!   `description`, `command` or `platformCommand`, `ignoreFlags`, `hooks`
//!   or `platformHooks`, `downloaders`. Unknown keys are ignored, as Helm
//!   ignores them. A plugin with downloaders is a `getter/v1` plugin, any
//!   other a `cli/v1` one (Helm v4's conversion).
//! - `apiVersion: v1` (Helm v4): `name`, `version`, `type`, `runtime`,
//!   `sourceURL`, `config` (per type) and `runtimeConfig` (per runtime).
//!   Unknown keys at the top and in `config` are errors, as Helm decodes
//!   them strictly; `runtimeConfig` is read leniently, as Helm reads it.

use super::{PluginError, is_valid_name};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::path::Path;

/// What a plugin is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PluginType {
    /// `cli/v1`: a `hoist NAME` subcommand.
    Cli,
    /// `getter/v1`: downloads URLs of its protocols.
    Getter,
    /// `postrenderer/v1`: rewrites rendered manifests.
    PostRenderer,
}

impl PluginType {
    /// Helm's name for the type (`cli/v1`...).
    pub fn as_str(self) -> &'static str {
        match self {
            PluginType::Cli => "cli/v1",
            PluginType::Getter => "getter/v1",
            PluginType::PostRenderer => "postrenderer/v1",
        }
    }

    /// The type named `text`, if hoist knows it.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "cli/v1" => Some(PluginType::Cli),
            "getter/v1" => Some(PluginType::Getter),
            "postrenderer/v1" => Some(PluginType::PostRenderer),
            _ => None,
        }
    }
}

impl std::fmt::Display for PluginType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A command for one operating system and architecture (both optional).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PlatformCommand {
    /// Go's GOOS (`linux`, `darwin`, `windows`...); empty for any.
    #[serde(rename = "os", deserialize_with = "nullable")]
    pub os: String,
    /// Go's GOARCH (`amd64`, `arm64`...); empty for any.
    #[serde(rename = "arch", deserialize_with = "nullable")]
    pub arch: String,
    /// The program, then arguments separated by single spaces.
    #[serde(deserialize_with = "nullable")]
    pub command: String,
    /// More arguments, each kept whole.
    #[serde(deserialize_with = "nullable")]
    pub args: Vec<String>,
}

/// The command a downloader runs for some protocols.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ProtocolCommand {
    /// URL schemes.
    #[serde(deserialize_with = "nullable")]
    pub protocols: Vec<String>,
    /// What to run for them.
    #[serde(rename = "platformCommand", deserialize_with = "nullable")]
    pub platform_command: Vec<PlatformCommand>,
}

/// How a subprocess plugin is run (Helm's `RuntimeConfigSubprocess`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubprocessConfig {
    /// The plugin's command (CLI and post-renderer plugins).
    pub platform_command: Vec<PlatformCommand>,
    /// Commands for the `install`, `update` and `delete` events.
    pub platform_hooks: BTreeMap<String, Vec<PlatformCommand>>,
    /// Downloader commands per protocol (getter plugins).
    pub protocol_commands: Vec<ProtocolCommand>,
    /// Whether `$VAR`s in hook arguments are expanded: only for legacy
    /// `platformHooks` (legacy `hooks` run through `sh -c`, which expands
    /// them itself; Helm leaves v1 hook arguments as written).
    pub expand_hook_args: bool,
}

/// A CLI plugin's help texts and flag handling.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CliConfig {
    /// One-line usage (`NAME [flags]`).
    #[serde(deserialize_with = "nullable")]
    pub usage: String,
    /// Short help.
    #[serde(rename = "shortHelp", deserialize_with = "nullable")]
    pub short_help: String,
    /// Long help.
    #[serde(rename = "longHelp", deserialize_with = "nullable")]
    pub long_help: String,
    /// Pass no arguments at all to the plugin.
    #[serde(rename = "ignoreFlags", deserialize_with = "nullable")]
    pub ignore_flags: bool,
}

/// A getter plugin's protocols.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GetterConfig {
    /// URL schemes it downloads.
    #[serde(deserialize_with = "nullable")]
    pub protocols: Vec<String>,
}

/// A post-renderer plugin has no configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostRendererConfig {}

/// The per-type configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Config {
    /// `cli/v1`.
    Cli(CliConfig),
    /// `getter/v1`.
    Getter(GetterConfig),
    /// `postrenderer/v1`.
    PostRenderer,
}

/// A plugin's metadata, whichever format its `plugin.yaml` is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metadata {
    /// `legacy` for Helm 3's format, else the file's `apiVersion` (`v1`).
    pub api_version: String,
    /// The plugin's name (and CLI command).
    pub name: String,
    /// Its SemVer version (may be empty for legacy plugins).
    pub version: String,
    /// Its type.
    pub plugin_type: PluginType,
    /// Always `subprocess` (the only runtime hoist runs).
    pub runtime: String,
    /// Where it comes from (v1 `sourceURL`), may be empty.
    pub source_url: String,
    /// Per-type configuration.
    pub config: Config,
    /// How to run it.
    pub runtime_config: SubprocessConfig,
}

impl Metadata {
    /// The CLI configuration, for `cli/v1` plugins.
    pub fn cli(&self) -> Option<&CliConfig> {
        match &self.config {
            Config::Cli(c) => Some(c),
            _ => None,
        }
    }

    /// The protocols of a getter plugin (empty for others).
    pub fn protocols(&self) -> &[String] {
        match &self.config {
            Config::Getter(g) => &g.protocols,
            _ => &[],
        }
    }
}

/// A field that YAML may leave empty (`key:` or `key: null`): Go's decoder
/// leaves the zero value there, so hoist does too.
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Helm 3's `plugin.yaml`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LegacyFile {
    #[serde(deserialize_with = "nullable")]
    name: String,
    #[serde(deserialize_with = "nullable")]
    version: String,
    #[serde(deserialize_with = "nullable")]
    usage: String,
    #[serde(deserialize_with = "nullable")]
    description: String,
    #[serde(rename = "platformCommand", deserialize_with = "nullable")]
    platform_command: Vec<PlatformCommand>,
    #[serde(deserialize_with = "nullable")]
    command: String,
    #[serde(rename = "ignoreFlags", deserialize_with = "nullable")]
    ignore_flags: bool,
    #[serde(rename = "platformHooks", deserialize_with = "nullable")]
    platform_hooks: BTreeMap<String, Vec<PlatformCommand>>,
    #[serde(deserialize_with = "nullable")]
    hooks: BTreeMap<String, String>,
    #[serde(deserialize_with = "nullable")]
    downloaders: Vec<Downloader>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Downloader {
    #[serde(deserialize_with = "nullable")]
    protocols: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    command: String,
}

/// Only what decides how to read the rest.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Peek {
    #[serde(rename = "apiVersion", deserialize_with = "nullable")]
    api_version: String,
}

/// Helm v4's `plugin.yaml`, with the configuration type `C` of its
/// `type`. Unknown top-level keys are errors.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct V1File<C> {
    #[serde(rename = "apiVersion", default, deserialize_with = "nullable")]
    api_version: String,
    #[serde(default, deserialize_with = "nullable")]
    name: String,
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    plugin_type: String,
    #[serde(default, deserialize_with = "nullable")]
    runtime: String,
    #[serde(default, deserialize_with = "nullable")]
    version: String,
    #[serde(rename = "sourceURL", default, deserialize_with = "nullable")]
    source_url: String,
    #[serde(default = "Option::default")]
    config: Option<C>,
    #[serde(rename = "runtimeConfig", default)]
    runtime_config: Option<RuntimeConfigRaw>,
}

/// `runtimeConfig`, read leniently (Helm re-marshals it without strict
/// decoding). Only the subprocess runtime's keys mean anything to hoist.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RuntimeConfigRaw {
    #[serde(rename = "platformCommand", deserialize_with = "nullable")]
    platform_command: Vec<PlatformCommand>,
    #[serde(rename = "platformHooks", deserialize_with = "nullable")]
    platform_hooks: BTreeMap<String, Vec<PlatformCommand>>,
    #[serde(rename = "protocolCommands", deserialize_with = "nullable")]
    protocol_commands: Vec<ProtocolCommand>,
}

fn yaml<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, String> {
    serde_saphyr::from_str(text).map_err(|e| e.to_string())
}

/// Reads `plugin.yaml` text of the plugin in `dir` (named in errors).
pub fn parse(text: &str, dir: &Path) -> Result<Metadata, PluginError> {
    let invalid = |m: String| PluginError::invalid(dir, m);
    // An empty file is a legacy plugin without a name (refused below).
    let peek: Peek = if text.trim().is_empty() {
        Peek::default()
    } else {
        yaml(text).map_err(|e| invalid(format!("failed to peek plugin.yaml API version: {e}")))?
    };
    match peek.api_version.as_str() {
        "" => parse_legacy(text, dir),
        "v1" => parse_v1(text, dir),
        other => Err(invalid(format!("invalid plugin apiVersion: {other:?}"))),
    }
}

fn parse_legacy(text: &str, dir: &Path) -> Result<Metadata, PluginError> {
    let invalid = |m: String| PluginError::invalid(dir, m);
    let file: LegacyFile = if text.trim().is_empty() {
        LegacyFile::default()
    } else {
        yaml(text).map_err(invalid)?
    };
    check_name_and_version(&file.name, &file.version).map_err(invalid)?;
    if !file.platform_command.is_empty() && !file.command.is_empty() {
        return Err(invalid("both platformCommand and command are set".into()));
    }
    if !file.platform_hooks.is_empty() && !file.hooks.is_empty() {
        return Err(invalid("both platformHooks and hooks are set".into()));
    }
    for (i, d) in file.downloaders.iter().enumerate() {
        if d.command.is_empty() {
            return Err(invalid(format!("downloader {i} has empty command")));
        }
        if d.protocols.is_empty() {
            return Err(invalid(format!("downloader {i} has no protocols")));
        }
        if let Some(j) = d.protocols.iter().position(String::is_empty) {
            return Err(invalid(format!(
                "downloader {i} has empty protocol at index {j}"
            )));
        }
    }

    let (plugin_type, config) = if file.downloaders.is_empty() {
        (
            PluginType::Cli,
            Config::Cli(CliConfig {
                usage: String::new(),
                short_help: sanitize(&file.usage),
                long_help: file.description.clone(),
                ignore_flags: file.ignore_flags,
            }),
        )
    } else {
        (
            PluginType::Getter,
            Config::Getter(GetterConfig {
                protocols: file
                    .downloaders
                    .iter()
                    .flat_map(|d| d.protocols.iter().cloned())
                    .collect(),
            }),
        )
    };
    let platform_command = if file.platform_command.is_empty() && !file.command.is_empty() {
        vec![PlatformCommand {
            command: file.command.clone(),
            ..PlatformCommand::default()
        }]
    } else {
        file.platform_command
    };
    // Legacy string hooks run through `sh -c`, which expands variables;
    // the arguments themselves are then left alone.
    let (platform_hooks, expand_hook_args) =
        if file.platform_hooks.is_empty() && !file.hooks.is_empty() {
            let hooks = file
                .hooks
                .into_iter()
                .map(|(event, script)| {
                    (
                        event,
                        vec![PlatformCommand {
                            command: "sh".into(),
                            args: vec!["-c".into(), script],
                            ..PlatformCommand::default()
                        }],
                    )
                })
                .collect();
            (hooks, false)
        } else {
            (file.platform_hooks, true)
        };
    let protocol_commands = file
        .downloaders
        .into_iter()
        .map(|d| ProtocolCommand {
            protocols: d.protocols,
            platform_command: vec![PlatformCommand {
                command: d.command,
                ..PlatformCommand::default()
            }],
        })
        .collect();
    Ok(Metadata {
        api_version: "legacy".into(),
        name: file.name,
        version: file.version,
        plugin_type,
        runtime: "subprocess".into(),
        source_url: String::new(),
        config,
        runtime_config: SubprocessConfig {
            platform_command,
            platform_hooks,
            protocol_commands,
            expand_hook_args,
        },
    })
}

fn parse_v1(text: &str, dir: &Path) -> Result<Metadata, PluginError> {
    let invalid = |m: String| PluginError::invalid(dir, m);
    // The top level is checked before the type is known: a file of an
    // unknown type still gets its name and version checked first, as Helm
    // does.
    let top: V1File<serde::de::IgnoredAny> = yaml(text).map_err(invalid)?;
    if !is_valid_name(&top.name) {
        return Err(invalid("invalid plugin `name`".into()));
    }
    if top.version.is_empty() {
        return Err(invalid("plugin `version` is required".into()));
    }
    if !crate::chart::is_strict_semver(&top.version) {
        return Err(invalid(format!(
            "invalid plugin `version` {:?}: must be valid semver",
            top.version
        )));
    }
    if top.plugin_type.is_empty() {
        return Err(invalid("`type` missing".into()));
    }
    if top.runtime.is_empty() {
        return Err(invalid("`runtime` missing".into()));
    }
    let Some(plugin_type) = PluginType::parse(&top.plugin_type) else {
        return Err(invalid(format!(
            "unknown plugin type {:?}",
            top.plugin_type
        )));
    };
    match top.runtime.as_str() {
        "subprocess" => {}
        "extism/v1" => {
            return Err(PluginError::UnsupportedRuntime {
                name: top.name,
                dir: dir.to_path_buf(),
                runtime: top.runtime,
            });
        }
        other => {
            return Err(invalid(format!(
                "failed to convert MetadataV1 to Metadata: unsupported plugin runtime type: {other:?}"
            )));
        }
    }
    let strict = |e: String| invalid(format!("failed to convert MetadataV1 to Metadata: {e}"));
    let (config, runtime_config) = match plugin_type {
        PluginType::Cli => {
            let f: V1File<CliConfig> = yaml(text).map_err(strict)?;
            (Config::Cli(f.config.unwrap_or_default()), f.runtime_config)
        }
        PluginType::Getter => {
            let f: V1File<GetterConfig> = yaml(text).map_err(strict)?;
            let g = f.config.unwrap_or_default();
            if g.protocols.is_empty() {
                return Err(invalid(
                    "config validation failed: getter has no protocols".into(),
                ));
            }
            if let Some(i) = g.protocols.iter().position(String::is_empty) {
                return Err(invalid(format!(
                    "config validation failed: getter has empty protocol at index {i}"
                )));
            }
            (Config::Getter(g), f.runtime_config)
        }
        PluginType::PostRenderer => {
            let f: V1File<PostRendererConfig> = yaml(text).map_err(strict)?;
            (Config::PostRenderer, f.runtime_config)
        }
    };
    let rc = runtime_config.unwrap_or_default();
    Ok(Metadata {
        api_version: top.api_version,
        name: top.name,
        version: top.version,
        plugin_type,
        runtime: top.runtime,
        source_url: top.source_url,
        config,
        runtime_config: SubprocessConfig {
            platform_command: rc.platform_command,
            platform_hooks: rc.platform_hooks,
            protocol_commands: rc.protocol_commands,
            expand_hook_args: false,
        },
    })
}

fn check_name_and_version(name: &str, version: &str) -> Result<(), String> {
    if !is_valid_name(name) {
        return Err(format!(
            "invalid plugin name {name:?}: must contain only a-z, A-Z, 0-9, _ and -"
        ));
    }
    if !version.is_empty() && !crate::chart::is_strict_semver(version) {
        return Err(format!(
            "invalid plugin version {version:?}: must be valid semver"
        ));
    }
    Ok(())
}

/// Helm's `sanitizeString`: whitespace becomes a space, other characters
/// that do not print are dropped.
fn sanitize(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(text: &str) -> Result<Metadata, PluginError> {
        parse(text, Path::new("/plugins/p"))
    }

    fn err(text: &str) -> String {
        meta(text).unwrap_err().to_string()
    }

    #[test]
    fn a_legacy_cli_plugin_reads_as_helm_v4_converts_it() {
        let m = meta(
            r#"
name: "diff"
version: "3.9.4"
usage: "Preview helm upgrade\tchanges"
description: "Long text"
useTunnel: true
command: "$HELM_PLUGIN_DIR/bin/diff --flag"
ignoreFlags: false
hooks:
  install: "$HELM_PLUGIN_DIR/install-binary.sh"
"#,
        )
        .unwrap();
        assert_eq!(m.api_version, "legacy");
        assert_eq!((m.name.as_str(), m.version.as_str()), ("diff", "3.9.4"));
        assert_eq!(m.plugin_type, PluginType::Cli);
        let cli = m.cli().unwrap();
        assert_eq!(cli.short_help, "Preview helm upgrade changes");
        assert_eq!(cli.long_help, "Long text");
        assert!(!cli.ignore_flags);
        assert_eq!(
            m.runtime_config.platform_command,
            [PlatformCommand {
                command: "$HELM_PLUGIN_DIR/bin/diff --flag".into(),
                ..Default::default()
            }]
        );
        let install = &m.runtime_config.platform_hooks["install"];
        assert_eq!(install[0].command, "sh");
        assert_eq!(
            install[0].args,
            ["-c", "$HELM_PLUGIN_DIR/install-binary.sh"]
        );
        assert!(!m.runtime_config.expand_hook_args);
    }

    #[test]
    fn legacy_downloaders_make_a_getter_plugin() {
        let m = meta(
            "name: s3\nversion: 0.16.0\ncommand: bin/helm-s3\ndownloaders:\n- command: bin/helm-s3\n  protocols: [s3, s3a]\n- command: bin/other\n  protocols: [gs]\n",
        )
        .unwrap();
        assert_eq!(m.plugin_type, PluginType::Getter);
        assert_eq!(m.protocols(), ["s3", "s3a", "gs"]);
        assert_eq!(m.runtime_config.protocol_commands.len(), 2);
        assert_eq!(
            m.runtime_config.protocol_commands[1].platform_command[0].command,
            "bin/other"
        );
    }

    #[test]
    fn legacy_platform_commands_and_hooks_are_kept() {
        let m = meta(
            r#"
name: secrets
version: 4.6.0
platformCommand:
  - os: linux
    arch: amd64
    command: "$HELM_PLUGIN_DIR/scripts/run.sh"
    args: ["--x"]
  - os: windows
    command: "cmd"
platformHooks:
  install:
    - command: "$HELM_PLUGIN_DIR/hook.sh"
      args: ["$HELM_PLUGIN_NAME"]
"#,
        )
        .unwrap();
        assert_eq!(m.runtime_config.platform_command.len(), 2);
        assert_eq!(m.runtime_config.platform_command[0].os, "linux");
        assert_eq!(m.runtime_config.platform_command[0].args, ["--x"]);
        assert!(m.runtime_config.expand_hook_args);
        assert_eq!(
            m.runtime_config.platform_hooks["install"][0].args,
            ["$HELM_PLUGIN_NAME"]
        );
    }

    #[test]
    fn legacy_checks_are_helms() {
        assert!(err("name: a/b\n").contains("invalid plugin name \"a/b\""));
        assert!(err("name: ''\n").contains("invalid plugin name"));
        assert!(err("").contains("invalid plugin name"));
        assert!(err("name: a\nversion: 1.0\n").contains("invalid plugin version \"1.0\""));
        assert!(
            err("name: a\ncommand: x\nplatformCommand: [{command: y}]\n")
                .contains("both platformCommand and command are set")
        );
        assert!(
            err("name: a\nhooks: {install: x}\nplatformHooks: {install: [{command: y}]}\n")
                .contains("both platformHooks and hooks are set")
        );
        assert!(
            err("name: a\ndownloaders: [{protocols: [x]}]\n")
                .contains("downloader 0 has empty command")
        );
        assert!(
            err("name: a\ndownloaders: [{command: c}]\n").contains("downloader 0 has no protocols")
        );
        assert!(
            err("name: a\ndownloaders: [{command: c, protocols: [x, '']}]\n")
                .contains("downloader 0 has empty protocol at index 1")
        );
        // Unknown keys and empty values are fine in the legacy format.
        let m = meta("name: a\ncommand:\nwhatever: 1\n").unwrap();
        assert!(m.runtime_config.platform_command.is_empty());
        assert!(err("name: [a\n").contains("/plugins/p"));
    }

    #[test]
    fn a_v1_cli_plugin() {
        let m = meta(
            r#"
apiVersion: v1
name: hello
type: cli/v1
runtime: subprocess
version: 0.2.0
sourceURL: https://example.invalid/hello
config:
  usage: "hello [flags]"
  shortHelp: "Says hello"
  longHelp: "Says hello, at length"
  ignoreFlags: true
runtimeConfig:
  platformCommand:
    - command: "${HELM_PLUGIN_DIR}/hello.sh"
      args: ["--greeting", "$USER"]
  platformHooks:
    install:
      - command: "$HELM_PLUGIN_DIR/setup.sh"
        args: ["$HELM_PLUGIN_DIR"]
"#,
        )
        .unwrap();
        assert_eq!(m.api_version, "v1");
        assert_eq!(m.plugin_type, PluginType::Cli);
        assert_eq!(m.source_url, "https://example.invalid/hello");
        let cli = m.cli().unwrap();
        assert_eq!(cli.usage, "hello [flags]");
        assert_eq!(cli.short_help, "Says hello");
        assert!(cli.ignore_flags);
        assert_eq!(
            m.runtime_config.platform_command[0].args,
            ["--greeting", "$USER"]
        );
        // Helm does not expand v1 hook arguments.
        assert!(!m.runtime_config.expand_hook_args);
        assert_eq!(m.runtime_config.platform_hooks["install"].len(), 1);
    }

    #[test]
    fn v1_getter_and_postrenderer_plugins() {
        let g = meta(
            "apiVersion: v1\nname: fx\ntype: getter/v1\nruntime: subprocess\nversion: 1.0.0\nconfig:\n  protocols: [fixture]\nruntimeConfig:\n  protocolCommands:\n  - protocols: [fixture]\n    platformCommand:\n    - command: get.sh\n",
        )
        .unwrap();
        assert_eq!(g.plugin_type, PluginType::Getter);
        assert_eq!(g.protocols(), ["fixture"]);
        assert_eq!(
            g.runtime_config.protocol_commands[0].platform_command[0].command,
            "get.sh"
        );
        let p = meta(
            "apiVersion: v1\nname: label\ntype: postrenderer/v1\nruntime: subprocess\nversion: 1.0.0\nruntimeConfig:\n  platformCommand:\n  - command: label.sh\n  unknownRuntimeKey: fine\n",
        )
        .unwrap();
        assert_eq!(p.plugin_type, PluginType::PostRenderer);
        assert_eq!(p.config, Config::PostRenderer);
    }

    #[test]
    fn v1_checks_are_helms() {
        let base = "apiVersion: v1\nname: x\ntype: cli/v1\nruntime: subprocess\nversion: 1.0.0\n";
        meta(base).unwrap();
        assert!(err(&base.replace("name: x", "name: x.y")).contains("invalid plugin `name`"));
        assert!(err(&base.replace("version: 1.0.0\n", "")).contains("`version` is required"));
        assert!(err(&base.replace("1.0.0", "v1.0.0")).contains("must be valid semver"));
        assert!(err(&base.replace("type: cli/v1\n", "")).contains("`type` missing"));
        assert!(err(&base.replace("runtime: subprocess\n", "")).contains("`runtime` missing"));
        assert!(err(&base.replace("cli/v1", "magic/v1")).contains("unknown plugin type"));
        assert!(err(&base.replace("subprocess", "jvm")).contains("unsupported plugin runtime"));
        // Unknown keys: strict at the top level and in config.
        assert!(err(&format!("{base}command: x\n")).contains("command"));
        assert!(err(&format!("{base}config:\n  nope: 1\n")).contains("nope"));
        assert!(err(&base.replace("cli/v1", "getter/v1")).contains("getter has no protocols"),);
        assert!(err("apiVersion: v2\nname: x\n").contains("invalid plugin apiVersion: \"v2\""));
    }

    #[test]
    fn webassembly_plugins_are_refused_by_name() {
        let e = meta(
            "apiVersion: v1\nname: wasmy\ntype: cli/v1\nruntime: extism/v1\nversion: 1.0.0\nruntimeConfig:\n  memory:\n    maxPages: 3\n",
        )
        .unwrap_err();
        assert!(
            matches!(&e, PluginError::UnsupportedRuntime { name, runtime, .. } if name == "wasmy" && runtime == "extism/v1"),
            "{e:?}"
        );
        let text = e.to_string();
        assert!(
            text.contains("\"wasmy\"") && text.contains("extism/v1"),
            "{text}"
        );
    }
}
