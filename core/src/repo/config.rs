//! repositories.yaml in Helm's format (`repo.File` / `repo.Entry`).
//!
//! The file can hold passwords, so it is always written with mode 0600 and
//! through a temporary file, never in place.

use super::RepoError;
use super::fsutil::write_atomic;
use crate::release::time::GoTime;
use crate::values::{Map, Value};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One configured repository: Helm's `repo.Entry`, same YAML keys.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoEntry {
    /// Local name (`REPO` in `REPO/CHART`).
    #[serde(default)]
    pub name: String,
    /// Base URL; index.yaml is fetched from `<url>/index.yaml`.
    #[serde(default)]
    pub url: String,
    /// Basic-auth user name.
    #[serde(default)]
    pub username: String,
    /// Basic-auth password.
    #[serde(default)]
    pub password: String,
    /// Client certificate (PEM) for mutual TLS.
    #[serde(default, rename = "certFile")]
    pub cert_file: String,
    /// Client key (PEM) for mutual TLS.
    #[serde(default, rename = "keyFile")]
    pub key_file: String,
    /// Extra CA bundle (PEM) to trust.
    #[serde(default, rename = "caFile")]
    pub ca_file: String,
    /// Skip TLS certificate verification.
    #[serde(default)]
    pub insecure_skip_tls_verify: bool,
    /// Send credentials to every host (charts served from another domain).
    #[serde(default)]
    pub pass_credentials_all: bool,
}

impl RepoEntry {
    /// A repository with just a name and URL.
    pub fn new(name: &str, url: &str) -> Self {
        RepoEntry {
            name: name.into(),
            url: url.into(),
            ..RepoEntry::default()
        }
    }

    /// The entry as sigs.k8s.io/yaml writes it (keys sorted, every field).
    fn to_value(&self) -> Value {
        let mut m = Map::new();
        let s = |v: &str| Value::String(v.to_string());
        m.insert("caFile".into(), s(&self.ca_file));
        m.insert("certFile".into(), s(&self.cert_file));
        m.insert(
            "insecure_skip_tls_verify".into(),
            Value::Bool(self.insecure_skip_tls_verify),
        );
        m.insert("keyFile".into(), s(&self.key_file));
        m.insert("name".into(), s(&self.name));
        m.insert(
            "pass_credentials_all".into(),
            Value::Bool(self.pass_credentials_all),
        );
        m.insert("password".into(), s(&self.password));
        m.insert("url".into(), s(&self.url));
        m.insert("username".into(), s(&self.username));
        Value::Map(m)
    }
}

/// repositories.yaml: Helm's `repo.File`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoFile {
    /// Always `v1`.
    #[serde(default, rename = "apiVersion")]
    pub api_version: String,
    /// When the file was last written (RFC 3339), kept as text.
    #[serde(default, deserialize_with = "crate::json::fields::null_default")]
    pub generated: String,
    /// The repositories, in the order they were added.
    #[serde(default, deserialize_with = "crate::json::fields::null_default")]
    pub repositories: Vec<RepoEntry>,
}

impl RepoFile {
    /// Reads `path`; a missing file is an empty configuration.
    pub fn load(path: &Path) -> Result<RepoFile, RepoError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(RepoFile {
                    api_version: "v1".into(),
                    ..RepoFile::default()
                });
            }
            Err(e) => return Err(RepoError::io("reading", path, e)),
        };
        if text.trim().is_empty() {
            return Ok(RepoFile::default());
        }
        serde_saphyr::from_str(&text).map_err(|e| RepoError::BadConfig {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// Writes the file atomically with mode 0600, stamping `generated`.
    pub fn save(&mut self, path: &Path) -> Result<(), RepoError> {
        self.api_version = "v1".into();
        self.generated = GoTime::now().to_string();
        let mut m = Map::new();
        m.insert("apiVersion".into(), Value::String(self.api_version.clone()));
        m.insert("generated".into(), Value::String(self.generated.clone()));
        m.insert(
            "repositories".into(),
            Value::List(self.repositories.iter().map(RepoEntry::to_value).collect()),
        );
        let text = crate::yaml::to_string(&Value::Map(m));
        write_atomic(path, text.as_bytes(), 0o600)
    }

    /// The repository called `name`.
    pub fn get(&self, name: &str) -> Option<&RepoEntry> {
        self.repositories.iter().find(|r| r.name == name)
    }

    /// Adds or replaces (by name) a repository.
    pub fn upsert(&mut self, entry: RepoEntry) {
        match self.repositories.iter_mut().find(|r| r.name == entry.name) {
            Some(slot) => *slot = entry,
            None => self.repositories.push(entry),
        }
    }

    /// Removes a repository; false when there was none of that name.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.repositories.len();
        self.repositories.retain(|r| r.name != name);
        self.repositories.len() != before
    }

    /// Adds Helm's repositories that hoist does not have yet (by name);
    /// returns the names imported. Existing hoist entries win.
    pub fn import(&mut self, helm: &RepoFile) -> Vec<String> {
        let mut added = Vec::new();
        for r in &helm.repositories {
            if self.get(&r.name).is_none() {
                self.repositories.push(r.clone());
                added.push(r.name.clone());
            }
        }
        added
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELM_FILE: &str = "apiVersion: \"\"\ngenerated: \"0001-01-01T00:00:00Z\"\nrepositories:\n- caFile: \"\"\n  certFile: \"\"\n  insecure_skip_tls_verify: false\n  keyFile: \"\"\n  name: bitnami\n  pass_credentials_all: false\n  password: \"\"\n  url: https://charts.bitnami.com/bitnami\n  username: \"\"\n";

    #[test]
    fn reads_helm_file_and_round_trips_with_sorted_keys() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("repositories.yaml");
        std::fs::write(&p, HELM_FILE).unwrap();
        let mut f = RepoFile::load(&p).unwrap();
        assert_eq!(f.repositories.len(), 1);
        assert_eq!(f.repositories[0].url, "https://charts.bitnami.com/bitnami");
        f.upsert(RepoEntry {
            username: "u".into(),
            password: "p".into(),
            ..RepoEntry::new("mine", "https://x")
        });
        f.save(&p).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        let body = text.split_once("repositories:\n").unwrap().1;
        assert!(body.starts_with(HELM_FILE.split_once("repositories:\n").unwrap().1));
        assert!(text.starts_with("apiVersion: v1\ngenerated: \""));
        let back = RepoFile::load(&p).unwrap();
        assert_eq!(back.repositories, f.repositories);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[test]
    fn missing_file_is_empty_and_remove_reports_absence() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = RepoFile::load(&dir.path().join("none.yaml")).unwrap();
        assert!(f.repositories.is_empty());
        assert!(!f.remove("x"));
        f.upsert(RepoEntry::new("x", "https://a"));
        f.upsert(RepoEntry::new("x", "https://b"));
        assert_eq!(f.repositories.len(), 1);
        assert_eq!(f.get("x").unwrap().url, "https://b");
        assert!(f.remove("x"));
    }

    #[test]
    fn import_keeps_existing_entries() {
        let mut mine = RepoFile::default();
        mine.upsert(RepoEntry::new("a", "https://mine"));
        let mut helm = RepoFile::default();
        helm.upsert(RepoEntry::new("a", "https://helm"));
        helm.upsert(RepoEntry::new("b", "https://b"));
        assert_eq!(mine.import(&helm), vec!["b".to_string()]);
        assert_eq!(mine.get("a").unwrap().url, "https://mine");
    }

    #[test]
    fn malformed_file_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.yaml");
        std::fs::write(&p, "repositories: [\n").unwrap();
        let err = RepoFile::load(&p).unwrap_err().to_string();
        assert!(err.contains("r.yaml"), "{err}");
    }
}
