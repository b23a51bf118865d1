//! Helm's release ownership metadata (`pkg/action/validate.go`): every object
//! a release manages carries the label `app.kubernetes.io/managed-by: Helm`
//! and the annotations `meta.helm.sh/release-name` and
//! `meta.helm.sh/release-namespace`. An existing object may be adopted only
//! when all three point at the release being installed.

use serde_json::{Map, Value as Json};

/// The label naming the tool that manages an object.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// Its value on Helm-managed objects.
pub const MANAGED_BY_HELM: &str = "Helm";
/// The annotation holding the owning release's name.
pub const RELEASE_NAME_ANNOTATION: &str = "meta.helm.sh/release-name";
/// The annotation holding the owning release's namespace.
pub const RELEASE_NAMESPACE_ANNOTATION: &str = "meta.helm.sh/release-namespace";

/// Why an object does not belong to a release, worded as Helm words it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid ownership metadata; {}", .problems.join("; "))]
pub struct OwnershipError {
    /// One entry per failing key, e.g. `label validation error: missing key
    /// "app.kubernetes.io/managed-by": must be set to "Helm"`.
    pub problems: Vec<String>,
}

/// Checks that `object` (a full object with `metadata`) carries the ownership
/// metadata of release `name` in `namespace`.
pub fn check_ownership(object: &Json, name: &str, namespace: &str) -> Result<(), OwnershipError> {
    let labels = object.pointer("/metadata/labels");
    let annotations = object.pointer("/metadata/annotations");
    let mut problems = Vec::new();
    if let Err(e) = require_value(labels, MANAGED_BY_LABEL, MANAGED_BY_HELM) {
        problems.push(format!("label validation error: {e}"));
    }
    if let Err(e) = require_value(annotations, RELEASE_NAME_ANNOTATION, name) {
        problems.push(format!("annotation validation error: {e}"));
    }
    if let Err(e) = require_value(annotations, RELEASE_NAMESPACE_ANNOTATION, namespace) {
        problems.push(format!("annotation validation error: {e}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(OwnershipError { problems })
    }
}

fn require_value(map: Option<&Json>, key: &str, want: &str) -> Result<(), String> {
    match map.and_then(|m| m.get(key)) {
        None => Err(format!("missing key {key:?}: must be set to {want:?}")),
        Some(Json::String(actual)) if actual == want => Ok(()),
        Some(actual) => {
            let actual = actual
                .as_str()
                .map_or_else(|| actual.to_string(), str::to_string);
            Err(format!(
                "key {key:?} must equal {want:?}: current value is {actual:?}"
            ))
        }
    }
}

/// How Helm names an object in these messages: `Kind "name" in namespace "ns"`.
pub fn resource_string(kind: &str, name: &str, namespace: &str) -> String {
    format!("{kind} {name:?} in namespace {namespace:?}")
}

/// The message when a live object belongs to someone else: `Kind "name" in
/// namespace "ns" exists and cannot be imported into the current release: ...`.
pub fn conflict_message(kind: &str, name: &str, namespace: &str, error: &OwnershipError) -> String {
    format!(
        "{} exists and cannot be imported into the current release: {error}",
        resource_string(kind, name, namespace)
    )
}

/// Adds the ownership label and annotations of release `name` in `namespace`
/// to `object`, keeping its other labels and annotations and overriding any
/// previous owner (Helm's `setMetadataVisitor` with forced ownership). A
/// document that is not a map is left alone: it is not an object.
pub fn stamp_ownership(object: &mut Json, name: &str, namespace: &str) {
    let Some(metadata) = object
        .as_object_mut()
        .and_then(|o| map_entry(o, "metadata"))
    else {
        return;
    };
    if let Some(labels) = map_entry(metadata, "labels") {
        labels.insert(
            MANAGED_BY_LABEL.to_string(),
            Json::String(MANAGED_BY_HELM.to_string()),
        );
    }
    if let Some(annotations) = map_entry(metadata, "annotations") {
        annotations.insert(
            RELEASE_NAME_ANNOTATION.to_string(),
            Json::String(name.to_string()),
        );
        annotations.insert(
            RELEASE_NAMESPACE_ANNOTATION.to_string(),
            Json::String(namespace.to_string()),
        );
    }
}

/// The map under `key`, created (or replacing a null or non-map) when needed.
fn map_entry<'a>(map: &'a mut Map<String, Json>, key: &str) -> Option<&'a mut Map<String, Json>> {
    let slot = map.entry(key.to_string()).or_insert(Json::Null);
    if !slot.is_object() {
        *slot = Json::Object(Map::new());
    }
    slot.as_object_mut()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stamped_objects_pass_the_check_and_keep_other_metadata() {
        let mut obj = json!({"kind": "ConfigMap", "metadata": {"name": "c", "labels": {"a": "b"}, "annotations": null}});
        stamp_ownership(&mut obj, "rel", "ns");
        assert_eq!(obj["metadata"]["labels"]["a"], "b");
        assert_eq!(obj["metadata"]["labels"][MANAGED_BY_LABEL], "Helm");
        assert_eq!(
            obj["metadata"]["annotations"][RELEASE_NAME_ANNOTATION],
            "rel"
        );
        check_ownership(&obj, "rel", "ns").unwrap();
    }

    #[test]
    fn foreign_objects_fail_with_helms_wording() {
        let mut obj = json!({"metadata": {"name": "c"}});
        stamp_ownership(&mut obj, "other", "ns");
        obj["metadata"]["labels"]
            .as_object_mut()
            .unwrap()
            .remove(MANAGED_BY_LABEL);
        let err = check_ownership(&obj, "rel", "ns").unwrap_err();
        assert_eq!(
            conflict_message("ConfigMap", "c", "ns", &err),
            "ConfigMap \"c\" in namespace \"ns\" exists and cannot be imported into the current release: \
             invalid ownership metadata; label validation error: missing key \"app.kubernetes.io/managed-by\": \
             must be set to \"Helm\"; annotation validation error: key \"meta.helm.sh/release-name\" must equal \
             \"rel\": current value is \"other\""
        );
    }

    #[test]
    fn unlabelled_object_reports_all_three_keys() {
        let err = check_ownership(&json!({"metadata": {}}), "r", "n").unwrap_err();
        assert_eq!(err.problems.len(), 3);
    }
}
