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
    /// An S3 bucket or S3-compatible store (`--storage-amazon-*`).
    Amazon,
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
    /// S3 bucket (`--storage amazon`).
    #[arg(
        long = "storage-amazon-bucket",
        env = "STORAGE_AMAZON_BUCKET",
        default_value = ""
    )]
    pub storage_amazon_bucket: String,
    /// Key prefix inside the bucket.
    #[arg(
        long = "storage-amazon-prefix",
        env = "STORAGE_AMAZON_PREFIX",
        default_value = ""
    )]
    pub storage_amazon_prefix: String,
    /// Region of the bucket.
    #[arg(
        long = "storage-amazon-region",
        env = "STORAGE_AMAZON_REGION",
        default_value = ""
    )]
    pub storage_amazon_region: String,
    /// Endpoint of an S3-compatible server, e.g. `http://127.0.0.1:9000`.
    #[arg(
        long = "storage-amazon-endpoint",
        env = "STORAGE_AMAZON_ENDPOINT",
        default_value = ""
    )]
    pub storage_amazon_endpoint: String,
    /// How often to re-list storage and apply other replicas' changes
    /// (Go duration: `30s`, `1m`, `500ms`); off when empty or `0`.
    #[arg(long = "cache-interval", env = "CACHE_INTERVAL", value_parser = parse_go_duration_arg)]
    pub cache_interval: Option<std::time::Duration>,
    /// Multitenancy: number of path segments naming a repository
    /// (`--depth 2` serves `/org/repo/index.yaml`).
    #[arg(long, env = "DEPTH", default_value_t = 0)]
    pub depth: usize,
    /// User name for HTTP basic authentication.
    #[arg(long = "basic-auth-user", env = "BASIC_AUTH_USER", default_value = "")]
    pub basic_auth_user: String,
    /// Password for HTTP basic authentication.
    #[arg(long = "basic-auth-pass", env = "BASIC_AUTH_PASS", default_value = "")]
    pub basic_auth_pass: String,
    /// Require bearer tokens (RS256 JWTs and/or `--bearer-auth-tokens`).
    #[arg(long = "bearer-auth", env = "BEARER_AUTH", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub bearer_auth: bool,
    /// PEM public key that verifies RS256 bearer tokens.
    #[arg(long = "auth-cert-path", env = "AUTH_CERT_PATH", default_value = "")]
    pub auth_cert_path: String,
    /// Realm named in the bearer `WWW-Authenticate` challenge.
    #[arg(long = "auth-realm", env = "AUTH_REALM", default_value = "")]
    pub auth_realm: String,
    /// Service named in the bearer `WWW-Authenticate` challenge.
    #[arg(long = "auth-service", env = "AUTH_SERVICE", default_value = "")]
    pub auth_service: String,
    /// Required `iss` claim of bearer tokens (not checked when empty).
    #[arg(long = "auth-issuer", env = "AUTH_ISSUER", default_value = "")]
    pub auth_issuer: String,
    /// Required `aud` claim of bearer tokens (not checked when empty).
    #[arg(long = "auth-audience", env = "AUTH_AUDIENCE", default_value = "")]
    pub auth_audience: String,
    /// Static bearer tokens allowing every action, comma-separated.
    #[arg(
        long = "bearer-auth-tokens",
        env = "BEARER_AUTH_TOKENS",
        value_delimiter = ','
    )]
    pub bearer_auth_tokens: Vec<String>,
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
    /// Serve TLS with this PEM certificate chain (needs `--tls-key`).
    #[arg(long = "tls-cert", env = "TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of `--tls-cert`.
    #[arg(long = "tls-key", env = "TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// Require client certificates signed by this PEM CA (mutual TLS).
    #[arg(long = "tls-ca-cert", env = "TLS_CA_CERT")]
    pub tls_ca_cert: Option<PathBuf>,
    /// Serve Prometheus metrics at /metrics.
    #[arg(long = "enable-metrics", env = "ENABLE_METRICS", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub enable_metrics: bool,
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
    /// S3 storage without a bucket.
    #[error(
        "missing required flag --storage-amazon-bucket (or STORAGE_AMAZON_BUCKET) for --storage amazon"
    )]
    MissingBucket,
    /// Only one of the TLS certificate and key.
    #[error("--tls-cert and --tls-key must be given together")]
    TlsPair,
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

    /// The replica refresh interval, if any.
    pub fn refresh_interval(&self) -> Option<std::time::Duration> {
        self.cache_interval.filter(|d| !d.is_zero())
    }

    /// Whether basic authentication is configured.
    pub fn auth_enabled(&self) -> bool {
        !self.basic_auth_user.is_empty() && !self.basic_auth_pass.is_empty()
    }

    /// The authentication settings.
    pub fn auth_options(&self) -> crate::auth::AuthOptions {
        crate::auth::AuthOptions {
            basic_user: self.basic_auth_user.clone(),
            basic_pass: self.basic_auth_pass.clone(),
            bearer: self.bearer_auth,
            cert_path: self.auth_cert_path.clone(),
            static_tokens: self
                .bearer_auth_tokens
                .iter()
                .filter(|t| !t.is_empty())
                .cloned()
                .collect(),
            realm: self.auth_realm.clone(),
            service: self.auth_service.clone(),
            issuer: self.auth_issuer.clone(),
            audience: self.auth_audience.clone(),
            anonymous_get: self.auth_anonymous_get,
        }
    }

    /// Whether an upload of an existing version may replace it.
    pub fn may_overwrite(&self, force: bool) -> bool {
        self.allow_overwrite || (force && !self.disable_force_overwrite)
    }
}

fn parse_go_duration_arg(s: &str) -> Result<std::time::Duration, String> {
    if s.is_empty() {
        return Ok(std::time::Duration::ZERO);
    }
    parse_go_duration(s)
        .ok_or_else(|| format!("invalid duration {s:?} (examples: 30s, 1m, 500ms, 1h30m)"))
}

/// Go's `time.ParseDuration` for non-negative values: a sequence of
/// decimal numbers with units `ns`, `us`, `ms`, `s`, `m`, `h`; plain `0` is
/// allowed.
pub fn parse_go_duration(s: &str) -> Option<std::time::Duration> {
    if s == "0" {
        return Some(std::time::Duration::ZERO);
    }
    let mut rest = s.strip_prefix('+').unwrap_or(s);
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += number * scale;
    }
    std::time::Duration::try_from_secs_f64(total).ok()
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
    fn go_durations() {
        assert_eq!(
            parse_go_duration("1m30s"),
            Some(std::time::Duration::from_secs(90))
        );
        assert_eq!(
            parse_go_duration("250ms"),
            Some(std::time::Duration::from_millis(250))
        );
        assert_eq!(parse_go_duration("0"), Some(std::time::Duration::ZERO));
        assert_eq!(parse_go_duration("5"), None);
        assert_eq!(parse_go_duration("5x"), None);
        let c = Config::from_args(["--cache-interval", "2s", "--depth", "2"]).unwrap();
        assert_eq!(c.cache_interval, Some(std::time::Duration::from_secs(2)));
        assert_eq!(c.depth, 2);
        assert!(Config::from_args(["--cache-interval", "soon"]).is_err());
    }

    #[test]
    fn rejects_relative_context_path() {
        let c = Config::from_args(["--context-path", "repo"]).unwrap();
        assert!(c.normalized_context_path().is_err());
    }
}
