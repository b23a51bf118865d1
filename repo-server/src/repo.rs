//! One chart repository: its storage, its in-memory index and what it knows
//! of the storage listing, so that replicas over one store converge.
//!
//! Every replica indexes the store at startup, applies its own writes to its
//! index at once, and (with `--cache-interval`) re-lists the store at that
//! interval and applies only the differences (objects added, replaced or
//! removed, compared by ETag, else size and modification time). A replica
//! thus shows another replica's upload within one interval plus the time to
//! list the store, with no shared cache server.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use crate::archive;
use crate::index::{Index, IndexEntry};
use crate::storage::{ObjectInfo, Storage, StorageError};

/// How many packages are fetched and parsed at once while indexing.
const PARALLEL_FETCHES: usize = 16;

/// A repository (the only one, or one tenant with `--depth`).
pub struct Repo {
    /// `org/repo` with multitenancy, else empty.
    pub namespace: String,
    /// Where its packages are.
    pub storage: Arc<dyn Storage>,
    index: RwLock<Index>,
    /// Storage objects the index reflects: `None` for objects this replica
    /// wrote itself (content known, listing metadata not yet seen).
    known: std::sync::Mutex<HashMap<String, Option<ObjectInfo>>>,
    /// Bumped by every local write, so a sync whose listing raced a write
    /// does not undo it.
    generation: AtomicU64,
    /// Serializes store-then-index mutations so the index always matches
    /// storage and an existence check cannot race a commit.
    pub write_lock: tokio::sync::Mutex<()>,
}

/// A package read from storage.
struct Loaded {
    info: ObjectInfo,
    entry: Option<IndexEntry>,
}

impl Repo {
    /// Indexes every package in `storage`; unreadable or invalid packages
    /// are logged and skipped, as ChartMuseum does.
    pub async fn open(
        namespace: String,
        storage: Arc<dyn Storage>,
        chart_url: &str,
        context_path: &str,
    ) -> Result<Arc<Self>, StorageError> {
        let mut index = Index::new(chart_url, context_path);
        let listing = storage.list().await?;
        let loaded = load_all(storage.as_ref(), listing).await;
        let mut known = HashMap::new();
        for l in loaded {
            if let Some(e) = l.entry {
                index.insert_quiet(e);
            }
            known.insert(l.info.name.clone(), Some(l.info));
        }
        index.publish();
        tracing::info!(
            repo = %namespace,
            charts = index.chart_count(),
            versions = index.version_count(),
            "index loaded from storage"
        );
        Ok(Arc::new(Self {
            namespace,
            storage,
            index: RwLock::new(index),
            known: std::sync::Mutex::new(known),
            generation: AtomicU64::new(0),
            write_lock: tokio::sync::Mutex::new(()),
        }))
    }

    /// Runs `f` on the index for reading.
    pub fn read_index<T>(&self, f: impl FnOnce(&Index) -> T) -> T {
        match self.index.read() {
            Ok(g) => f(&g),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    fn write_index<T>(&self, f: impl FnOnce(&mut Index) -> T) -> T {
        match self.index.write() {
            Ok(mut g) => f(&mut g),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    fn known<T>(&self, f: impl FnOnce(&mut HashMap<String, Option<ObjectInfo>>) -> T) -> T {
        match self.known.lock() {
            Ok(mut g) => f(&mut g),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// Records a package this replica stored (call with `write_lock` held).
    pub fn stored(&self, entry: IndexEntry) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.known(|k| k.insert(entry.file_name.clone(), None));
        self.write_index(|i| i.upsert(entry));
    }

    /// Records another object this replica stored (a provenance file).
    pub fn stored_file(&self, name: &str) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.known(|k| k.insert(name.to_string(), None));
    }

    /// Records a chart version this replica deleted.
    pub fn deleted(&self, name: &str, version: &str, files: &[String]) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.known(|k| {
            for f in files {
                k.remove(f);
            }
        });
        self.write_index(|i| i.remove(name, version));
    }

    /// Re-lists storage and applies what other replicas changed. Returns
    /// how many objects were added, replaced or removed.
    pub async fn sync(&self) -> Result<usize, StorageError> {
        let gen_before = self.generation.load(Ordering::SeqCst);
        let listing = self.storage.list().await?;
        let (changed, removed, own) = self.known(|known| {
            let listed: HashMap<&str, &ObjectInfo> =
                listing.iter().map(|o| (o.name.as_str(), o)).collect();
            let changed: Vec<ObjectInfo> = listing
                .iter()
                .filter(|o| match known.get(&o.name) {
                    None => true,
                    Some(None) => false,
                    Some(Some(k)) => !k.same_version(o),
                })
                .cloned()
                .collect();
            let removed: Vec<String> = known
                .keys()
                .filter(|name| !listed.contains_key(name.as_str()))
                .cloned()
                .collect();
            // Objects we wrote ourselves now have listing metadata; their
            // `created` becomes the store's time, which other replicas use.
            let mut own = Vec::new();
            for o in &listing {
                if let Some(slot @ None) = known.get_mut(&o.name) {
                    *slot = Some(o.clone());
                    own.push(o.clone());
                }
            }
            (changed, removed, own)
        });
        let loaded = load_all(self.storage.as_ref(), changed).await;
        let _guard = self.write_lock.lock().await;
        // A local write during the listing may be missing from it: skip
        // removals this round rather than undo that write.
        let raced = self.generation.load(Ordering::SeqCst) != gen_before;
        let mut count = 0;
        self.write_index(|index| {
            self.known(|known| {
                for l in loaded {
                    if let Some(e) = l.entry {
                        index.insert_quiet(e);
                    }
                    known.insert(l.info.name.clone(), Some(l.info));
                    count += 1;
                }
                for o in &own {
                    if let Ok(t) = jiff::Timestamp::try_from(o.modified)
                        && index.set_created(&o.name, t)
                    {
                        count += 1;
                    }
                }
                if !raced {
                    for name in &removed {
                        known.remove(name);
                        index.remove_file_quiet(name);
                        count += 1;
                    }
                }
            });
            if count > 0 {
                index.publish();
            }
        });
        if count > 0 {
            tracing::info!(repo = %self.namespace, changes = count, "applied storage changes");
        }
        Ok(count)
    }

    /// Syncs every `interval` for as long as the process runs.
    pub fn spawn_sync(self: &Arc<Self>, interval: std::time::Duration) {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(repo) = weak.upgrade() else { break };
                if let Err(e) = repo.sync().await {
                    tracing::warn!(repo = %repo.namespace, error = %e, "storage sync failed");
                }
            }
        });
    }
}

/// Fetches and parses packages, several at a time.
async fn load_all(storage: &dyn Storage, objects: Vec<ObjectInfo>) -> Vec<Loaded> {
    futures_util::stream::iter(objects.into_iter().filter(|o| o.name.ends_with(".tgz")))
        .map(|info| async move {
            let entry = load_one(storage, &info).await;
            Loaded { info, entry }
        })
        .buffer_unordered(PARALLEL_FETCHES)
        .collect()
        .await
}

async fn load_one(storage: &dyn Storage, info: &ObjectInfo) -> Option<IndexEntry> {
    let data = match storage.get(&info.name).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(file = %info.name, error = %e, "skipping unreadable package");
            return None;
        }
    };
    let parsed = tokio::task::spawn_blocking(move || {
        let digest = hex::encode(Sha256::digest(&data));
        archive::chart_meta_from_archive(&data).map(|m| (m, digest))
    })
    .await;
    match parsed {
        Ok(Ok((meta, digest))) => Some(IndexEntry {
            meta,
            file_name: info.name.clone(),
            digest,
            created: jiff::Timestamp::try_from(info.modified)
                .unwrap_or_else(|_| jiff::Timestamp::now()),
        }),
        Ok(Err(e)) => {
            tracing::warn!(file = %info.name, error = %e, "skipping invalid chart package");
            None
        }
        Err(e) => {
            tracing::warn!(file = %info.name, error = %e, "indexing task failed");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::ObjectStorage;
    use crate::storage::Staging;
    use std::io::Write;

    fn tgz(name: &str, version: &str) -> Vec<u8> {
        let chart = format!("apiVersion: v2\nname: {name}\nversion: {version}\n");
        let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        let mut h = tar::Header::new_gnu();
        h.set_size(chart.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, format!("{name}/Chart.yaml"), chart.as_bytes())
            .unwrap();
        b.into_inner().unwrap().finish().unwrap()
    }

    async fn put(storage: &dyn Storage, name: &str, version: &str) {
        let st = storage.stage().unwrap();
        st.reopen().unwrap().write_all(&tgz(name, version)).unwrap();
        storage
            .commit(st, &format!("{name}-{version}.tgz"), false)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn sync_applies_only_other_writers_changes() {
        let dir = tempfile::tempdir().unwrap();
        let staging = Arc::new(Staging::new(dir.path()).unwrap());
        let mem = Arc::new(object_store::memory::InMemory::new());
        let storage: Arc<dyn Storage> =
            Arc::new(ObjectStorage::new(mem, "", "mem://b".into(), staging).unwrap());
        put(storage.as_ref(), "a", "1.0.0").await;
        let repo = Repo::open(String::new(), storage.clone(), "", "")
            .await
            .unwrap();
        assert_eq!(repo.read_index(Index::version_count), 1);
        assert_eq!(repo.sync().await.unwrap(), 0, "nothing changed");
        // Another replica adds one version and removes the first.
        put(storage.as_ref(), "b", "2.0.0").await;
        storage.delete("a-1.0.0.tgz").await.unwrap();
        let etag = repo.read_index(|i| i.snapshot().yaml_etag.clone());
        assert_eq!(repo.sync().await.unwrap(), 2);
        assert!(repo.read_index(|i| i.get("b", "2.0.0").is_ok()));
        assert!(repo.read_index(|i| i.get("a", "latest").is_err()));
        assert_ne!(etag, repo.read_index(|i| i.snapshot().yaml_etag.clone()));
        // Invalid objects are remembered and not fetched again.
        let st = storage.stage().unwrap();
        st.reopen().unwrap().write_all(b"not a chart").unwrap();
        storage.commit(st, "junk-1.0.0.tgz", false).await.unwrap();
        assert_eq!(repo.sync().await.unwrap(), 1);
        assert_eq!(repo.sync().await.unwrap(), 0);
        assert_eq!(repo.read_index(Index::version_count), 1);
    }
}
