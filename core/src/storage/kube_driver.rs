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
    OWNER, ObjectKind, Stamp, filter_system_labels, label_selector, owner_selector,
};
use crate::storage::driver::{Driver, Freshness, ReleaseFilter, latest_revisions};
use crate::storage::error::StorageError;
use crate::storage::kube_list::{
    Plan, ReleaseKey, SummaryPrefetch, WireList, WireObject, WireTable, decode_summaries,
    metadata_hint, placement, reconcile, table_hint,
};
use crate::storage::kube_proto::{PROTOBUF_MIME, SecretListReader};
use ::kube::api::{Api, DeleteParams, DynamicObject, ListParams, PostParams};
use ::kube::discovery::ApiResource;
use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::marker::PhantomData;

/// Releases `list` reads again on their own when the watch-cache hint and
/// the consistent read disagree on them; above this, it reads everything.
const MAX_RECHECKS: usize = 32;
/// Concurrent requests for those rereads.
const RECHECKS_IN_FLIGHT: usize = 8;
/// Asks the API server to print a list as a `Table` (what kubectl shows).
const TABLE_MIME: &str = "application/json;as=Table;g=meta.k8s.io;v=v1";

/// A list read for `list`: the objects, and for protobuf reads with
/// summaries asked for, each record's summary decoded while the list was
/// arriving (`None` in it: the record does not decode).
struct Bodies {
    list: WireList,
    summaries: Option<Vec<Option<Release>>>,
}

/// List parameters for `selector`; from the API server's watch cache
/// (`resourceVersion=0`) when [`Freshness::Cached`].
fn list_params(selector: &str, freshness: Freshness) -> ListParams {
    let params = ListParams::default().labels(selector);
    match freshness {
        Freshness::Consistent => params,
        Freshness::Cached => params.match_any(),
    }
}

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

    /// The URL path of the objects' collection in `namespace` (all
    /// namespaces with `None`).
    fn collection_path(namespace: Option<&str>) -> String {
        let plural = Self::resource().plural;
        match namespace {
            Some(ns) => format!("/api/v1/namespaces/{ns}/{plural}"),
            None => format!("/api/v1/{plural}"),
        }
    }

    /// Lists the objects matching `selector` in `namespace` into the list
    /// path's wire types (retried: a read).
    async fn list_wire(
        &self,
        namespace: Option<&str>,
        selector: &str,
        freshness: Freshness,
    ) -> Result<WireList, KubeError> {
        let path = Self::collection_path(namespace);
        let op = self.list_op(namespace);
        with_backoff(self.backoff, || async {
            let request = ::kube::core::Request::new(&path)
                .list(&list_params(selector, freshness))
                .map_err(|e| request_error(&op, e))?;
            self.client
                .raw()
                .request::<WireList>(request)
                .await
                .map_err(|e| self.client.error(e, op.clone()))
        })
        .await
    }

    /// The bodies of the objects matching `selector`: for Secrets in the
    /// API server's protobuf encoding (see [`crate::storage::kube_proto`]),
    /// and as JSON for ConfigMaps, or whenever the protobuf request does
    /// not give a protobuf list (the JSON request then gives the same
    /// objects or the error to report, with retries). With `summarize`,
    /// protobuf records are decoded for `list` while the rest of the list
    /// arrives ([`Bodies::summaries`]).
    async fn list_bodies(
        &self,
        namespace: Option<&str>,
        selector: &str,
        freshness: Freshness,
        summarize: bool,
    ) -> Result<Bodies, KubeError> {
        if K::KIND == ObjectKind::Secret {
            match self
                .list_protobuf(namespace, selector, freshness, summarize)
                .await
            {
                Ok(bodies) => return Ok(bodies),
                Err(reason) => tracing::debug!(%reason, "protobuf list failed; listing as JSON"),
            }
        }
        Ok(Bodies {
            list: self.list_wire(namespace, selector, freshness).await?,
            summaries: None,
        })
    }

    /// Reads the protobuf list as it arrives, item by item; a failure
    /// anywhere is returned for the JSON request to retry.
    async fn list_protobuf(
        &self,
        namespace: Option<&str>,
        selector: &str,
        freshness: Freshness,
        summarize: bool,
    ) -> Result<Bodies, String> {
        use http_body_util::BodyExt;
        let path = Self::collection_path(namespace);
        let mut request = ::kube::core::Request::new(&path)
            .list(&list_params(selector, freshness))
            .map_err(|e| e.to_string())?;
        request.headers_mut().insert(
            http::header::ACCEPT,
            http::HeaderValue::from_static(PROTOBUF_MIME),
        );
        let response = self
            .client
            .raw()
            .send(request.map(::kube::client::Body::from))
            .await
            .map_err(|e| e.to_string())?;
        let content_type = response
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        if !response.status().is_success() || !content_type.starts_with(PROTOBUF_MIME) {
            return Err(format!(
                "status {}, content type {content_type:?}",
                response.status()
            ));
        }
        tracing::debug!("list: response headers");
        let mut body = response.into_body();
        let mut reader = SecretListReader::default();
        let mut prefetch = summarize.then(|| SummaryPrefetch::start(K::KIND));
        let mut items = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| e.to_string())?;
            if let Ok(data) = frame.into_data() {
                reader.push(&data, &mut |object| {
                    items.push(match prefetch.as_mut() {
                        Some(prefetch) => prefetch.submit(object),
                        None => object,
                    })
                })?;
            }
        }
        reader.finish()?;
        tracing::debug!(items = items.len(), "list: body read");
        let summaries = match prefetch {
            Some(prefetch) => Some(prefetch.finish().await),
            None => None,
        };
        tracing::debug!("list: summaries decoded");
        Ok(Bodies {
            list: WireList { items },
            summaries,
        })
    }

    /// Release and revision of every record Helm owns in `namespace`, from
    /// the API server's watch cache (`resourceVersion=0`): cheap, but
    /// possibly a little stale, so only a hint. In one namespace the
    /// server prints the names as a `Table` without the objects; across
    /// namespaces (where a table row does not say its namespace) it sends
    /// the objects' metadata. `None` when a record's name or labels do not
    /// place it.
    async fn list_hint(
        &self,
        namespace: Option<&str>,
    ) -> Result<Option<Vec<(ReleaseKey, i64)>>, KubeError> {
        let path = Self::collection_path(namespace);
        let op = self.list_op(namespace);
        let params = list_params(&owner_selector(), Freshness::Cached);
        with_backoff(self.backoff, || async {
            let request = ::kube::core::Request::new(&path);
            match namespace {
                Some(ns) => {
                    let mut request = request.list(&params).map_err(|e| request_error(&op, e))?;
                    let uri = format!("{}&includeObject=None", request.uri());
                    *request.uri_mut() = uri.parse().map_err(|e| request_error(&op, e))?;
                    request.headers_mut().insert(
                        http::header::ACCEPT,
                        http::HeaderValue::from_static(TABLE_MIME),
                    );
                    let table: WireTable = self
                        .client
                        .raw()
                        .request(request)
                        .await
                        .map_err(|e| self.client.error(e, op.clone()))?;
                    Ok(table_hint(ns, &table))
                }
                None => {
                    let request = request
                        .list_metadata(&params)
                        .map_err(|e| request_error(&op, e))?;
                    let list: WireList = self
                        .client
                        .raw()
                        .request(request)
                        .await
                        .map_err(|e| self.client.error(e, op.clone()))?;
                    Ok(metadata_hint(&list))
                }
            }
        })
        .await
    }

    fn list_op(&self, namespace: Option<&str>) -> Operation {
        Operation::new(
            "list",
            &Self::resource().plural,
            "",
            namespace.unwrap_or(""),
        )
    }

    /// `list`'s releases, newest revision of each, decoded only as far as
    /// `list` prints them; see [`crate::storage::kube_list`] for why the
    /// consistent read can leave superseded records on the server. With
    /// [`Freshness::Cached`] the records are read from the watch cache
    /// too; releases the two reads disagree on are still read again
    /// consistently.
    async fn latest_summaries(&self, freshness: Freshness) -> Result<Vec<Release>, KubeError> {
        let namespace = self.namespace.as_deref();
        let owner = owner_selector();
        let not_superseded = format!("{owner},status!=superseded");
        let (bodies, hint) = tokio::join!(
            self.list_bodies(namespace, &not_superseded, freshness, true),
            self.list_hint(namespace)
        );
        let Bodies {
            list: bodies,
            summaries,
        } = bodies?;
        let plan = match hint {
            Ok(Some(hint)) => reconcile(&hint, &bodies.items, MAX_RECHECKS),
            Ok(None) => Plan::ReadAll,
            Err(error) => {
                tracing::debug!(%error, "no watch-cache hint; reading every record");
                Plan::ReadAll
            }
        };
        let (accepted, mut recheck) = match plan {
            Plan::ReadAll => {
                tracing::debug!("list: the hint does not explain the records; reading all");
                return self.read_all_latest(namespace, freshness).await;
            }
            Plan::Use { accepted, recheck } => (accepted, recheck),
        };
        tracing::debug!(
            accepted = accepted.len(),
            rechecked = recheck.len(),
            "list: newest revisions from the non-superseded records"
        );
        let objects: Vec<&WireObject> = accepted.iter().map(|&i| &bodies.items[i]).collect();
        let decoded = match summaries {
            Some(mut summaries) => accepted
                .iter()
                .enumerate()
                .filter_map(|(n, &i)| summaries.get_mut(i).and_then(Option::take).map(|r| (n, r)))
                .collect(),
            None => decode_summaries(K::KIND, &objects),
        };
        let mut ok = vec![false; objects.len()];
        let mut releases = Vec::with_capacity(decoded.len() + recheck.len());
        for (i, release) in decoded {
            ok[i] = true;
            // The labels chose this record; a body that disagrees with them
            // (edited by hand) needs Helm's way, which goes by the body.
            if placement(&objects[i].metadata)
                != Some((
                    ReleaseKey {
                        namespace: release.namespace.clone(),
                        name: release.name.clone(),
                    },
                    release.version,
                ))
            {
                tracing::debug!(object = %objects[i].metadata.name, "list: a record's labels and body disagree; reading all");
                return self.read_all_latest(namespace, freshness).await;
            }
            releases.push(release);
        }
        // A newest record that does not decode is skipped by Helm, which
        // then shows the revision before it.
        for (i, object) in objects.iter().enumerate() {
            if !ok[i]
                && let Some((key, _)) = placement(&object.metadata)
            {
                recheck.insert(key);
            }
        }
        let rechecked: Vec<Vec<Release>> = stream::iter(recheck)
            .map(|key| async move {
                let selector = label_selector(&BTreeMap::from([
                    ("name".to_string(), key.name.clone()),
                    ("owner".to_string(), OWNER.to_string()),
                ]))
                .map_err(|e| KubeError::Transport {
                    operation: Box::new(self.op("list", "")),
                    reason: e.to_string(),
                })?;
                let list = self
                    .list_wire(Some(&key.namespace), &selector, Freshness::Consistent)
                    .await?;
                Ok::<_, KubeError>(decode_latest(K::KIND, &list))
            })
            .buffer_unordered(RECHECKS_IN_FLIGHT)
            .try_collect()
            .await?;
        releases.extend(rechecked.into_iter().flatten());
        Ok(releases)
    }

    /// Helm's way: every record read consistently, the newest revision of
    /// each release by the decoded records.
    async fn read_all_latest(
        &self,
        namespace: Option<&str>,
        freshness: Freshness,
    ) -> Result<Vec<Release>, KubeError> {
        let bodies = self
            .list_bodies(namespace, &owner_selector(), freshness, false)
            .await?;
        Ok(decode_latest(K::KIND, &bodies.list))
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

/// The newest revision of each release among the decodable records of
/// `list`, as Helm picks it (by the decoded name, namespace and version).
fn decode_latest(kind: ObjectKind, list: &WireList) -> Vec<Release> {
    let objects: Vec<&WireObject> = list.items.iter().collect();
    latest_revisions(
        decode_summaries(kind, &objects)
            .into_iter()
            .map(|(_, r)| r)
            .collect(),
    )
}

/// A list request that could not be built (a namespace or selector that is
/// not valid in a URL).
fn request_error(op: &Operation, error: impl std::fmt::Display) -> KubeError {
    KubeError::Transport {
        operation: Box::new(op.clone()),
        reason: format!("cannot build the request: {error}"),
    }
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

    async fn list_latest_summaries(
        &self,
        freshness: Freshness,
    ) -> Result<Vec<Release>, StorageError> {
        self.latest_summaries(freshness)
            .await
            .map_err(|e| backend("list: failed to list".to_string(), e))
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

    #[test]
    fn only_cached_reads_may_come_from_the_watch_cache() {
        let consistent = list_params("owner=helm", Freshness::Consistent);
        assert_eq!(consistent.label_selector.as_deref(), Some("owner=helm"));
        // No resourceVersion: a quorum read from etcd.
        assert_eq!(consistent.resource_version, None);
        let cached = list_params("owner=helm", Freshness::Cached);
        assert_eq!(cached.label_selector.as_deref(), Some("owner=helm"));
        assert_eq!(cached.resource_version.as_deref(), Some("0"));
    }
}
