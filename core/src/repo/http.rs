//! The HTTP getter: Helm's `getter.HTTPGetter` rules over reqwest/rustls.
//!
//! - Basic auth goes only to the repository's own host (host and port)
//!   unless `pass_credentials_all`; reqwest drops `Authorization` when a
//!   redirect leaves the original host.
//! - TLS is verified unless `insecure_skip_tls_verify`; a repository may add
//!   its own CA bundle and a client certificate.
//! - Every body is read with a size cap, so a hostile or broken server
//!   cannot fill memory; the connect and read timeouts bound slow servers.
//! - A URL of another scheme is fetched by the downloader plugin that
//!   claims it (Helm's plugin getters, see [`crate::plugin::getter`]),
//!   with the repository's credentials and TLS files.

use super::{RepoEntry, RepoError};
use std::time::Duration;

/// Default cap on a response body: far above any real index (Bitnami's is
/// about 27 MB) or chart, far below what would hurt the machine.
pub const DEFAULT_MAX_BYTES: u64 = 512 * 1024 * 1024;

/// Limits applied to every request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpOptions {
    /// Whole-request timeout (Helm's `--timeout`, 120 s by default).
    pub timeout: Duration,
    /// Largest body accepted, in bytes (after gzip decoding).
    pub max_bytes: u64,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(120),
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

impl HttpOptions {
    /// The defaults, overridden by `HOIST_HTTP_TIMEOUT` (seconds) and
    /// `HOIST_MAX_DOWNLOAD_BYTES` when set to numbers.
    pub fn from_env() -> Self {
        let mut o = HttpOptions::default();
        if let Some(secs) = std::env::var("HOIST_HTTP_TIMEOUT")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
        {
            o.timeout = Duration::from_secs_f64(secs);
        }
        if let Some(n) = std::env::var("HOIST_MAX_DOWNLOAD_BYTES")
            .ok()
            .and_then(|s| s.parse().ok())
        {
            o.max_bytes = n;
        }
        o
    }
}

/// Validators from a previous fetch, sent so an unchanged body is not
/// transferred again.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Validators {
    /// The `ETag` the server sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The `Last-Modified` the server sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

/// The result of a conditional GET.
#[derive(Debug)]
pub enum Fetched {
    /// 304: the cached copy is current; no body was transferred.
    NotModified,
    /// A new body with the validators to store beside it.
    Body {
        /// The (decoded) body.
        bytes: Vec<u8>,
        /// Validators for the next request.
        validators: Validators,
    },
}

/// An HTTP client configured for one repository.
#[derive(Clone, Debug)]
pub struct Getter {
    client: reqwest::Client,
    /// `host:port` of the repository URL, for the credentials rule.
    repo_authority: Option<String>,
    username: String,
    password: String,
    pass_credentials_all: bool,
    max_bytes: u64,
    /// The repository's TLS files, for downloader plugins.
    cert_file: String,
    key_file: String,
    ca_file: String,
}

fn authority(url: &reqwest::Url) -> Option<String> {
    Some(format!(
        "{}:{}",
        url.host_str()?,
        url.port_or_known_default()?
    ))
}

fn read_file(path: &str, what: &str, url: &str) -> Result<Vec<u8>, RepoError> {
    std::fs::read(path).map_err(|e| RepoError::Client {
        url: url.to_string(),
        message: format!("reading {what} {path}: {e}"),
    })
}

impl Getter {
    /// A getter for `entry`'s repository (its URL, credentials and TLS files).
    pub fn new(entry: &RepoEntry, opts: &HttpOptions) -> Result<Getter, RepoError> {
        let client_err = |message: String| RepoError::Client {
            url: entry.url.clone(),
            message,
        };
        let mut b = reqwest::Client::builder()
            .user_agent(concat!("hoist/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(opts.timeout.min(Duration::from_secs(30)))
            .read_timeout(opts.timeout)
            .timeout(opts.timeout)
            .redirect(reqwest::redirect::Policy::limited(10));
        if !entry.ca_file.is_empty() {
            let pem = read_file(&entry.ca_file, "CA file", &entry.url)?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| client_err(format!("CA file {}: {e}", entry.ca_file)))?;
            if certs.is_empty() {
                return Err(client_err(format!(
                    "CA file {} holds no PEM certificate",
                    entry.ca_file
                )));
            }
            for c in certs {
                b = b.add_root_certificate(c);
            }
        }
        match (entry.cert_file.is_empty(), entry.key_file.is_empty()) {
            (true, true) => {}
            (false, false) => {
                let mut pem = read_file(&entry.cert_file, "certificate file", &entry.url)?;
                pem.push(b'\n');
                pem.extend(read_file(&entry.key_file, "key file", &entry.url)?);
                let id = reqwest::Identity::from_pem(&pem).map_err(|e| {
                    client_err(format!(
                        "client certificate {} / key {}: {e}",
                        entry.cert_file, entry.key_file
                    ))
                })?;
                b = b.identity(id);
            }
            _ => {
                return Err(client_err(
                    "a client certificate needs both --cert-file and --key-file".into(),
                ));
            }
        }
        if entry.insecure_skip_tls_verify {
            b = b.tls_danger_accept_invalid_certs(true);
        }
        let client = b.build().map_err(|e| client_err(e.to_string()))?;
        Ok(Getter {
            client,
            repo_authority: reqwest::Url::parse(&entry.url)
                .ok()
                .as_ref()
                .and_then(authority),
            username: entry.username.clone(),
            password: entry.password.clone(),
            pass_credentials_all: entry.pass_credentials_all,
            max_bytes: opts.max_bytes,
            cert_file: entry.cert_file.clone(),
            key_file: entry.key_file.clone(),
            ca_file: entry.ca_file.clone(),
        })
    }

    /// True when credentials may be sent to `url` (Helm: same host and
    /// port as the repository, or `pass_credentials_all`).
    pub fn sends_credentials_to(&self, url: &reqwest::Url) -> bool {
        (!self.username.is_empty() || !self.password.is_empty())
            && (self.pass_credentials_all
                || (self.repo_authority.is_some() && authority(url) == self.repo_authority))
    }

    /// GETs `url`, the whole body in memory (capped).
    pub async fn get(&self, url: &str) -> Result<Vec<u8>, RepoError> {
        match self.get_conditional(url, None).await? {
            Fetched::Body { bytes, .. } => Ok(bytes),
            // Without validators the server has nothing to compare against.
            Fetched::NotModified => Err(RepoError::Status {
                url: url.to_string(),
                status: 304,
            }),
        }
    }

    /// GETs `url`, sending `If-None-Match`/`If-Modified-Since` from `prev`.
    pub async fn get_conditional(
        &self,
        url: &str,
        prev: Option<&Validators>,
    ) -> Result<Fetched, RepoError> {
        let http_err = |e: reqwest::Error| RepoError::Http {
            url: url.to_string(),
            message: describe(&e),
        };
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| RepoError::Invalid(format!("invalid URL {url:?}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            if let Some(plugin) = crate::plugin::getter::find_for_scheme(parsed.scheme()) {
                let bytes = self.get_with_plugin(plugin, url).await?;
                return Ok(Fetched::Body {
                    bytes,
                    validators: Validators::default(),
                });
            }
            return Err(RepoError::Invalid(format!(
                "unsupported URL scheme in {url:?} (only http and https, and the protocols of installed downloader plugins)"
            )));
        }
        let mut req = self.client.get(parsed.clone());
        if self.sends_credentials_to(&parsed) {
            req = req.basic_auth(&self.username, Some(&self.password));
        }
        if let Some(v) = prev {
            if let Some(etag) = &v.etag {
                req = req.header(reqwest::header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &v.last_modified {
                req = req.header(reqwest::header::IF_MODIFIED_SINCE, lm);
            }
        }
        let mut resp = req.send().await.map_err(http_err)?;
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_MODIFIED && prev.is_some() {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(RepoError::Status {
                url: url.to_string(),
                status: status.as_u16(),
            });
        }
        let too_large = || RepoError::TooLarge {
            url: url.to_string(),
            limit: self.max_bytes,
        };
        // With gzip decoding the header gives the compressed size; that is
        // still a lower bound on what would be read, so refusing early is right.
        if resp.content_length().is_some_and(|n| n > self.max_bytes) {
            return Err(too_large());
        }
        let header = |name: reqwest::header::HeaderName| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let validators = Validators {
            etag: header(reqwest::header::ETAG),
            last_modified: header(reqwest::header::LAST_MODIFIED),
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(http_err)? {
            if bytes.len() as u64 + chunk.len() as u64 > self.max_bytes {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched::Body { bytes, validators })
    }
}

impl Getter {
    /// Runs the downloader `plugin` for `url` (on a blocking thread).
    async fn get_with_plugin(
        &self,
        plugin: crate::plugin::Plugin,
        url: &str,
    ) -> Result<Vec<u8>, RepoError> {
        use crate::plugin::{PluginError, getter};
        let opts = getter::GetterOptions {
            cert_file: self.cert_file.clone(),
            key_file: self.key_file.clone(),
            ca_file: self.ca_file.clone(),
            username: self.username.clone(),
            password: self.password.clone(),
            pass_credentials_all: self.pass_credentials_all,
            max_bytes: self.max_bytes,
        };
        let href = url.to_string();
        let result = tokio::task::spawn_blocking(move || getter::fetch(&plugin, &href, &opts))
            .await
            .map_err(|e| RepoError::Http {
                url: url.to_string(),
                message: format!("the downloader plugin thread failed: {e}"),
            })?;
        result.map_err(|e| match e {
            PluginError::TooLarge { limit, .. } => RepoError::TooLarge {
                url: url.to_string(),
                limit,
            },
            other => RepoError::Http {
                url: url.to_string(),
                message: other.to_string(),
            },
        })
    }
}

/// reqwest's message plus its causes, so "error sending request" says why
/// (timed out, connection refused, certificate unknown...).
fn describe(e: &reqwest::Error) -> String {
    let mut msg = if e.is_timeout() {
        "timed out".to_string()
    } else {
        e.to_string()
    };
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        src = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn getter(url: &str, pass_all: bool) -> Getter {
        let e = RepoEntry {
            username: "u".into(),
            password: "p".into(),
            pass_credentials_all: pass_all,
            ..RepoEntry::new("r", url)
        };
        Getter::new(&e, &HttpOptions::default()).unwrap()
    }

    #[test]
    fn credentials_only_to_the_repository_host() {
        let g = getter("https://charts.example.com/stable", false);
        let u = |s: &str| reqwest::Url::parse(s).unwrap();
        assert!(g.sends_credentials_to(&u("https://charts.example.com/x.tgz")));
        assert!(g.sends_credentials_to(&u("https://charts.example.com:443/x.tgz")));
        assert!(!g.sends_credentials_to(&u("https://cdn.example.com/x.tgz")));
        assert!(!g.sends_credentials_to(&u("https://charts.example.com:8443/x.tgz")));
        let all = getter("https://charts.example.com/stable", true);
        assert!(all.sends_credentials_to(&u("https://cdn.example.com/x.tgz")));
    }

    #[test]
    fn half_a_client_certificate_is_refused() {
        let e = RepoEntry {
            cert_file: "/c.pem".into(),
            ..RepoEntry::new("r", "https://x")
        };
        let err = Getter::new(&e, &HttpOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("--key-file"), "{err}");
    }

    #[test]
    fn missing_ca_file_names_it() {
        let e = RepoEntry {
            ca_file: "/nonexistent/ca.pem".into(),
            ..RepoEntry::new("r", "https://x")
        };
        let err = Getter::new(&e, &HttpOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/ca.pem"), "{err}");
    }
}
