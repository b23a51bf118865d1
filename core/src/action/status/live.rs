//! Reading a revision's resources from the cluster as Helm's status does
//! (`kube.Client.Get(resources, related=true)`): every manifest object by
//! name, grouped under `VERSION/KIND`, plus the pods that the selector of a
//! Deployment, ReplicaSet, StatefulSet, DaemonSet, Job or
//! ReplicationController matches, under `v1/Pod(related)`.
//!
//! Helm skips an object it cannot read (deleted, forbidden...) without a
//! word, and only logs a failed pod listing; both are kept here. A manifest
//! kind the server does not serve fails the command, as Helm's
//! `Build` does.

use super::ResourceView;
use crate::action::ActionError;
use crate::kube::{KubeError, ManifestObject, Operation, ResourceClient};
use crate::release::manifest::split_manifests;
use ::kube::api::{Api, DynamicObject, ListParams};
use futures::stream::{self, StreamExt};
use serde_json::{Map as JsonMap, Value as Json};
use std::collections::BTreeMap;

/// Reads in flight at once.
const READS_IN_FLIGHT: usize = 16;

/// What Helm's table requests accept: a `meta.k8s.io` Table (v1, then
/// v1beta1), else the plain object.
const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,\
    application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/// The release's resources as they are in the cluster now, keyed as Helm
/// keys `info.resources`.
pub async fn live_resources(
    resources: &ResourceClient,
    manifest: &str,
    view: ResourceView,
) -> Result<BTreeMap<String, Vec<Json>>, ActionError> {
    let table = match view {
        ResourceView::None => return Ok(BTreeMap::new()),
        ResourceView::Table => true,
        ResourceView::Objects => false,
    };
    // Helm builds the whole list first, so a bad document or an unknown
    // kind fails before anything is read.
    let mut objects = Vec::new();
    for doc in split_manifests(manifest) {
        for object in parse_document(&doc)? {
            let target = resources.resolve(&object)?;
            objects.push((object, target));
        }
    }
    // The reads are independent: run them side by side (Helm's status
    // reads one object at a time, a round trip each), then group them in
    // the manifest's order.
    let fetched: Vec<Option<Json>> = stream::iter(objects.iter())
        .map(|(object, target)| async move {
            let api = api_for(
                resources,
                &target.resource.api_resource,
                target.namespace.as_deref(),
            );
            let op = Operation::new(
                "get",
                &target.resource.resource_name(),
                &object.name,
                target.namespace.as_deref().unwrap_or(""),
            );
            let url = format!("{}/{}", api.resource_url(), object.name);
            match fetch(resources, &url, table, op).await {
                Ok(live) => Some(live),
                Err(e) => {
                    tracing::debug!(object = %object.name, error = %e, "status: cannot read object; skipped as Helm does");
                    None
                }
            }
        })
        .buffered(READS_IN_FLIGHT)
        .collect()
        .await;
    let mut out: BTreeMap<String, Vec<Json>> = BTreeMap::new();
    let mut selectors: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    for ((object, target), live) in objects.iter().zip(fetched) {
        let Some(live) = live else {
            continue;
        };
        let version = object
            .api_version
            .rsplit('/')
            .next()
            .unwrap_or(&object.api_version);
        out.entry(format!("{version}/{}", object.kind))
            .or_default()
            .push(sort_keys(live));
        let Some(selector) = pod_selector(&object.object) else {
            continue;
        };
        let namespace = target
            .namespace
            .clone()
            .unwrap_or_else(|| resources.client().namespace().to_string());
        if !selectors.iter().any(|(_, s)| *s == selector) {
            selectors.push((namespace, selector));
        }
    }
    let related: Vec<Result<Json, KubeError>> = stream::iter(selectors.iter())
        .map(|(namespace, selector)| related_pods(resources, namespace, selector, table))
        .buffered(READS_IN_FLIGHT)
        .collect()
        .await;
    for pods in related {
        match pods {
            Ok(pods) => out
                .entry("v1/Pod(related)".to_string())
                .or_default()
                .push(sort_keys(pods)),
            Err(e) => tracing::warn!(error = %e, "status: cannot list the related pods"),
        }
    }
    Ok(out)
}

/// The objects of one manifest document: none for an empty one, the items
/// of a list, else the object itself. Like Kubernetes' unstructured decoder
/// that Helm's builder uses, any document with a non-null `items` is a
/// list, whatever its kind says.
fn parse_document(doc: &str) -> Result<Vec<ManifestObject>, ActionError> {
    let value = crate::yaml::parse(doc).map_err(|e| KubeError::InvalidObject {
        reason: format!("manifest is not valid YAML: {e}"),
    })?;
    let json = serde_json::to_value(&value).map_err(|e| KubeError::InvalidObject {
        reason: format!("manifest cannot be converted to JSON: {e}"),
    })?;
    if json.is_null() {
        return Ok(Vec::new());
    }
    let objects = match json.get("items") {
        None | Some(Json::Null) => vec![json],
        Some(Json::Array(items)) => items.clone(),
        Some(_) => {
            return Err(KubeError::InvalidObject {
                reason: "manifest has an `items` field that is not a list".to_string(),
            }
            .into());
        }
    };
    Ok(objects
        .into_iter()
        .map(ManifestObject::from_json)
        .collect::<Result<_, _>>()?)
}

/// The `matchLabels` Helm lists related pods with, for the kinds it does
/// that for (the manifest's selector: Helm reads it from the object it
/// built from the manifest).
fn pod_selector(object: &Json) -> Option<BTreeMap<String, String>> {
    let kind = object.get("kind").and_then(Json::as_str)?;
    let pointer = match kind {
        "ReplicaSet" | "Deployment" | "StatefulSet" | "DaemonSet" | "Job" => {
            "/spec/selector/matchLabels"
        }
        "ReplicationController" => "/spec/selector",
        _ => return None,
    };
    let map = object.pointer(pointer)?.as_object()?;
    map.iter()
        .map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
        .collect()
}

/// The pods matching `selector` in `namespace`: one list (or one table).
async fn related_pods(
    resources: &ResourceClient,
    namespace: &str,
    selector: &BTreeMap<String, String>,
    table: bool,
) -> Result<Json, KubeError> {
    let pods = resources
        .discovery()
        .resolve("v1", "Pod")
        .ok_or_else(|| KubeError::NoMatch {
            name: String::new(),
            namespace: namespace.to_string(),
            api_version: "v1".to_string(),
            kind: "Pod".to_string(),
        })?;
    let api = api_for(resources, &pods.api_resource, Some(namespace));
    let labels: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let request = ::kube::core::Request::new(api.resource_url())
        .list(&ListParams::default().labels(&labels.join(",")))
        .map_err(|e| KubeError::InvalidObject {
            reason: format!("cannot build the pod list request: {e}"),
        })?;
    let op = Operation::new("list", "pods", "", namespace);
    let mut list = fetch(resources, &request.uri().to_string(), table, op).await?;
    if !table {
        fill_item_types(&mut list);
    }
    Ok(list)
}

/// Items of a typed list come without apiVersion and kind; Kubernetes' Go
/// decoder fills them in from the list's, and Helm prints what it decoded.
fn fill_item_types(list: &mut Json) {
    let api_version = list.get("apiVersion").cloned();
    let kind = list
        .get("kind")
        .and_then(Json::as_str)
        .and_then(|k| k.strip_suffix("List"))
        .map(|k| Json::String(k.to_string()));
    let Some(items) = list.get_mut("items").and_then(Json::as_array_mut) else {
        return;
    };
    for item in items.iter_mut().filter_map(Json::as_object_mut) {
        if let (false, Some(v)) = (item.contains_key("apiVersion"), &api_version) {
            item.insert("apiVersion".to_string(), v.clone());
        }
        if let (false, Some(k)) = (item.contains_key("kind"), &kind) {
            item.insert("kind".to_string(), k.clone());
        }
    }
}

fn api_for(
    resources: &ResourceClient,
    resource: &::kube::api::ApiResource,
    namespace: Option<&str>,
) -> Api<DynamicObject> {
    let raw = resources.client().raw().clone();
    match namespace {
        Some(ns) => Api::namespaced_with(raw, ns, resource),
        None => Api::all_with(raw, resource),
    }
}

/// GETs `url` as raw JSON (kept as the server wrote it, unlike a typed
/// round trip), as a Table with the full object in each row when `table`.
async fn fetch(
    resources: &ResourceClient,
    url: &str,
    table: bool,
    op: Operation,
) -> Result<Json, KubeError> {
    let url = if table {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}includeObject=Object")
    } else {
        url.to_string()
    };
    let mut builder = http::Request::get(url);
    if table {
        builder = builder.header(http::header::ACCEPT, TABLE_ACCEPT);
    }
    let request = builder
        .body(Vec::new())
        .map_err(|e| KubeError::InvalidObject {
            reason: format!("cannot build the request for {}: {e}", op.name),
        })?;
    resources
        .client()
        .raw()
        .request::<Json>(request)
        .await
        .map_err(|e| resources.client().error(e, op))
}

/// Go marshals a decoded object's maps with sorted keys.
fn sort_keys(value: Json) -> Json {
    match value {
        Json::Object(map) => {
            let mut entries: Vec<(String, Json)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Json::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sort_keys(v)))
                    .collect::<JsonMap<String, Json>>(),
            )
        }
        Json::Array(items) => Json::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selectors_come_from_the_kinds_helm_knows() {
        let deploy =
            json!({"kind": "Deployment", "spec": {"selector": {"matchLabels": {"app": "web"}}}});
        assert_eq!(
            pod_selector(&deploy),
            Some(BTreeMap::from([("app".to_string(), "web".to_string())]))
        );
        let rc = json!({"kind": "ReplicationController", "spec": {"selector": {"a": "b"}}});
        assert_eq!(pod_selector(&rc).map(|s| s.len()), Some(1));
        let svc = json!({"kind": "Service", "spec": {"selector": {"app": "web"}}});
        assert_eq!(pod_selector(&svc), None);
        let expr_only = json!({"kind": "Job", "spec": {"selector": {"matchExpressions": []}}});
        assert_eq!(pod_selector(&expr_only), None);
    }

    #[test]
    fn list_items_get_the_lists_type_and_keys_are_sorted() {
        let mut list =
            json!({"kind": "PodList", "apiVersion": "v1", "items": [{"metadata": {"name": "p"}}]});
        fill_item_types(&mut list);
        assert_eq!(list["items"][0]["kind"], "Pod");
        assert_eq!(list["items"][0]["apiVersion"], "v1");
        let sorted = sort_keys(json!({"b": {"d": 1, "c": 2}, "a": [{"z": 1, "y": 2}]}));
        assert_eq!(
            serde_json::to_string(&sorted).unwrap(),
            r#"{"a":[{"y":2,"z":1}],"b":{"c":2,"d":1}}"#
        );
    }

    #[test]
    fn list_documents_stand_for_their_items() {
        let doc = "apiVersion: v1\nkind: ConfigMapList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n";
        let items = parse_document(doc).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].name, "a");
        assert!(parse_document("# nothing\n").unwrap().is_empty());
        assert!(parse_document("kind: ConfigMap\n").is_err());
        // `items` makes a list whatever the kind says; a null one does not.
        let odd = "apiVersion: v1\nkind: Bundle\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: s\n";
        let items = parse_document(odd).unwrap();
        assert_eq!((items.len(), items[0].kind.as_str()), (1, "Secret"));
        let null = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nitems: null\n";
        assert_eq!(parse_document(null).unwrap()[0].name, "c");
        assert!(parse_document("apiVersion: v1\nkind: X\nitems: 5\n").is_err());
    }
}
