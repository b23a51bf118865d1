//! `hoist diff upgrade|rollback`: what an upgrade or a rollback would change
//! on the cluster, object by object (what users install the helm-diff
//! plugin for).
//!
//! The "before" side is the LIVE object read from the cluster, not the
//! stored manifest, so drift made by hand shows too. The "after" side of an
//! object that exists is the server's answer to a server-side apply dry run
//! of the new object: the API server fills in defaults (a Service's
//! `clusterIP`, a container's `terminationMessagePath`...) exactly as a real
//! apply would, so only real changes show. Objects that do not exist yet are
//! shown as rendered. Fields the server manages (`managedFields`,
//! `resourceVersion`, `status`...) are removed from both sides, and Secret
//! values are replaced by markers that say whether a key changed and how
//! long it is, never what it holds.
//!
//! Hooks are diffed too, as helm-diff does by default: a hook usually does
//! not exist between operations (its delete policy removes it), so its
//! "before" is the hook as the current revision stored it and its "after"
//! the hook as the new revision renders it. Test hooks are left out unless
//! asked for.

use std::collections::{BTreeMap, HashSet};

use base64::Engine as _;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::Value as Json;
use similar::TextDiff;

use super::ActionError;
use super::deploy::{DEFAULT_TIMEOUT, Deployer, is_blank_document};
use super::dry_run::DryRun;
use super::rollback::{RollbackOptions, rollback};
use super::upgrade::{UpgradeOptions, upgrade};
use crate::chart::Chart;
use crate::kube::resources::{FIELD_MANAGER, Target};
use crate::kube::{KubeClient, KubeError, ManifestObject, Operation, ResourceClient};
use crate::release::hook::{Hook, HookEvent};
use crate::release::manifest::{RESOURCE_POLICY_ANNOTATION, split_manifests};
use crate::release::status::Status;
use crate::storage::{Driver, Storage, StorageError};
use crate::values::Value;

/// Lines of unchanged context around each change in a diff, unless the
/// caller asks for another number (`--context`).
pub const DEFAULT_CONTEXT_LINES: usize = 5;

/// The annotation `kubectl apply` keeps a copy of the whole object in: noise
/// for a diff, and for Secrets it would hold the values in clear.
pub const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Marker for a Secret value that is the same on both sides.
const SAME_MARK: &str = "REDACTED";
/// Marker for a Secret value on the side being replaced.
const OLD_MARK: &str = "--------";
/// Marker for a Secret value on the side that replaces it.
const NEW_MARK: &str = "++++++++";

/// What happens to one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// The object does not exist and would be created.
    Added,
    /// The object exists and would be deleted.
    Removed,
    /// The object exists and would be modified.
    Changed,
    /// The object exists and would stay as it is.
    Unchanged,
}

impl Change {
    /// The end of helm-diff's header line for this change.
    fn phrase(self) -> &'static str {
        match self {
            Change::Added => "has been added",
            Change::Removed => "has been removed",
            Change::Changed => "has changed",
            Change::Unchanged => "is unchanged",
        }
    }
}

/// The diff of one object. Serialized as the `-o json` schema documented in
/// docs/cli-output.md: keep field names stable.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectDiff {
    /// `kind`.
    pub kind: String,
    /// `apiVersion` (of the new object, or of the removed one).
    pub api_version: String,
    /// `metadata.name`.
    pub name: String,
    /// The namespace the object lives in; empty for cluster-scoped kinds.
    pub namespace: String,
    /// What would happen to it.
    pub change: Change,
    /// A unified diff of the object as YAML (live → new); empty when
    /// unchanged. Secret values are masked.
    pub diff: String,
    /// True for a hook: compared as stored in the current revision against
    /// the new revision's, not against the cluster.
    pub hook: bool,
}

/// What a diff covers and how it is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiffOptions {
    /// Lines of unchanged context around each change.
    pub context: usize,
    /// Leave hooks out (helm-diff's `--no-hooks`).
    pub no_hooks: bool,
    /// Include `test` hooks (helm-diff's `--include-tests`).
    pub include_tests: bool,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            context: DEFAULT_CONTEXT_LINES,
            no_hooks: false,
            include_tests: false,
        }
    }
}

impl ObjectDiff {
    /// helm-diff's header: `default, web-main, ConfigMap (v1) has changed:`.
    pub fn header(&self) -> String {
        format!(
            "{}, {}, {} ({}) {}:",
            self.namespace,
            self.name,
            self.kind,
            self.api_version,
            self.change.phrase()
        )
    }
}

/// True when any object would be added, removed or changed.
pub fn has_changes(diffs: &[ObjectDiff]) -> bool {
    diffs.iter().any(|d| d.change != Change::Unchanged)
}

/// The text report: each object that changes, with its header and diff,
/// separated by blank lines; nothing at all when nothing changes.
pub fn diff_text(diffs: &[ObjectDiff]) -> String {
    let mut out = String::new();
    for d in diffs.iter().filter(|d| d.change != Change::Unchanged) {
        out.push_str(&d.header());
        out.push('\n');
        out.push_str(&d.diff);
        if !d.diff.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// What `hoist upgrade` with `opts` would change. The upgrade runs as a
/// dry run (nothing is written); `opts.install` diffs a release that does
/// not exist yet against an empty cluster state.
pub async fn diff_upgrade<D: Driver>(
    storage: &Storage<D>,
    client: &KubeClient,
    chart: Chart,
    opts: &UpgradeOptions,
    diff: &DiffOptions,
) -> Result<Vec<ObjectDiff>, ActionError> {
    let (current, current_hooks) = deployed_revision(storage, &opts.name).await?;
    let dry = UpgradeOptions {
        dry_run: DryRun::Server,
        ..opts.clone()
    };
    let outcome = upgrade(storage, client, chart, &dry).await?;
    let namespace = outcome.release.namespace.clone();
    let resources = ResourceClient::connect(client.with_namespace(&namespace)).await?;
    let mut diffs = compare(
        &resources,
        &opts.name,
        &namespace,
        &current,
        &outcome.release.manifest,
        diff.context,
    )
    .await?;
    if !diff.no_hooks {
        diffs.extend(compare_hooks(
            &current_hooks,
            &outcome.release.hooks,
            diff,
            |obj| hook_namespace(&resources, obj, &namespace),
        )?);
    }
    Ok(diffs)
}

/// What `hoist rollback NAME REVISION` would change; `revision` 0 means the
/// one before the last, as for rollback.
pub async fn diff_rollback<D: Driver>(
    storage: &Storage<D>,
    client: &KubeClient,
    name: &str,
    revision: i64,
    diff: &DiffOptions,
) -> Result<Vec<ObjectDiff>, ActionError> {
    let ropts = RollbackOptions {
        name: name.to_string(),
        version: revision,
        dry_run: DryRun::Server,
        ..RollbackOptions::default()
    };
    let target = rollback(storage, client, &ropts).await?;
    let mut history = storage.history(name).await?;
    history.sort_by_key(|r| r.version);
    let (current, current_hooks) = history
        .last()
        .map(|r| (r.manifest.clone(), r.hooks.clone()))
        .unwrap_or_default();
    let resources = ResourceClient::connect(client.with_namespace(&target.namespace)).await?;
    let mut diffs = compare(
        &resources,
        name,
        &target.namespace,
        &current,
        &target.manifest,
        diff.context,
    )
    .await?;
    if !diff.no_hooks {
        diffs.extend(compare_hooks(&current_hooks, &target.hooks, diff, |obj| {
            hook_namespace(&resources, obj, &target.namespace)
        })?);
    }
    Ok(diffs)
}

/// The manifest and hooks of the revision an upgrade starts from (the
/// deployed one, else the newest), or nothing when the release does not
/// exist.
async fn deployed_revision<D: Driver>(
    storage: &Storage<D>,
    name: &str,
) -> Result<(String, Vec<Hook>), ActionError> {
    let mut history = match storage.history(name).await {
        Ok(h) => h,
        Err(StorageError::NotFound) => return Ok(Default::default()),
        Err(e) => return Err(e.into()),
    };
    history.sort_by_key(|r| r.version);
    let chosen = history
        .iter()
        .rev()
        .find(|r| r.status() == Status::Deployed)
        .or_else(|| history.last())
        .filter(|r| r.status() != Status::Uninstalled);
    Ok(chosen
        .map(|r| (r.manifest.clone(), r.hooks.clone()))
        .unwrap_or_default())
}

/// Diffs the hooks of the current revision against the new revision's, as
/// stored (hooks are not compared with the cluster: most are deleted once
/// they ran). Test hooks only with `include_tests`. `namespace_of` says
/// where an object lands (None for a cluster-scoped kind).
fn compare_hooks(
    current: &[Hook],
    target: &[Hook],
    opts: &DiffOptions,
    namespace_of: impl Fn(&ManifestObject) -> Option<String>,
) -> Result<Vec<ObjectDiff>, ActionError> {
    let parse = |hooks: &[Hook]| -> Result<BTreeMap<Key, (ManifestObject, Json)>, ActionError> {
        let mut out = BTreeMap::new();
        for hook in hooks {
            if !opts.include_tests && hook.events.contains(&HookEvent::Test) {
                continue;
            }
            for doc in split_manifests(&hook.manifest) {
                if is_blank_document(&doc) {
                    continue;
                }
                let obj = ManifestObject::parse(&doc)?;
                let ns = namespace_of(&obj);
                let mut object = obj.object.clone();
                if let (Some(meta), Some(ns)) = (
                    object.get_mut("metadata").and_then(Json::as_object_mut),
                    &ns,
                ) {
                    meta.insert("namespace".into(), Json::String(ns.clone()));
                }
                let key = (
                    obj.kind.clone(),
                    ns.unwrap_or_default(),
                    obj.name.clone(),
                    obj.api_version
                        .rsplit_once('/')
                        .map(|(g, _)| g.to_string())
                        .unwrap_or_default(),
                );
                out.insert(key, (obj, object));
            }
        }
        Ok(out)
    };
    let before = parse(current)?;
    let after = parse(target)?;
    let mut keys: Vec<&Key> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for key in keys {
        let old = before.get(key);
        let new = after.get(key);
        let Some((obj, _)) = new.or(old) else {
            continue;
        };
        let secret = obj.kind == "Secret" && !obj.api_version.contains('/');
        let mut d = object_diff(
            obj,
            &key.1,
            secret,
            old.map(|(_, j)| j),
            new.map(|(_, j)| j),
            opts.context,
        );
        d.hook = true;
        out.push(d);
    }
    Ok(out)
}

/// Where a hook object lands: the namespace discovery resolves for it; a
/// kind the server does not know (yet) is taken as namespaced.
fn hook_namespace(
    resources: &ResourceClient,
    obj: &ManifestObject,
    namespace: &str,
) -> Option<String> {
    match resources.resolve(obj) {
        Ok(target) => target.namespace,
        Err(_) => Some(
            obj.object["metadata"]["namespace"]
                .as_str()
                .unwrap_or(namespace)
                .to_string(),
        ),
    }
}

/// Identity of an object across revisions (group, kind, namespace, name),
/// ordered the way the report is sorted.
type Key = (String, String, String, String);

fn key_of(obj: &ManifestObject, target: &Target) -> Key {
    let group = obj
        .api_version
        .rsplit_once('/')
        .map(|(g, _)| g.to_string())
        .unwrap_or_default();
    (
        obj.kind.clone(),
        target.namespace.clone().unwrap_or_default(),
        obj.name.clone(),
        group,
    )
}

/// Diffs the live state of the objects of `current` and `target` (manifest
/// streams of release `release`) against what applying `target` would make
/// of them.
async fn compare(
    resources: &ResourceClient,
    release: &str,
    namespace: &str,
    current: &str,
    target: &str,
    context: usize,
) -> Result<Vec<ObjectDiff>, ActionError> {
    let deployer = Deployer::new(resources, release, namespace, DEFAULT_TIMEOUT);
    let current_objects = deployer.objects(current)?;
    let target_objects = deployer.objects(target)?;
    let mut out: BTreeMap<Key, ObjectDiff> = BTreeMap::new();
    let mut wanted = HashSet::new();
    for obj in &target_objects {
        let resolved = resources.resolve(obj)?;
        let key = key_of(obj, &resolved);
        wanted.insert(key.clone());
        let before = resources.get(obj).await?;
        let after = match &before {
            Some(_) => dry_run_apply(resources, obj, &resolved).await?,
            None => with_namespace(&obj.object, &resolved),
        };
        out.insert(
            key,
            object_diff(
                obj,
                resolved.namespace.as_deref().unwrap_or(""),
                is_core_secret(obj, &resolved),
                before.as_ref(),
                Some(&after),
                context,
            ),
        );
    }
    for obj in &current_objects {
        let resolved = resources.resolve(obj)?;
        let key = key_of(obj, &resolved);
        if wanted.contains(&key) || is_kept(obj) {
            continue;
        }
        if let Some(live) = resources.get(obj).await? {
            out.insert(
                key,
                object_diff(
                    obj,
                    resolved.namespace.as_deref().unwrap_or(""),
                    is_core_secret(obj, &resolved),
                    Some(&live),
                    None,
                    context,
                ),
            );
        }
    }
    Ok(out.into_values().collect())
}

/// The object as the server would store it after hoist's server-side
/// apply, without storing it (`dryRun=All`). Conflicts with other field
/// managers are forced: the diff shows the intended state.
async fn dry_run_apply(
    resources: &ResourceClient,
    obj: &ManifestObject,
    target: &Target,
) -> Result<Json, KubeError> {
    let raw = resources.client().raw().clone();
    let ar = &target.resource.api_resource;
    let api: Api<DynamicObject> = match &target.namespace {
        Some(ns) => Api::namespaced_with(raw, ns, ar),
        None => Api::all_with(raw, ar),
    };
    let mut params = PatchParams::apply(FIELD_MANAGER).force();
    params.dry_run = true;
    let body = with_namespace(&obj.object, target);
    let op = Operation::new(
        "patch",
        &target.resource.resource_name(),
        &obj.name,
        target.namespace.as_deref().unwrap_or(""),
    );
    let stored = api
        .patch(&obj.name, &params, &Patch::Apply(&body))
        .await
        .map_err(|e| resources.client().error(e, op.clone()))?;
    serde_json::to_value(stored).map_err(|e| KubeError::Transport {
        operation: Box::new(op),
        reason: format!("cannot read the server's dry-run object: {e}"),
    })
}

/// The object with `metadata.namespace` set where it lands (removed for
/// cluster-scoped kinds), as the apply sends it.
fn with_namespace(object: &Json, target: &Target) -> Json {
    let mut body = object.clone();
    if let Some(meta) = body.get_mut("metadata").and_then(Json::as_object_mut) {
        match &target.namespace {
            Some(ns) => {
                meta.insert("namespace".into(), Json::String(ns.clone()));
            }
            None => {
                meta.remove("namespace");
            }
        }
    }
    body
}

/// `helm.sh/resource-policy: keep`: upgrades leave such objects in place.
fn is_kept(obj: &ManifestObject) -> bool {
    obj.object["metadata"]["annotations"][RESOURCE_POLICY_ANNOTATION]
        .as_str()
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("keep"))
}

/// A core-group Secret, whose values are masked in a diff.
fn is_core_secret(obj: &ManifestObject, target: &Target) -> bool {
    obj.kind == "Secret" && target.resource.api_resource.group.is_empty()
}

/// Builds the diff of one object from its state before and after.
fn object_diff(
    obj: &ManifestObject,
    namespace: &str,
    secret: bool,
    before: Option<&Json>,
    after: Option<&Json>,
    context: usize,
) -> ObjectDiff {
    let mut before = before.map(strip_server_fields);
    let mut after = after.map(strip_server_fields);
    if secret {
        mask_secrets(before.as_mut(), after.as_mut());
    }
    let change = match (&before, &after) {
        (None, _) => Change::Added,
        (_, None) => Change::Removed,
        (Some(b), Some(a)) if b == a => Change::Unchanged,
        _ => Change::Changed,
    };
    let text = |v: &Option<Json>| {
        v.as_ref()
            .map(|j| crate::yaml::to_string(&Value::from(j.clone())))
            .unwrap_or_default()
    };
    let diff = if change == Change::Unchanged {
        String::new()
    } else {
        unified(&text(&before), &text(&after), context)
    };
    ObjectDiff {
        kind: obj.kind.clone(),
        api_version: obj.api_version.clone(),
        name: obj.name.clone(),
        namespace: namespace.to_string(),
        change,
        diff,
        hook: false,
    }
}

/// A unified diff of two texts with `context` lines around each change,
/// hunks only (the object header replaces the `---`/`+++` file lines).
pub fn unified(before: &str, after: &str, context: usize) -> String {
    TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(context)
        .to_string()
}

/// Removes what the server manages and nobody applies: `managedFields`,
/// `resourceVersion`, `uid`, `creationTimestamp`, `generation`, `selfLink`,
/// `status`, and kubectl's last-applied annotation (an empty `annotations`
/// map left behind goes too).
pub fn strip_server_fields(object: &Json) -> Json {
    let mut object = object.clone();
    if let Some(map) = object.as_object_mut() {
        map.remove("status");
        if let Some(meta) = map.get_mut("metadata").and_then(Json::as_object_mut) {
            for field in [
                "managedFields",
                "resourceVersion",
                "uid",
                "creationTimestamp",
                "generation",
                "selfLink",
            ] {
                meta.remove(field);
            }
            let empty = match meta.get_mut("annotations").and_then(Json::as_object_mut) {
                Some(annotations) => {
                    annotations.remove(LAST_APPLIED_ANNOTATION);
                    annotations.is_empty()
                }
                None => false,
            };
            if empty {
                meta.remove("annotations");
            }
        }
    }
    object
}

/// The bytes behind each `data` (base64) and `stringData` (plain) key of a
/// Secret, keyed by `(field, key)`.
fn secret_values(secret: &Json) -> SecretValues {
    let mut out = BTreeMap::new();
    for field in ["data", "stringData"] {
        let Some(map) = secret.get(field).and_then(Json::as_object) else {
            continue;
        };
        for (k, v) in map {
            let text = v.as_str().unwrap_or_default();
            let bytes = if field == "data" {
                base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .unwrap_or_else(|_| text.as_bytes().to_vec())
            } else {
                text.as_bytes().to_vec()
            };
            out.insert((field.to_string(), k.clone()), bytes);
        }
    }
    out
}

fn mark(marker: &str, len: usize) -> Json {
    Json::String(format!("{marker} # ({len} bytes)"))
}

/// Replaces every Secret value on both sides with a marker. A value the
/// same on both sides gets the same marker there (no diff line); a value
/// that differs, appears or disappears gets `--------` on the old side and
/// `++++++++` on the new one. Only lengths are shown, never the values.
pub fn mask_secrets(before: Option<&mut Json>, after: Option<&mut Json>) {
    let old = before.as_deref().map(secret_values).unwrap_or_default();
    let new = after.as_deref().map(secret_values).unwrap_or_default();
    if let Some(side) = before {
        mask_side(side, &old, &new, OLD_MARK);
    }
    if let Some(side) = after {
        mask_side(side, &new, &old, NEW_MARK);
    }
}

type SecretValues = BTreeMap<(String, String), Vec<u8>>;

/// Masks the values `mine` of `side`; those equal in `other` get the
/// neutral marker, the rest `changed_mark`.
fn mask_side(side: &mut Json, mine: &SecretValues, other: &SecretValues, changed_mark: &str) {
    for (slot, bytes) in mine {
        let marker = if other.get(slot) == Some(bytes) {
            SAME_MARK
        } else {
            changed_mark
        };
        let (field, key) = slot;
        if let Some(map) = side.get_mut(field.as_str()).and_then(Json::as_object_mut) {
            map.insert(key.clone(), mark(marker, bytes.len()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cm(message: &str) -> Json {
        json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "web-main", "namespace": "default"},
            "data": {"message": message}
        })
    }

    #[test]
    fn server_fields_are_stripped() {
        let live = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {
                "name": "c", "uid": "u", "resourceVersion": "7", "generation": 2,
                "creationTimestamp": "2024-01-01T00:00:00Z", "managedFields": [{}],
                "annotations": {LAST_APPLIED_ANNOTATION: "{}"},
                "labels": {"a": "b"}
            },
            "status": {"x": 1},
            "data": {"k": "v"}
        });
        assert_eq!(
            strip_server_fields(&live),
            json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "c", "labels": {"a": "b"}},
                "data": {"k": "v"}
            })
        );
    }

    #[test]
    fn other_annotations_are_kept() {
        let live = json!({"metadata": {"annotations": {LAST_APPLIED_ANNOTATION: "{}", "x": "y"}}});
        assert_eq!(
            strip_server_fields(&live),
            json!({"metadata": {"annotations": {"x": "y"}}})
        );
    }

    #[test]
    fn secret_values_never_show_and_changes_do() {
        // "hunter2" and "hunter3" in base64; "same" on both sides.
        let mut before =
            json!({"data": {"pw": "aHVudGVyMg==", "user": "c2FtZQ==", "gone": "eA=="}});
        let mut after = json!({"data": {"pw": "aHVudGVyMw==", "user": "c2FtZQ=="}, "stringData": {"new": "abc"}});
        mask_secrets(Some(&mut before), Some(&mut after));
        assert_eq!(before["data"]["pw"], "-------- # (7 bytes)");
        assert_eq!(after["data"]["pw"], "++++++++ # (7 bytes)");
        assert_eq!(before["data"]["user"], "REDACTED # (4 bytes)");
        assert_eq!(after["data"]["user"], before["data"]["user"]);
        assert_eq!(before["data"]["gone"], "-------- # (1 bytes)");
        assert_eq!(after["stringData"]["new"], "++++++++ # (3 bytes)");
        let text = format!("{before}{after}");
        for secret in ["aHVudGVy", "hunter", "c2FtZQ", "abc\""] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }

    #[test]
    fn secret_masking_works_for_one_side() {
        let mut added = json!({"stringData": {"token": "s3cr3t"}});
        mask_secrets(None, Some(&mut added));
        assert_eq!(added["stringData"]["token"], "++++++++ # (6 bytes)");
    }

    #[test]
    fn context_is_bounded() {
        let before = "a\nb\nc\nd\ne\n";
        let after = "a\nb\nc\nd\nE\n";
        assert!(unified(before, after, 1).starts_with("@@ -4,2 +4,2 @@\n d\n-e\n+E\n"));
        assert!(unified(before, after, 0).starts_with("@@ -5 +5 @@\n-e\n+E\n"));
    }

    #[test]
    fn unified_diff_shows_changed_lines() {
        let text = unified("a: 1\nb: 2\n", "a: 1\nb: 3\n", DEFAULT_CONTEXT_LINES);
        assert!(text.starts_with("@@ "), "{text}");
        assert!(
            text.contains("-b: 2\n") && text.contains("+b: 3\n"),
            "{text}"
        );
        assert!(text.contains(" a: 1\n"), "{text}");
    }

    fn hook(name: &str, events: &[HookEvent], manifest: &str) -> Hook {
        Hook {
            name: name.into(),
            kind: "Job".into(),
            manifest: manifest.into(),
            events: events.to_vec(),
            ..Hook::default()
        }
    }

    fn job(name: &str, image: &str) -> String {
        format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n      containers:\n      - name: main\n        image: {image}\n"
        )
    }

    #[test]
    fn hooks_are_diffed_as_stored_and_tests_only_on_request() {
        let before = vec![
            hook(
                "migrate",
                &[HookEvent::PreUpgrade],
                &job("migrate", "app:1"),
            ),
            hook("gone", &[HookEvent::PostUpgrade], &job("gone", "app:1")),
            hook("smoke", &[HookEvent::Test], &job("smoke", "curl:1")),
        ];
        let after = vec![
            hook(
                "migrate",
                &[HookEvent::PreUpgrade],
                &job("migrate", "app:2"),
            ),
            hook("smoke", &[HookEvent::Test], &job("smoke", "curl:2")),
            hook("new", &[HookEvent::PostUpgrade], &job("new", "app:2")),
        ];
        let ns = |_: &ManifestObject| Some("prod".to_string());
        let diffs = compare_hooks(&before, &after, &DiffOptions::default(), ns).unwrap();
        let summary: Vec<_> = diffs
            .iter()
            .map(|d| (d.name.as_str(), d.change, d.hook, d.namespace.as_str()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("gone", Change::Removed, true, "prod"),
                ("migrate", Change::Changed, true, "prod"),
                ("new", Change::Added, true, "prod"),
            ]
        );
        let migrate = &diffs[1];
        assert!(
            migrate.diff.contains("-      - image: app:1\n"),
            "{}",
            migrate.diff
        );
        assert!(
            migrate.diff.contains("+      - image: app:2\n"),
            "{}",
            migrate.diff
        );

        let with_tests = DiffOptions {
            include_tests: true,
            ..DiffOptions::default()
        };
        let diffs = compare_hooks(&before, &after, &with_tests, ns).unwrap();
        assert!(
            diffs
                .iter()
                .any(|d| d.name == "smoke" && d.change == Change::Changed)
        );
    }

    #[test]
    fn hook_secrets_are_masked() {
        let secret = |v: &str| {
            format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: {v}\n"
            )
        };
        let diffs = compare_hooks(
            &[hook("s", &[HookEvent::PreUpgrade], &secret("hunter2"))],
            &[hook("s", &[HookEvent::PreUpgrade], &secret("hunter3"))],
            &DiffOptions::default(),
            |_| Some("prod".into()),
        )
        .unwrap();
        assert_eq!(diffs.len(), 1);
        assert_eq!(diffs[0].change, Change::Changed);
        assert!(!diffs[0].diff.contains("hunter"), "{}", diffs[0].diff);
    }

    #[test]
    fn object_diff_classifies_and_formats() {
        let obj = ManifestObject::from_json(cm("two")).unwrap();
        let changed = object_diff(
            &obj,
            "default",
            false,
            Some(&cm("one")),
            Some(&cm("two")),
            DEFAULT_CONTEXT_LINES,
        );
        assert_eq!(changed.change, Change::Changed);
        assert_eq!(
            changed.header(),
            "default, web-main, ConfigMap (v1) has changed:"
        );
        assert!(
            changed.diff.contains("-  message: one\n"),
            "{}",
            changed.diff
        );
        assert!(
            changed.diff.contains("+  message: two\n"),
            "{}",
            changed.diff
        );

        let same = object_diff(
            &obj,
            "default",
            false,
            Some(&cm("two")),
            Some(&cm("two")),
            DEFAULT_CONTEXT_LINES,
        );
        assert_eq!(same.change, Change::Unchanged);
        assert!(same.diff.is_empty());

        let added = object_diff(
            &obj,
            "default",
            false,
            None,
            Some(&cm("two")),
            DEFAULT_CONTEXT_LINES,
        );
        assert_eq!(added.change, Change::Added);
        assert!(
            added.diff.lines().skip(1).all(|l| l.starts_with('+')),
            "{}",
            added.diff
        );
        let removed = object_diff(
            &obj,
            "default",
            false,
            Some(&cm("one")),
            None,
            DEFAULT_CONTEXT_LINES,
        );
        assert_eq!(removed.change, Change::Removed);
        assert!(removed.header().ends_with("has been removed:"));

        let report = diff_text(&[same.clone(), changed.clone()]);
        assert!(report.starts_with("default, web-main, ConfigMap (v1) has changed:\n@@"));
        assert!(!has_changes(&[same]));
        assert!(has_changes(&[changed]));
    }

    fn revision(version: i64, status: Status, manifest: &str) -> crate::release::record::Release {
        let mut r = crate::release::record::Release {
            name: "web".into(),
            namespace: "ns".into(),
            version,
            manifest: manifest.into(),
            info: Some(crate::release::record::Info::default()),
            ..Default::default()
        };
        r.set_status(status, "");
        r
    }

    #[test]
    fn upgrade_diffs_start_from_the_deployed_revision() {
        use crate::storage::MemoryDriver;
        use crate::storage::block_on;
        let storage = Storage::new(MemoryDriver::new());
        storage.driver().set_namespace("ns");
        assert_eq!(block_on(deployed_revision(&storage, "web")).unwrap().0, "");
        block_on(storage.create(&revision(1, Status::Deployed, "one"))).unwrap();
        block_on(storage.create(&revision(2, Status::Failed, "two"))).unwrap();
        assert_eq!(
            block_on(deployed_revision(&storage, "web")).unwrap().0,
            "one"
        );
        block_on(storage.update(&revision(1, Status::Uninstalled, "one"))).unwrap();
        block_on(storage.update(&revision(2, Status::Uninstalled, "two"))).unwrap();
        assert_eq!(block_on(deployed_revision(&storage, "web")).unwrap().0, "");
    }

    #[test]
    fn json_schema_field_names_are_stable() {
        let d = ObjectDiff {
            kind: "ConfigMap".into(),
            api_version: "v1".into(),
            name: "c".into(),
            namespace: "ns".into(),
            change: Change::Added,
            diff: "+x\n".into(),
            hook: false,
        };
        assert_eq!(
            serde_json::to_value(&d).unwrap(),
            json!({"kind": "ConfigMap", "apiVersion": "v1", "name": "c", "namespace": "ns", "change": "added", "diff": "+x\n", "hook": false})
        );
    }
}
