//! When is a live object "ready"? Pure functions over the JSON the API server
//! returns, following Helm's two `--wait` strategies:
//!
//! - [`WaitStrategy::Watcher`], Helm v4's default (`--wait` / `--wait=watcher`):
//!   the kstatus rules of `fluxcd/cli-utils` (`pkg/kstatus/status`) plus Helm's
//!   own Job and Pod readers (`internal/statusreaders`). A Deployment is ready
//!   when all its replicas are updated, ready and available and its
//!   `Available` condition is true; unknown kinds are ready unless they carry
//!   a `Ready`, `Reconciling` or `Stalled` condition saying otherwise.
//! - [`WaitStrategy::Legacy`], Helm 3's `ReadyChecker` (`--wait=legacy`,
//!   `pkg/kube/ready.go`): a Deployment is ready when its newest ReplicaSet
//!   has `replicas - maxUnavailable` ready pods; ReplicaSets and
//!   ReplicationControllers also need every selected Pod ready. Those extra
//!   objects come in through [`Related`]; [`related_query`] says which to list.
//!
//! Hooks use a third rule set, [`hook_readiness`] (Helm's `WatchUntilReady`):
//! Jobs must complete, Pods must succeed, anything else is done once created.
//!
//! Every reason names the object (`Deployment team/web: ...`) so that a user
//! watching a wait, or reading its timeout error, sees what is missing.

use serde_json::Value as Json;
use std::fmt;

/// Which of Helm's readiness rule sets to apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WaitStrategy {
    /// Helm v4's default status watcher (kstatus rules).
    #[default]
    Watcher,
    /// Helm 3's `ReadyChecker`, kept in Helm v4 as `--wait=legacy`.
    Legacy,
}

/// What [`readiness`] checks beyond the object itself.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadyOptions {
    /// The rule set.
    pub strategy: WaitStrategy,
    /// `--wait-for-jobs`: Jobs must complete, not merely start.
    pub wait_for_jobs: bool,
    /// Whether a paused Deployment counts as ready (Helm's waits always pass
    /// `true`: a paused rollout would never finish).
    pub paused_as_ready: bool,
    /// The current time, for kstatus's 15 s grace before an unschedulable
    /// Pod counts as failed; `None` never fails such Pods.
    pub now: Option<jiff::Timestamp>,
}

impl Default for ReadyOptions {
    fn default() -> Self {
        ReadyOptions {
            strategy: WaitStrategy::Watcher,
            wait_for_jobs: false,
            paused_as_ready: true,
            now: None,
        }
    }
}

/// The verdict on one object. Reasons start with the object's identity.
/// Serializes as `{"state": "pending", "reason": "..."}` (`{"state": "ready"}`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", content = "reason", rename_all = "lowercase")]
pub enum Readiness {
    /// Nothing left to wait for.
    Ready,
    /// Still converging; the reason says what is missing.
    Pending(String),
    /// Will not become ready without intervention (a failed Job, a Deployment
    /// past its progress deadline, a crash-looping Pod...).
    Failed(String),
}

impl Readiness {
    /// True for [`Readiness::Ready`].
    pub fn is_ready(&self) -> bool {
        matches!(self, Readiness::Ready)
    }

    /// The reason of a pending or failed object.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Readiness::Ready => None,
            Readiness::Pending(r) | Readiness::Failed(r) => Some(r),
        }
    }
}

impl fmt::Display for Readiness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Readiness::Ready => f.write_str("ready"),
            Readiness::Pending(r) => write!(f, "pending: {r}"),
            Readiness::Failed(r) => write!(f, "failed: {r}"),
        }
    }
}

/// Objects the legacy rules look at besides the object itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct Related<'a> {
    /// For a Deployment: the ReplicaSets of its namespace matching its
    /// selector (ownership and template are checked here).
    pub replica_sets: &'a [Json],
    /// For a ReplicaSet or ReplicationController: the Pods its selector selects.
    pub pods: &'a [Json],
}

/// What [`related_query`] asks the caller to list in the object's namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RelatedQuery {
    /// `apps/v1` ReplicaSets with this label selector.
    ReplicaSets(String),
    /// `v1` Pods with this label selector.
    Pods(String),
}

/// The objects [`readiness`] needs in [`Related`] for `obj`: only the legacy
/// strategy needs any (the newest ReplicaSet of a Deployment, the Pods of a
/// ReplicaSet or ReplicationController).
pub fn related_query(obj: &Json, opts: &ReadyOptions) -> Option<RelatedQuery> {
    if opts.strategy != WaitStrategy::Legacy {
        return None;
    }
    match group_kind(obj).as_str() {
        "apps/Deployment" | "extensions/Deployment" => {
            if bool_at(obj, "/spec/paused") {
                return None;
            }
            label_selector(obj).map(RelatedQuery::ReplicaSets)
        }
        "apps/ReplicaSet" | "extensions/ReplicaSet" | "ReplicationController" => {
            label_selector(obj).map(RelatedQuery::Pods)
        }
        _ => None,
    }
}

/// Whether the live object `obj` is ready under `opts`, from the object alone
/// (the legacy rules for Deployments, ReplicaSets and ReplicationControllers
/// need [`readiness_with`]).
pub fn readiness(obj: &Json, opts: &ReadyOptions) -> Readiness {
    readiness_with(obj, &Related::default(), opts)
}

/// Whether the live object `obj` is ready under `opts`, with the related
/// objects [`related_query`] asked for.
pub fn readiness_with(obj: &Json, related: &Related<'_>, opts: &ReadyOptions) -> Readiness {
    let id = describe(obj);
    let verdict = match opts.strategy {
        WaitStrategy::Watcher => watcher::status(obj, opts),
        WaitStrategy::Legacy => legacy::status(obj, related, opts),
    };
    match verdict {
        Verdict::Ready => Readiness::Ready,
        Verdict::Pending(r) => Readiness::Pending(format!("{id}: {r}")),
        Verdict::Failed(r) => Readiness::Failed(format!("{id}: {r}")),
    }
}

/// Whether a hook resource has finished (Helm's `WatchUntilReady`): a Job
/// when its `Complete` condition is true (failed on a true `Failed`
/// condition), a Pod when it succeeded (failed when it failed); anything else
/// is done as soon as it exists.
pub fn hook_readiness(obj: &Json) -> Readiness {
    let id = describe(obj);
    match group_kind(obj).as_str() {
        "batch/Job" => {
            for c in conditions(obj) {
                if c.status != "True" {
                    continue;
                }
                match c.kind {
                    "Complete" => return Readiness::Ready,
                    "Failed" => return Readiness::Failed(format!("{id}: failed: {}", c.reason)),
                    _ => {}
                }
            }
            Readiness::Pending(format!("{id}: not complete: {}", job_progress(obj)))
        }
        "Pod" => match str_at(obj, "/status/phase") {
            "Succeeded" => Readiness::Ready,
            "Failed" => Readiness::Failed(format!("{id}: the pod failed")),
            "" => Readiness::Pending(format!("{id}: not scheduled yet")),
            phase => Readiness::Pending(format!("{id}: phase {phase}, waiting for Succeeded")),
        },
        _ => Readiness::Ready,
    }
}

/// Helm's error for a hook Job or Pod that failed (`obj` is the live
/// object). Helm v4's watcher says
/// `resource Job/NS/NAME not ready. status: Failed, message: Job Failed. failed: 1/1`
/// (`... message: pod NAME failed` for Pods); Helm 3's legacy waiter says
/// `job NAME failed: BackoffLimitExceeded` (`pod NAME failed`).
pub fn hook_failure_message(obj: &Json, strategy: WaitStrategy) -> String {
    let name = str_at(obj, "/metadata/name");
    let is_job = group_kind(obj) == "batch/Job";
    match strategy {
        WaitStrategy::Legacy if is_job => {
            let reason = conditions(obj)
                .find(|c| c.kind == "Failed" && c.status == "True")
                .map(|c| c.reason)
                .unwrap_or("");
            format!("job {name} failed: {reason}")
        }
        WaitStrategy::Legacy => format!("pod {name} failed"),
        WaitStrategy::Watcher => {
            let message = if is_job {
                let parallelism = int_at(obj, "/spec/parallelism").unwrap_or(1);
                format!(
                    "Job Failed. failed: {}/{}",
                    int_at(obj, "/status/failed").unwrap_or(0),
                    int_at(obj, "/spec/completions").unwrap_or(parallelism)
                )
            } else {
                format!("pod {name} failed")
            };
            format!(
                "resource {}/{}/{name} not ready. status: Failed, message: {message}",
                str_at(obj, "/kind"),
                str_at(obj, "/metadata/namespace")
            )
        }
    }
}

/// `Kind namespace/name`, or `Kind name` for cluster-scoped objects.
pub fn describe(obj: &Json) -> String {
    let kind = str_at(obj, "/kind");
    let name = str_at(obj, "/metadata/name");
    match str_at(obj, "/metadata/namespace") {
        "" => format!("{kind} {name}"),
        ns => format!("{kind} {ns}/{name}"),
    }
}

/// The object's `spec.selector` as a label selector string (`a=b,c in (d)`):
/// a map for ReplicationControllers, `matchLabels` and `matchExpressions`
/// otherwise. `None` when there is none.
pub fn label_selector(obj: &Json) -> Option<String> {
    let selector = obj.pointer("/spec/selector")?.as_object()?;
    let mut parts = Vec::new();
    if group_kind(obj) == "ReplicationController" {
        for (k, v) in selector {
            parts.push(format!("{k}={}", v.as_str().unwrap_or_default()));
        }
        return Some(parts.join(","));
    }
    if let Some(labels) = selector.get("matchLabels").and_then(Json::as_object) {
        for (k, v) in labels {
            parts.push(format!("{k}={}", v.as_str().unwrap_or_default()));
        }
    }
    for expr in selector
        .get("matchExpressions")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let key = str_at(expr, "/key");
        let values: Vec<&str> = expr
            .get("values")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .collect();
        match str_at(expr, "/operator") {
            "In" => parts.push(format!("{key} in ({})", values.join(","))),
            "NotIn" => parts.push(format!("{key} notin ({})", values.join(","))),
            "Exists" => parts.push(key.to_string()),
            "DoesNotExist" => parts.push(format!("!{key}")),
            _ => {}
        }
    }
    Some(parts.join(","))
}

/// A rule set's answer before the object's identity is prefixed.
enum Verdict {
    Ready,
    Pending(String),
    Failed(String),
}

/// The API group and kind as kstatus keys them: `Kind` for the core group,
/// `group/Kind` otherwise.
fn group_kind(obj: &Json) -> String {
    let kind = str_at(obj, "/kind");
    match str_at(obj, "/apiVersion").rsplit_once('/') {
        Some((group, _)) => format!("{group}/{kind}"),
        None => kind.to_string(),
    }
}

fn str_at<'a>(obj: &'a Json, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Json::as_str).unwrap_or("")
}

fn int_at(obj: &Json, pointer: &str) -> Option<i64> {
    obj.pointer(pointer).and_then(Json::as_i64)
}

fn bool_at(obj: &Json, pointer: &str) -> bool {
    obj.pointer(pointer)
        .and_then(Json::as_bool)
        .unwrap_or(false)
}

/// One entry of `status.conditions`.
struct Condition<'a> {
    kind: &'a str,
    status: &'a str,
    reason: &'a str,
    message: &'a str,
}

fn conditions(obj: &Json) -> impl Iterator<Item = Condition<'_>> {
    obj.pointer("/status/conditions")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .map(|c| Condition {
            kind: str_at(c, "/type"),
            status: str_at(c, "/status"),
            reason: str_at(c, "/reason"),
            message: str_at(c, "/message"),
        })
}

fn has_condition(obj: &Json, kind: &str, status: &str) -> bool {
    conditions(obj).any(|c| c.kind == kind && c.status == status)
}

fn job_progress(obj: &Json) -> String {
    let parallelism = int_at(obj, "/spec/parallelism").unwrap_or(1);
    let completions = int_at(obj, "/spec/completions").unwrap_or(parallelism);
    format!(
        "{} of {completions} completions succeeded, {} active, {} failed",
        int_at(obj, "/status/succeeded").unwrap_or(0),
        int_at(obj, "/status/active").unwrap_or(0),
        int_at(obj, "/status/failed").unwrap_or(0)
    )
}

/// `intstr.GetScaledValueFromIntOrPercent`: an integer as is, `N%` of
/// `total` rounded up or down; `None` for anything else (Go's error).
fn scaled_int_or_percent(value: Option<&Json>, total: i64, round_up: bool) -> Option<i64> {
    match value? {
        Json::Number(n) => n.as_i64(),
        Json::String(s) => {
            let percent: i64 = s.strip_suffix('%')?.parse().ok()?;
            let scaled = percent * total;
            Some(if round_up {
                (scaled + 99).div_euclid(100)
            } else {
                scaled.div_euclid(100)
            })
        }
        _ => None,
    }
}

/// Helm v4's status watcher: kstatus with Helm's Job reader under
/// `--wait-for-jobs`.
mod watcher {
    use super::*;

    pub(super) fn status(obj: &Json, opts: &ReadyOptions) -> Verdict {
        let gk = group_kind(obj);
        if gk == "batch/Job" && opts.wait_for_jobs {
            // Helm's custom Job reader replaces kstatus's generic checks too.
            return helm_job(obj);
        }
        if let Some(v) = generic(obj) {
            return v;
        }
        match gk.as_str() {
            "Service" => service(obj),
            "Pod" => pod(obj, opts),
            "PersistentVolumeClaim" => pvc(obj),
            "apps/StatefulSet" => stateful_set(obj),
            "apps/DaemonSet" | "extensions/DaemonSet" => daemon_set(obj),
            "apps/Deployment" | "extensions/Deployment" => deployment(obj, opts),
            "apps/ReplicaSet" | "extensions/ReplicaSet" => replica_set(obj),
            "batch/Job" => kstatus_job(obj),
            "apiextensions.k8s.io/CustomResourceDefinition" => crd(obj),
            // Secrets, ConfigMaps, CronJobs and PodDisruptionBudgets are
            // always ready in kstatus; everything else too unless a `Ready`
            // condition says otherwise.
            "Secret"
            | "ConfigMap"
            | "batch/CronJob"
            | "policy/PodDisruptionBudget"
            | "ReplicationController" => Verdict::Ready,
            _ => ready_condition(obj),
        }
    }

    /// Deletion in progress, an unobserved generation, and the standard
    /// `Reconciling`/`Stalled` conditions, checked before any kind rule.
    fn generic(obj: &Json) -> Option<Verdict> {
        if !str_at(obj, "/metadata/deletionTimestamp").is_empty() {
            return Some(Verdict::Pending("scheduled for deletion".into()));
        }
        if let (Some(generation), Some(observed)) = (
            int_at(obj, "/metadata/generation"),
            int_at(obj, "/status/observedGeneration"),
        ) && generation != observed
        {
            return Some(Verdict::Pending(format!(
                "generation {generation} not yet observed by its controller (observed {observed})"
            )));
        }
        for c in conditions(obj) {
            if c.kind == "Reconciling" && c.status == "True" {
                return Some(Verdict::Pending(condition_text("reconciling", &c)));
            }
            if c.kind == "Stalled" && c.status == "True" {
                return Some(Verdict::Failed(condition_text("stalled", &c)));
            }
        }
        None
    }

    fn condition_text(what: &str, c: &Condition<'_>) -> String {
        match (c.reason, c.message) {
            ("", "") => what.to_string(),
            (r, "") => format!("{what}: {r}"),
            ("", m) => format!("{what}: {m}"),
            (r, m) => format!("{what}: {r}: {m}"),
        }
    }

    fn ready_condition(obj: &Json) -> Verdict {
        for c in conditions(obj) {
            if c.kind == "Ready" {
                match c.status {
                    "True" => return Verdict::Ready,
                    "False" | "Unknown" => {
                        return Verdict::Pending(condition_text("Ready condition is not True", &c));
                    }
                    _ => {}
                }
            }
        }
        Verdict::Ready
    }

    fn service(obj: &Json) -> Verdict {
        let kind = obj.pointer("/spec/type").and_then(Json::as_str);
        if kind == Some("LoadBalancer") && str_at(obj, "/spec/clusterIP").is_empty() {
            return Verdict::Pending("no cluster IP assigned yet".into());
        }
        Verdict::Ready
    }

    fn pod(obj: &Json, opts: &ReadyOptions) -> Verdict {
        match str_at(obj, "/status/phase") {
            // kstatus counts a finished pod as current whatever its outcome.
            "Succeeded" | "Failed" => Verdict::Ready,
            "Running" => {
                if has_condition(obj, "Ready", "True") {
                    return Verdict::Ready;
                }
                let crashing = crash_looping(obj);
                if !crashing.is_empty() {
                    return Verdict::Failed(format!(
                        "containers in CrashLoopBackOff: {}",
                        crashing.join(",")
                    ));
                }
                Verdict::Pending("running but not Ready".into())
            }
            "Pending" => {
                let unschedulable = conditions(obj).any(|c| {
                    c.kind == "PodScheduled" && c.status == "False" && c.reason == "Unschedulable"
                });
                if unschedulable {
                    if past_schedule_window(obj, opts) {
                        return Verdict::Failed("the pod could not be scheduled".into());
                    }
                    return Verdict::Pending("not scheduled yet".into());
                }
                Verdict::Pending("phase Pending".into())
            }
            "" => Verdict::Pending("no phase reported yet".into()),
            other => Verdict::Pending(format!("unknown phase {other}")),
        }
    }

    /// kstatus gives a pod 15 s after creation before calling it unschedulable.
    fn past_schedule_window(obj: &Json, opts: &ReadyOptions) -> bool {
        let Some(now) = opts.now else { return false };
        let Ok(created) = str_at(obj, "/metadata/creationTimestamp").parse::<jiff::Timestamp>()
        else {
            return false;
        };
        now.duration_since(created) > jiff::SignedDuration::from_secs(15)
    }

    fn crash_looping(obj: &Json) -> Vec<&str> {
        obj.pointer("/status/containerStatuses")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter(|cs| str_at(cs, "/state/waiting/reason") == "CrashLoopBackOff")
            .map(|cs| str_at(cs, "/name"))
            .collect()
    }

    fn pvc(obj: &Json) -> Verdict {
        match obj.pointer("/status/phase").and_then(Json::as_str) {
            Some("Bound") => Verdict::Ready,
            phase => Verdict::Pending(format!("not Bound (phase {})", phase.unwrap_or("unknown"))),
        }
    }

    fn stateful_set(obj: &Json) -> Verdict {
        if str_at(obj, "/spec/updateStrategy/type") == "OnDelete" {
            return Verdict::Ready;
        }
        let spec = int_at(obj, "/spec/replicas").unwrap_or(1);
        let ready = int_at(obj, "/status/readyReplicas").unwrap_or(0);
        let current = int_at(obj, "/status/currentReplicas").unwrap_or(0);
        let updated = int_at(obj, "/status/updatedReplicas").unwrap_or(0);
        let replicas = int_at(obj, "/status/replicas").unwrap_or(0);
        let partition = int_at(obj, "/spec/updateStrategy/rollingUpdate/partition");
        if spec > replicas {
            return Verdict::Pending(format!("{replicas} of {spec} replicas created"));
        }
        if spec > ready {
            return Verdict::Pending(format!("{ready} of {spec} replicas ready"));
        }
        if replicas > spec {
            return Verdict::Pending(format!(
                "{} extra replicas pending termination",
                replicas - spec
            ));
        }
        if let Some(partition) = partition {
            if updated < spec - partition {
                return Verdict::Pending(format!(
                    "{updated} of {} replicas updated (partition {partition})",
                    spec - partition
                ));
            }
            return Verdict::Ready;
        }
        if spec > current {
            return Verdict::Pending(format!(
                "{current} of {spec} replicas at the current revision"
            ));
        }
        let current_rev = str_at(obj, "/status/currentRevision");
        let update_rev = str_at(obj, "/status/updateRevision");
        if current_rev != update_rev {
            return Verdict::Pending(format!(
                "current revision {current_rev:?} is not yet the update revision {update_rev:?}"
            ));
        }
        Verdict::Ready
    }

    fn daemon_set(obj: &Json) -> Verdict {
        if int_at(obj, "/metadata/generation").is_none() {
            return Verdict::Pending("metadata.generation not set".into());
        }
        if int_at(obj, "/status/observedGeneration").is_none() {
            return Verdict::Pending("not yet observed by its controller".into());
        }
        let Some(desired) = int_at(obj, "/status/desiredNumberScheduled") else {
            return Verdict::Pending("status.desiredNumberScheduled not reported yet".into());
        };
        let count = |field: &str| int_at(obj, &format!("/status/{field}")).unwrap_or(0);
        for (field, what) in [
            ("currentNumberScheduled", "scheduled"),
            ("updatedNumberScheduled", "updated"),
            ("numberAvailable", "available"),
            ("numberReady", "ready"),
        ] {
            let n = count(field);
            if desired > n {
                return Verdict::Pending(format!("{n} of {desired} pods {what}"));
            }
        }
        Verdict::Ready
    }

    fn deployment(obj: &Json, opts: &ReadyOptions) -> Verdict {
        // Helm drops paused Deployments from the list it waits for.
        if bool_at(obj, "/spec/paused") && opts.paused_as_ready {
            return Verdict::Ready;
        }
        // Without progressDeadlineSeconds the controller sets no Progressing
        // condition, so kstatus assumes progress.
        let mut progressing =
            int_at(obj, "/spec/progressDeadlineSeconds").is_none_or(|d| d == i64::from(i32::MAX));
        let mut available = false;
        for c in conditions(obj) {
            match c.kind {
                "Progressing" => {
                    if c.reason == "ProgressDeadlineExceeded" {
                        return Verdict::Failed(condition_text("progress deadline exceeded", &c));
                    }
                    if c.status == "True" && c.reason == "NewReplicaSetAvailable" {
                        progressing = true;
                    }
                }
                "Available" if c.status == "True" => available = true,
                _ => {}
            }
        }
        let spec = int_at(obj, "/spec/replicas").unwrap_or(1);
        let replicas = int_at(obj, "/status/replicas").unwrap_or(0);
        let updated = int_at(obj, "/status/updatedReplicas").unwrap_or(0);
        let ready = int_at(obj, "/status/readyReplicas").unwrap_or(0);
        let avail = int_at(obj, "/status/availableReplicas").unwrap_or(0);
        if spec > replicas {
            return Verdict::Pending(format!("{replicas} of {spec} replicas created"));
        }
        if spec > updated {
            return Verdict::Pending(format!("{updated} of {spec} replicas updated"));
        }
        if replicas > spec {
            return Verdict::Pending(format!(
                "{} old replicas pending termination",
                replicas - spec
            ));
        }
        if updated > avail {
            return Verdict::Pending(format!("{avail} of {updated} replicas available"));
        }
        if spec > ready {
            return Verdict::Pending(format!("{ready} of {spec} replicas ready"));
        }
        if !progressing {
            return Verdict::Pending(
                "rollout not complete (no Progressing condition with reason NewReplicaSetAvailable)"
                    .into(),
            );
        }
        if !available {
            return Verdict::Pending("Available condition is not True".into());
        }
        Verdict::Ready
    }

    fn replica_set(obj: &Json) -> Verdict {
        if has_condition(obj, "ReplicaFailure", "True") {
            return Verdict::Pending("ReplicaFailure condition is True; check its pods".into());
        }
        let spec = int_at(obj, "/spec/replicas").unwrap_or(1);
        let count = |field: &str| int_at(obj, &format!("/status/{field}")).unwrap_or(0);
        for (field, what) in [
            ("fullyLabeledReplicas", "labelled"),
            ("availableReplicas", "available"),
            ("readyReplicas", "ready"),
        ] {
            let n = count(field);
            if spec > n {
                return Verdict::Pending(format!("{n} of {spec} replicas {what}"));
            }
        }
        let replicas = count("replicas");
        if replicas > spec {
            return Verdict::Pending(format!(
                "{} extra replicas pending termination",
                replicas - spec
            ));
        }
        Verdict::Ready
    }

    /// kstatus's Job rule (without `--wait-for-jobs`): ready once started.
    fn kstatus_job(obj: &Json) -> Verdict {
        for c in conditions(obj) {
            if c.kind == "Failed" && c.status == "True" {
                return Verdict::Failed(format!("the job failed: {}", job_progress(obj)));
            }
            if c.kind == "Complete" && c.status == "True" {
                return Verdict::Ready;
            }
        }
        if str_at(obj, "/status/startTime").is_empty() {
            return Verdict::Pending("not started yet".into());
        }
        Verdict::Ready
    }

    /// Helm's Job reader: ready only on the `Complete` condition.
    fn helm_job(obj: &Json) -> Verdict {
        for c in conditions(obj) {
            if c.status != "True" {
                continue;
            }
            match c.kind {
                "Complete" => return Verdict::Ready,
                "Failed" => {
                    return Verdict::Failed(condition_text(
                        &format!("the job failed ({})", job_progress(obj)),
                        &c,
                    ));
                }
                _ => {}
            }
        }
        Verdict::Pending(format!("not complete: {}", job_progress(obj)))
    }

    fn crd(obj: &Json) -> Verdict {
        for c in conditions(obj) {
            if c.kind == "NamesAccepted" && c.status == "False" {
                return Verdict::Failed(condition_text("names not accepted", &c));
            }
            if c.kind == "Established" {
                if c.status == "False" && c.reason != "Installing" {
                    return Verdict::Failed(condition_text("not established", &c));
                }
                if c.status == "True" {
                    return Verdict::Ready;
                }
            }
        }
        Verdict::Pending("not Established yet".into())
    }
}

/// Helm 3's `ReadyChecker` (`--wait=legacy` in Helm v4).
mod legacy {
    use super::*;

    pub(super) fn status(obj: &Json, related: &Related<'_>, opts: &ReadyOptions) -> Verdict {
        match group_kind(obj).as_str() {
            "Pod" => pod(obj),
            "batch/Job" if opts.wait_for_jobs => job(obj),
            "apps/Deployment" | "extensions/Deployment" => deployment(obj, related, opts),
            "PersistentVolumeClaim" => {
                let phase = str_at(obj, "/status/phase");
                if phase == "Bound" {
                    Verdict::Ready
                } else {
                    Verdict::Pending(format!("not Bound (phase {phase:?})"))
                }
            }
            "Service" => service(obj),
            "apps/DaemonSet" | "extensions/DaemonSet" => daemon_set(obj),
            "apiextensions.k8s.io/CustomResourceDefinition" => crd(obj),
            "apps/StatefulSet" => stateful_set(obj),
            "ReplicationController" | "apps/ReplicaSet" | "extensions/ReplicaSet" => {
                match observed(obj) {
                    Verdict::Ready => pods_ready(related.pods),
                    other => other,
                }
            }
            _ => Verdict::Ready,
        }
    }

    fn pod(obj: &Json) -> Verdict {
        if has_condition(obj, "Ready", "True") {
            Verdict::Ready
        } else {
            Verdict::Pending("Ready condition is not True".into())
        }
    }

    /// Go reads missing integers as 0, so an object no controller has seen
    /// (generation 1, no observedGeneration) is not ready.
    fn observed(obj: &Json) -> Verdict {
        let generation = int_at(obj, "/metadata/generation").unwrap_or(0);
        let observed = int_at(obj, "/status/observedGeneration").unwrap_or(0);
        if generation == observed {
            Verdict::Ready
        } else {
            Verdict::Pending(format!(
                "generation {generation} not yet observed by its controller (observed {observed})"
            ))
        }
    }

    fn pods_ready(pods: &[Json]) -> Verdict {
        match pods.iter().find(|p| !has_condition(p, "Ready", "True")) {
            None => Verdict::Ready,
            Some(p) => {
                Verdict::Pending(format!("pod {} is not Ready", str_at(p, "/metadata/name")))
            }
        }
    }

    fn job(obj: &Json) -> Verdict {
        let failed = int_at(obj, "/status/failed").unwrap_or(0);
        // The API server defaults backoffLimit to 6.
        let backoff_limit = int_at(obj, "/spec/backoffLimit").unwrap_or(6);
        if failed > backoff_limit {
            return Verdict::Failed(format!(
                "job is failed: {failed} failed pods exceed backoffLimit {backoff_limit}"
            ));
        }
        if let Some(completions) = int_at(obj, "/spec/completions") {
            let succeeded = int_at(obj, "/status/succeeded").unwrap_or(0);
            if succeeded < completions {
                return Verdict::Pending(format!(
                    "{succeeded} of {completions} completions succeeded"
                ));
            }
        }
        Verdict::Ready
    }

    fn deployment(obj: &Json, related: &Related<'_>, opts: &ReadyOptions) -> Verdict {
        if bool_at(obj, "/spec/paused") {
            return if opts.paused_as_ready {
                Verdict::Ready
            } else {
                Verdict::Pending("paused".into())
            };
        }
        let Some(rs) = new_replica_set(obj, related.replica_sets) else {
            return Verdict::Pending(
                "its ReplicaSet for the current template does not exist yet".into(),
            );
        };
        if let Verdict::Pending(r) = observed(rs) {
            return Verdict::Pending(format!("ReplicaSet {}: {r}", str_at(rs, "/metadata/name")));
        }
        if let v @ Verdict::Pending(_) = observed(obj) {
            return v;
        }
        let replicas = int_at(obj, "/spec/replicas").unwrap_or(1);
        let expected = replicas - max_unavailable(obj);
        let ready = int_at(rs, "/status/readyReplicas").unwrap_or(0);
        if ready < expected {
            return Verdict::Pending(format!(
                "{ready} of {replicas} replicas ready, {expected} needed"
            ));
        }
        Verdict::Ready
    }

    /// `deploymentutil.MaxUnavailable`: zero unless the strategy is a
    /// rolling update with replicas; surge rounds up, unavailability rounds
    /// down, and if both end at zero one pod may be unavailable.
    pub(super) fn max_unavailable(obj: &Json) -> i64 {
        let replicas = int_at(obj, "/spec/replicas").unwrap_or(1);
        if str_at(obj, "/spec/strategy/type") != "RollingUpdate" || replicas == 0 {
            return 0;
        }
        let zero = Json::from(0);
        let field = |name: &str| {
            obj.pointer(&format!("/spec/strategy/rollingUpdate/{name}"))
                .unwrap_or(&zero)
        };
        let (Some(surge), Some(unavailable)) = (
            scaled_int_or_percent(Some(field("maxSurge")), replicas, true),
            scaled_int_or_percent(Some(field("maxUnavailable")), replicas, false),
        ) else {
            return 0;
        };
        let unavailable = if surge == 0 && unavailable == 0 {
            1
        } else {
            unavailable
        };
        unavailable.min(replicas)
    }

    /// `deploymentutil.FindNewReplicaSet`: of the ReplicaSets the Deployment
    /// controls, the oldest whose pod template equals the Deployment's,
    /// ignoring the `pod-template-hash` label.
    pub(super) fn new_replica_set<'a>(dep: &Json, replica_sets: &'a [Json]) -> Option<&'a Json> {
        let uid = str_at(dep, "/metadata/uid");
        let template = without_hash(dep.pointer("/spec/template"));
        let mut owned: Vec<&Json> = replica_sets
            .iter()
            .filter(|rs| controlled_by(rs, uid))
            .collect();
        owned.sort_by_key(|rs| {
            (
                str_at(rs, "/metadata/creationTimestamp").to_string(),
                str_at(rs, "/metadata/name").to_string(),
            )
        });
        owned
            .into_iter()
            .find(|rs| without_hash(rs.pointer("/spec/template")) == template)
    }

    fn controlled_by(obj: &Json, uid: &str) -> bool {
        obj.pointer("/metadata/ownerReferences")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .any(|r| bool_at(r, "/controller") && !uid.is_empty() && str_at(r, "/uid") == uid)
    }

    fn without_hash(template: Option<&Json>) -> Json {
        let mut t = template.cloned().unwrap_or(Json::Null);
        if let Some(labels) = t
            .pointer_mut("/metadata/labels")
            .and_then(Json::as_object_mut)
        {
            labels.remove("pod-template-hash");
            if labels.is_empty()
                && let Some(meta) = t.pointer_mut("/metadata").and_then(Json::as_object_mut)
            {
                meta.remove("labels");
            }
        }
        t
    }

    fn service(obj: &Json) -> Verdict {
        let kind = str_at(obj, "/spec/type");
        if kind == "ExternalName" {
            return Verdict::Ready;
        }
        if str_at(obj, "/spec/clusterIP").is_empty() {
            return Verdict::Pending("no cluster IP assigned yet".into());
        }
        if kind == "LoadBalancer" {
            let external_ips = obj
                .pointer("/spec/externalIPs")
                .and_then(Json::as_array)
                .is_some_and(|ips| !ips.is_empty());
            if external_ips {
                return Verdict::Ready;
            }
            if obj
                .pointer("/status/loadBalancer/ingress")
                .is_none_or(Json::is_null)
            {
                return Verdict::Pending("no load balancer ingress yet".into());
            }
        }
        Verdict::Ready
    }

    fn daemon_set(obj: &Json) -> Verdict {
        if let v @ Verdict::Pending(_) = observed(obj) {
            return v;
        }
        if str_at(obj, "/spec/updateStrategy/type") != "RollingUpdate" {
            return Verdict::Ready;
        }
        let desired = int_at(obj, "/status/desiredNumberScheduled").unwrap_or(0);
        let updated = int_at(obj, "/status/updatedNumberScheduled").unwrap_or(0);
        if updated != desired {
            return Verdict::Pending(format!("{updated} of {desired} pods updated"));
        }
        // An unreadable maxUnavailable allows every pod to be unavailable.
        let max_unavailable = scaled_int_or_percent(
            obj.pointer("/spec/updateStrategy/rollingUpdate/maxUnavailable"),
            desired,
            true,
        )
        .unwrap_or(desired);
        let expected = desired - max_unavailable;
        let ready = int_at(obj, "/status/numberReady").unwrap_or(0);
        if ready < expected {
            return Verdict::Pending(format!(
                "{ready} of {desired} pods ready, {expected} needed"
            ));
        }
        Verdict::Ready
    }

    fn crd(obj: &Json) -> Verdict {
        for c in conditions(obj) {
            match (c.kind, c.status) {
                ("Established", "True") => return Verdict::Ready,
                // A naming conflict: Helm lets the release go on.
                ("NamesAccepted", "False") => return Verdict::Ready,
                _ => {}
            }
        }
        Verdict::Pending("not Established yet".into())
    }

    fn stateful_set(obj: &Json) -> Verdict {
        if let v @ Verdict::Pending(_) = observed(obj) {
            return v;
        }
        if str_at(obj, "/spec/updateStrategy/type") != "RollingUpdate" {
            return Verdict::Ready;
        }
        let partition = int_at(obj, "/spec/updateStrategy/rollingUpdate/partition").unwrap_or(0);
        let replicas = int_at(obj, "/spec/replicas").unwrap_or(1);
        let expected = replicas - partition;
        let updated = int_at(obj, "/status/updatedReplicas").unwrap_or(0);
        if updated < expected {
            return Verdict::Pending(format!("{updated} of {expected} replicas updated"));
        }
        let ready = int_at(obj, "/status/readyReplicas").unwrap_or(0);
        if ready != replicas {
            return Verdict::Pending(format!("{ready} of {replicas} replicas ready"));
        }
        let current = str_at(obj, "/status/currentRevision");
        let update = str_at(obj, "/status/updateRevision");
        if partition == 0 && current != update {
            return Verdict::Pending(format!(
                "current revision {current:?} is not yet the update revision {update:?}"
            ));
        }
        Verdict::Ready
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn watcher() -> ReadyOptions {
        ReadyOptions::default()
    }

    fn legacy() -> ReadyOptions {
        ReadyOptions {
            strategy: WaitStrategy::Legacy,
            ..ReadyOptions::default()
        }
    }

    fn with_jobs(mut opts: ReadyOptions) -> ReadyOptions {
        opts.wait_for_jobs = true;
        opts
    }

    fn pending(r: Readiness) -> String {
        match r {
            Readiness::Pending(reason) => reason,
            other => panic!("expected pending, got {other:?}"),
        }
    }

    fn failed(r: Readiness) -> String {
        match r {
            Readiness::Failed(reason) => reason,
            other => panic!("expected failed, got {other:?}"),
        }
    }

    /// A Deployment as the API server stores it (defaulted strategy), with
    /// `status` merged in.
    fn deployment(replicas: i64, status: Json) -> Json {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "team", "uid": "dep-uid", "generation": 2},
            "spec": {
                "replicas": replicas,
                "progressDeadlineSeconds": 600,
                "selector": {"matchLabels": {"app": "web"}},
                "strategy": {"type": "RollingUpdate",
                             "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                             "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
            },
            "status": status
        })
    }

    fn replica_set(name: &str, created: &str, ready: i64, template_image: &str) -> Json {
        json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": name, "namespace": "team", "generation": 1,
                         "creationTimestamp": created,
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                                              "name": "web", "uid": "dep-uid", "controller": true}]},
            "spec": {"replicas": 4, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web", "pod-template-hash": "abc"}},
                                  "spec": {"containers": [{"name": "c", "image": template_image}]}}},
            "status": {"observedGeneration": 1, "readyReplicas": ready}
        })
    }

    #[test]
    fn watcher_deployment_needs_every_replica_and_the_available_condition() {
        let complete = json!({
            "observedGeneration": 2, "replicas": 3, "updatedReplicas": 3,
            "readyReplicas": 3, "availableReplicas": 3,
            "conditions": [
                {"type": "Available", "status": "True"},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}
            ]
        });
        assert_eq!(
            readiness(&deployment(3, complete.clone()), &watcher()),
            Readiness::Ready
        );

        let mut partial = complete.clone();
        partial["availableReplicas"] = json!(1);
        assert_eq!(
            pending(readiness(&deployment(3, partial), &watcher())),
            "Deployment team/web: 1 of 3 replicas available"
        );

        let mut stale = complete.clone();
        stale["observedGeneration"] = json!(1);
        assert!(pending(readiness(&deployment(3, stale), &watcher())).contains("generation 2"));

        let mut progressing = complete.clone();
        progressing["conditions"][1]["reason"] = json!("ReplicaSetUpdated");
        assert!(pending(readiness(&deployment(3, progressing), &watcher())).contains("rollout"));

        let mut deadline = complete;
        deadline["conditions"][1] = json!({"type": "Progressing", "status": "False",
            "reason": "ProgressDeadlineExceeded", "message": "ReplicaSet web-1 has timed out"});
        assert!(
            failed(readiness(&deployment(3, deadline), &watcher()))
                .contains("progress deadline exceeded")
        );
    }

    #[test]
    fn watcher_deployment_counts_alone_are_not_enough() {
        // Real Helm v4 (--wait, via helm-oracle on the local API server) kept
        // waiting on exactly this status ("ReplicaSet not Available") and
        // reported the release deployed once the two conditions were added.
        let counts_only = json!({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2,
                                 "readyReplicas": 2, "availableReplicas": 2});
        assert!(
            pending(readiness(&deployment(2, counts_only.clone()), &watcher()))
                .contains("rollout not complete")
        );
        let mut with_conditions = counts_only;
        with_conditions["conditions"] = json!([
            {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}
        ]);
        assert!(readiness(&deployment(2, with_conditions), &watcher()).is_ready());
    }

    #[test]
    fn watcher_deployment_without_status_waits_and_paused_is_ready() {
        let fresh = deployment(2, json!({}));
        assert_eq!(
            pending(readiness(&fresh, &watcher())),
            "Deployment team/web: 0 of 2 replicas created"
        );
        let mut paused = fresh;
        paused["spec"]["paused"] = json!(true);
        assert!(readiness(&paused, &watcher()).is_ready());
    }

    #[test]
    fn legacy_deployment_uses_the_new_replica_set_and_max_unavailable() {
        let dep = deployment(4, json!({"observedGeneration": 2}));
        // maxUnavailable 25% of 4 = 1, so 3 ready pods of the new ReplicaSet suffice.
        assert_eq!(legacy::max_unavailable(&dep), 1);
        let old = replica_set("web-old", "2026-01-01T00:00:00Z", 4, "nginx:old");
        let new = replica_set("web-new", "2026-01-02T00:00:00Z", 3, "nginx");
        let sets = [old.clone(), new.clone()];
        let related = Related {
            replica_sets: &sets,
            pods: &[],
        };
        assert_eq!(readiness_with(&dep, &related, &legacy()), Readiness::Ready);

        let short = [
            old,
            replica_set("web-new", "2026-01-02T00:00:00Z", 2, "nginx"),
        ];
        let related = Related {
            replica_sets: &short,
            pods: &[],
        };
        assert_eq!(
            pending(readiness_with(&dep, &related, &legacy())),
            "Deployment team/web: 2 of 4 replicas ready, 3 needed"
        );

        // Without a matching ReplicaSet the Deployment is not ready.
        assert!(
            pending(readiness(&dep, &legacy())).contains("ReplicaSet for the current template")
        );
        assert_eq!(
            related_query(&dep, &legacy()),
            Some(RelatedQuery::ReplicaSets("app=web".into()))
        );
        assert_eq!(related_query(&dep, &watcher()), None);
    }

    #[test]
    fn legacy_new_replica_set_ignores_foreign_and_other_templates() {
        let dep = deployment(1, json!({}));
        let mut foreign = replica_set("other", "2026-01-01T00:00:00Z", 1, "nginx");
        foreign["metadata"]["ownerReferences"][0]["uid"] = json!("someone-else");
        let newer = replica_set("web-b", "2026-01-03T00:00:00Z", 1, "nginx");
        let older = replica_set("web-a", "2026-01-02T00:00:00Z", 1, "nginx");
        let sets = [foreign, newer, older];
        let found = legacy::new_replica_set(&dep, &sets).unwrap();
        assert_eq!(found["metadata"]["name"], "web-a");
    }

    #[test]
    fn max_unavailable_follows_the_fencepost_rules() {
        let with = |replicas: i64, strategy: Json| {
            let mut d = deployment(replicas, json!({}));
            d["spec"]["strategy"] = strategy;
            legacy::max_unavailable(&d)
        };
        let rolling = |surge: Json, unavailable: Json| json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}});
        // 25% of 3 rounds down to 0 but surge rounds up to 1: 0 unavailable.
        assert_eq!(with(3, rolling(json!("25%"), json!("25%"))), 0);
        // Both zero after rounding: one pod may be unavailable.
        assert_eq!(with(3, rolling(json!(0), json!("10%"))), 1);
        assert_eq!(with(3, rolling(json!(1), json!(5))), 3);
        assert_eq!(with(3, json!({"type": "Recreate"})), 0);
        assert_eq!(with(0, rolling(json!(1), json!(1))), 0);
    }

    fn stateful_set(spec: Json, status: Json) -> Json {
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
               "metadata": {"name": "db", "namespace": "team", "generation": 1},
               "spec": spec, "status": status})
    }

    #[test]
    fn stateful_sets_check_replicas_partition_and_revisions() {
        let spec = json!({"replicas": 3, "updateStrategy": {"type": "RollingUpdate"}});
        let done = json!({"observedGeneration": 1, "replicas": 3, "readyReplicas": 3,
                          "currentReplicas": 3, "updatedReplicas": 3,
                          "currentRevision": "db-1", "updateRevision": "db-1"});
        for opts in [watcher(), legacy()] {
            assert!(readiness(&stateful_set(spec.clone(), done.clone()), &opts).is_ready());
            let mut rolling = done.clone();
            rolling["updateRevision"] = json!("db-2");
            assert!(
                pending(readiness(&stateful_set(spec.clone(), rolling), &opts))
                    .contains("update revision \"db-2\"")
            );
            let mut unready = done.clone();
            unready["readyReplicas"] = json!(1);
            assert!(
                pending(readiness(&stateful_set(spec.clone(), unready), &opts))
                    .contains("1 of 3 replicas ready")
            );
        }
        // With a partition only the replicas above it must be updated, and
        // revisions may differ.
        let partitioned = json!({"replicas": 3, "updateStrategy": {"type": "RollingUpdate",
                                 "rollingUpdate": {"partition": 2}}});
        let status = json!({"observedGeneration": 1, "replicas": 3, "readyReplicas": 3,
                            "currentReplicas": 2, "updatedReplicas": 1,
                            "currentRevision": "db-1", "updateRevision": "db-2"});
        for opts in [watcher(), legacy()] {
            assert!(
                readiness(&stateful_set(partitioned.clone(), status.clone()), &opts).is_ready()
            );
        }
        let on_delete = json!({"replicas": 3, "updateStrategy": {"type": "OnDelete"}});
        for opts in [watcher(), legacy()] {
            assert!(
                readiness(
                    &stateful_set(on_delete.clone(), json!({"observedGeneration": 1})),
                    &opts
                )
                .is_ready()
            );
        }
    }

    fn daemon_set(strategy: Json, status: Json) -> Json {
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
               "metadata": {"name": "agent", "namespace": "kube-system", "generation": 1},
               "spec": {"updateStrategy": strategy}, "status": status})
    }

    #[test]
    fn daemon_sets_by_strategy() {
        let rolling = json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}});
        let status = json!({"observedGeneration": 1, "desiredNumberScheduled": 4,
                            "currentNumberScheduled": 4, "updatedNumberScheduled": 4,
                            "numberAvailable": 3, "numberReady": 3});
        // Legacy allows maxUnavailable pods to be unready; kstatus wants all.
        assert!(readiness(&daemon_set(rolling.clone(), status.clone()), &legacy()).is_ready());
        assert_eq!(
            pending(readiness(
                &daemon_set(rolling.clone(), status.clone()),
                &watcher()
            )),
            "DaemonSet kube-system/agent: 3 of 4 pods available"
        );
        let mut fewer = status.clone();
        fewer["numberReady"] = json!(2);
        assert!(
            pending(readiness(
                &daemon_set(rolling.clone(), fewer.clone()),
                &legacy()
            ))
            .contains("2 of 4 pods ready, 3 needed")
        );
        // OnDelete: legacy has nothing to wait for.
        assert!(readiness(&daemon_set(json!({"type": "OnDelete"}), fewer), &legacy()).is_ready());
        // No status at all: kstatus waits for the controller.
        assert!(
            pending(readiness(&daemon_set(rolling, json!({})), &watcher()))
                .contains("not yet observed")
        );
    }

    #[test]
    fn replica_sets_and_replication_controllers() {
        let rs = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": "r", "namespace": "n", "generation": 1},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "r"},
                     "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]},
                                          {"key": "canary", "operator": "DoesNotExist"}]}},
            "status": {"observedGeneration": 1, "replicas": 2, "fullyLabeledReplicas": 2,
                       "availableReplicas": 2, "readyReplicas": 1}});
        assert_eq!(
            pending(readiness(&rs, &watcher())),
            "ReplicaSet n/r: 1 of 2 replicas ready"
        );
        assert_eq!(
            related_query(&rs, &legacy()),
            Some(RelatedQuery::Pods("app=r,tier in (a,b),!canary".into()))
        );
        let ready_pod = json!({"metadata": {"name": "p1"},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}});
        let unready_pod = json!({"metadata": {"name": "p2"}, "status": {"phase": "Pending"}});
        let pods = [ready_pod.clone(), unready_pod];
        let related = Related {
            replica_sets: &[],
            pods: &pods,
        };
        assert_eq!(
            pending(readiness_with(&rs, &related, &legacy())),
            "ReplicaSet n/r: pod p2 is not Ready"
        );
        let pods = [ready_pod];
        let related = Related {
            replica_sets: &[],
            pods: &pods,
        };
        assert!(readiness_with(&rs, &related, &legacy()).is_ready());

        let rc = json!({"apiVersion": "v1", "kind": "ReplicationController",
            "metadata": {"name": "rc", "namespace": "n", "generation": 2},
            "spec": {"selector": {"app": "rc"}}, "status": {"observedGeneration": 1}});
        assert_eq!(
            related_query(&rc, &legacy()),
            Some(RelatedQuery::Pods("app=rc".into()))
        );
        assert!(pending(readiness(&rc, &legacy())).contains("generation 2"));
    }

    fn pod(status: Json) -> Json {
        json!({"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": "p", "namespace": "n",
                            "creationTimestamp": "2026-01-01T00:00:00Z"},
               "status": status})
    }

    #[test]
    fn pods_by_strategy() {
        let running_ready = pod(json!({"phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}]}));
        for opts in [watcher(), legacy()] {
            assert!(readiness(&running_ready, &opts).is_ready());
        }
        let succeeded = pod(json!({"phase": "Succeeded"}));
        assert!(readiness(&succeeded, &watcher()).is_ready());
        assert!(pending(readiness(&succeeded, &legacy())).contains("Ready condition"));

        let crashing = pod(json!({"phase": "Running", "containerStatuses": [
            {"name": "app", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}));
        assert_eq!(
            failed(readiness(&crashing, &watcher())),
            "Pod n/p: containers in CrashLoopBackOff: app"
        );

        let unschedulable = pod(json!({"phase": "Pending", "conditions": [
            {"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]}));
        assert!(pending(readiness(&unschedulable, &watcher())).contains("not scheduled"));
        let later = ReadyOptions {
            now: Some("2026-01-01T00:00:16Z".parse().unwrap()),
            ..watcher()
        };
        assert!(failed(readiness(&unschedulable, &later)).contains("could not be scheduled"));
        let soon = ReadyOptions {
            now: Some("2026-01-01T00:00:10Z".parse().unwrap()),
            ..watcher()
        };
        assert!(matches!(
            readiness(&unschedulable, &soon),
            Readiness::Pending(_)
        ));
    }

    fn job(spec: Json, status: Json) -> Json {
        json!({"apiVersion": "batch/v1", "kind": "Job",
               "metadata": {"name": "migrate", "namespace": "n"},
               "spec": spec, "status": status})
    }

    #[test]
    fn jobs_are_checked_only_with_wait_for_jobs() {
        let running = job(
            json!({"completions": 2, "backoffLimit": 1}),
            json!({"startTime": "2026-01-01T00:00:00Z", "active": 1, "succeeded": 1}),
        );
        assert!(readiness(&running, &watcher()).is_ready());
        assert!(readiness(&running, &legacy()).is_ready());
        assert_eq!(
            pending(readiness(&running, &with_jobs(watcher()))),
            "Job n/migrate: not complete: 1 of 2 completions succeeded, 1 active, 0 failed"
        );
        assert!(
            pending(readiness(&running, &with_jobs(legacy())))
                .contains("1 of 2 completions succeeded")
        );

        let not_started = job(json!({}), json!({}));
        assert!(pending(readiness(&not_started, &watcher())).contains("not started"));

        let complete = job(
            json!({"completions": 2}),
            json!({"succeeded": 2,
            "conditions": [{"type": "Complete", "status": "True"}]}),
        );
        for opts in [with_jobs(watcher()), with_jobs(legacy())] {
            assert!(readiness(&complete, &opts).is_ready());
        }

        let failed_job = job(
            json!({"completions": 1, "backoffLimit": 1}),
            json!({"failed": 2,
            "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                            "message": "Job has reached the specified backoff limit"}]}),
        );
        assert!(
            failed(readiness(&failed_job, &with_jobs(watcher()))).contains("BackoffLimitExceeded")
        );
        assert!(
            failed(readiness(&failed_job, &with_jobs(legacy()))).contains("exceed backoffLimit 1")
        );
    }

    #[test]
    fn pvcs_must_be_bound() {
        let claim = |phase: &str| {
            json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": "n"}, "status": {"phase": phase}})
        };
        for opts in [watcher(), legacy()] {
            assert!(readiness(&claim("Bound"), &opts).is_ready());
            assert!(pending(readiness(&claim("Pending"), &opts)).contains("not Bound"));
        }
    }

    fn service(spec: Json, status: Json) -> Json {
        json!({"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": "svc", "namespace": "n"}, "spec": spec, "status": status})
    }

    #[test]
    fn services_by_type() {
        let external = service(
            json!({"type": "ExternalName", "externalName": "x.example"}),
            json!({}),
        );
        let cluster_ip = service(
            json!({"type": "ClusterIP", "clusterIP": "10.0.0.1"}),
            json!({}),
        );
        let no_ip = service(json!({"type": "ClusterIP"}), json!({}));
        let lb_waiting = service(
            json!({"type": "LoadBalancer", "clusterIP": "10.0.0.2"}),
            json!({"loadBalancer": {}}),
        );
        let lb_ready = service(
            json!({"type": "LoadBalancer", "clusterIP": "10.0.0.2"}),
            json!({"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}}),
        );
        let lb_external = service(
            json!({"type": "LoadBalancer", "clusterIP": "10.0.0.2",
                                         "externalIPs": ["5.6.7.8"]}),
            json!({}),
        );
        for opts in [watcher(), legacy()] {
            assert!(readiness(&external, &opts).is_ready());
            assert!(readiness(&cluster_ip, &opts).is_ready());
            assert!(readiness(&lb_ready, &opts).is_ready());
            assert!(readiness(&lb_external, &opts).is_ready());
        }
        assert!(pending(readiness(&no_ip, &legacy())).contains("no cluster IP"));
        assert!(pending(readiness(&lb_waiting, &legacy())).contains("load balancer ingress"));
        // kstatus only waits for the cluster IP of LoadBalancer Services.
        assert!(readiness(&no_ip, &watcher()).is_ready());
        assert!(readiness(&lb_waiting, &watcher()).is_ready());
    }

    fn crd(conditions: Json) -> Json {
        json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
               "metadata": {"name": "widgets.example.com"}, "status": {"conditions": conditions}})
    }

    #[test]
    fn crds_wait_for_established() {
        let installing = crd(json!([{"type": "NamesAccepted", "status": "True"},
                                    {"type": "Established", "status": "False", "reason": "Installing"}]));
        let established = crd(json!([{"type": "NamesAccepted", "status": "True"},
                                     {"type": "Established", "status": "True"}]));
        let conflict = crd(json!([{"type": "NamesAccepted", "status": "False",
                                   "reason": "MultipleNamesNotAllowed", "message": "taken"}]));
        for opts in [watcher(), legacy()] {
            assert_eq!(
                pending(readiness(&installing, &opts)),
                "CustomResourceDefinition widgets.example.com: not Established yet"
            );
            assert!(readiness(&established, &opts).is_ready());
        }
        // A naming conflict: Helm 3 went on, kstatus reports a failure.
        assert!(readiness(&conflict, &legacy()).is_ready());
        assert!(failed(readiness(&conflict, &watcher())).contains("MultipleNamesNotAllowed"));
    }

    #[test]
    fn other_kinds_follow_generic_conditions_in_the_watcher() {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"}});
        assert!(readiness(&cm, &watcher()).is_ready());
        assert!(readiness(&cm, &legacy()).is_ready());
        let custom = |conditions: Json| {
            json!({"apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "w", "namespace": "n"}, "status": {"conditions": conditions}})
        };
        assert!(
            pending(readiness(
                &custom(json!([{"type": "Ready", "status": "False", "reason": "Waiting"}])),
                &watcher()
            ))
            .contains("Waiting")
        );
        assert!(
            failed(readiness(
                &custom(json!([{"type": "Stalled", "status": "True", "message": "bad spec"}])),
                &watcher()
            ))
            .contains("bad spec")
        );
        // Legacy never looks at custom resources.
        assert!(
            readiness(
                &custom(json!([{"type": "Ready", "status": "False"}])),
                &legacy()
            )
            .is_ready()
        );
        let mut deleting = cm;
        deleting["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
        assert!(pending(readiness(&deleting, &watcher())).contains("deletion"));
    }

    #[test]
    fn hooks_wait_for_completion() {
        let job_with = |conditions: Json| job(json!({}), json!({"conditions": conditions}));
        assert!(
            hook_readiness(&job_with(json!([{"type": "Complete", "status": "True"}]))).is_ready()
        );
        assert_eq!(
            failed(hook_readiness(&job_with(json!([
                {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}
            ])))),
            "Job n/migrate: failed: BackoffLimitExceeded"
        );
        assert!(matches!(
            hook_readiness(&job_with(json!([]))),
            Readiness::Pending(_)
        ));
        assert!(hook_readiness(&pod(json!({"phase": "Succeeded"}))).is_ready());
        assert!(matches!(
            hook_readiness(&pod(json!({"phase": "Failed"}))),
            Readiness::Failed(_)
        ));
        assert!(matches!(
            hook_readiness(&pod(json!({"phase": "Running"}))),
            Readiness::Pending(_)
        ));
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
        assert!(hook_readiness(&cm).is_ready());
    }

    #[test]
    fn hook_failures_use_each_strategys_wording() {
        // Helm v4 (helm-oracle, pre-install Job patched to Failed) printed:
        // failed pre-install: resource Job/NS/migrate not ready. status:
        // Failed, message: Job Failed. failed: 1/1
        let failed_job = job(
            json!({"backoffLimit": 0}),
            json!({"failed": 1, "conditions": [
            {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}),
        );
        assert_eq!(
            hook_failure_message(&failed_job, WaitStrategy::Watcher),
            "resource Job/n/migrate not ready. status: Failed, message: Job Failed. failed: 1/1"
        );
        assert_eq!(
            hook_failure_message(&failed_job, WaitStrategy::Legacy),
            "job migrate failed: BackoffLimitExceeded"
        );
        let failed_pod = pod(json!({"phase": "Failed"}));
        assert_eq!(
            hook_failure_message(&failed_pod, WaitStrategy::Watcher),
            "resource Pod/n/p not ready. status: Failed, message: pod p failed"
        );
        assert_eq!(
            hook_failure_message(&failed_pod, WaitStrategy::Legacy),
            "pod p failed"
        );
    }

    #[test]
    fn percentages_scale_like_intstr() {
        assert_eq!(scaled_int_or_percent(Some(&json!("25%")), 3, true), Some(1));
        assert_eq!(
            scaled_int_or_percent(Some(&json!("25%")), 3, false),
            Some(0)
        );
        assert_eq!(scaled_int_or_percent(Some(&json!(2)), 3, false), Some(2));
        assert_eq!(scaled_int_or_percent(Some(&json!("2")), 3, false), None);
        assert_eq!(scaled_int_or_percent(None, 3, false), None);
    }
}
