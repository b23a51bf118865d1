//! The `lookup` template function against a live cluster (Helm's
//! `engine.NewLookupFunction`): one object by name, or every object of a
//! kind as a `...List` when the name is empty; an object that does not
//! exist is an empty map, as in Helm.
//!
//! Templates render on a plain thread (not a runtime worker), so the
//! synchronous [`Lookup`] trait is served by blocking on the runtime that
//! owns the client.

use ::kube::api::{Api, DynamicObject, ListParams};
use serde_json::{Value as Json, json};

use crate::engine::Lookup;
use crate::kube::ResourceClient;
use crate::kube::error::Operation;
use crate::values::Value;

/// Reads live objects for templates.
pub struct ClusterLookup {
    resources: ResourceClient,
    runtime: tokio::runtime::Handle,
}

impl ClusterLookup {
    /// A lookup over `resources`, blocking on `runtime` for each call.
    /// Render on a thread outside the runtime (`spawn_blocking`): blocking
    /// on a runtime from one of its own workers would deadlock.
    pub fn new(resources: ResourceClient, runtime: tokio::runtime::Handle) -> Self {
        ClusterLookup { resources, runtime }
    }

    async fn fetch(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Json, String> {
        let info = self
            .resources
            .discovery()
            .resolve(api_version, kind)
            .ok_or_else(|| {
                format!("lookup: the server has no resource for apiVersion {api_version:?}, kind {kind:?}")
            })?;
        let raw = self.resources.client().raw().clone();
        let ar = &info.api_resource;
        let api: Api<DynamicObject> = if info.namespaced && !namespace.is_empty() {
            Api::namespaced_with(raw, namespace, ar)
        } else {
            Api::all_with(raw, ar)
        };
        let verb = if name.is_empty() { "list" } else { "get" };
        let op = Operation::new(verb, &info.resource_name(), name, namespace);
        if name.is_empty() {
            let list = api
                .list(&ListParams::default())
                .await
                .map_err(|e| self.resources.client().error(e, op).to_string())?;
            let items: Vec<Json> = list
                .items
                .into_iter()
                .filter_map(|o| serde_json::to_value(o).ok())
                .collect();
            return Ok(json!({
                "apiVersion": api_version,
                "kind": format!("{kind}List"),
                "metadata": {"resourceVersion": list.metadata.resource_version.unwrap_or_default()},
                "items": items,
            }));
        }
        match api.get_opt(name).await {
            Ok(Some(o)) => serde_json::to_value(o).map_err(|e| e.to_string()),
            Ok(None) => Ok(json!({})),
            Err(e) => Err(self.resources.client().error(e, op).to_string()),
        }
    }
}

impl Lookup for ClusterLookup {
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Value, String> {
        let found = self
            .runtime
            .block_on(self.fetch(api_version, kind, namespace, name))?;
        Ok(Value::from(found))
    }
}
