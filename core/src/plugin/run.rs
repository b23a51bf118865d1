//! Running a plugin's program: CLI plugins, hooks and post-renderers.
//!
//! Every plugin process gets hoist's environment plus the variables the
//! caller passes (Helm's `EnvVars`: `HELM_BIN`, `HELM_NAMESPACE`...) and
//! `HELM_PLUGIN_NAME` and `HELM_PLUGIN_DIR`; `$VAR`s in its command are
//! expanded from that same set.

use super::{Plugin, PluginError, command};
use std::collections::HashMap;
use std::ffi::OsString;
use std::process::{Command, ExitStatus, Stdio};

/// Variables set for one plugin on top of the process environment.
#[derive(Clone, Debug)]
pub struct PluginEnv {
    vars: Vec<(String, String)>,
}

impl PluginEnv {
    /// `extra` (the caller's variables), then the plugin's name and folder.
    pub fn new(plugin: &Plugin, extra: &[(String, String)]) -> Self {
        let mut vars = extra.to_vec();
        vars.push(("HELM_PLUGIN_NAME".into(), plugin.name().to_string()));
        vars.push((
            "HELM_PLUGIN_DIR".into(),
            plugin.dir().to_string_lossy().into_owned(),
        ));
        PluginEnv { vars }
    }

    /// Adds one more variable (later ones win).
    pub fn push(&mut self, name: &str, value: impl Into<String>) {
        self.vars.push((name.to_string(), value.into()));
    }

    /// The variables to set.
    pub fn vars(&self) -> &[(String, String)] {
        &self.vars
    }

    /// What `$VAR` means in the plugin's command: the process environment
    /// with these variables over it.
    pub fn lookup_table(&self) -> HashMap<String, String> {
        let mut table: HashMap<String, String> = std::env::vars_os()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.to_string_lossy().into_owned(),
                )
            })
            .collect();
        for (k, v) in &self.vars {
            table.insert(k.clone(), v.clone());
        }
        table
    }

    /// Sets the variables on `cmd`.
    pub fn apply(&self, cmd: &mut Command) {
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
    }
}

/// The program and arguments of a CLI or post-renderer plugin, expanded,
/// with `extra` appended as given.
pub fn main_command(
    plugin: &Plugin,
    env: &PluginEnv,
    extra: &[String],
) -> Result<(String, Vec<String>), PluginError> {
    command::prepare(
        &plugin.metadata().runtime_config.platform_command,
        true,
        extra,
        &env.lookup_table(),
    )
    .ok_or_else(|| PluginError::NoCommand {
        name: plugin.name().to_string(),
    })
}

/// Runs a CLI plugin with `args` (the words after `hoist NAME`, dropped
/// for `ignoreFlags` plugins) and hoist's standard streams, and waits for
/// it. A non-zero exit is [`PluginError::Exited`] with the plugin's code.
pub fn run_cli(plugin: &Plugin, args: &[OsString], env: &PluginEnv) -> Result<(), PluginError> {
    let (program, base) = main_command(plugin, env, &[])?;
    let ignore = plugin.metadata().cli().is_some_and(|c| c.ignore_flags);
    let mut cmd = Command::new(&program);
    cmd.args(&base);
    if !ignore {
        cmd.args(args);
    }
    env.apply(&mut cmd);
    tracing::debug!(plugin = plugin.name(), ?cmd, "running plugin");
    let status = cmd.status().map_err(|source| PluginError::Spawn {
        name: plugin.name().to_string(),
        program: program.clone(),
        source,
    })?;
    check_status(plugin, status, String::new())
}

/// Runs the plugin's hook for `event` (`install`, `update`, `delete`), if
/// it has one, with hoist's stdout and stderr.
pub fn run_hook(plugin: &Plugin, event: &str, env: &PluginEnv) -> Result<(), PluginError> {
    let rc = &plugin.metadata().runtime_config;
    let Some(cmds) = rc.platform_hooks.get(event).filter(|c| !c.is_empty()) else {
        return Ok(());
    };
    let (program, args) = command::prepare(cmds, rc.expand_hook_args, &[], &env.lookup_table())
        .ok_or_else(|| PluginError::NoCommand {
            name: plugin.name().to_string(),
        })?;
    let mut cmd = Command::new(&program);
    cmd.args(&args).stdin(Stdio::null());
    env.apply(&mut cmd);
    tracing::debug!(plugin = plugin.name(), event, ?cmd, "running plugin hook");
    let status = cmd.status().map_err(|source| PluginError::Spawn {
        name: plugin.name().to_string(),
        program,
        source,
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(PluginError::Hook {
            event: event.to_string(),
            name: plugin.name().to_string(),
        })
    }
}

/// `Ok` for a successful exit, else [`PluginError::Exited`].
pub(crate) fn check_status(
    plugin: &Plugin,
    status: ExitStatus,
    stderr: String,
) -> Result<(), PluginError> {
    if status.success() {
        return Ok(());
    }
    Err(PluginError::Exited {
        name: plugin.name().to_string(),
        code: exit_code(status),
        stderr,
    })
}

/// The exit code, or 128 + the signal for a process killed by one (what a
/// shell reports); `None` when neither is known.
pub fn exit_code(status: ExitStatus) -> Option<i32> {
    if let Some(c) = status.code() {
        return Some(c);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(s) = status.signal() {
            return Some(128 + s);
        }
    }
    None
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::plugin::load_dir;

    fn plugin(dir: &std::path::Path, yaml: &str, script: &str) -> Plugin {
        std::fs::write(dir.join("plugin.yaml"), yaml).unwrap();
        crate::process::write_test_script(&dir.join("run.sh"), script);
        load_dir(dir).unwrap()
    }

    #[test]
    fn a_cli_plugin_gets_its_arguments_environment_and_exit_code() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let p = plugin(
            dir.path(),
            "name: echo\ncommand: \"$HELM_PLUGIN_DIR/run.sh --from-yaml=$EXTRA\"\n",
            &format!(
                "printf '%s|' \"$@\" > {out}\necho \"$HELM_PLUGIN_NAME $HELM_PLUGIN_DIR $EXTRA\" >> {out}\nexit 7",
                out = out.display()
            ),
        );
        let env = PluginEnv::new(&p, &[("EXTRA".into(), "e".into())]);
        let args = [OsString::from("a b"), OsString::from("$EXTRA")];
        let e = run_cli(&p, &args, &env).unwrap_err();
        assert_eq!(e.exit_code(), Some(7));
        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(
            text,
            format!("--from-yaml=e|a b|$EXTRA|echo {} e\n", dir.path().display())
        );
    }

    #[test]
    fn ignore_flags_drops_every_argument() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let p = plugin(
            dir.path(),
            "name: quiet\nignoreFlags: true\ncommand: $HELM_PLUGIN_DIR/run.sh\n",
            &format!("echo \"$#\" > {}", out.display()),
        );
        let env = PluginEnv::new(&p, &[]);
        run_cli(&p, &[OsString::from("--x"), OsString::from("y")], &env).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "0\n");
    }

    #[test]
    fn hooks_run_and_fail_with_helms_message() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("hooked");
        let p = plugin(
            dir.path(),
            &format!(
                "name: h\ncommand: x\nhooks:\n  install: \"echo $HELM_PLUGIN_NAME > {}\"\n  delete: \"exit 3\"\n",
                out.display()
            ),
            "true",
        );
        let env = PluginEnv::new(&p, &[]);
        run_hook(&p, "install", &env).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "h\n");
        run_hook(&p, "update", &env).unwrap();
        let e = run_hook(&p, "delete", &env).unwrap_err().to_string();
        assert_eq!(e, "plugin delete hook for \"h\" exited with error");
    }

    #[test]
    fn no_applicable_command_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let p = plugin(
            dir.path(),
            "name: nope\nplatformCommand: [{os: no-such-os, command: x}]\n",
            "true",
        );
        let e = run_cli(&p, &[], &PluginEnv::new(&p, &[])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "failed to prepare plugin command: no plugin command is applicable"
        );
    }
}
