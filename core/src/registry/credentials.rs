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

/// The default credentials file: `<config home>/registry/config.json`.
pub fn default_credentials_path() -> PathBuf {
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

/// Helm's fallback store: the credentials `docker login` keeps for `host`
/// (in Docker's file or its helpers). A Docker file that cannot be read is
/// ignored, as Helm does; a helper that fails is an error.
pub(crate) fn docker_fallback(host: &str) -> Result<Option<Credentials>, RegistryError> {
    match CredentialStore::load(docker_config_path()) {
        Ok(store) => store.get(host),
        Err(_) => Ok(None),
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
    pub fn get(&self, host: &str) -> Result<Option<Credentials>, RegistryError> {
        match self.helper_for(host) {
            Some(helper) => helper.get(host),
            None => Ok(self.get_plain(host)),
        }
    }

    /// Saves credentials for `host` where [`CredentialStore::get`] finds
    /// them: through its credential helper, or in the file (written now).
    pub fn put(&mut self, host: &str, creds: &Credentials) -> Result<(), RegistryError> {
        match self.helper_for(host) {
            Some(helper) => helper.store(host, creds),
            None => {
                self.set(host, creds);
                self.save()
            }
        }
    }

    /// Forgets `host` wherever its credentials are kept (helper or file);
    /// false when nothing was stored for it.
    pub fn erase(&mut self, host: &str) -> Result<bool, RegistryError> {
        match self.helper_for(host) {
            Some(helper) => helper.erase(host),
            None => {
                if !self.remove(host) {
                    return Ok(false);
                }
                self.save()?;
                Ok(true)
            }
        }
    }

    /// The credentials written in the file for `host`, also under
    /// `https://host` or `http://host` keys that `docker login` writes;
    /// credential helpers are not consulted.
    pub fn get_plain(&self, host: &str) -> Option<Credentials> {
        let auths = self.doc.get("auths")?.as_object()?;
        let entry = [
            host.to_string(),
            format!("https://{host}"),
            format!("http://{host}"),
        ]
        .iter()
        .find_map(|k| auths.get(k))?
        .as_object()?;
        if let Some(auth) = entry.get("auth").and_then(Value::as_str) {
            let decoded = STANDARD.decode(auth.trim()).ok()?;
            let text = String::from_utf8(decoded).ok()?;
            let (u, p) = text.split_once(':')?;
            return Some(Credentials {
                username: u.to_string(),
                password: p.to_string(),
            });
        }
        let username = entry.get("username")?.as_str()?.to_string();
        let password = entry.get("password")?.as_str()?.to_string();
        Some(Credentials { username, password })
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

    /// Removes `host` from the file's `auths` (in memory); false when
    /// nothing was stored for it.
    pub fn remove(&mut self, host: &str) -> bool {
        let Some(Value::Object(auths)) = self.doc.get_mut("auths") else {
            return false;
        };
        let mut removed = false;
        for key in [
            host.to_string(),
            format!("https://{host}"),
            format!("http://{host}"),
        ] {
            removed |= auths.remove(&key).is_some();
        }
        removed
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
        assert_eq!(store.get_plain("r.example"), Some(creds("u", "p")));
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
}
