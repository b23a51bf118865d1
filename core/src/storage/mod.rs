//! Release history storage, as Helm keeps it (`pkg/storage`).
//!
//! - [`codec`]: the record's on-cluster form (`base64(gzip(json))`, object
//!   names, labels, Secret and ConfigMap shapes) as pure functions.
//! - [`driver`]: the [`Driver`] trait every backend implements.
//! - [`memory`]: [`MemoryDriver`], the in-memory backend.
//! - [`Storage`]: history, last/deployed revision, max-history pruning over
//!   any driver.

pub mod codec;
pub mod driver;
pub mod error;
pub mod kube_driver;
pub mod kube_list;
pub mod kube_proto;
pub mod memory;

pub use codec::{ObjectKind, decode_release, encode_release, release_key};
pub use driver::{Driver, Freshness, ReleaseFilter};
pub use error::StorageError;
pub use memory::MemoryDriver;

use crate::release::record::Release;
use crate::release::status::Status;
use std::collections::BTreeMap;

/// Release storage over a driver (Helm's `storage.Storage`).
#[derive(Debug)]
pub struct Storage<D> {
    driver: D,
    max_history: usize,
}

impl<D: Driver> Storage<D> {
    /// Storage without a history limit.
    pub fn new(driver: D) -> Self {
        Storage {
            driver,
            max_history: 0,
        }
    }

    /// Keeps at most `max` revisions per release, the newest included, when
    /// creating new ones (`--history-max`); 0 means no limit.
    pub fn with_max_history(mut self, max: usize) -> Self {
        self.max_history = max;
        self
    }

    /// The history limit; 0 means none.
    pub fn max_history(&self) -> usize {
        self.max_history
    }

    /// The driver underneath.
    pub fn driver(&self) -> &D {
        &self.driver
    }

    /// One revision of a release.
    pub async fn get(&self, name: &str, version: i64) -> Result<Release, StorageError> {
        self.driver.get(&release_key(name, version)).await
    }

    /// Stores a new revision; [`StorageError::AlreadyExists`] when the
    /// revision exists (the create is the lock between operations). With a
    /// history limit, the oldest revisions are then deleted so that at most
    /// `max_history` remain, never the last deployed one. Pruning comes
    /// after the create, unlike Helm, so an operation that loses the race
    /// for a revision deletes nothing; a pruning failure is logged, not
    /// returned, since the new revision is stored.
    pub async fn create(&self, release: &Release) -> Result<(), StorageError> {
        tracing::debug!(release = %release.name, revision = release.version, status = release.status().as_str(), "storing a new revision");
        self.driver
            .create(&release_key(&release.name, release.version), release)
            .await?;
        if self.max_history > 0 {
            match self
                .remove_least_recent(&release.name, self.max_history)
                .await
            {
                Ok(()) | Err(StorageError::NotFound) => {}
                Err(e) => {
                    tracing::warn!(release = %release.name, error = %e, "could not prune old revisions")
                }
            }
        }
        Ok(())
    }

    /// Fails with [`StorageError::TooLarge`] when `release` would not fit
    /// in the driver's objects, so actions can refuse before applying.
    pub fn check_fits(&self, release: &Release) -> Result<(), StorageError> {
        let Some(limit) = self.driver.max_record_bytes() else {
            return Ok(());
        };
        let size = encode_release(release)?.len();
        if size > limit {
            return Err(StorageError::TooLarge {
                name: release.name.clone(),
                version: release.version,
                size,
                limit,
                driver: self.driver.name(),
            });
        }
        Ok(())
    }

    /// Rewrites an existing revision (status changes, hook results...).
    pub async fn update(&self, release: &Release) -> Result<(), StorageError> {
        tracing::debug!(release = %release.name, revision = release.version, status = release.status().as_str(), "updating a revision");
        self.driver
            .update(&release_key(&release.name, release.version), release)
            .await
    }

    /// Deletes one revision and returns it.
    pub async fn delete(&self, name: &str, version: i64) -> Result<Release, StorageError> {
        self.driver.delete(&release_key(name, version)).await
    }

    /// Every release revision the driver can see.
    pub async fn list_releases(&self) -> Result<Vec<Release>, StorageError> {
        self.driver.list(&|_| true).await
    }

    /// Every revision in state `uninstalled`.
    pub async fn list_uninstalled(&self) -> Result<Vec<Release>, StorageError> {
        self.driver
            .list(&|r| r.status() == Status::Uninstalled)
            .await
    }

    /// Every revision in state `deployed`.
    pub async fn list_deployed(&self) -> Result<Vec<Release>, StorageError> {
        self.driver.list(&|r| r.status() == Status::Deployed).await
    }

    /// The newest deployed revision of a release. Several can be deployed
    /// after concurrent runs corrupted the history; Helm takes the newest.
    pub async fn deployed(&self, name: &str) -> Result<Release, StorageError> {
        let all = self.deployed_all(name).await?;
        all.into_iter()
            .max_by_key(|r| r.version)
            .ok_or_else(|| StorageError::NoDeployedReleases {
                name: name.to_string(),
            })
    }

    /// Every deployed revision of a release, or
    /// [`StorageError::NoDeployedReleases`].
    pub async fn deployed_all(&self, name: &str) -> Result<Vec<Release>, StorageError> {
        let labels = labels(&[
            ("name", name),
            ("owner", codec::OWNER),
            ("status", "deployed"),
        ]);
        match self.driver.query(&labels).await {
            Ok(found) => Ok(found),
            // Helm matches on the message, so a backend "not found" (e.g. a
            // missing namespace) also reads as "no deployed releases".
            Err(e) if e.is_not_found() || e.to_string().contains("not found") => {
                Err(StorageError::NoDeployedReleases {
                    name: name.to_string(),
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Every revision of a release, in the driver's order (Helm's callers
    /// sort); [`StorageError::NotFound`] for an unknown release.
    pub async fn history(&self, name: &str) -> Result<Vec<Release>, StorageError> {
        self.driver
            .query(&labels(&[("name", name), ("owner", codec::OWNER)]))
            .await
    }

    /// The revision with the highest number, whatever its state.
    pub async fn last(&self, name: &str) -> Result<Release, StorageError> {
        self.history(name)
            .await?
            .into_iter()
            .max_by_key(|r| r.version)
            .ok_or_else(|| StorageError::NoRevision {
                name: name.to_string(),
            })
    }

    /// Deletes the oldest revisions until at most `max` remain, sparing the
    /// last deployed one. As in Helm, the spared revision still counts, so
    /// when it is the oldest the loop deletes the next ones instead.
    async fn remove_least_recent(&self, name: &str, max: usize) -> Result<(), StorageError> {
        let mut history = self.history(name).await?;
        if history.len() <= max {
            return Ok(());
        }
        history.sort_by_key(|r| r.version);
        let last_deployed = match self.deployed(name).await {
            Ok(r) => Some(r.version),
            Err(StorageError::NoDeployedReleases { .. }) => None,
            Err(e) => return Err(e),
        };
        let mut to_delete = Vec::new();
        for rel in &history {
            if history.len() - to_delete.len() == max {
                break;
            }
            if last_deployed != Some(rel.version) {
                to_delete.push(rel.version);
            }
        }
        let mut errors = Vec::new();
        for version in to_delete {
            if let Err(e) = self.delete(name, version).await {
                tracing::debug!(release = name, version, error = %e, "error pruning release");
                errors.push(e);
            }
        }
        let count = errors.len();
        match errors.into_iter().next() {
            None => Ok(()),
            Some(first) if count == 1 => Err(first),
            Some(first) => Err(StorageError::PruneFailed {
                count,
                first: Box::new(first),
            }),
        }
    }
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Drives a future to completion on the current thread; the memory driver's
/// futures never wait, so unit tests need no runtime.
#[cfg(test)]
pub(crate) fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::yield_now();
    }
}
