//! Command-line flags, named as ChartMuseum names them (with the same
//! environment variable forms), so existing deployments can switch over.

use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Parser, ValueEnum};

/// Storage backends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StorageKind {
    /// A local folder (`--storage-local-rootdir`).
    Local,
}

/// hoist-repo-server: a ChartMuseum-compatible Helm chart repository.
///
/// Boolean environment variables accept `1`/`0`, `true`/`false`, `yes`/`no`
/// like ChartMuseum's (Go `strconv.ParseBool`).
#[derive(Clone, Debug, Parser)]
#[command(name = "hoist-repo-server", version, about)]
pub struct Config {
    /// Port to listen on.
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// Host to listen on.
    #[arg(long = "listen-host", env = "LISTEN_HOST", default_value = "0.0.0.0")]
    pub listen_host: String,
    /// Base path every route is served under, e.g. `/charts-repo`.
    #[arg(long = "context-path", env = "CONTEXT_PATH", default_value = "")]
    pub context_path: String,
    /// Absolute URL prefix for the .tgz URLs written into index.yaml.
    #[arg(long = "chart-url", env = "CHART_URL", default_value = "")]
    pub chart_url: String,
    /// Storage backend.
    #[arg(long, env = "STORAGE", value_enum, default_value = "local")]
    pub storage: StorageKind,
    /// Folder holding the charts (local storage).
    #[arg(long = "storage-local-rootdir", env = "STORAGE_LOCAL_ROOTDIR")]
    pub storage_local_rootdir: Option<PathBuf>,
    /// User name for HTTP basic authentication.
    #[arg(long = "basic-auth-user", env = "BASIC_AUTH_USER", default_value = "")]
    pub basic_auth_user: String,
    /// Password for HTTP basic authentication.
    #[arg(long = "basic-auth-pass", env = "BASIC_AUTH_PASS", default_value = "")]
    pub basic_auth_pass: String,
    /// Allow GET/HEAD requests without credentials when auth is on.
    #[arg(long = "auth-anonymous-get", env = "AUTH_ANONYMOUS_GET", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub auth_anonymous_get: bool,
    /// Allow re-uploading an existing chart version without `?force`.
    #[arg(long = "allow-overwrite", env = "ALLOW_OVERWRITE", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub allow_overwrite: bool,
    /// Refuse re-uploads even with `?force`.
    #[arg(long = "disable-force-overwrite", env = "DISABLE_FORCE_OVERWRITE", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub disable_force_overwrite: bool,
    /// Disable the DELETE route.
    #[arg(long = "disable-delete", env = "DISABLE_DELETE", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub disable_delete: bool,
    /// Disable every route under /api.
    #[arg(long = "disable-api", env = "DISABLE_API", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub disable_api: bool,
    /// Largest accepted request body, in bytes.
    #[arg(long = "max-upload-size", env = "MAX_UPLOAD_SIZE", default_value_t = 20 * 1024 * 1024)]
    pub max_upload_size: u64,
    /// Write logs as JSON lines.
    #[arg(long = "log-json", env = "LOG_JSON", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub log_json: bool,
    /// Show debug messages.
    #[arg(long, env = "DEBUG", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub debug: bool,
    /// Multipart form field holding the chart package.
    #[arg(
        long = "chart-post-form-field-name",
        env = "CHART_POST_FORM_FIELD_NAME",
        default_value = "chart"
    )]
    pub chart_post_form_field_name: String,
    /// Multipart form field holding the provenance file.
    #[arg(
        long = "prov-post-form-field-name",
        env = "PROV_POST_FORM_FIELD_NAME",
        default_value = "prov"
    )]
    pub prov_post_form_field_name: String,
}

/// A configuration that cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Local storage without a folder.
    #[error(
        "missing required flag --storage-local-rootdir (or STORAGE_LOCAL_ROOTDIR) for --storage local"
    )]
    MissingRootDir,
    /// A malformed context path.
    #[error("--context-path {0:?} must start with '/' and must not contain '..'")]
    BadContextPath(String),
}

impl Config {
    /// Parses flags for tests and embedders, e.g. `Config::from_args(["--port", "0"])`.
    pub fn from_args<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        Self::try_parse_from(
            std::iter::once("hoist-repo-server".into()).chain(args.into_iter().map(Into::into)),
        )
    }

    /// The context path normalized: empty, or `/x` without a trailing slash.
    pub fn normalized_context_path(&self) -> Result<String, ConfigError> {
        let p = self.context_path.trim_end_matches('/');
        if p.is_empty() {
            return Ok(String::new());
        }
        if !p.starts_with('/') || p.split('/').any(|s| s == "..") {
            return Err(ConfigError::BadContextPath(self.context_path.clone()));
        }
        Ok(p.to_string())
    }

    /// Whether basic authentication is configured.
    pub fn auth_enabled(&self) -> bool {
        !self.basic_auth_user.is_empty() && !self.basic_auth_pass.is_empty()
    }

    /// Whether an upload of an existing version may replace it.
    pub fn may_overwrite(&self, force: bool) -> bool {
        self.allow_overwrite || (force && !self.disable_force_overwrite)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chartmuseum_flag_names_parse() {
        let c = Config::from_args([
            "--port",
            "9000",
            "--storage",
            "local",
            "--storage-local-rootdir",
            "/tmp/x",
            "--context-path",
            "/repo/",
            "--basic-auth-user",
            "u",
            "--basic-auth-pass",
            "p",
            "--auth-anonymous-get",
            "--disable-delete",
            "--max-upload-size",
            "10",
        ])
        .unwrap();
        assert_eq!(c.port, 9000);
        assert_eq!(c.normalized_context_path().unwrap(), "/repo");
        assert!(c.auth_enabled() && c.auth_anonymous_get && c.disable_delete);
        assert_eq!(c.max_upload_size, 10);
        assert!(!c.may_overwrite(false));
        assert!(c.may_overwrite(true));
    }

    #[test]
    fn force_can_be_disabled() {
        let c = Config::from_args(["--disable-force-overwrite"]).unwrap();
        assert!(!c.may_overwrite(true));
        let c = Config::from_args(["--allow-overwrite"]).unwrap();
        assert!(c.may_overwrite(false));
    }

    #[test]
    fn rejects_relative_context_path() {
        let c = Config::from_args(["--context-path", "repo"]).unwrap();
        assert!(c.normalized_context_path().is_err());
    }
}
