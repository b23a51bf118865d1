//! The in-memory driver (Helm's `driver.Memory`): used for dry runs,
//! `template`, and tests.

use crate::release::record::Release;
use crate::storage::codec::{OWNER, parse_key};
use crate::storage::driver::{Driver, ReleaseFilter};
use crate::storage::error::StorageError;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

/// Namespace used for releases that have none, as in Helm.
const DEFAULT_NAMESPACE: &str = "default";

/// Releases kept in memory, per namespace, per release name, in revision order.
///
/// Like Helm's, the driver has a current namespace: `get`, `delete`, `list` and
/// `query` look there (an empty namespace makes `list` and `query` look
/// everywhere), and `create`/`update` switch it to the release's namespace.
#[derive(Debug)]
pub struct MemoryDriver {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    namespace: String,
    cache: BTreeMap<String, BTreeMap<String, Vec<Record>>>,
}

#[derive(Debug, Clone)]
struct Record {
    key: String,
    /// Only Helm's four query labels: the memory driver does not keep user labels.
    labels: BTreeMap<String, String>,
    release: Release,
}

impl Record {
    fn new(key: &str, release: &Release) -> Self {
        let labels = BTreeMap::from([
            ("name".to_string(), release.name.clone()),
            ("owner".to_string(), OWNER.to_string()),
            ("status".to_string(), release.status().as_str().to_string()),
            ("version".to_string(), release.version.to_string()),
        ]);
        Record {
            key: key.to_string(),
            labels,
            release: release.clone(),
        }
    }
}

impl Default for MemoryDriver {
    fn default() -> Self {
        MemoryDriver::new()
    }
}

impl MemoryDriver {
    /// An empty driver looking at namespace `default`.
    pub fn new() -> Self {
        MemoryDriver {
            state: Mutex::new(State {
                namespace: DEFAULT_NAMESPACE.to_string(),
                cache: BTreeMap::new(),
            }),
        }
    }

    /// Sets the namespace later calls look in; empty means every namespace
    /// for `list` and `query`.
    pub fn set_namespace(&self, namespace: &str) {
        self.lock().namespace = namespace.to_string();
    }

    /// The namespace calls currently look in.
    pub fn namespace(&self) -> String {
        self.lock().namespace.clone()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves plain data behind
        // that is still consistent (every mutation is a single insert/remove).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn namespace_of(release: &Release) -> String {
        if release.namespace.is_empty() {
            DEFAULT_NAMESPACE.to_string()
        } else {
            release.namespace.clone()
        }
    }
}

impl State {
    /// The records of the current namespace, or of all when it is empty.
    fn visible(&self) -> impl Iterator<Item = &Record> {
        let all = self.namespace.is_empty();
        self.cache
            .iter()
            .filter(move |(ns, _)| all || **ns == self.namespace)
            .flat_map(|(_, names)| names.values().flatten())
    }
}

impl Driver for MemoryDriver {
    fn name(&self) -> &'static str {
        "Memory"
    }

    async fn get(&self, key: &str) -> Result<Release, StorageError> {
        let (name, _) = parse_key(key)?;
        let state = self.lock();
        state
            .cache
            .get(&state.namespace)
            .and_then(|names| names.get(name))
            .and_then(|recs| recs.iter().find(|r| r.key == key))
            .map(|r| r.release.clone())
            .ok_or(StorageError::NotFound)
    }

    async fn list(&self, filter: ReleaseFilter<'_>) -> Result<Vec<Release>, StorageError> {
        let state = self.lock();
        Ok(state
            .visible()
            .filter(|r| filter(&r.release))
            .map(|r| r.release.clone())
            .collect())
    }

    async fn query(&self, labels: &BTreeMap<String, String>) -> Result<Vec<Release>, StorageError> {
        let state = self.lock();
        let found: Vec<Release> = state
            .visible()
            .filter(|r| {
                labels
                    .iter()
                    .all(|(k, v)| r.labels.get(k).map(String::as_str).unwrap_or("") == v)
            })
            .map(|r| r.release.clone())
            .collect();
        if found.is_empty() {
            Err(StorageError::NotFound)
        } else {
            Ok(found)
        }
    }

    async fn create(&self, key: &str, release: &Release) -> Result<(), StorageError> {
        let namespace = Self::namespace_of(release);
        let mut state = self.lock();
        state.namespace = namespace.clone();
        let records = state
            .cache
            .entry(namespace)
            .or_default()
            .entry(release.name.clone())
            .or_default();
        if records.iter().any(|r| r.key == key) {
            return Err(StorageError::AlreadyExists);
        }
        records.push(Record::new(key, release));
        records.sort_by_key(|r| r.release.version);
        Ok(())
    }

    async fn update(&self, key: &str, release: &Release) -> Result<(), StorageError> {
        let namespace = Self::namespace_of(release);
        let mut state = self.lock();
        state.namespace = namespace.clone();
        let slot = state
            .cache
            .get_mut(&namespace)
            .and_then(|names| names.get_mut(&release.name))
            .and_then(|recs| recs.iter_mut().find(|r| r.key == key))
            .ok_or(StorageError::NotFound)?;
        *slot = Record::new(key, release);
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<Release, StorageError> {
        let (name, _) = parse_key(key)?;
        let mut state = self.lock();
        let namespace = state.namespace.clone();
        let records = state
            .cache
            .get_mut(&namespace)
            .and_then(|names| names.get_mut(name))
            .ok_or(StorageError::NotFound)?;
        let index = records
            .iter()
            .position(|r| r.key == key)
            .ok_or(StorageError::NotFound)?;
        Ok(records.remove(index).release)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::status::Status;
    use crate::storage::block_on;
    use crate::storage::codec::release_key;

    fn rel(name: &str, ns: &str, version: i64, status: Status) -> Release {
        let mut r = Release {
            name: name.into(),
            namespace: ns.into(),
            version,
            ..Release::default()
        };
        r.set_status(status, "");
        r
    }

    #[test]
    fn create_get_update_delete() {
        let d = MemoryDriver::new();
        let r = rel("a", "ns1", 1, Status::Deployed);
        let key = release_key("a", 1);
        block_on(d.create(&key, &r)).unwrap();
        assert!(matches!(
            block_on(d.create(&key, &r)),
            Err(StorageError::AlreadyExists)
        ));
        assert_eq!(d.namespace(), "ns1");
        assert_eq!(block_on(d.get(&key)).unwrap(), r);
        let sup = rel("a", "ns1", 1, Status::Superseded);
        block_on(d.update(&key, &sup)).unwrap();
        assert_eq!(block_on(d.get(&key)).unwrap().status(), Status::Superseded);
        assert!(matches!(
            block_on(d.update(&release_key("a", 2), &rel("a", "ns1", 2, Status::Deployed))),
            Err(StorageError::NotFound)
        ));
        assert_eq!(block_on(d.delete(&key)).unwrap(), sup);
        assert!(block_on(d.get(&key)).unwrap_err().is_not_found());
        assert!(matches!(
            block_on(d.get("garbage")),
            Err(StorageError::InvalidKey)
        ));
    }

    #[test]
    fn query_matches_system_labels_within_the_namespace() {
        let d = MemoryDriver::new();
        for (v, st) in [(2, Status::Deployed), (1, Status::Superseded)] {
            block_on(d.create(&release_key("a", v), &rel("a", "ns1", v, st))).unwrap();
        }
        block_on(d.create(&release_key("a", 1), &rel("a", "ns2", 1, Status::Deployed))).unwrap();
        let q = |pairs: &[(&str, &str)]| {
            let labels = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            block_on(d.query(&labels))
        };
        // The last create switched the driver to ns2.
        assert_eq!(q(&[("name", "a"), ("owner", "helm")]).unwrap().len(), 1);
        d.set_namespace("ns1");
        let hist = q(&[("name", "a"), ("owner", "helm")]).unwrap();
        assert_eq!(hist.iter().map(|r| r.version).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(q(&[("status", "deployed")]).unwrap()[0].version, 2);
        assert!(q(&[("name", "b")]).unwrap_err().is_not_found());
        d.set_namespace("");
        assert_eq!(q(&[("name", "a")]).unwrap().len(), 3);
        assert_eq!(
            block_on(d.list(&|r| r.status() == Status::Deployed))
                .unwrap()
                .len(),
            2
        );
    }
}
