//! Registry credentials in Docker's `config.json` format, stored at
//! `$HOIST_CONFIG_HOME/registry/config.json` (Helm keeps the same file under
//! `$HELM_CONFIG_HOME`), readable only by its owner because it holds
//! passwords.
//!
//! As in Docker and Helm, `credHelpers: {HOST: NAME}` and `credsStore: NAME`
//! hand a host's credentials to the program `docker-credential-NAME`
//! instead of the file (see [`super::helper`]); a host-specific helper wins
//! over `credsStore`. Like Helm, hosts with nothing stored there fall back
//! to Docker's own `config.json` (`docker login`).
//!
//! Keys follow oras-go, which Helm uses: Docker Hub's hosts are looked up
//! as `https://index.docker.io/v1/`, and `auths` keys written as URLs
//! (`https://host/v1/`) match their host. Identity tokens (OAuth2 refresh
//! tokens) are refused with an error rather than sent as a password.

use super::RegistryError;
use super::helper::Helper;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// hoist's configuration folder: `$HOIST_CONFIG_HOME`, else
/// `$XDG_CONFIG_HOME/hoist`, else `~/.config/hoist`.
pub fn config_home() -> PathBuf {
    if let Some(d) = std::env::var_os("HOIST_CONFIG_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("hoist");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".config").join("hoist")
}

/// The default credentials file: `$HOIST_REGISTRY_CONFIG` (Helm's
/// `--registry-config`), else `<config home>/registry/config.json`.
pub fn default_credentials_path() -> PathBuf {
    if let Some(file) = std::env::var_os("HOIST_REGISTRY_CONFIG").filter(|f| !f.is_empty()) {
        return PathBuf::from(file);
    }
    config_home().join("registry").join("config.json")
}

/// Docker's configuration file: `$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json`.
pub fn docker_config_path() -> PathBuf {
    if let Some(d) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("config.json");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".docker").join("config.json")
}

/// The key `docker login` files a registry's credentials under: Docker Hub
/// (`docker.io`, and `registry-1.docker.io` where its API lives) is
/// `https://index.docker.io/v1/`, every other host is itself. oras-go, and
/// so Helm, maps hosts the same way before looking credentials up.
pub fn server_address(host: &str) -> String {
    match host {
        "docker.io" | "registry-1.docker.io" => DOCKER_HUB_ADDRESS.to_string(),
        _ => host.to_string(),
    }
}

/// Docker Hub's key in `auths` and in credential helpers.
const DOCKER_HUB_ADDRESS: &str = "https://index.docker.io/v1/";

/// An `auths` key reduced to its host: `https://r.example/v1/` is
/// `r.example`. Older Docker versions wrote keys as URLs; oras-go (and
/// Docker's file store) match them this way.
fn key_host(key: &str) -> &str {
    let rest = key.strip_prefix("http://").unwrap_or(key);
    let rest = rest.strip_prefix("https://").unwrap_or(rest);
    rest.split('/').next().unwrap_or(rest)
}

/// The credentials for `host` that hoist's own file at `file` holds, else
/// Helm's fallback: those `docker login` keeps (Docker's `config.json` or
/// its helpers). Runs credential helpers, so it blocks.
///
/// A Docker file that cannot be read is ignored, as Helm does, and so is a
/// helper it names that is not installed (a stale `credsStore: desktop` must
/// not break anonymous pulls), with a warning; any other helper failure is
/// an error. In hoist's own file every failure is an error.
pub(crate) fn resolve_stored(
    file: &Path,
    host: &str,
) -> Result<Option<Credentials>, RegistryError> {
    resolve_in(file, &docker_config_path(), host)
}

/// [`resolve_stored`] with Docker's file at `docker`.
fn resolve_in(
    file: &Path,
    docker: &Path,
    host: &str,
) -> Result<Option<Credentials>, RegistryError> {
    if let Some(c) = CredentialStore::load(file)?.get(host)? {
        return Ok(Some(c));
    }
    let Ok(store) = CredentialStore::load(docker) else {
        return Ok(None);
    };
    match store.get(host) {
        Err(RegistryError::HelperNotInstalled { helper, .. }) => {
            // hoist installs no tracing subscriber, so say it on stderr
            // like Helm's warnings; once, though every registry client of
            // a command comes here.
            static WARNED: std::sync::atomic::AtomicBool =
                std::sync::atomic::AtomicBool::new(false);
            if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
                eprintln!(
                    "WARNING: {} names the credential helper {helper}, which is not installed; continuing without credentials for {host}",
                    docker.display()
                );
            }
            Ok(None)
        }
        other => other,
    }
}

/// A username and password for one registry host.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// User name.
    pub username: String,
    /// Password or token.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The credentials file: Docker's `{"auths": {HOST: {"auth": base64(user:pass)}}}`.
#[derive(Debug, Clone)]
pub struct CredentialStore {
    path: PathBuf,
    doc: Map<String, Value>,
}

impl CredentialStore {
    /// Reads the file at `path`; a missing file is an empty store.
    pub fn load(path: impl Into<PathBuf>) -> Result<CredentialStore, RegistryError> {
        let path = path.into();
        let doc = match std::fs::read(&path) {
            Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => Map::new(),
            Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(m)) => m,
                Ok(_) => return Err(cred_err(&path, "the file is not a JSON object")),
                Err(e) => return Err(cred_err(&path, &format!("invalid JSON: {e}"))),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Map::new(),
            Err(e) => return Err(cred_err(&path, &e.to_string())),
        };
        Ok(CredentialStore { path, doc })
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The credential helper that holds `host`'s credentials:
    /// `credHelpers[host]`, else `credsStore`, else none (the file itself).
    fn helper_for(&self, host: &str) -> Option<Helper> {
        let named = |v: Option<&Value>| {
            v.and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let path = self.path.display();
        if let Some(name) = named(
            self.doc
                .get("credHelpers")
                .and_then(Value::as_object)
                .and_then(|m| m.get(host)),
        ) {
            return Some(Helper::new(&name, format!("credHelpers of {path}")));
        }
        named(self.doc.get("credsStore"))
            .map(|name| Helper::new(&name, format!("credsStore of {path}")))
    }

    /// The credentials for `host`: from its credential helper when one is
    /// configured, otherwise from the file. `Ok(None)` when there are none.
    /// Docker Hub hosts are looked up under Docker's key for it (see
    /// [`server_address`]).
    pub fn get(&self, host: &str) -> Result<Option<Credentials>, RegistryError> {
        let address = server_address(host);
        let found = match self.helper_for(&address) {
            Some(helper) => helper.get(&address),
            None => self.get_plain(&address),
        };
        // Name the host the user asked for, not Docker's key for it.
        found.map_err(|e| match e {
            RegistryError::IdentityToken { found_in, .. } => RegistryError::IdentityToken {
                host: host.to_string(),
                found_in,
            },
            e => e,
        })
    }

    /// Saves credentials for `host` where [`CredentialStore::get`] finds
    /// them: through its credential helper, or in the file (written now).
    pub fn put(&mut self, host: &str, creds: &Credentials) -> Result<(), RegistryError> {
        let address = server_address(host);
        match self.helper_for(&address) {
            Some(helper) => helper.store(&address, creds),
            None => {
                self.set(&address, creds);
                self.save()
            }
        }
    }

    /// Forgets `host` wherever its credentials are kept (helper or file);
    /// false when nothing was stored for it.
    pub fn erase(&mut self, host: &str) -> Result<bool, RegistryError> {
        let address = server_address(host);
        match self.helper_for(&address) {
            Some(helper) => helper.erase(&address),
            None => {
                if !self.remove(&address) {
                    return Ok(false);
                }
                self.save()?;
                Ok(true)
            }
        }
    }

    /// The credentials written in the file for `address`: its own `auths`
    /// key, else the first key that names the same host with a scheme or
    /// path (`https://host/v1/`, as older `docker login` wrote). Credential
    /// helpers are not consulted; no server-address mapping is done.
    ///
    /// An entry holding an identity token (OAuth2 refresh token) is an
    /// error: hoist cannot use one yet, and sending it as Basic
    /// credentials would only be refused.
    pub fn get_plain(&self, address: &str) -> Result<Option<Credentials>, RegistryError> {
        let Some(auths) = self.doc.get("auths").and_then(Value::as_object) else {
            return Ok(None);
        };
        let entry = auths.get(address).or_else(|| {
            auths
                .iter()
                .find(|(k, _)| key_host(k) == address)
                .map(|(_, v)| v)
        });
        let Some(entry) = entry.and_then(Value::as_object) else {
            return Ok(None);
        };
        let text = |k: &str| entry.get(k).and_then(Value::as_str).unwrap_or("");
        if !text("identitytoken").is_empty() {
            return Err(RegistryError::IdentityToken {
                host: address.to_string(),
                found_in: format!("auths of {}", self.path.display()),
            });
        }
        let auth = text("auth").trim();
        if !auth.is_empty() {
            let decoded = STANDARD.decode(auth).map_err(|e| {
                cred_err(
                    &self.path,
                    &format!("auths.{address:?}.auth is not base64: {e}"),
                )
            })?;
            let decoded = String::from_utf8(decoded).map_err(|_| {
                cred_err(&self.path, &format!("auths.{address:?}.auth is not UTF-8"))
            })?;
            let Some((u, p)) = decoded.split_once(':') else {
                return Err(cred_err(
                    &self.path,
                    &format!("auths.{address:?}.auth is not base64(username:password)"),
                ));
            };
            return Ok(Some(Credentials {
                username: u.to_string(),
                password: p.to_string(),
            }));
        }
        let (username, password) = (text("username"), text("password"));
        if username.is_empty() && password.is_empty() {
            return Ok(None);
        }
        Ok(Some(Credentials {
            username: username.to_string(),
            password: password.to_string(),
        }))
    }

    /// Writes credentials for `host` into the file's `auths` (in memory;
    /// [`CredentialStore::save`] writes the file), replacing earlier ones.
    pub fn set(&mut self, host: &str, creds: &Credentials) {
        let auths = self
            .doc
            .entry("auths")
            .or_insert_with(|| Value::Object(Map::new()));
        if !auths.is_object() {
            *auths = Value::Object(Map::new());
        }
        if let Value::Object(auths) = auths {
            let token = STANDARD.encode(format!("{}:{}", creds.username, creds.password));
            let mut entry = Map::new();
            entry.insert("auth".to_string(), Value::String(token));
            auths.insert(host.to_string(), Value::Object(entry));
        }
    }

    /// Removes `host` from the file's `auths` (in memory), also under URL
    /// keys naming it; false when nothing was stored for it.
    pub fn remove(&mut self, host: &str) -> bool {
        let Some(Value::Object(auths)) = self.doc.get_mut("auths") else {
            return false;
        };
        let before = auths.len();
        auths.retain(|k, _| k != host && key_host(k) != host);
        auths.len() != before
    }

    /// Writes the store atomically with mode 0600, creating its folder.
    pub fn save(&self) -> Result<(), RegistryError> {
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| cred_err(&self.path, &e.to_string()))?;
        let mut text = serde_json::to_string_pretty(&Value::Object(self.doc.clone()))
            .map_err(|e| cred_err(&self.path, &e.to_string()))?;
        text.push('\n');
        // tempfile creates the file 0600 on Unix, so the password is never
        // readable by others, not even briefly.
        let mut tmp = tempfile::NamedTempFile::new_in(dir)
            .map_err(|e| cred_err(&self.path, &e.to_string()))?;
        std::io::Write::write_all(&mut tmp, text.as_bytes())
            .map_err(|e| cred_err(&self.path, &e.to_string()))?;
        tmp.persist(&self.path)
            .map_err(|e| cred_err(&self.path, &e.error.to_string()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| cred_err(&self.path, &e.to_string()))?;
        }
        Ok(())
    }
}

fn cred_err(path: &Path, message: &str) -> RegistryError {
    RegistryError::Credentials {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(u: &str, p: &str) -> Credentials {
        Credentials {
            username: u.into(),
            password: p.into(),
        }
    }

    #[test]
    fn round_trip_in_docker_format_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry/config.json");
        let mut store = CredentialStore::load(&path).unwrap();
        assert_eq!(store.get("h:5000").unwrap(), None);
        store.set("h:5000", &creds("me", "pa:ss"));
        store.save().unwrap();

        let text = std::fs::read_to_string(&path).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        // base64("me:pa:ss")
        assert_eq!(doc["auths"]["h:5000"]["auth"], "bWU6cGE6c3M=");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = CredentialStore::load(&path).unwrap();
        assert_eq!(again.get("h:5000").unwrap(), Some(creds("me", "pa:ss")));
    }

    #[test]
    fn docker_url_keys_and_other_fields_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(
            &path,
            r#"{"auths":{"https://r.example":{"auth":"dTpw"}},"credsStore":"desktop"}"#,
        )
        .unwrap();
        let mut store = CredentialStore::load(&path).unwrap();
        assert_eq!(store.get_plain("r.example").unwrap(), Some(creds("u", "p")));
        assert!(store.remove("r.example"));
        assert!(!store.remove("r.example"));
        store.save().unwrap();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(doc["credsStore"], "desktop");
    }

    #[test]
    fn host_helper_wins_over_creds_store_which_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(
            &path,
            r#"{"auths":{"b:1":{"auth":"dTpw"}},"credHelpers":{"a:1":"hoist-absent-a"},"credsStore":"hoist-absent-s"}"#,
        )
        .unwrap();
        let store = CredentialStore::load(&path).unwrap();
        // Neither program exists, so the error tells which one was chosen.
        let e = store.get("a:1").unwrap_err().to_string();
        assert!(
            e.contains("docker-credential-hoist-absent-a") && e.contains("credHelpers of"),
            "{e}"
        );
        let e = store.get("b:1").unwrap_err().to_string();
        assert!(
            e.contains("docker-credential-hoist-absent-s")
                && e.contains(&format!("credsStore of {}", path.display())),
            "{e}"
        );
        std::fs::write(
            &path,
            r#"{"auths":{"b:1":{"auth":"dTpw"}},"credHelpers":{"a:1":"hoist-absent-a"}}"#,
        )
        .unwrap();
        let store = CredentialStore::load(&path).unwrap();
        assert_eq!(store.get("b:1").unwrap(), Some(creds("u", "p")));
    }

    #[test]
    fn broken_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, "{nope").unwrap();
        let err = CredentialStore::load(&path).unwrap_err();
        assert!(err.to_string().contains("config.json"), "{err}");
    }

    #[test]
    fn docker_hub_uses_dockers_key_in_get_put_and_erase() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        // What `docker login` writes for Docker Hub.
        std::fs::write(
            &path,
            r#"{"auths":{"https://index.docker.io/v1/":{"auth":"dTpw"}}}"#,
        )
        .unwrap();
        let mut store = CredentialStore::load(&path).unwrap();
        assert_eq!(
            store.get("registry-1.docker.io").unwrap(),
            Some(creds("u", "p"))
        );
        assert_eq!(store.get("docker.io").unwrap(), Some(creds("u", "p")));
        // `index.docker.io` is not mapped, but the URL key reduces to it.
        assert_eq!(store.get("index.docker.io").unwrap(), Some(creds("u", "p")));
        assert_eq!(store.get("other.io").unwrap(), None);

        store.put("docker.io", &creds("me", "pw")).unwrap();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(doc["auths"].as_object().unwrap().len(), 1, "{doc}");
        assert_eq!(
            doc["auths"]["https://index.docker.io/v1/"]["auth"],
            STANDARD.encode("me:pw")
        );
        assert!(store.erase("registry-1.docker.io").unwrap());
        assert!(!store.erase("docker.io").unwrap());
    }

    #[test]
    fn docker_hub_helpers_are_asked_for_dockers_key() {
        assert_eq!(server_address("docker.io"), "https://index.docker.io/v1/");
        assert_eq!(
            server_address("registry-1.docker.io"),
            "https://index.docker.io/v1/"
        );
        assert_eq!(server_address("ghcr.io"), "ghcr.io");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(
            &path,
            r#"{"credHelpers":{"https://index.docker.io/v1/":"hoist-absent-hub"}}"#,
        )
        .unwrap();
        let store = CredentialStore::load(&path).unwrap();
        // The helper configured for Docker's key is the one chosen.
        let e = store.get("registry-1.docker.io").unwrap_err();
        assert!(
            matches!(&e, RegistryError::HelperNotInstalled { helper, .. } if helper == "docker-credential-hoist-absent-hub"),
            "{e}"
        );
    }

    #[test]
    fn auths_keys_match_by_host_without_scheme_or_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(
            &path,
            r#"{"auths":{"http://a.example:5000/v2/":{"auth":"dTpw"},"b.example":{"username":"bu","password":"bp"},"https://b.example/":{"auth":"dTpw"}}}"#,
        )
        .unwrap();
        let mut store = CredentialStore::load(&path).unwrap();
        assert_eq!(store.get("a.example:5000").unwrap(), Some(creds("u", "p")));
        assert_eq!(store.get("a.example").unwrap(), None);
        // An exact key wins over URL keys of the same host.
        assert_eq!(store.get("b.example").unwrap(), Some(creds("bu", "bp")));
        assert!(store.remove("b.example"));
        assert_eq!(store.get("b.example").unwrap(), None);
    }

    #[test]
    fn identity_tokens_are_refused_with_a_hint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        // docker login keeps `user:` plus the refresh token.
        std::fs::write(
            &path,
            r#"{"auths":{"r.example":{"auth":"dTo=","identitytoken":"refresh"}}}"#,
        )
        .unwrap();
        let store = CredentialStore::load(&path).unwrap();
        let e = store.get("r.example").unwrap_err().to_string();
        assert!(
            e.contains(
                "identity tokens (OAuth2 refresh tokens) are not supported yet for r.example"
            ) && e.contains("hoist registry login r.example -u"),
            "{e}"
        );
    }

    #[test]
    fn broken_auth_field_names_the_file_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, r#"{"auths":{"r.example":{"auth":"%%%"}}}"#).unwrap();
        let e = CredentialStore::load(&path)
            .unwrap()
            .get("r.example")
            .unwrap_err()
            .to_string();
        assert!(e.contains("config.json") && e.contains("r.example"), "{e}");
    }

    #[test]
    fn a_missing_helper_in_dockers_file_is_no_credentials_but_in_hoists_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let own = dir.path().join("hoist.json");
        let docker = dir.path().join("docker.json");
        std::fs::write(&docker, r#"{"credsStore":"hoist-absent-desktop"}"#).unwrap();
        assert_eq!(resolve_in(&own, &docker, "r.example").unwrap(), None);
        // hoist's own file is found first, and Docker's is not run then.
        std::fs::write(&own, r#"{"auths":{"r.example":{"auth":"dTpw"}}}"#).unwrap();
        assert_eq!(
            resolve_in(&own, &docker, "r.example").unwrap(),
            Some(creds("u", "p"))
        );
        std::fs::write(&own, r#"{"credsStore":"hoist-absent-desktop"}"#).unwrap();
        let e = resolve_in(&own, &docker, "r.example").unwrap_err();
        assert!(matches!(e, RegistryError::HelperNotInstalled { .. }), "{e}");
        // A Docker file that is not JSON is ignored, as Helm does.
        std::fs::write(&own, "{}").unwrap();
        std::fs::write(&docker, "{nope").unwrap();
        assert_eq!(resolve_in(&own, &docker, "r.example").unwrap(), None);
    }
}
