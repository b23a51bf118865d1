//! Helm's Secret and ConfigMap storage drivers over the Kubernetes API: each
//! revision is one object named `sh.helm.release.v1.NAME.vREVISION` in the
//! release namespace, labelled so that history queries are label selections
//! the server answers.
//!
//! The objects are built and read by [`crate::storage::codec`]; this module
//! only moves them. `create` is a plain POST, never retried and never an
//! upsert, so that of two writers racing for one revision exactly one wins
//! and the other gets [`StorageError::AlreadyExists`]: that is the lock
//! install and upgrade rely on.

use crate::kube::client::KubeClient;
use crate::kube::error::{KubeError, Operation};
use crate::kube::retry::{Backoff, with_backoff};
use crate::release::record::Release;
use crate::storage::codec::{
    ObjectKind, Stamp, filter_system_labels, label_selector, owner_selector,
};
use crate::storage::driver::{Driver, ReleaseFilter, latest_revisions};
use crate::storage::error::StorageError;
use ::kube::api::ObjectMeta;
use ::kube::api::{Api, DeleteParams, DynamicObject, ListParams, PostParams};
use ::kube::discovery::ApiResource;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::marker::PhantomData;

/// Which object kind a [`KubeDriver`] stores releases in.
pub trait StoredKind: Send + Sync + 'static {
    /// The kind.
    const KIND: ObjectKind;
}

/// Marker for release Secrets (`HELM_DRIVER=secret`, Helm's default).
#[derive(Clone, Copy, Debug)]
pub struct SecretKind;
impl StoredKind for SecretKind {
    const KIND: ObjectKind = ObjectKind::Secret;
}

/// Marker for release ConfigMaps (`HELM_DRIVER=configmap`).
#[derive(Clone, Copy, Debug)]
pub struct ConfigMapKind;
impl StoredKind for ConfigMapKind {
    const KIND: ObjectKind = ObjectKind::ConfigMap;
}

/// Releases in Secrets, byte-compatible with Helm's.
pub type SecretsDriver = KubeDriver<SecretKind>;
/// Releases in ConfigMaps, byte-compatible with Helm's.
pub type ConfigMapsDriver = KubeDriver<ConfigMapKind>;

/// A storage driver keeping releases in Secrets or ConfigMaps.
#[derive(Clone, Debug)]
pub struct KubeDriver<K> {
    client: KubeClient,
    namespace: Option<String>,
    backoff: Backoff,
    kind: PhantomData<fn() -> K>,
}

impl<K: StoredKind> KubeDriver<K> {
    /// A driver in `namespace`, or across all namespaces with `None` (what
    /// `list --all-namespaces` reads; writes then go to each release's own
    /// namespace, while `get` and `delete` need a namespaced driver).
    pub fn new(client: KubeClient, namespace: Option<&str>) -> Self {
        KubeDriver {
            client,
            namespace: namespace.map(str::to_string),
            backoff: Backoff::default(),
            kind: PhantomData,
        }
    }

    /// A driver in the client's default namespace.
    pub fn in_default_namespace(client: KubeClient) -> Self {
        let namespace = client.namespace().to_string();
        Self::new(client, Some(&namespace))
    }

    /// Replaces the retry policy of idempotent calls.
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The namespace, `None` for all namespaces.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    fn resource() -> ApiResource {
        let (kind, plural) = match K::KIND {
            ObjectKind::Secret => ("Secret", "secrets"),
            ObjectKind::ConfigMap => ("ConfigMap", "configmaps"),
        };
        ApiResource {
            group: String::new(),
            version: "v1".to_string(),
            api_version: "v1".to_string(),
            kind: kind.to_string(),
            plural: plural.to_string(),
        }
    }

    fn api(&self) -> Api<DynamicObject> {
        let raw = self.client.raw().clone();
        match &self.namespace {
            Some(ns) => Api::namespaced_with(raw, ns, &Self::resource()),
            None => Api::all_with(raw, &Self::resource()),
        }
    }

    /// The namespace a write of `release` goes to: the driver's, or for an
    /// all-namespaces driver the release's own.
    fn write_namespace<'a>(&'a self, release: &'a Release) -> &'a str {
        self.namespace.as_deref().unwrap_or(&release.namespace)
    }

    fn write_api(&self, release: &Release) -> Api<DynamicObject> {
        Api::namespaced_with(
            self.client.raw().clone(),
            self.write_namespace(release),
            &Self::resource(),
        )
    }

    fn op(&self, verb: &str, name: &str) -> Operation {
        Operation::new(
            verb,
            &Self::resource().plural,
            name,
            self.namespace.as_deref().unwrap_or(""),
        )
    }

    /// Lists the objects matching `selector` (retried: a read).
    async fn list_objects(&self, selector: &str) -> Result<Vec<Json>, KubeError> {
        let api = self.api();
        let params = ListParams::default().labels(selector);
        let op = self.op("list", "");
        let list = with_backoff(self.backoff, || async {
            api.list(&params)
                .await
                .map_err(|e| self.client.error(e, op.clone()))
        })
        .await?;
        list.items
            .into_iter()
            .map(|item| to_json(item, &op))
            .collect()
    }

    /// The metadata (no data) of the objects matching `selector`: one small
    /// response instead of every record body.
    async fn list_metadata(&self, selector: &str) -> Result<Vec<ObjectMeta>, KubeError> {
        let api = self.api();
        let params = ListParams::default().labels(selector);
        let op = self.op("list", "");
        let list = with_backoff(self.backoff, || async {
            api.list_metadata(&params)
                .await
                .map_err(|e| self.client.error(e, op.clone()))
        })
        .await?;
        Ok(list.items.into_iter().map(|item| item.metadata).collect())
    }

    /// The objects of the newest revision of every release, found from the
    /// labels alone so that only those bodies are fetched and decoded:
    /// with long histories this is most of `list`'s cost. `None` when the
    /// labels cannot be trusted for that (a record without a readable
    /// name or version label, or the records changed between the two
    /// reads); the caller then decodes everything as Helm does.
    async fn latest_objects(&self) -> Result<Option<Vec<Json>>, KubeError> {
        let metas = self.list_metadata(&owner_selector()).await?;
        let Some(newest) = newest_by_labels(metas.iter().map(|m| {
            (
                m.namespace.as_deref().unwrap_or_default(),
                m.labels.as_ref(),
            )
        })) else {
            return Ok(None);
        };
        if newest.is_empty() {
            return Ok(Some(Vec::new()));
        }
        // Superseded revisions, the bulk of any history, are never the
        // newest; asking only for the states the newest revisions are in
        // leaves them on the server.
        let states: BTreeSet<&str> = newest.values().map(|(_, status)| status.as_str()).collect();
        let selector = format!(
            "{},status in ({})",
            owner_selector(),
            states.into_iter().collect::<Vec<_>>().join(",")
        );
        let objects = self.list_objects(&selector).await?;
        let wanted: Vec<Json> = objects
            .into_iter()
            .filter(|o| {
                let labels = o.pointer("/metadata/labels");
                let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(Json::as_str);
                let namespace = o
                    .pointer("/metadata/namespace")
                    .and_then(Json::as_str)
                    .unwrap_or_default();
                match (
                    label("name"),
                    label("version").and_then(|v| v.parse::<i64>().ok()),
                ) {
                    (Some(name), Some(version)) => newest
                        .get(&(namespace.to_string(), name.to_string()))
                        .is_some_and(|(v, _)| *v == version),
                    _ => false,
                }
            })
            .collect();
        Ok((wanted.len() == newest.len()).then_some(wanted))
    }

    async fn get_object(&self, key: &str) -> Result<Json, KubeError> {
        let api = self.api();
        let op = self.op("get", key);
        let object = with_backoff(self.backoff, || async {
            api.get(key)
                .await
                .map_err(|e| self.client.error(e, op.clone()))
        })
        .await?;
        to_json(object, &op)
    }

    fn build(
        &self,
        key: &str,
        release: &Release,
        stamp: Stamp,
    ) -> Result<DynamicObject, StorageError> {
        let mut object = K::KIND.build(key, release, stamp)?;
        if let Some(meta) = object.get_mut("metadata").and_then(Json::as_object_mut) {
            meta.insert(
                "namespace".to_string(),
                Json::String(self.write_namespace(release).to_string()),
            );
        }
        serde_json::from_value(object).map_err(|e| StorageError::MalformedObject {
            key: key.to_string(),
            reason: e.to_string(),
        })
    }
}

/// The newest revision (and its status label) of every release, keyed by
/// namespace and release name, from the objects' labels; `None` if any
/// object lacks a name, version or status label or has a version that is
/// not a number, since then only the decoded records can tell.
fn newest_by_labels<'a>(
    objects: impl IntoIterator<Item = (&'a str, Option<&'a BTreeMap<String, String>>)>,
) -> Option<HashMap<(String, String), (i64, String)>> {
    let mut newest: HashMap<(String, String), (i64, String)> = HashMap::new();
    for (namespace, labels) in objects {
        let labels = labels?;
        let name = labels.get("name")?;
        let version: i64 = labels.get("version")?.parse().ok()?;
        let status = labels.get("status")?;
        let entry = newest
            .entry((namespace.to_string(), name.clone()))
            .or_insert((version, status.clone()));
        if entry.0 < version {
            *entry = (version, status.clone());
        }
    }
    Some(newest)
}

fn to_json(object: DynamicObject, op: &Operation) -> Result<Json, KubeError> {
    serde_json::to_value(object).map_err(|e| KubeError::Transport {
        operation: Box::new(op.clone()),
        reason: format!("cannot read the server's object: {e}"),
    })
}

fn backend(operation: String, error: KubeError) -> StorageError {
    StorageError::Backend {
        operation,
        source: Box::new(error),
    }
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl<K: StoredKind> Driver for KubeDriver<K> {
    fn name(&self) -> &'static str {
        K::KIND.driver_name()
    }

    async fn get(&self, key: &str) -> Result<Release, StorageError> {
        let object = match self.get_object(key).await {
            Ok(o) => o,
            Err(e) if e.is_not_found() => return Err(StorageError::NotFound),
            Err(e) => return Err(backend(format!("get: failed to get {key:?}"), e)),
        };
        let mut release = K::KIND.read(&object)?;
        release.labels = filter_system_labels(&release.labels);
        Ok(release)
    }

    async fn list(&self, filter: ReleaseFilter<'_>) -> Result<Vec<Release>, StorageError> {
        let objects = self
            .list_objects(&owner_selector())
            .await
            .map_err(|e| backend("list: failed to list".to_string(), e))?;
        Ok(K::KIND
            .read_all(&objects)
            .into_iter()
            .filter(|r| filter(r))
            .collect())
    }

    async fn list_latest(&self) -> Result<Vec<Release>, StorageError> {
        let objects = self
            .latest_objects()
            .await
            .map_err(|e| backend("list: failed to list".to_string(), e))?;
        if let Some(objects) = objects {
            let releases = K::KIND.read_all(&objects);
            // A newest record that does not decode is skipped by Helm, which
            // then shows the revision before it: only the full read can.
            if releases.len() == objects.len() {
                return Ok(releases);
            }
        }
        Ok(latest_revisions(self.list(&|_| true).await?))
    }

    async fn query(&self, labels: &BTreeMap<String, String>) -> Result<Vec<Release>, StorageError> {
        let selector = label_selector(labels)?;
        let objects = self
            .list_objects(&selector)
            .await
            .map_err(|e| backend("query: failed to query with labels".to_string(), e))?;
        if objects.is_empty() {
            return Err(StorageError::NotFound);
        }
        Ok(K::KIND.read_all(&objects))
    }

    fn max_record_bytes(&self) -> Option<usize> {
        // The API server refuses Secrets and ConfigMaps whose data exceed
        // 1 MiB; the record is the only data.
        Some(1024 * 1024)
    }

    async fn create(&self, key: &str, release: &Release) -> Result<(), StorageError> {
        let object = self.build(key, release, Stamp::Created(now_unix()))?;
        let op = self.op("create", key);
        match self
            .write_api(release)
            .create(&PostParams::default(), &object)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => match self.client.error(e, op) {
                e if e.is_already_exists() => Err(StorageError::AlreadyExists),
                e => Err(backend("create: failed to create".to_string(), e)),
            },
        }
    }

    async fn update(&self, key: &str, release: &Release) -> Result<(), StorageError> {
        // A PUT without resourceVersion replaces unconditionally, as Helm's
        // update does, so resending it after a transient failure is safe.
        let object = self.build(key, release, Stamp::Modified(now_unix()))?;
        let api = self.write_api(release);
        let op = self.op("update", key);
        with_backoff(self.backoff, || async {
            api.replace(key, &PostParams::default(), &object)
                .await
                .map_err(|e| self.client.error(e, op.clone()))
        })
        .await
        .map(|_| ())
        .map_err(|e| backend("update: failed to update".to_string(), e))
    }

    async fn delete(&self, key: &str) -> Result<Release, StorageError> {
        let release = self.get(key).await?;
        let api = self.api();
        let op = self.op("delete", key);
        let result = with_backoff(self.backoff, || async {
            api.delete(key, &DeleteParams::default())
                .await
                .map_err(|e| self.client.error(e, op.clone()))
        })
        .await;
        match result {
            Ok(_) => Ok(release),
            // Gone between our get and delete (or our retried delete had
            // already gone through): the record is deleted either way.
            Err(e) if e.is_not_found() => Ok(release),
            Err(e) => Err(backend("delete: failed to delete".to_string(), e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(name: &str, version: &str, status: &str) -> BTreeMap<String, String> {
        [
            ("name", name),
            ("version", version),
            ("status", status),
            ("owner", "helm"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn newest_by_labels_keeps_the_highest_version_per_namespace_and_name() {
        let a1 = labels("a", "1", "superseded");
        let a10 = labels("a", "10", "deployed");
        let a9 = labels("a", "9", "superseded");
        let a2_other_ns = labels("a", "2", "failed");
        let newest = newest_by_labels([
            ("ns", Some(&a1)),
            ("ns", Some(&a10)),
            ("ns", Some(&a9)),
            ("other", Some(&a2_other_ns)),
        ])
        .unwrap();
        assert_eq!(newest.len(), 2);
        // Numeric, not lexical: 10 beats 9.
        assert_eq!(newest[&("ns".into(), "a".into())], (10, "deployed".into()));
        assert_eq!(newest[&("other".into(), "a".into())], (2, "failed".into()));
    }

    #[test]
    fn newest_by_labels_gives_up_on_records_it_cannot_place() {
        let good = labels("a", "1", "deployed");
        let bad_version = labels("b", "v2", "deployed");
        let mut no_status = labels("c", "1", "deployed");
        no_status.remove("status");
        assert!(newest_by_labels([("ns", Some(&good)), ("ns", Some(&bad_version))]).is_none());
        assert!(newest_by_labels([("ns", Some(&no_status))]).is_none());
        assert!(newest_by_labels([("ns", None)]).is_none());
        assert!(newest_by_labels(std::iter::empty()).unwrap().is_empty());
    }
}
