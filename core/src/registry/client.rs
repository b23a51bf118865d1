//! The distribution-spec HTTP client: blobs, manifests, tags, and the
//! authentication dance (anonymous, Basic, and Bearer tokens from the realm a
//! `WWW-Authenticate` challenge names).

use super::{Credentials, RegistryError};
use reqwest::{Method, StatusCode, header};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// How to reach registries.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Talk HTTP instead of HTTPS (local registries: `--plain-http`).
    pub plain_http: bool,
    /// Accept any TLS certificate (`--insecure-skip-tls-verify`).
    pub insecure_skip_tls_verify: bool,
    /// Credentials to use instead of the stored ones.
    pub credentials: Option<Credentials>,
    /// The credentials file; `None` means the default
    /// (`$HOIST_CONFIG_HOME/registry/config.json`).
    pub credentials_file: Option<std::path::PathBuf>,
}

/// A response body with the headers the caller needs.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: Vec<u8>,
}

/// Where a [`HostClient`] gets its credentials.
pub(crate) enum CredentialSource {
    /// Given by the caller (`--username`/`--password`, `registry login`).
    Given(Option<Credentials>),
    /// Looked up when the registry first asks for them (HTTP 401): in
    /// hoist's credentials file, then Docker's. Lazily, because that may run
    /// credential helpers, which anonymous registries never need.
    Stored(std::path::PathBuf),
}

/// One registry host.
pub(crate) struct HostClient {
    http: reqwest::Client,
    base: String,
    host: String,
    source: CredentialSource,
    /// The credentials once `source` was consulted.
    credentials: tokio::sync::OnceCell<Option<Credentials>>,
    /// `Authorization` values that worked, per scope.
    auth_cache: Mutex<HashMap<String, String>>,
}

/// A parsed `WWW-Authenticate` challenge.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub scheme: String,
    pub params: HashMap<String, String>,
}

/// Parses `Bearer realm="...",service="...",scope="..."` (or `Basic realm=...`).
pub(crate) fn parse_challenge(value: &str) -> Challenge {
    let value = value.trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let mut params = HashMap::new();
    let mut s = rest.trim();
    while !s.is_empty() {
        let Some(eq) = s.find('=') else { break };
        let key = s[..eq]
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        s = &s[eq + 1..];
        let val;
        if let Some(q) = s.strip_prefix('"') {
            // Quoted string, with backslash escapes.
            let mut out = String::new();
            let mut chars = q.char_indices();
            let mut end = q.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            out.push(n);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    _ => out.push(c),
                }
            }
            val = out;
            s = &q[end.min(q.len())..];
        } else {
            let end = s.find(',').unwrap_or(s.len());
            val = s[..end].trim().to_string();
            s = &s[end..];
        }
        s = s.trim_start().trim_start_matches(',').trim_start();
        params.insert(key, val);
    }
    Challenge {
        scheme: scheme.to_ascii_lowercase(),
        params,
    }
}

impl HostClient {
    pub fn new(
        host: &str,
        opts: &ClientOptions,
        source: CredentialSource,
    ) -> Result<HostClient, RegistryError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(30))
            .timeout(Duration::from_secs(600))
            .tls_danger_accept_invalid_certs(opts.insecure_skip_tls_verify)
            .build()
            .map_err(|e| RegistryError::Http {
                method: "setup".into(),
                url: host.into(),
                message: e.to_string(),
            })?;
        let scheme = if opts.plain_http { "http" } else { "https" };
        Ok(HostClient {
            http,
            base: format!("{scheme}://{host}"),
            host: host.to_string(),
            source,
            credentials: tokio::sync::OnceCell::new(),
            auth_cache: Mutex::new(HashMap::new()),
        })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// The credentials for this host, looked up on first use. Credential
    /// helpers block, so they run on tokio's blocking pool.
    async fn credentials(&self) -> Result<Option<&Credentials>, RegistryError> {
        let found = self
            .credentials
            .get_or_try_init(|| async {
                match &self.source {
                    CredentialSource::Given(c) => Ok(c.clone()),
                    CredentialSource::Stored(file) => {
                        let (file, host) = (file.clone(), self.host.clone());
                        tokio::task::spawn_blocking(move || {
                            super::credentials::resolve_stored(&file, &host)
                        })
                        .await
                        .map_err(|e| RegistryError::Credentials {
                            path: self_path(&self.source),
                            message: format!("looking up credentials failed: {e}"),
                        })?
                    }
                }
            })
            .await?;
        Ok(found.as_ref())
    }

    /// Whether credentials were found (false before they were looked up).
    fn has_credentials(&self) -> bool {
        self.credentials.get().is_some_and(Option::is_some)
    }

    /// `https://HOST` + `path` (or `path` itself when it is absolute).
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{}", self.base, path)
        }
    }

    /// Sends a request, answering authentication challenges. `scope` is the
    /// token scope to ask for (`repository:NAME:pull,push`), `None` for `/v2/`.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        scope: Option<&str>,
        headers: &[(header::HeaderName, String)],
        body: Option<&[u8]>,
    ) -> Result<Reply, RegistryError> {
        let url = self.url(path);
        let cache_key = scope.unwrap_or("").to_string();
        let cached = self
            .auth_cache
            .lock()
            .ok()
            .and_then(|c| c.get(&cache_key).cloned());
        let first = self
            .once(&method, &url, headers, body, cached.as_deref())
            .await?;
        if first.status != StatusCode::UNAUTHORIZED {
            return Ok(first);
        }
        let challenge = first
            .headers
            .get(header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .map(parse_challenge)
            .unwrap_or_default();
        let authorization = match challenge.scheme.as_str() {
            "basic" => match self.credentials().await? {
                Some(c) => basic(c),
                None => return Err(self.unauthorized("the registry requires credentials")),
            },
            "bearer" => self.fetch_token(&challenge, scope).await?,
            other => {
                return Err(self.unauthorized(&format!(
                    "unsupported authentication scheme {other:?} (HTTP 401)"
                )));
            }
        };
        let second = self
            .once(&method, &url, headers, body, Some(&authorization))
            .await?;
        if second.status == StatusCode::UNAUTHORIZED {
            return Err(self.unauthorized(if self.has_credentials() {
                "the registry refused the credentials (wrong username or password?)"
            } else {
                "the registry requires credentials"
            }));
        }
        if let Ok(mut c) = self.auth_cache.lock() {
            c.insert(cache_key, authorization);
        }
        Ok(second)
    }

    fn unauthorized(&self, message: &str) -> RegistryError {
        let hint = if !self.has_credentials() {
            format!("; run `hoist registry login {}`", self.host)
        } else {
            String::new()
        };
        RegistryError::Unauthorized {
            host: self.host.clone(),
            message: format!("{message}{hint}"),
        }
    }

    async fn once(
        &self,
        method: &Method,
        url: &str,
        headers: &[(header::HeaderName, String)],
        body: Option<&[u8]>,
        authorization: Option<&str>,
    ) -> Result<Reply, RegistryError> {
        let mut req = self.http.request(method.clone(), url);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        if let Some(a) = authorization {
            req = req.header(header::AUTHORIZATION, a);
        }
        if let Some(b) = body {
            req = req.body(b.to_vec());
        }
        let http_err = |e: reqwest::Error| RegistryError::Http {
            method: method.to_string(),
            url: url.to_string(),
            message: error_chain(&e),
        };
        let resp = req.send().await.map_err(http_err)?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(http_err)?.to_vec();
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    /// Gets a token from the challenge's realm (with Basic credentials when
    /// there are some) and returns the `Authorization` value.
    async fn fetch_token(
        &self,
        challenge: &Challenge,
        scope: Option<&str>,
    ) -> Result<String, RegistryError> {
        let Some(realm) = challenge.params.get("realm") else {
            return Err(self.unauthorized("Bearer challenge without a realm"));
        };
        let mut query: Vec<(&str, &str)> = Vec::new();
        if let Some(service) = challenge.params.get("service") {
            query.push(("service", service));
        }
        if let Some(s) = challenge.params.get("scope").map(String::as_str).or(scope) {
            query.push(("scope", s));
        }
        let url = reqwest::Url::parse_with_params(realm, &query).map_err(|e| {
            self.unauthorized(&format!("the token realm {realm:?} is not a URL: {e}"))
        })?;
        let mut req = self.http.get(url);
        if let Some(c) = self.credentials().await? {
            req = req.basic_auth(&c.username, Some(&c.password));
        }
        let http_err = |e: reqwest::Error| RegistryError::Http {
            method: "GET".into(),
            url: realm.clone(),
            message: error_chain(&e),
        };
        let resp = req.send().await.map_err(http_err)?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(http_err)?;
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(self.unauthorized(&format!(
                "the token service {realm} refused the credentials (HTTP {})",
                status.as_u16()
            )));
        }
        if !status.is_success() {
            return Err(RegistryError::Status {
                method: "GET".into(),
                url: realm.clone(),
                status: status.as_u16(),
                body: snippet(&body),
            });
        }
        let doc: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| RegistryError::Http {
                method: "GET".into(),
                url: realm.clone(),
                message: format!("token response is not JSON: {e}"),
            })?;
        let token = doc
            .get("token")
            .or_else(|| doc.get("access_token"))
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| self.unauthorized("the token service returned no token"))?;
        Ok(format!("Bearer {token}"))
    }
}

/// The file named in an error about the credential lookup itself.
fn self_path(source: &CredentialSource) -> std::path::PathBuf {
    match source {
        CredentialSource::Stored(file) => file.clone(),
        CredentialSource::Given(_) => std::path::PathBuf::new(),
    }
}

fn basic(c: &Credentials) -> String {
    use base64::Engine;
    let raw = format!("{}:{}", c.username, c.password);
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// The error and its causes, since reqwest's top message hides the reason
/// (connection refused, certificate...).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let m = s.to_string();
        if !out.contains(&m) {
            out.push_str(": ");
            out.push_str(&m);
        }
        cur = s.source();
    }
    out
}

/// The first 300 characters of a body, for error messages.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let t = text.trim();
    match t.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_challenge_parameters_are_read() {
        let c = parse_challenge(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.params["realm"], "https://auth.example/token");
        assert_eq!(c.params["service"], "registry.example");
        assert_eq!(c.params["scope"], "repository:a/b:pull,push");
    }

    #[test]
    fn basic_challenge_and_unquoted_values() {
        let c = parse_challenge("Basic realm=hoist, charset=\"UTF-8\"");
        assert_eq!(c.scheme, "basic");
        assert_eq!(c.params["realm"], "hoist");
        assert_eq!(c.params["charset"], "UTF-8");
    }

    #[test]
    fn snippet_cuts_long_bodies() {
        assert_eq!(snippet(b"  short  "), "short");
        assert!(snippet(&[b'x'; 1000]).ends_with('…'));
    }
}
