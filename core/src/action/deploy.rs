//! Putting a release's objects on the cluster, shared by install, upgrade
//! and rollback (Helm's `KubeClient.Create/Update` plus `execHook`):
//! manifests to stamped objects, the ownership check for objects a release
//! is about to take, applying in install order (objects of one kind in
//! parallel, as Helm batches them), deleting what a new revision dropped,
//! and running hooks with their weights and delete policies.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::Value as Json;

use super::ActionError;
use crate::kube::wait::{HookOutcome, WaitEvent, WaitOptions, wait_deleted, wait_hook, wait_ready};
use crate::kube::{
    KubeError, ManifestObject, Propagation, ReadyOptions, ResourceClient, WaitStrategy,
    stamp_ownership,
};
use crate::release::manifest::{RESOURCE_POLICY_ANNOTATION, split_manifests};
use crate::release::record::{APPLY_METHOD_CLIENT_SIDE, APPLY_METHOD_SERVER_SIDE, GoTime, Release};
use crate::release::{HookDeletePolicy, HookEvent, HookPhase};

/// How many API calls one step keeps in flight. They share one HTTP/2
/// connection (the API server allows hundreds of streams on one), so
/// this costs no connections; it bounds memory and keeps client-side
/// fairness with other users, while letting a typical round go in one wave.
const PARALLEL_CALLS: usize = 32;

/// Default for `--timeout` (Helm's five minutes).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Receives `--wait` progress (one event per object whose readiness
/// changed), for a progress bar on a terminal or JSON lines in a pipeline.
#[derive(Clone, Default)]
pub struct Progress(Option<std::sync::Arc<ProgressFn>>);

/// A progress callback.
pub type ProgressFn = dyn Fn(&WaitEvent) + Send + Sync;

impl Progress {
    /// Progress delivered to `f`.
    pub fn new(f: impl Fn(&WaitEvent) + Send + Sync + 'static) -> Self {
        Progress(Some(std::sync::Arc::new(f)))
    }

    fn emit(&self, event: &WaitEvent) {
        if let Some(f) = &self.0 {
            f(event);
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(..)"
        } else {
            "Progress(none)"
        })
    }
}

/// Where and how a release's objects are written.
#[derive(Clone)]
pub struct Deployer<'a> {
    /// Cluster access, in the release namespace.
    pub resources: &'a ResourceClient,
    /// Release name (ownership metadata).
    pub release: &'a str,
    /// Release namespace (ownership metadata, default object namespace).
    pub namespace: &'a str,
    /// Server-side apply (true) or create/replace with plain requests.
    pub server_side: bool,
    /// Take over fields other managers own on server-side apply.
    pub force_conflicts: bool,
    /// Before server-side applying an existing object, move what hoist's (or
    /// Helm's) client-side writes own to hoist's apply entry, so that fields
    /// the chart dropped are removed (Helm v4's
    /// `UpgradeClientSideFieldManager`: upgrades of a `csa` release,
    /// rollbacks, adoption).
    pub upgrade_client_side_fields: bool,
    /// Delete and re-create objects that exist instead of updating them.
    pub force_replace: bool,
    /// How long one hook may run, and the wait for readiness.
    pub timeout: Duration,
    /// The readiness rules for `--wait` and for hooks (Helm v4's status
    /// watcher, or Helm 3's checks with `--wait=legacy`).
    pub strategy: WaitStrategy,
    /// Where `--wait` progress goes.
    pub progress: Progress,
}

/// What [`Deployer::roll_out`] runs around the objects.
#[derive(Clone, Debug)]
pub struct RollOut {
    /// The hooks before the objects (`pre-install`, `pre-upgrade`...).
    pub pre: HookEvent,
    /// The hooks after them.
    pub post: HookEvent,
    /// Run the hooks at all (`--no-hooks` turns them off).
    pub hooks: bool,
    /// Wait for the objects to be ready before the post hooks.
    pub wait: bool,
    /// With `wait`, Jobs must complete too.
    pub wait_for_jobs: bool,
}

/// Identity of an object across revisions: group, kind, namespace and
/// name. The version is left out, as in Helm's `isMatchingInfo`, so moving
/// an object to a new API version updates it instead of deleting it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObjectKey {
    group: String,
    kind: String,
    namespace: String,
    name: String,
}

impl<'a> Deployer<'a> {
    /// A deployer with the defaults: server-side apply without forcing,
    /// Helm v4's readiness rules, no progress output; a zero `timeout` is
    /// Helm's five minutes.
    pub fn new(
        resources: &'a ResourceClient,
        release: &'a str,
        namespace: &'a str,
        timeout: Duration,
    ) -> Self {
        Deployer {
            resources,
            release,
            namespace,
            server_side: true,
            force_conflicts: false,
            upgrade_client_side_fields: false,
            force_replace: false,
            timeout: if timeout.is_zero() {
                DEFAULT_TIMEOUT
            } else {
                timeout
            },
            strategy: WaitStrategy::default(),
            progress: Progress::default(),
        }
    }

    /// Parses a stored or rendered manifest stream into objects stamped with
    /// the release's ownership metadata, skipping empty documents.
    pub fn objects(&self, manifest: &str) -> Result<Vec<ManifestObject>, ActionError> {
        let mut out = Vec::new();
        for doc in split_manifests(manifest) {
            if is_blank_document(&doc) {
                continue;
            }
            let mut obj = ManifestObject::parse(&doc)?;
            stamp_ownership(&mut obj.object, self.release, self.namespace);
            out.push(obj);
        }
        Ok(out)
    }

    /// The object's identity, with the namespace it lands in.
    pub fn key(&self, obj: &ManifestObject) -> ObjectKey {
        let group = obj
            .api_version
            .rsplit_once('/')
            .map(|(g, _)| g.to_string())
            .unwrap_or_default();
        let namespace = match self.resources.resolve(obj) {
            Ok(t) => t.namespace.unwrap_or_default(),
            Err(_) => obj
                .namespace
                .clone()
                .unwrap_or_else(|| self.namespace.to_string()),
        };
        ObjectKey {
            group,
            kind: obj.kind.clone(),
            namespace,
            name: obj.name.clone(),
        }
    }

    /// Checks the objects of `target` that `current` does not hold: each
    /// must be absent or already belong to this release (Helm's
    /// `existingResourceConflict`), unless `take_ownership`. Returns the
    /// ones that do not exist yet: what a failed operation created and
    /// `--cleanup-on-fail` removes. Every object is also resolved, so an
    /// unknown kind fails here, before anything is written.
    pub async fn claim_new_objects(
        &self,
        current: &[ManifestObject],
        target: &[ManifestObject],
        take_ownership: bool,
    ) -> Result<Vec<ManifestObject>, ActionError> {
        for obj in target {
            self.resources.resolve(obj)?;
        }
        let existing: HashSet<ObjectKey> = current.iter().map(|o| self.key(o)).collect();
        let candidates: Vec<&ManifestObject> = target
            .iter()
            .filter(|o| !existing.contains(&self.key(o)))
            .collect();
        let live: Vec<(usize, Option<Json>)> = stream::iter(candidates.iter().enumerate())
            .map(|(i, obj)| async move {
                let found = if take_ownership {
                    self.resources.get(obj).await?
                } else {
                    self.resources
                        .check_adoptable(obj, self.release, self.namespace)
                        .await?
                };
                Ok::<_, KubeError>((i, found))
            })
            .buffer_unordered(PARALLEL_CALLS)
            .try_collect()
            .await?;
        let mut created: Vec<(usize, ManifestObject)> = live
            .into_iter()
            .filter(|(_, found)| found.is_none())
            .map(|(i, _)| (i, candidates[i].clone()))
            .collect();
        created.sort_by_key(|(i, _)| *i);
        Ok(created.into_iter().map(|(_, o)| o).collect())
    }

    /// Writes `objects` (sorted in Helm's install order) in rounds: the
    /// objects of one round go in parallel, a round starts when the one
    /// before it is done. Helm runs one round per kind; hoist merges
    /// consecutive kinds that nothing in the API server orders (see
    /// [`apply_phase`]), so a Namespace, the admission policies, a
    /// ServiceAccount, a Role or a Service still exist before what depends on
    /// them, in far fewer rounds.
    ///
    /// Objects that `current` (the revision being replaced) already held
    /// are applied taking over conflicting fields: the release owns them
    /// and its chart is their source of truth, whichever tool (Helm, whose
    /// field manager differs from hoist's, or an older hoist) last applied
    /// them. This is what lets hoist upgrade releases Helm installed; Helm 3's
    /// three-way merge overwrote such fields the same way. New objects are
    /// applied without force unless `force_conflicts`.
    pub async fn apply_all(
        &self,
        current: &[ManifestObject],
        objects: &[ManifestObject],
    ) -> Result<(), ActionError> {
        let owned: HashMap<ObjectKey, &ManifestObject> =
            current.iter().map(|o| (self.key(o), o)).collect();
        for (n, round) in apply_rounds(objects).into_iter().enumerate() {
            tracing::debug!(
                round = n + 1,
                objects = round.len(),
                method = self.apply_method(),
                first = %round.first().map(|o| format!("{}/{}", o.kind, o.name)).unwrap_or_default(),
                "applying"
            );
            stream::iter(round)
                .map(|obj| {
                    let original = owned.get(&self.key(obj)).copied();
                    self.put(obj, self.force_conflicts || original.is_some(), original)
                })
                .buffer_unordered(PARALLEL_CALLS)
                .try_collect::<Vec<()>>()
                .await?;
        }
        Ok(())
    }

    /// One release operation on the cluster, as install, upgrade and
    /// rollback share it: the `pre` hooks, the objects of `target`, the
    /// removal of what `current` held and `target` does not, the wait, then
    /// the `post` hooks. A hook failure is reported as `"{event} hooks
    /// failed: ..."`; objects that could not be removed are logged, not
    /// fatal (Helm reports them the same way).
    pub async fn roll_out(
        &self,
        release: &mut Release,
        current: &[ManifestObject],
        target: &[ManifestObject],
        steps: &RollOut,
    ) -> Result<(), ActionError> {
        let hooks = |event: HookEvent, e: ActionError| {
            ActionError::Invalid(format!("{} hooks failed: {e}", event.as_str()))
        };
        if steps.hooks {
            self.run_hooks(release, steps.pre.clone())
                .await
                .map_err(|e| hooks(steps.pre.clone(), e))?;
        }
        self.apply_all(current, target).await?;
        let errors = self.delete_removed(current, target).await;
        if !errors.is_empty() {
            tracing::warn!(errors = %errors.join("; "), "could not delete objects the new revision dropped");
        }
        if steps.wait {
            self.wait_ready(target, steps.wait_for_jobs).await?;
        }
        if steps.hooks {
            self.run_hooks(release, steps.post.clone())
                .await
                .map_err(|e| hooks(steps.post.clone(), e))?;
        }
        Ok(())
    }

    /// Deletes the objects of `current` that `target` no longer holds,
    /// sparing those annotated `helm.sh/resource-policy: keep`. Returns the
    /// failures as messages (Helm reports them without stopping).
    pub async fn delete_removed(
        &self,
        current: &[ManifestObject],
        target: &[ManifestObject],
    ) -> Vec<String> {
        let wanted: HashSet<ObjectKey> = target.iter().map(|o| self.key(o)).collect();
        let mut errors = Vec::new();
        for obj in current.iter().rev() {
            if wanted.contains(&self.key(obj)) || is_kept(obj) {
                continue;
            }
            tracing::debug!(kind = %obj.kind, name = %obj.name, "deleting what the new revision dropped");
            if let Err(e) = self.resources.delete(obj, Propagation::Background).await {
                errors.push(e.to_string());
            }
        }
        errors
    }

    /// Deletes `objects` (what a failed operation created), newest first.
    pub async fn delete_all(&self, objects: &[ManifestObject]) -> Vec<String> {
        let mut errors = Vec::new();
        for obj in objects.iter().rev() {
            if let Err(e) = self.resources.delete(obj, Propagation::Background).await {
                errors.push(e.to_string());
            }
        }
        errors
    }

    /// Writes one object: server-side apply, or Helm's client-side apply
    /// (a POST, or a three-way patch from `original`, the object as the
    /// revision being replaced rendered it) when `server_side` is off or the
    /// server lacks server-side apply; with `force_replace`, an existing
    /// object is deleted and created anew.
    async fn put(
        &self,
        obj: &ManifestObject,
        force: bool,
        original: Option<&ManifestObject>,
    ) -> Result<(), ActionError> {
        if self.force_replace && self.resources.get(obj).await?.is_some() {
            self.resources.delete(obj, Propagation::Background).await?;
            self.wait_gone(obj).await?;
        }
        if self.server_side {
            if self.upgrade_client_side_fields && !self.resources.client().ssa_unavailable() {
                self.resources.upgrade_client_side_fields(obj).await?;
            }
            if self
                .resources
                .apply_if_supported(obj, force)
                .await?
                .is_some()
            {
                return Ok(());
            }
        }
        self.resources.apply_client_side(original, obj).await?;
        Ok(())
    }

    /// Helm's `apply_method` for what this deployer did: `csa` when it was
    /// asked for client-side apply or the server turned out to lack
    /// server-side apply.
    pub fn apply_method(&self) -> &'static str {
        if self.server_side && !self.resources.client().ssa_unavailable() {
            APPLY_METHOD_SERVER_SIDE
        } else {
            APPLY_METHOD_CLIENT_SIDE
        }
    }

    /// Helm's `execHook`: the hooks of `event` by weight then name; each is
    /// deleted first when its policy says `before-hook-creation` (the
    /// default), created, and awaited (Jobs until complete, Pods until they
    /// succeed). On success the hooks with `hook-succeeded` are deleted; on
    /// a failure the failed hook is deleted if it says `hook-failed` and the
    /// earlier ones if they say `hook-succeeded`. Results are written into
    /// `release.hooks[..].last_run`.
    pub async fn run_hooks(
        &self,
        release: &mut Release,
        event: HookEvent,
    ) -> Result<(), ActionError> {
        let mut order: Vec<usize> = (0..release.hooks.len())
            .filter(|&i| release.hooks[i].events.contains(&event))
            .collect();
        order.sort_by(|&a, &b| {
            let (ha, hb) = (&release.hooks[a], &release.hooks[b]);
            ha.weight
                .cmp(&hb.weight)
                .then_with(|| ha.name.cmp(&hb.name))
        });
        let mut done: Vec<(usize, ManifestObject)> = Vec::new();
        for &i in &order {
            let hook = &mut release.hooks[i];
            hook.set_default_delete_policy();
            let obj = ManifestObject::parse(&hook.manifest).map_err(|e| {
                ActionError::Invalid(format!(
                    "unable to build kubernetes object for {} hook {}: {e}",
                    event.as_str(),
                    hook.path
                ))
            })?;
            let mut obj = obj;
            stamp_ownership(&mut obj.object, self.release, self.namespace);
            if has_policy(&hook.delete_policies, HookDeletePolicy::BeforeHookCreation) {
                self.delete_hook(&obj).await?;
            }
            tracing::debug!(event = event.as_str(), hook = %hook.path, weight = hook.weight, "running hook");
            hook.last_run.started_at = GoTime::now();
            hook.last_run.completed_at = GoTime::zero();
            hook.last_run.phase = HookPhase::Running;
            if let Err(e) = self.put(&obj, true, None).await {
                hook.last_run.completed_at = GoTime::now();
                hook.last_run.phase = HookPhase::Failed;
                return Err(ActionError::Invalid(format!(
                    "warning: Hook {} {} failed: {e}",
                    event.as_str(),
                    hook.path
                )));
            }
            let outcome = self.await_hook(&obj).await;
            hook.last_run.completed_at = GoTime::now();
            if let Err(e) = outcome {
                hook.last_run.phase = HookPhase::Failed;
                if has_policy(&hook.delete_policies, HookDeletePolicy::HookFailed)
                    && let Err(de) = self.delete_hook(&obj).await
                {
                    tracing::warn!(hook = %hook.path, error = %de, "could not delete the failed hook");
                }
                let message = format!("{} hook {} failed: {e}", event.as_str(), hook.path);
                for (j, earlier) in &done {
                    let (j, earlier): (usize, &ManifestObject) = (*j, earlier);
                    if has_policy(
                        &release.hooks[j].delete_policies,
                        HookDeletePolicy::HookSucceeded,
                    ) {
                        self.delete_hook(earlier).await?;
                    }
                }
                return Err(ActionError::Invalid(message));
            }
            hook.last_run.phase = HookPhase::Succeeded;
            done.push((i, obj));
        }
        for (i, obj) in done.iter().rev() {
            if has_policy(
                &release.hooks[*i].delete_policies,
                HookDeletePolicy::HookSucceeded,
            ) {
                self.delete_hook(obj).await?;
            }
        }
        Ok(())
    }

    /// Waits until `objects` are ready (`--wait`), Jobs included with
    /// `wait_for_jobs`.
    pub async fn wait_ready(
        &self,
        objects: &[ManifestObject],
        wait_for_jobs: bool,
    ) -> Result<(), ActionError> {
        let mut opts = self.wait_options();
        opts.ready.wait_for_jobs = wait_for_jobs;
        tracing::debug!(
            objects = objects.len(),
            wait_for_jobs,
            "waiting for readiness"
        );
        let progress = self.progress.clone();
        wait_ready(self.resources, objects, &opts, &move |e| progress.emit(e)).await?;
        Ok(())
    }

    fn wait_options(&self) -> WaitOptions {
        WaitOptions {
            timeout: self.timeout,
            ready: ReadyOptions {
                strategy: self.strategy,
                ..ReadyOptions::default()
            },
            ..WaitOptions::default()
        }
    }

    /// Deletes a hook object and waits until it is gone, so that the next
    /// creation does not collide with a terminating object. CRD hooks are
    /// never deleted (Helm's rule: deleting one would delete its objects).
    async fn delete_hook(&self, obj: &ManifestObject) -> Result<(), ActionError> {
        if obj.kind == "CustomResourceDefinition" {
            return Ok(());
        }
        if self.resources.delete(obj, Propagation::Background).await? {
            self.wait_gone(obj).await?;
        }
        Ok(())
    }

    /// Waits for a hook to finish: Jobs until complete, Pods until they
    /// succeed; other kinds are done once created.
    async fn await_hook(&self, obj: &ManifestObject) -> Result<(), ActionError> {
        match wait_hook(self.resources, obj, &self.wait_options()).await? {
            HookOutcome::Succeeded | HookOutcome::NotWaited => Ok(()),
            HookOutcome::Failed(message) => Err(ActionError::Invalid(message)),
        }
    }

    /// Waits until `obj` is gone, so that re-creating it does not collide
    /// with the terminating object.
    async fn wait_gone(&self, obj: &ManifestObject) -> Result<(), ActionError> {
        let opts = WaitOptions {
            interval: Duration::from_millis(200),
            ..self.wait_options()
        };
        wait_deleted(self.resources, std::slice::from_ref(obj), &opts).await?;
        Ok(())
    }
}

/// The round of [`Deployer::apply_all`] a kind is applied in: consecutive
/// objects (in Helm's install order) whose kinds share a phase go
/// together, as nothing in the API server orders them. `None` for kinds
/// Helm's install order does not know (custom resources): each of those
/// keeps a round of its own, after all the others, as in Helm.
///
/// What must come first, and so keeps kinds apart:
/// - Namespaces hold everything else; PriorityClasses are checked when a
///   Pod is admitted (phase 0).
/// - Admission state: quotas count and LimitRanges default the objects
///   created after them, PodSecurityPolicies apply at creation, and
///   ServiceAccounts must exist before their token Secrets (the token
///   controller deletes tokens of unknown accounts) and Pods (phase 1).
/// - A default StorageClass is applied to PersistentVolumeClaims when they
///   are created (claims: phase 3, after phase 2).
/// - (Cluster)Roles before their bindings: the API server checks a binding
///   against its role for users who may not escalate (2, then 4).
/// - Services before Pods and the controllers that create them: a Pod's
///   environment variables list the Services that existed when it was
///   created (4, then 5).
/// - IngressClasses before Ingresses (the default class is set on
///   creation) (5, then 6).
/// - API services and admission webhooks last, so that they do not
///   intercept the release's own objects before their backends exist (7).
///
/// Within a round, an object that fails does not stop the others of its
/// round (Helm v4 goes further: it applies every round and joins the
/// errors); later rounds do not start.
pub fn apply_phase(kind: &str) -> Option<u8> {
    Some(match kind {
        "PriorityClass" | "Namespace" => 0,
        "NetworkPolicy"
        | "ResourceQuota"
        | "LimitRange"
        | "PodSecurityPolicy"
        | "PodDisruptionBudget"
        | "ServiceAccount" => 1,
        "Secret"
        | "SecretList"
        | "ConfigMap"
        | "StorageClass"
        | "PersistentVolume"
        | "CustomResourceDefinition"
        | "ClusterRole"
        | "ClusterRoleList"
        | "Role"
        | "RoleList" => 2,
        "PersistentVolumeClaim" => 3,
        "ClusterRoleBinding"
        | "ClusterRoleBindingList"
        | "RoleBinding"
        | "RoleBindingList"
        | "Service" => 4,
        "DaemonSet"
        | "Pod"
        | "ReplicationController"
        | "ReplicaSet"
        | "Deployment"
        | "HorizontalPodAutoscaler"
        | "StatefulSet"
        | "Job"
        | "CronJob"
        | "IngressClass" => 5,
        "Ingress" => 6,
        "APIService" | "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration" => 7,
        _ => return None,
    })
}

/// Splits `objects` (in install order) into the rounds of
/// [`Deployer::apply_all`]: consecutive objects whose kinds share a phase,
/// and consecutive objects of one unknown kind. An object never moves
/// before one that precedes it in a different round.
pub fn apply_rounds(objects: &[ManifestObject]) -> Vec<&[ManifestObject]> {
    objects
        .chunk_by(|a, b| match (apply_phase(&a.kind), apply_phase(&b.kind)) {
            (Some(x), Some(y)) => x == y,
            _ => a.kind == b.kind,
        })
        .collect()
}

fn has_policy(policies: &[HookDeletePolicy], policy: HookDeletePolicy) -> bool {
    policies.contains(&policy)
}

/// True for a document with nothing but comments and whitespace.
pub(crate) fn is_blank_document(doc: &str) -> bool {
    doc.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---"
    })
}

/// `helm.sh/resource-policy: keep` on the object.
fn is_kept(obj: &ManifestObject) -> bool {
    obj.object["metadata"]["annotations"][RESOURCE_POLICY_ANNOTATION]
        .as_str()
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("keep"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_documents_are_skipped() {
        assert!(is_blank_document("# Source: x.yaml\n\n"));
        assert!(!is_blank_document("# c\nkind: A\n"));
    }

    fn object(kind: &str, name: &str) -> ManifestObject {
        ManifestObject::parse(&format!(
            "apiVersion: v1\nkind: {kind}\nmetadata:\n  name: {name}\n"
        ))
        .unwrap()
    }

    #[test]
    fn rounds_merge_unordered_kinds_and_keep_dependencies_apart() {
        let kinds = [
            "Namespace",
            "ServiceAccount",
            "Secret",
            "ConfigMap",
            "Role",
            "RoleBinding",
            "Service",
            "Deployment",
            "Pod",
            "MutatingWebhookConfiguration",
            "Certificate",
            "Issuer",
            "Issuer",
        ];
        let objects: Vec<ManifestObject> = kinds
            .iter()
            .enumerate()
            .map(|(i, k)| object(k, &format!("o{i}")))
            .collect();
        let rounds: Vec<Vec<&str>> = apply_rounds(&objects)
            .into_iter()
            .map(|r| r.iter().map(|o| o.kind.as_str()).collect())
            .collect();
        assert_eq!(
            rounds,
            vec![
                vec!["Namespace"],
                vec!["ServiceAccount"],
                vec!["Secret", "ConfigMap", "Role"],
                vec!["RoleBinding", "Service"],
                vec!["Deployment", "Pod"],
                vec!["MutatingWebhookConfiguration"],
                vec!["Certificate"],
                vec!["Issuer", "Issuer"],
            ]
        );
        // Every kind Helm orders has a phase; dependent kinds never share one.
        assert!(
            crate::release::INSTALL_ORDER
                .iter()
                .all(|k| apply_phase(k).is_some())
        );
        for (first, then) in [
            ("Namespace", "ConfigMap"),
            ("ServiceAccount", "Secret"),
            ("StorageClass", "PersistentVolumeClaim"),
            ("Role", "RoleBinding"),
            ("ClusterRole", "ClusterRoleBinding"),
            ("Service", "Pod"),
            ("Service", "Deployment"),
            ("IngressClass", "Ingress"),
            ("Deployment", "ValidatingWebhookConfiguration"),
        ] {
            assert!(apply_phase(first) < apply_phase(then), "{first} {then}");
        }
    }

    #[test]
    fn keep_policy_is_read_case_insensitively() {
        let obj = ManifestObject::parse(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    helm.sh/resource-policy: \" Keep\"\n",
        )
        .unwrap();
        assert!(is_kept(&obj));
        let obj = ManifestObject::parse("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
            .unwrap();
        assert!(!is_kept(&obj));
    }
}
