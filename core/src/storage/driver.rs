//! The storage driver contract (Helm's `driver.Driver`).
//!
//! The trait is async because the drivers that matter (Secrets and
//! ConfigMaps) talk to the Kubernetes API through kube-rs, which is async
//! only, and the CLI runs on tokio: a blocking trait would force every
//! Kubernetes driver to nest a runtime (`block_on` inside tokio panics) or to
//! use `block_in_place`. The futures are required to be `Send` so that
//! operations can be spawned on a multi-threaded runtime. Methods return
//! `impl Future` rather than boxed futures: callers are generic over the
//! driver ([`crate::storage::Storage`]`<D>`), and a runtime choice between
//! drivers (Helm's `HELM_DRIVER`) is an enum over the concrete drivers.

use crate::release::record::Release;
use crate::storage::error::StorageError;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;

/// How fresh a read must be.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Freshness {
    /// Every write that completed before the read started is seen (a quorum
    /// read from etcd, as Helm always reads).
    #[default]
    Consistent,
    /// The API server's watch cache may answer (`resourceVersion=0`):
    /// far cheaper with many records and no load on etcd, but it can lag
    /// the latest writes by a moment.
    Cached,
}

/// The newest revision of each release (by namespace and name) among
/// `releases`, in no particular order.
pub fn latest_revisions(releases: Vec<Release>) -> Vec<Release> {
    let mut latest: HashMap<(String, String), Release> = HashMap::new();
    for rel in releases {
        match latest.entry((rel.namespace.clone(), rel.name.clone())) {
            Entry::Occupied(mut e) => {
                if e.get().version < rel.version {
                    e.insert(rel);
                }
            }
            Entry::Vacant(e) => {
                e.insert(rel);
            }
        }
    }
    latest.into_values().collect()
}

/// A predicate for [`Driver::list`].
pub type ReleaseFilter<'a> = &'a (dyn Fn(&Release) -> bool + Send + Sync);

/// Where release records live: create, read, update and delete them by key
/// (`sh.helm.release.v1.NAME.vREVISION`), list them, query them by label.
pub trait Driver: Send + Sync {
    /// The driver's name as Helm prints it (`Secret`, `ConfigMap`, `Memory`).
    fn name(&self) -> &'static str;

    /// The largest encoded record (`base64(gzip(json))` bytes) the backend
    /// can hold, if it has a limit: 1 MiB for Secrets and ConfigMaps.
    fn max_record_bytes(&self) -> Option<usize> {
        None
    }

    /// The record stored under `key`, with user labels only (Helm filters the
    /// system labels out on `Get`); [`StorageError::NotFound`] if there is none.
    fn get(&self, key: &str) -> impl Future<Output = Result<Release, StorageError>> + Send;

    /// Every record Helm owns in the driver's namespace for which `filter`
    /// holds. Records that fail to decode are skipped, as Helm does.
    fn list(
        &self,
        filter: ReleaseFilter<'_>,
    ) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send;

    /// The newest revision of every release in scope (Helm's List followed
    /// by `filterLatestReleases`). Drivers that can tell the newest revisions
    /// apart without decoding every record override this; the default lists
    /// and decodes everything.
    fn list_latest(&self) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send {
        async move { Ok(latest_revisions(self.list(&|_| true).await?)) }
    }

    /// Like [`Driver::list_latest`], but the releases may carry only what
    /// `list` shows: name, namespace, version, labels, `info` and the
    /// chart's metadata (manifest, values, templates and hooks may be
    /// empty). Drivers that can skip decoding the rest override this, and
    /// those with a cache honour [`Freshness::Cached`].
    fn list_latest_summaries(
        &self,
        freshness: Freshness,
    ) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send {
        let _ = freshness;
        self.list_latest()
    }

    /// Every record whose labels include all of `labels`;
    /// [`StorageError::NotFound`] when none does.
    fn query(
        &self,
        labels: &BTreeMap<String, String>,
    ) -> impl Future<Output = Result<Vec<Release>, StorageError>> + Send;

    /// Stores a new record; [`StorageError::AlreadyExists`] if `key` is taken.
    fn create(
        &self,
        key: &str,
        release: &Release,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Replaces the record under `key`.
    fn update(
        &self,
        key: &str,
        release: &Release,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Removes the record under `key` and returns it;
    /// [`StorageError::NotFound`] if there is none.
    fn delete(&self, key: &str) -> impl Future<Output = Result<Release, StorageError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(namespace: &str, name: &str, version: i64) -> Release {
        Release {
            name: name.into(),
            namespace: namespace.into(),
            version,
            ..Release::default()
        }
    }

    #[test]
    fn latest_revisions_picks_the_newest_per_namespace_and_name() {
        let mut latest = latest_revisions(vec![
            rel("ns", "a", 2),
            rel("ns", "a", 10),
            rel("ns", "a", 3),
            rel("other", "a", 1),
            rel("ns", "b", 1),
        ]);
        latest.sort_by(|x, y| (&x.namespace, &x.name).cmp(&(&y.namespace, &y.name)));
        let got: Vec<(&str, &str, i64)> = latest
            .iter()
            .map(|r| (r.namespace.as_str(), r.name.as_str(), r.version))
            .collect();
        assert_eq!(
            got,
            vec![("ns", "a", 10), ("ns", "b", 1), ("other", "a", 1)]
        );
    }
}
