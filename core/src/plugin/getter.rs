//! Downloader (getter) plugins: URLs whose scheme a plugin claims (legacy
//! `downloaders`, v1 `getter/v1` `protocols`) are fetched by running it,
//! as Helm's `pkg/getter/plugingetter.go` does.
//!
//! The command of the plugin's `protocolCommands` entry for the scheme
//! runs with four more arguments: the certificate, key and CA files of the
//! repository (empty when not set) and the URL. Its stdout is the content;
//! its stderr is passed on to hoist's stderr as it comes, and kept for the
//! error when it fails. The repository's credentials are in
//! `HELM_PLUGIN_USERNAME`, `HELM_PLUGIN_PASSWORD` and
//! `HELM_PLUGIN_PASS_CREDENTIALS_ALL`. A relative command is taken from the
//! plugin's folder (an absolute one, e.g. from `$HELM_PLUGIN_DIR/...`, as
//! given).

use super::run::{PluginEnv, check_status};
use super::{Plugin, PluginError, PluginType, command, find_plugins, plugin_dirs};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// What the caller knows about the repository a URL belongs to.
#[derive(Clone, Debug, Default)]
pub struct GetterOptions {
    /// Client certificate file (`--cert-file`).
    pub cert_file: String,
    /// Client key file (`--key-file`).
    pub key_file: String,
    /// CA bundle (`--ca-file`).
    pub ca_file: String,
    /// Basic-auth user.
    pub username: String,
    /// Basic-auth password.
    pub password: String,
    /// Send credentials to every host.
    pub pass_credentials_all: bool,
    /// Largest output accepted, in bytes.
    pub max_bytes: u64,
}

type EnvProvider = Box<dyn Fn() -> Vec<(String, String)> + Send + Sync>;

static ENVIRONMENT: OnceLock<EnvProvider> = OnceLock::new();

/// Registers how to compute Helm's variables (`HELM_BIN`,
/// `HELM_NAMESPACE`...) for the plugins core runs by itself (downloaders).
/// The command line does this once at start-up; without it, downloaders
/// get only the process environment and their own variables.
pub fn set_environment(provider: impl Fn() -> Vec<(String, String)> + Send + Sync + 'static) {
    let _ = ENVIRONMENT.set(Box::new(provider));
}

/// The registered Helm variables (none when no provider is registered).
pub fn environment() -> Vec<(String, String)> {
    ENVIRONMENT.get().map(|f| f()).unwrap_or_default()
}

/// The scheme of `url` (before `://`), lower-cased as Go's URL parser
/// does; `None` when it has none.
fn scheme_of(url: &str) -> Option<String> {
    let (scheme, _) = url.split_once("://")?;
    let valid = scheme
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// The installed downloader for `scheme`: the first getter plugin that
/// lists it. Plugins that cannot be read are skipped (with a warning in
/// the debug log).
pub fn find_for_scheme(scheme: &str) -> Option<Plugin> {
    if matches!(scheme, "http" | "https" | "oci") {
        return None;
    }
    let found = match find_plugins(&plugin_dirs(), Some(PluginType::Getter)) {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!("failed to load plugins: {e}");
            return None;
        }
    };
    for (file, e) in &found.skipped {
        tracing::warn!(plugin_yaml = %file.display(), "failed to load plugin (ignoring): {e}");
    }
    found
        .plugins
        .into_iter()
        .find(|p| p.metadata().protocols().iter().any(|s| s == scheme))
}

/// The downloader for `url`'s scheme, if a plugin claims it.
pub fn find_for_url(url: &str) -> Option<Plugin> {
    find_for_scheme(&scheme_of(url)?)
}

/// True when `url` has a scheme an installed downloader plugin handles.
pub fn handles(url: &str) -> bool {
    find_for_url(url).is_some()
}

/// Fetches `url` with `plugin`: its stdout, checked against the size limit.
pub fn fetch(plugin: &Plugin, url: &str, opts: &GetterOptions) -> Result<Vec<u8>, PluginError> {
    let scheme = scheme_of(url).unwrap_or_default();
    let rc = &plugin.metadata().runtime_config;
    let entry = rc
        .protocol_commands
        .iter()
        .find(|c| c.protocols.contains(&scheme))
        .ok_or_else(|| {
            PluginError::invalid(
                plugin.dir(),
                format!("no downloader found for protocol {scheme:?}"),
            )
        })?;
    let mut env = PluginEnv::new(plugin, &environment());
    env.push("HELM_PLUGIN_USERNAME", opts.username.clone());
    env.push("HELM_PLUGIN_PASSWORD", opts.password.clone());
    env.push(
        "HELM_PLUGIN_PASS_CREDENTIALS_ALL",
        opts.pass_credentials_all.to_string(),
    );
    let (main, mut args) =
        command::prepare(&entry.platform_command, false, &[], &env.lookup_table()).ok_or_else(
            || PluginError::NoCommand {
                name: plugin.name().to_string(),
            },
        )?;
    args.extend([
        opts.cert_file.clone(),
        opts.key_file.clone(),
        opts.ca_file.clone(),
        url.to_string(),
    ]);
    let program = if Path::new(&main).is_absolute() {
        main.into()
    } else {
        plugin.dir().join(&main)
    };
    let mut cmd = Command::new(&program);
    cmd.args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    env.apply(&mut cmd);
    tracing::debug!(plugin = plugin.name(), ?cmd, "running downloader plugin");
    let mut child = cmd.spawn().map_err(|source| PluginError::Spawn {
        name: plugin.name().to_string(),
        program: program.display().to_string(),
        source,
    })?;
    let stderr = child.stderr.take();
    let tee = std::thread::spawn(move || tee_stderr(stderr));
    let mut out = Vec::new();
    let read = match child.stdout.take() {
        Some(s) => s
            .take(opts.max_bytes.saturating_add(1))
            .read_to_end(&mut out),
        None => Ok(0),
    };
    let too_large = out.len() as u64 > opts.max_bytes;
    if too_large {
        let _ = child.kill();
    }
    let status = child.wait().map_err(|source| PluginError::Spawn {
        name: plugin.name().to_string(),
        program: program.display().to_string(),
        source,
    })?;
    let stderr = tee.join().unwrap_or_default();
    if too_large {
        return Err(PluginError::TooLarge {
            name: plugin.name().to_string(),
            url: url.to_string(),
            limit: opts.max_bytes,
        });
    }
    check_status(plugin, status, stderr)?;
    read.map_err(|e| PluginError::io("reading the output of the plugin at", &program, e))?;
    Ok(out)
}

/// Copies a child's stderr to hoist's as it comes, and returns (up to
/// 64 KiB of) it.
fn tee_stderr(stderr: Option<std::process::ChildStderr>) -> String {
    const KEEP: usize = 64 * 1024;
    let Some(mut stderr) = stderr else {
        return String::new();
    };
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stderr.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let _ = std::io::stderr().write_all(&buf[..n]);
                let room = KEEP.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
    String::from_utf8_lossy(&kept).into_owned()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::plugin::load_dir;

    fn getter(dir: &Path, script: &str) -> Plugin {
        std::fs::write(
            dir.join("plugin.yaml"),
            "name: fx\nversion: 0.1.0\ndownloaders:\n- command: bin/get.sh --mode=x\n  protocols: [fixture]\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        crate::process::write_test_script(&dir.join("bin/get.sh"), script);
        load_dir(dir).unwrap()
    }

    fn opts() -> GetterOptions {
        GetterOptions {
            cert_file: "c.pem".into(),
            ca_file: "ca.pem".into(),
            username: "u".into(),
            password: "p".into(),
            max_bytes: 1024,
            ..GetterOptions::default()
        }
    }

    #[test]
    fn schemes_are_read_like_go_reads_them() {
        assert_eq!(scheme_of("FiXture://a/b").as_deref(), Some("fixture"));
        assert_eq!(scheme_of("s3+x://a").as_deref(), Some("s3+x"));
        assert_eq!(scheme_of("no-scheme/a"), None);
        assert_eq!(scheme_of("1x://a"), None);
        assert_eq!(find_for_scheme("https"), None);
    }

    #[test]
    fn the_downloader_gets_helms_arguments_and_credentials() {
        let dir = tempfile::tempdir().unwrap();
        let p = getter(
            dir.path(),
            "printf '%s|' \"$@\"; printf '%s %s %s' \"$HELM_PLUGIN_USERNAME\" \"$HELM_PLUGIN_PASSWORD\" \"$HELM_PLUGIN_PASS_CREDENTIALS_ALL\"",
        );
        let out = fetch(&p, "fixture://repo/index.yaml", &opts()).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "--mode=x|c.pem||ca.pem|fixture://repo/index.yaml|u p false"
        );
    }

    #[test]
    fn a_failing_downloader_reports_its_stderr() {
        let dir = tempfile::tempdir().unwrap();
        let p = getter(dir.path(), "echo 'bucket not found' >&2; exit 4");
        let e = fetch(&p, "fixture://repo/index.yaml", &opts()).unwrap_err();
        assert_eq!(e.exit_code(), Some(4));
        assert_eq!(
            e.to_string(),
            "plugin \"fx\" exited with error (exit status 4): bucket not found"
        );
    }

    #[test]
    fn output_over_the_limit_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = getter(dir.path(), "head -c 5000 /dev/zero");
        let e = fetch(&p, "fixture://r/big", &opts()).unwrap_err();
        assert!(
            matches!(e, PluginError::TooLarge { limit: 1024, .. }),
            "{e}"
        );
        let e = fetch(&p, "other://r/big", &opts()).unwrap_err().to_string();
        assert!(
            e.contains("no downloader found for protocol \"other\""),
            "{e}"
        );
    }
}
