//! The patch metadata of the server's OpenAPI v2 document (`/openapi/v2`):
//! for every field, whether its list is merged by a key or replaced, as the
//! `x-kubernetes-patch-strategy` and `x-kubernetes-patch-merge-key`
//! extensions say. Helm reads the same facts from the compiled Go types'
//! `patchStrategy`/`patchMergeKey` tags; the server publishes them for the
//! types it serves, so hoist needs no compiled-in types.
//!
//! The document is large (megabytes), so it is fetched only when client-side
//! apply needs it, once per operation.

use crate::kube::client::KubeClient;
use crate::kube::error::{KubeError, Operation};
use serde_json::Value as Json;
use std::collections::HashMap;

/// Definition names of the types Helm patches with a strategic merge patch:
/// Kubernetes' own API types (client-go's scheme) and CustomResourceDefinition
/// itself. Everything else (custom resources, aggregated APIs) gets a JSON
/// merge patch, as in Helm's `createPatch`.
fn is_builtin(definition: &str) -> bool {
    definition.starts_with("io.k8s.api.")
        || definition
            == "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition"
}

/// The server's OpenAPI v2 document, indexed by group/version/kind.
#[derive(Debug, Default)]
pub struct OpenApi {
    definitions: serde_json::Map<String, Json>,
    by_kind: HashMap<(String, String), String>,
}

impl OpenApi {
    /// Indexes a parsed `/openapi/v2` document.
    pub fn from_json(doc: Json) -> Self {
        let definitions = match doc {
            Json::Object(mut m) => match m.remove("definitions") {
                Some(Json::Object(d)) => d,
                _ => Default::default(),
            },
            _ => Default::default(),
        };
        let mut by_kind = HashMap::new();
        for (name, def) in &definitions {
            let gvks = def
                .get("x-kubernetes-group-version-kind")
                .and_then(Json::as_array);
            for gvk in gvks.into_iter().flatten() {
                let field = |k: &str| gvk.get(k).and_then(Json::as_str).unwrap_or("");
                let (group, version, kind) = (field("group"), field("version"), field("kind"));
                let api_version = if group.is_empty() {
                    version.to_string()
                } else {
                    format!("{group}/{version}")
                };
                by_kind.insert((api_version, kind.to_string()), name.clone());
            }
        }
        OpenApi {
            definitions,
            by_kind,
        }
    }

    /// Reads `/openapi/v2` from the server.
    pub async fn fetch(client: &KubeClient) -> Result<Self, KubeError> {
        let op = Operation::new("get", "/openapi/v2", "", "");
        let request = http::Request::get("/openapi/v2")
            .header(http::header::ACCEPT, "application/json")
            .body(Vec::new())
            .map_err(|e| KubeError::Transport {
                operation: Box::new(op.clone()),
                reason: e.to_string(),
            })?;
        let doc: Json = client
            .raw()
            .request(request)
            .await
            .map_err(|e| client.error(e, op))?;
        Ok(Self::from_json(doc))
    }

    /// The schema of `apiVersion`/`kind` when it is one of Kubernetes' own
    /// types (strategic merge patch applies); `None` for custom resources,
    /// aggregated APIs and kinds the document does not describe.
    pub fn builtin(&self, api_version: &str, kind: &str) -> Option<Schema<'_>> {
        let name = self
            .by_kind
            .get(&(api_version.to_string(), kind.to_string()))?;
        if !is_builtin(name) {
            return None;
        }
        Some(Schema {
            doc: Some(self),
            node: self.definitions.get(name),
        })
    }

    fn resolve<'a>(&'a self, mut node: &'a Json) -> &'a Json {
        // `$ref` chains are short; the bound guards against a cyclic document.
        for _ in 0..16 {
            let Some(target) = node
                .get("$ref")
                .and_then(Json::as_str)
                .and_then(|r| r.strip_prefix("#/definitions/"))
                .and_then(|name| self.definitions.get(name))
            else {
                break;
            };
            node = target;
        }
        node
    }
}

/// How a field's value is patched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strategy {
    /// Maps are merged key by key; lists are replaced (the default).
    #[default]
    Default,
    /// Lists are merged: by the merge key for lists of maps, as sets for
    /// lists of scalars.
    Merge,
    /// The whole value is replaced.
    Replace,
}

/// A field's patch metadata and the schema of its value.
#[derive(Clone, Copy, Debug, Default)]
pub struct Field<'a> {
    /// The value's schema (unknown when the document does not say).
    pub schema: Schema<'a>,
    /// The field's strategy.
    pub strategy: Strategy,
    /// `retainKeys`: the patch lists the keys to keep (fields that are
    /// unions, such as a Deployment's `strategy` or a volume's source).
    pub retain_keys: bool,
    /// The key that identifies list elements under [`Strategy::Merge`].
    pub merge_key: Option<&'a str>,
}

/// A position in the schema; an unknown position has no metadata, so its
/// fields are patched with the defaults.
#[derive(Clone, Copy, Debug, Default)]
pub struct Schema<'a> {
    doc: Option<&'a OpenApi>,
    node: Option<&'a Json>,
}

impl<'a> Schema<'a> {
    /// A schema that knows nothing: every map is merged, every list replaced.
    pub fn unknown() -> Self {
        Schema::default()
    }

    fn resolved(&self) -> Option<&'a Json> {
        Some(self.doc?.resolve(self.node?))
    }

    /// The metadata of field `key` of this object.
    pub fn field(&self, key: &str) -> Field<'a> {
        let Some(node) = self.resolved() else {
            return Field::default();
        };
        let declared = node.get("properties").and_then(|p| p.get(key));
        let Some(prop) = declared.or_else(|| node.get("additionalProperties")) else {
            return Field::default();
        };
        let strategies = prop
            .get("x-kubernetes-patch-strategy")
            .and_then(Json::as_str)
            .unwrap_or("");
        let mut field = Field {
            schema: Schema {
                doc: self.doc,
                node: Some(prop),
            },
            merge_key: prop
                .get("x-kubernetes-patch-merge-key")
                .and_then(Json::as_str),
            ..Field::default()
        };
        for s in strategies.split(',').map(str::trim) {
            match s {
                "merge" => field.strategy = Strategy::Merge,
                "replace" => field.strategy = Strategy::Replace,
                "retainKeys" => field.retain_keys = true,
                _ => {}
            }
        }
        field
    }

    /// The schema of this list's elements.
    pub fn items(&self) -> Schema<'a> {
        Schema {
            doc: self.doc,
            node: self.resolved().and_then(|n| n.get("items")),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// A trimmed-down `/openapi/v2` with the shapes of the real one: a
    /// Deployment's containers merged by name, ports by containerPort,
    /// finalizers as a merged set, and a custom resource.
    pub(crate) fn fixture() -> OpenApi {
        OpenApi::from_json(json!({"definitions": {
            "io.k8s.api.apps.v1.Deployment": {
                "x-kubernetes-group-version-kind": [{"group": "apps", "version": "v1", "kind": "Deployment"}],
                "properties": {
                    "metadata": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},
                    "spec": {"$ref": "#/definitions/io.k8s.api.apps.v1.DeploymentSpec"}
                }
            },
            "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {
                "properties": {
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "finalizers": {"type": "array", "items": {"type": "string"},
                        "x-kubernetes-patch-strategy": "merge"}
                }
            },
            "io.k8s.api.apps.v1.DeploymentSpec": {
                "properties": {
                    "replicas": {"type": "integer"},
                    "strategy": {"$ref": "#/definitions/io.k8s.api.apps.v1.DeploymentStrategy",
                        "x-kubernetes-patch-strategy": "retainKeys"},
                    "template": {"$ref": "#/definitions/io.k8s.api.core.v1.PodTemplateSpec"}
                }
            },
            "io.k8s.api.apps.v1.DeploymentStrategy": {
                "properties": {"type": {"type": "string"}, "rollingUpdate": {"type": "object"}}
            },
            "io.k8s.api.core.v1.PodTemplateSpec": {
                "properties": {"spec": {"$ref": "#/definitions/io.k8s.api.core.v1.PodSpec"}}
            },
            "io.k8s.api.core.v1.PodSpec": {
                "properties": {
                    "containers": {"type": "array",
                        "items": {"$ref": "#/definitions/io.k8s.api.core.v1.Container"},
                        "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"}
                }
            },
            "io.k8s.api.core.v1.Container": {
                "properties": {
                    "name": {"type": "string"},
                    "image": {"type": "string"},
                    "args": {"type": "array", "items": {"type": "string"}},
                    "ports": {"type": "array",
                        "items": {"$ref": "#/definitions/io.k8s.api.core.v1.ContainerPort"},
                        "x-kubernetes-patch-merge-key": "containerPort",
                        "x-kubernetes-patch-strategy": "merge"}
                }
            },
            "io.k8s.api.core.v1.ContainerPort": {
                "properties": {"containerPort": {"type": "integer"}, "name": {"type": "string"}}
            },
            "com.example.v1.Widget": {
                "x-kubernetes-group-version-kind": [{"group": "example.com", "version": "v1", "kind": "Widget"}]
            }
        }}))
    }

    #[test]
    fn kinds_are_found_by_api_version_and_only_builtins_get_a_schema() {
        let doc = fixture();
        assert!(doc.builtin("apps/v1", "Deployment").is_some());
        assert!(doc.builtin("v1", "Deployment").is_none());
        assert!(doc.builtin("example.com/v1", "Widget").is_none());
    }

    #[test]
    fn fields_follow_refs_and_read_the_extensions() {
        let doc = fixture();
        let root = doc.builtin("apps/v1", "Deployment").unwrap();
        let pod = root
            .field("spec")
            .schema
            .field("template")
            .schema
            .field("spec")
            .schema;
        let containers = pod.field("containers");
        assert_eq!(containers.strategy, Strategy::Merge);
        assert_eq!(containers.merge_key, Some("name"));
        let ports = containers.schema.items().field("ports");
        assert_eq!(ports.merge_key, Some("containerPort"));
        let args = containers.schema.items().field("args");
        assert_eq!(args.strategy, Strategy::Default);
        assert!(root.field("spec").schema.field("strategy").retain_keys);
        let labels = root.field("metadata").schema.field("labels");
        assert_eq!(labels.schema.field("app").strategy, Strategy::Default);
        assert_eq!(root.field("nosuch").strategy, Strategy::Default);
    }
}
