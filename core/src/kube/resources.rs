//! Rendered manifest documents as dynamic objects, and the calls Helm's kube
//! client makes on them: server-side apply, client-side apply (create or
//! three-way patch, also the fallback when a server answers a server-side
//! apply with 415), get and delete.

use crate::kube::client::KubeClient;
use crate::kube::discovery::{ApiDiscovery, ResourceInfo};
use crate::kube::error::{KubeError, Operation};
use crate::kube::merge::{PatchType, client_side_patch, upgrade_managed_fields};
use crate::kube::openapi::OpenApi;
use crate::kube::ownership::{check_ownership, conflict_message};
use crate::kube::retry::{Backoff, with_backoff};
use ::kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::Value as Json;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// The field manager hoist applies as.
pub const FIELD_MANAGER: &str = "hoist";

/// The field manager Helm writes as (its binary's name): its client-side
/// writes are converted too when hoist switches a release Helm installed
/// client-side to server-side apply.
pub const HELM_FIELD_MANAGER: &str = "helm";

/// One manifest document: the object as JSON plus the fields every call needs.
#[derive(Clone, Debug, PartialEq)]
pub struct ManifestObject {
    /// The whole object.
    pub object: Json,
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, when the manifest sets one.
    pub namespace: Option<String>,
}

impl ManifestObject {
    /// Parses one YAML document (as Helm splits a rendered manifest) with
    /// hoist's Go-compatible YAML reader.
    pub fn parse(text: &str) -> Result<Self, KubeError> {
        let value = crate::yaml::parse(text).map_err(|e| KubeError::InvalidObject {
            reason: format!("manifest is not valid YAML: {e}"),
        })?;
        let json = serde_json::to_value(&value).map_err(|e| KubeError::InvalidObject {
            reason: format!("manifest cannot be converted to JSON: {e}"),
        })?;
        Self::from_json(json)
    }

    /// Checks that `object` has an apiVersion, a kind and a name.
    pub fn from_json(object: Json) -> Result<Self, KubeError> {
        let text = |pointer: &str| object.pointer(pointer).and_then(Json::as_str).unwrap_or("");
        let api_version = text("/apiVersion").to_string();
        let kind = text("/kind").to_string();
        let name = text("/metadata/name").to_string();
        let namespace = Some(text("/metadata/namespace").to_string()).filter(|ns| !ns.is_empty());
        if !object.is_object() {
            return Err(KubeError::InvalidObject {
                reason: "a manifest document must be a map".to_string(),
            });
        }
        let missing = |what: &str| KubeError::InvalidObject {
            reason: format!("{what} not set in the object (kind {kind:?}, name {name:?})"),
        };
        if api_version.is_empty() {
            return Err(missing("apiVersion"));
        }
        if kind.is_empty() {
            return Err(missing("kind"));
        }
        if name.is_empty() {
            return Err(missing("metadata.name"));
        }
        Ok(ManifestObject {
            object,
            api_version,
            kind,
            name,
            namespace,
        })
    }
}

/// How `delete` treats the object's dependents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Propagation {
    /// Delete now; the garbage collector removes dependents afterwards (Helm's default).
    #[default]
    Background,
    /// Dependents first, then the object.
    Foreground,
    /// Leave the dependents.
    Orphan,
}

impl Propagation {
    fn params(self) -> DeleteParams {
        match self {
            Propagation::Background => DeleteParams::background(),
            Propagation::Foreground => DeleteParams::foreground(),
            Propagation::Orphan => DeleteParams::orphan(),
        }
    }
}

/// Where an object lives once its kind is resolved.
#[derive(Clone, Debug)]
pub struct Target {
    /// Its resource.
    pub resource: ResourceInfo,
    /// Its namespace: the manifest's or the default for namespaced
    /// resources, `None` for cluster-scoped ones.
    pub namespace: Option<String>,
}

/// Applies, reads and deletes objects of any kind the server serves.
#[derive(Clone, Debug)]
pub struct ResourceClient {
    client: KubeClient,
    discovery: Arc<ApiDiscovery>,
    backoff: Backoff,
    /// `/openapi/v2`, read on the first client-side patch (`None` inside
    /// when it could not be read).
    openapi: Arc<OnceCell<Option<Arc<OpenApi>>>>,
}

impl ResourceClient {
    /// Discovers the server's resources and returns a client over them.
    pub async fn connect(client: KubeClient) -> Result<Self, KubeError> {
        let discovery = ApiDiscovery::run(&client).await?;
        Ok(Self::new(client, Arc::new(discovery)))
    }

    /// A client over an earlier discovery (rediscover after installing CRDs).
    pub fn new(client: KubeClient, discovery: Arc<ApiDiscovery>) -> Self {
        ResourceClient {
            client,
            discovery,
            backoff: Backoff::default(),
            openapi: Arc::default(),
        }
    }

    /// This client over a new discovery (after installing CRDs), keeping
    /// what it learnt about the server.
    pub fn rediscovered(&self, discovery: Arc<ApiDiscovery>) -> Self {
        ResourceClient {
            discovery,
            ..self.clone()
        }
    }

    /// Replaces the retry policy.
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The discovery this client resolves kinds with.
    pub fn discovery(&self) -> &ApiDiscovery {
        &self.discovery
    }

    /// The cluster client.
    pub fn client(&self) -> &KubeClient {
        &self.client
    }

    /// Finds the resource of `object` and the namespace it goes to.
    pub fn resolve(&self, object: &ManifestObject) -> Result<Target, KubeError> {
        let resource = self
            .discovery
            .resolve(&object.api_version, &object.kind)
            .ok_or_else(|| KubeError::NoMatch {
                name: object.name.clone(),
                namespace: object.namespace.clone().unwrap_or_default(),
                api_version: object.api_version.clone(),
                kind: object.kind.clone(),
            })?
            .clone();
        let namespace = resource.namespaced.then(|| {
            object
                .namespace
                .clone()
                .unwrap_or_else(|| self.client.namespace().to_string())
        });
        Ok(Target {
            resource,
            namespace,
        })
    }

    fn api(&self, target: &Target) -> Api<DynamicObject> {
        let raw = self.client.raw().clone();
        let ar = &target.resource.api_resource;
        match &target.namespace {
            Some(ns) => Api::namespaced_with(raw, ns, ar),
            None => Api::all_with(raw, ar),
        }
    }

    fn operation(target: &Target, verb: &str, name: &str) -> Operation {
        Operation::new(
            verb,
            &target.resource.resource_name(),
            name,
            target.namespace.as_deref().unwrap_or(""),
        )
    }

    /// Server-side apply as field manager `hoist`; `force` takes over fields
    /// other managers own. The namespace is filled in (or, for
    /// cluster-scoped kinds, removed). Returns the object the server stored.
    pub async fn apply(&self, object: &ManifestObject, force: bool) -> Result<Json, KubeError> {
        let target = self.resolve(object)?;
        let body = with_namespace(&object.object, &target);
        let mut params = PatchParams::apply(FIELD_MANAGER);
        if force {
            params = params.force();
        }
        let api = self.api(&target);
        let op = Self::operation(&target, "patch", &object.name);
        let stored = with_backoff(self.backoff, || async {
            api.patch(&object.name, &params, &Patch::Apply(&body))
                .await
                .map_err(|e| self.client.error(e, op.clone()))
        })
        .await?;
        to_json(stored, &op)
    }

    /// Server-side apply unless the server lacks it: `Ok(None)` when it
    /// answered (now or earlier in this operation) 415 Unsupported Media
    /// Type, and the caller must apply client-side. The first such answer
    /// is logged as a warning.
    pub async fn apply_if_supported(
        &self,
        object: &ManifestObject,
        force: bool,
    ) -> Result<Option<Json>, KubeError> {
        if self.client.ssa_unavailable() {
            return Ok(None);
        }
        match self.apply(object, force).await {
            Ok(stored) => Ok(Some(stored)),
            Err(KubeError::Api { code: 415, .. }) => {
                if self.client.note_ssa_unavailable() {
                    tracing::warn!(
                        server = self.client.server(),
                        "the server does not support server-side apply; applying client-side"
                    );
                }
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Helm's client-side apply: creates the object when it does not
    /// exist, else patches the live object with the three-way patch from
    /// `original` (the object as the previous revision rendered it; `None`
    /// when the release did not hold it) to `object` (see
    /// [`crate::kube::merge`]). An empty patch sends nothing.
    pub async fn apply_client_side(
        &self,
        original: Option<&ManifestObject>,
        object: &ManifestObject,
    ) -> Result<(), KubeError> {
        let Some(live) = self.get(object).await? else {
            return self.create(object).await;
        };
        let target = self.resolve(object)?;
        let modified = with_namespace(&object.object, &target);
        let original = original.map(|o| with_namespace(&o.object, &target));
        let openapi = self.openapi().await;
        let patch = client_side_patch(
            original.as_ref(),
            &modified,
            &live,
            openapi.as_deref(),
            &object.api_version,
            &object.kind,
        )
        .map_err(|e| KubeError::InvalidObject {
            reason: format!(
                "cannot compute the client-side patch of {} {:?}: {e}",
                object.kind, object.name
            ),
        })?;
        if patch.is_empty() {
            return Ok(());
        }
        let params = PatchParams {
            field_manager: Some(FIELD_MANAGER.to_string()),
            ..PatchParams::default()
        };
        let api = self.api(&target);
        let op = Self::operation(&target, "patch", &object.name);
        with_backoff(self.backoff, || async {
            let sent = match patch.patch_type {
                PatchType::Strategic => {
                    api.patch(&object.name, &params, &Patch::Strategic(&patch.body))
                        .await
                }
                PatchType::Merge => {
                    api.patch(&object.name, &params, &Patch::Merge(&patch.body))
                        .await
                }
            };
            sent.map_err(|e| self.client.error(e, op.clone()))
        })
        .await?;
        Ok(())
    }

    /// Helm v4's switch of an existing object from client-side to
    /// server-side apply: the fields hoist's or Helm's client-side writes
    /// own become owned by hoist's apply entry (see
    /// [`crate::kube::merge::upgrade_managed_fields`]). The new
    /// `managedFields` are sent with the object's resourceVersion, so a
    /// concurrent change makes the server answer 409, and the conversion
    /// is done again on the fresh object.
    pub async fn upgrade_client_side_fields(
        &self,
        object: &ManifestObject,
    ) -> Result<(), KubeError> {
        const ATTEMPTS: usize = 5;
        for attempt in 1..=ATTEMPTS {
            let Some(live) = self.get(object).await? else {
                return Ok(());
            };
            let managed = live["metadata"]["managedFields"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            let Some(upgraded) = upgrade_managed_fields(
                managed,
                &[FIELD_MANAGER, HELM_FIELD_MANAGER],
                FIELD_MANAGER,
            ) else {
                return Ok(());
            };
            let target = self.resolve(object)?;
            let patch = serde_json::json!({"metadata": {
                "managedFields": upgraded,
                "resourceVersion": live["metadata"]["resourceVersion"],
            }});
            let op = Self::operation(&target, "patch", &object.name);
            let sent = self
                .api(&target)
                .patch(&object.name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
                .map_err(|e| self.client.error(e, op));
            match sent {
                Ok(_) => return Ok(()),
                Err(KubeError::Api { code: 409, .. }) if attempt < ATTEMPTS => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// The server's OpenAPI document, read once per client; `None` (with a
    /// warning) when it cannot be read, and patches fall back to JSON merge.
    async fn openapi(&self) -> Option<Arc<OpenApi>> {
        self.openapi
            .get_or_init(|| async {
                match OpenApi::fetch(&self.client).await {
                    Ok(doc) => Some(Arc::new(doc)),
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot read the server's OpenAPI document; client-side apply uses JSON merge patches");
                        None
                    }
                }
            })
            .await
            .clone()
    }

    /// Creates the object with a POST (Helm's client-side create); a 409
    /// comes back as [`KubeError::AlreadyExists`]. Not retried: a create
    /// is not idempotent.
    pub async fn create(&self, object: &ManifestObject) -> Result<(), KubeError> {
        let target = self.resolve(object)?;
        let body = with_namespace(&object.object, &target);
        let op = Self::operation(&target, "create", &object.name);
        let dynamic: DynamicObject =
            serde_json::from_value(body).map_err(|e| KubeError::InvalidObject {
                reason: format!(
                    "{} {:?} is not a Kubernetes object: {e}",
                    object.kind, object.name
                ),
            })?;
        let params = PostParams {
            field_manager: Some(FIELD_MANAGER.to_string()),
            ..PostParams::default()
        };
        self.api(&target)
            .create(&params, &dynamic)
            .await
            .map_err(|e| self.client.error(e, op))?;
        Ok(())
    }

    /// The live object, or `None` when it does not exist.
    pub async fn get(&self, object: &ManifestObject) -> Result<Option<Json>, KubeError> {
        let target = self.resolve(object)?;
        let api = self.api(&target);
        let op = Self::operation(&target, "get", &object.name);
        let found = with_backoff(self.backoff, || async {
            api.get_opt(&object.name)
                .await
                .map_err(|e| self.client.error(e, op.clone()))
        })
        .await?;
        found.map(|o| to_json(o, &op)).transpose()
    }

    /// Deletes the object; `Ok(false)` when it was already gone (Helm
    /// ignores those when uninstalling).
    pub async fn delete(
        &self,
        object: &ManifestObject,
        propagation: Propagation,
    ) -> Result<bool, KubeError> {
        let target = self.resolve(object)?;
        let api = self.api(&target);
        let op = Self::operation(&target, "delete", &object.name);
        let params = propagation.params();
        let result = with_backoff(self.backoff, || async {
            api.delete(&object.name, &params)
                .await
                .map_err(|e| self.client.error(e, op.clone()))
        })
        .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Helm's adoption check before install: `Ok(None)` when the object does
    /// not exist, `Ok(Some(live))` when it exists and already belongs to
    /// release `release` in `release_namespace`, and an error with Helm's
    /// wording when it belongs to something else.
    pub async fn check_adoptable(
        &self,
        object: &ManifestObject,
        release: &str,
        release_namespace: &str,
    ) -> Result<Option<Json>, KubeError> {
        let Some(live) = self.get(object).await? else {
            return Ok(None);
        };
        let namespace = self.resolve(object)?.namespace.unwrap_or_default();
        match check_ownership(&live, release, release_namespace) {
            Ok(()) => Ok(Some(live)),
            Err(e) => Err(KubeError::NotOwned {
                message: conflict_message(&object.kind, &object.name, &namespace, &e),
            }),
        }
    }
}

/// The object's body with `metadata.namespace` set to where it lands (or
/// removed, for cluster-scoped kinds).
fn with_namespace(object: &Json, target: &Target) -> Json {
    let mut body = object.clone();
    if let Some(metadata) = body.get_mut("metadata").and_then(Json::as_object_mut) {
        match &target.namespace {
            Some(ns) => {
                metadata.insert("namespace".to_string(), Json::String(ns.clone()));
            }
            None => {
                metadata.remove("namespace");
            }
        }
    }
    body
}

fn to_json(object: DynamicObject, op: &Operation) -> Result<Json, KubeError> {
    serde_json::to_value(object).map_err(|e| KubeError::Transport {
        operation: Box::new(op.clone()),
        reason: format!("cannot read the server's object: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reads_identity_fields() {
        let obj = ManifestObject::parse(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: team\ndata:\n  a: \"1\"\n",
        )
        .unwrap();
        assert_eq!(
            (
                obj.api_version.as_str(),
                obj.kind.as_str(),
                obj.name.as_str()
            ),
            ("v1", "ConfigMap", "c")
        );
        assert_eq!(obj.namespace.as_deref(), Some("team"));
        assert_eq!(obj.object["data"]["a"], "1");
    }

    #[test]
    fn parse_rejects_incomplete_objects() {
        for text in [
            "kind: ConfigMap\nmetadata: {name: c}\n",
            "apiVersion: v1\nmetadata: {name: c}\n",
            "apiVersion: v1\nkind: ConfigMap\n",
            "- a\n",
            "a: [\n",
        ] {
            let err = ManifestObject::parse(text).unwrap_err();
            assert!(
                matches!(err, KubeError::InvalidObject { .. }),
                "{text}: {err}"
            );
        }
        let err =
            ManifestObject::parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid object: metadata.name not set in the object (kind \"ConfigMap\", name \"\")"
        );
    }
}
