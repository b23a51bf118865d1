//! Authentication as ChartMuseum applies it (github.com/chartmuseum/auth).
//!
//! - Basic auth (`--basic-auth-user`/`--basic-auth-pass`): one user, any
//!   action.
//! - Bearer auth (`--bearer-auth`): an RS256 JWT verified with the public key
//!   of `--auth-cert-path`, whose `access` claim lists entries
//!   `{type, name, actions}`; a request is allowed when an entry of type
//!   `artifact-repository` names the repository (`repo` without
//!   multitenancy, else `org/repo`) and lists the action (`pull` for
//!   reads, `push` for writes). Expiry and not-before are checked as
//!   jwt-go does; issuer and audience only when `--auth-issuer` /
//!   `--auth-audience` are given (hoist additions). Static tokens
//!   (`--bearer-auth-tokens`, a hoist addition for CI) allow every action.
//! - With `--auth-anonymous-get`, `pull` needs no credentials.
//!
//! A refusal carries ChartMuseum's `WWW-Authenticate` challenge. Secrets are
//! compared in constant time.

use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// ChartMuseum's access entry type.
pub const ACCESS_ENTRY_TYPE: &str = "artifact-repository";
/// ChartMuseum's repository name when there is no multitenancy.
pub const DEFAULT_NAMESPACE: &str = "repo";

/// What a request wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Reading (GET/HEAD).
    Pull,
    /// Writing (POST/DELETE).
    Push,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Pull => "pull",
            Action::Push => "push",
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The public key file could not be read.
    #[error("reading --auth-cert-path {path}: {source}")]
    ReadKey {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The public key is not an RSA PEM key.
    #[error("--auth-cert-path {path} is not an RSA public key in PEM form: {source}")]
    BadKey {
        /// File.
        path: String,
        /// Cause.
        source: jsonwebtoken::errors::Error,
    },
    /// Bearer auth without a way to check tokens.
    #[error("--bearer-auth needs --auth-cert-path (RS256 JWTs) or --bearer-auth-tokens")]
    NoBearerSource,
}

/// How requests are authenticated.
pub enum Auth {
    /// Everything is open.
    Open,
    /// HTTP basic auth.
    Basic {
        /// `user:pass`.
        expected: Vec<u8>,
        /// Realm of the challenge.
        realm: String,
        /// `pull` is open.
        anonymous_get: bool,
    },
    /// Bearer tokens.
    Bearer(Box<BearerAuth>),
}

/// Bearer token settings.
pub struct BearerAuth {
    key: Option<DecodingKey>,
    validation: Validation,
    static_tokens: Vec<String>,
    realm: String,
    service: String,
    anonymous_get: bool,
}

/// Settings read from the flags.
#[derive(Clone, Debug, Default)]
pub struct AuthOptions {
    /// `--basic-auth-user`.
    pub basic_user: String,
    /// `--basic-auth-pass`.
    pub basic_pass: String,
    /// `--bearer-auth`.
    pub bearer: bool,
    /// `--auth-cert-path`.
    pub cert_path: String,
    /// `--bearer-auth-tokens`.
    pub static_tokens: Vec<String>,
    /// `--auth-realm`.
    pub realm: String,
    /// `--auth-service`.
    pub service: String,
    /// `--auth-issuer`.
    pub issuer: String,
    /// `--auth-audience`.
    pub audience: String,
    /// `--auth-anonymous-get`.
    pub anonymous_get: bool,
}

#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    access: Vec<AccessEntry>,
}

#[derive(Deserialize)]
struct AccessEntry {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    actions: Vec<String>,
}

impl Auth {
    /// Builds the authenticator; basic auth wins when both are configured,
    /// as in ChartMuseum.
    pub fn new(o: &AuthOptions) -> Result<Self, AuthError> {
        if !o.basic_user.is_empty() && !o.basic_pass.is_empty() {
            return Ok(Auth::Basic {
                expected: format!("{}:{}", o.basic_user, o.basic_pass).into_bytes(),
                realm: if o.realm.is_empty() {
                    "ChartMuseum".into()
                } else {
                    o.realm.clone()
                },
                anonymous_get: o.anonymous_get,
            });
        }
        if !o.bearer {
            return Ok(Auth::Open);
        }
        let key = if o.cert_path.is_empty() {
            None
        } else {
            let pem = std::fs::read(&o.cert_path).map_err(|source| AuthError::ReadKey {
                path: o.cert_path.clone(),
                source,
            })?;
            Some(
                DecodingKey::from_rsa_pem(&pem).map_err(|source| AuthError::BadKey {
                    path: o.cert_path.clone(),
                    source,
                })?,
            )
        };
        if key.is_none() && o.static_tokens.is_empty() {
            return Err(AuthError::NoBearerSource);
        }
        let mut validation = Validation::new(Algorithm::RS256);
        // jwt-go (ChartMuseum) accepts tokens without `exp`.
        validation.required_spec_claims.clear();
        validation.leeway = 0;
        validation.validate_nbf = true;
        if o.issuer.is_empty() {
            validation.iss = None;
        } else {
            validation.set_issuer(&[o.issuer.as_str()]);
            validation.required_spec_claims.insert("iss".into());
        }
        if o.audience.is_empty() {
            validation.validate_aud = false;
        } else {
            validation.set_audience(&[o.audience.as_str()]);
            validation.required_spec_claims.insert("aud".into());
        }
        Ok(Auth::Bearer(Box::new(BearerAuth {
            key,
            validation,
            static_tokens: o.static_tokens.clone(),
            realm: o.realm.clone(),
            service: o.service.clone(),
            anonymous_get: o.anonymous_get,
        })))
    }

    /// Whether any authentication is on.
    pub fn enabled(&self) -> bool {
        !matches!(self, Auth::Open)
    }

    /// Checks a request's `Authorization` header for `action` on the
    /// repository `namespace` (empty without multitenancy). `Err` carries
    /// the `WWW-Authenticate` challenge.
    pub fn check(
        &self,
        header: Option<&str>,
        action: Action,
        namespace: &str,
    ) -> Result<(), String> {
        match self {
            Auth::Open => Ok(()),
            Auth::Basic {
                expected,
                realm,
                anonymous_get,
            } => {
                if *anonymous_get && action == Action::Pull {
                    return Ok(());
                }
                if basic_matches(header, expected) {
                    Ok(())
                } else {
                    Err(format!("Basic realm=\"{realm}\""))
                }
            }
            Auth::Bearer(b) => b.check(header, action, namespace),
        }
    }
}

impl BearerAuth {
    fn check(&self, header: Option<&str>, action: Action, namespace: &str) -> Result<(), String> {
        let namespace = if namespace.is_empty() {
            DEFAULT_NAMESPACE
        } else {
            namespace
        };
        if self.anonymous_get && action == Action::Pull {
            return Ok(());
        }
        if let Some(token) = header.and_then(bearer_token)
            && self.token_allows(token, action, namespace)
        {
            return Ok(());
        }
        Err(format!(
            "Bearer realm=\"{}\",service=\"{}\",scope=\"{ACCESS_ENTRY_TYPE}:{namespace}:{}\"",
            self.realm,
            self.service,
            action.as_str()
        ))
    }

    fn token_allows(&self, token: &str, action: Action, namespace: &str) -> bool {
        // Every static token is compared, so timing does not tell which
        // one nearly matched.
        let mut static_ok = false;
        for t in &self.static_tokens {
            static_ok |= constant_time_eq(token.as_bytes(), t.as_bytes());
        }
        if static_ok {
            return true;
        }
        let Some(key) = &self.key else {
            return false;
        };
        let Ok(data) = jsonwebtoken::decode::<Claims>(token, key, &self.validation) else {
            return false;
        };
        data.claims.access.iter().any(|e| {
            e.kind == ACCESS_ENTRY_TYPE
                && e.name == namespace
                && e.actions.iter().any(|a| a == action.as_str())
        })
    }
}

/// The token of `Bearer <token>` (scheme case-insensitive, as ChartMuseum's
/// `(?i)bearer (.*)`).
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

fn basic_matches(header: Option<&str>, expected: &[u8]) -> bool {
    let Some((scheme, encoded)) = header.and_then(|h| h.trim().split_once(' ')) else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    constant_time_eq(&decoded, expected)
}

/// Compares without an early exit so timing does not reveal the secret.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        let y = b.get(i).copied().unwrap_or(0);
        diff |= usize::from(x ^ y);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_and_anonymous_pull() {
        let a = Auth::new(&AuthOptions {
            basic_user: "u".into(),
            basic_pass: "p".into(),
            anonymous_get: true,
            ..AuthOptions::default()
        })
        .unwrap();
        assert!(a.check(None, Action::Pull, "").is_ok());
        assert_eq!(
            a.check(None, Action::Push, "").unwrap_err(),
            "Basic realm=\"ChartMuseum\""
        );
        assert!(a.check(Some("Basic dTpw"), Action::Push, "").is_ok());
        assert!(a.check(Some("basic dTpx"), Action::Push, "").is_err());
        assert!(constant_time_eq(b"abc", b"abc") && !constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn static_bearer_tokens_and_challenge() {
        let a = Auth::new(&AuthOptions {
            bearer: true,
            static_tokens: vec!["s3cret".into()],
            realm: "https://auth.example/token".into(),
            service: "repo-svc".into(),
            ..AuthOptions::default()
        })
        .unwrap();
        assert!(a.check(Some("Bearer s3cret"), Action::Push, "").is_ok());
        assert_eq!(
            a.check(Some("Bearer nope"), Action::Pull, "org/team")
                .unwrap_err(),
            "Bearer realm=\"https://auth.example/token\",service=\"repo-svc\",scope=\"artifact-repository:org/team:pull\""
        );
        assert!(matches!(
            Auth::new(&AuthOptions {
                bearer: true,
                ..AuthOptions::default()
            }),
            Err(AuthError::NoBearerSource)
        ));
    }
}
