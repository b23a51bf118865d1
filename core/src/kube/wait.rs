//! Waiting on the cluster: `--wait` after install, upgrade and rollback,
//! hook resources until they finish, and `uninstall --wait` until objects
//! are gone.
//!
//! Every wait polls the server (one GET per object per round, run
//! concurrently) until the goal is reached or the timeout passes; readiness
//! itself is decided by the pure rules of [`crate::kube::ready`]. Polling
//! rather than watching keeps one code path for every kind and lets the
//! legacy rules read related objects (a Deployment's ReplicaSets, a
//! ReplicaSet's Pods) at the same moment as the object.

use crate::kube::error::{KubeError, Operation};
use crate::kube::ready::{
    Readiness, ReadyOptions, Related, RelatedQuery, WaitStrategy, describe, hook_failure_message,
    hook_readiness, readiness_with, related_query,
};
use crate::kube::resources::{ManifestObject, ResourceClient};
use crate::kube::retry::with_backoff;
use ::kube::api::{Api, DynamicObject, ListParams};
use serde_json::Value as Json;
use std::time::Duration;
use tokio::time::Instant;

/// Helm v4 replaces a zero timeout by 30 s (`DefaultStatusWatcherTimeout`)
/// rather than failing at once.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long and how often to wait, and by which rules.
#[derive(Clone, Debug, PartialEq)]
pub struct WaitOptions {
    /// `--timeout`; zero means [`DEFAULT_TIMEOUT`].
    pub timeout: Duration,
    /// Time between two polls of the server.
    pub interval: Duration,
    /// The readiness rules (strategy, `--wait-for-jobs`).
    pub ready: ReadyOptions,
}

impl Default for WaitOptions {
    /// Helm's defaults: 5 minutes, polled every 2 seconds (the legacy
    /// waiter's interval), with the v4 status watcher's rules.
    fn default() -> Self {
        WaitOptions {
            timeout: Duration::from_secs(300),
            interval: Duration::from_secs(2),
            ready: ReadyOptions::default(),
        }
    }
}

impl WaitOptions {
    fn effective_timeout(&self) -> Duration {
        if self.timeout.is_zero() {
            DEFAULT_TIMEOUT
        } else {
            self.timeout
        }
    }
}

/// What Helm v4's `--wait` flag asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitFlag {
    /// `--wait=hookOnly`, the default without `--wait`: only hooks are
    /// waited for (with the watcher's rules).
    HookOnly,
    /// `--wait`, `--wait=watcher` or `--wait=legacy`.
    Resources(WaitStrategy),
}

impl std::str::FromStr for WaitFlag {
    type Err = String;

    /// Helm's values, including the deprecated booleans (`true` is
    /// `watcher`, `false` is `hookOnly`), with Helm's error otherwise.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "watcher" | "true" => Ok(WaitFlag::Resources(WaitStrategy::Watcher)),
            "legacy" => Ok(WaitFlag::Resources(WaitStrategy::Legacy)),
            "hookOnly" | "false" => Ok(WaitFlag::HookOnly),
            other => Err(format!(
                "invalid wait input {other:?}. Valid inputs are watcher, hookOnly, and legacy"
            )),
        }
    }
}

impl WaitFlag {
    /// The rules hooks are waited for with: Helm 3's under `legacy`, the
    /// watcher's otherwise.
    pub fn hook_strategy(self) -> WaitStrategy {
        match self {
            WaitFlag::Resources(strategy) => strategy,
            WaitFlag::HookOnly => WaitStrategy::Watcher,
        }
    }
}

/// Progress of [`wait_ready`]: sent for every object on the first poll and
/// whenever its readiness changes, so a CLI can draw progress (or print one
/// JSON line per event with `-o json`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct WaitEvent {
    /// `apiVersion` of the object.
    pub api_version: String,
    /// Its kind.
    pub kind: String,
    /// Its namespace (the default namespace filled in), `None` when
    /// cluster-scoped.
    pub namespace: Option<String>,
    /// Its name.
    pub name: String,
    /// The verdict at this poll.
    pub readiness: Readiness,
    /// Time since the wait started.
    #[serde(rename = "elapsed_seconds", serialize_with = "seconds")]
    pub elapsed: Duration,
    /// Objects ready at this poll, of [`WaitEvent::total`].
    pub ready: usize,
    /// Objects waited for.
    pub total: usize,
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// How a hook resource ended ([`wait_hook`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HookOutcome {
    /// The Job completed or the Pod succeeded.
    Succeeded,
    /// The Job or Pod failed; the message is Helm's for the strategy
    /// ([`hook_failure_message`]).
    Failed(String),
    /// Not a Job or Pod: Helm does not wait for other kinds.
    NotWaited,
}

/// Waits until every object in `objects` is ready by `opts.ready`'s rules,
/// calling `on_event` as readiness changes. Errors: [`KubeError::WaitTimeout`]
/// listing every object not ready and why; [`KubeError::WaitFailed`] when
/// objects failed (at once with the legacy rules, as Helm 3's checker
/// aborts; with the watcher once every other object is ready, as Helm v4's
/// watcher stops waiting for failed objects); API errors that are not
/// transient (transient ones are retried, then count as "pending" until the
/// timeout).
pub async fn wait_ready(
    resources: &ResourceClient,
    objects: &[ManifestObject],
    opts: &WaitOptions,
    on_event: &(dyn Fn(&WaitEvent) + Send + Sync),
) -> Result<(), KubeError> {
    let start = Instant::now();
    let deadline = start + opts.effective_timeout();
    let targets = objects
        .iter()
        .map(|o| resources.resolve(o).map(|t| t.namespace))
        .collect::<Result<Vec<_>, _>>()?;
    let mut last: Vec<Option<Readiness>> = vec![None; objects.len()];
    loop {
        let ready_opts = ReadyOptions {
            now: Some(jiff::Timestamp::now()),
            ..opts.ready.clone()
        };
        let round = futures::future::join_all(
            objects
                .iter()
                .zip(&targets)
                .map(|(o, ns)| check_ready(resources, o, ns.as_deref(), &ready_opts)),
        );
        let verdicts = match tokio::time::timeout_at(deadline, round).await {
            Ok(v) => v.into_iter().collect::<Result<Vec<_>, _>>()?,
            Err(_) => return Err(timeout_error("ready", opts, &last, objects)),
        };
        let ready = verdicts.iter().filter(|v| v.is_ready()).count();
        for (i, verdict) in verdicts.iter().enumerate() {
            if last[i].as_ref() != Some(verdict) {
                on_event(&WaitEvent {
                    api_version: objects[i].api_version.clone(),
                    kind: objects[i].kind.clone(),
                    namespace: targets[i].clone(),
                    name: objects[i].name.clone(),
                    readiness: verdict.clone(),
                    elapsed: start.elapsed(),
                    ready,
                    total: objects.len(),
                });
            }
        }
        last = verdicts.into_iter().map(Some).collect();
        if ready == objects.len() {
            return Ok(());
        }
        let failed = failures(&last);
        let only_failures_left = last
            .iter()
            .flatten()
            .all(|v| matches!(v, Readiness::Ready | Readiness::Failed(_)));
        let give_up = match opts.ready.strategy {
            WaitStrategy::Legacy => !failed.is_empty(),
            WaitStrategy::Watcher => only_failures_left,
        };
        if give_up {
            return Err(KubeError::WaitFailed { failed });
        }
        if !sleep_until_next_poll(deadline, opts.interval).await {
            return Err(timeout_error("ready", opts, &last, objects));
        }
    }
}

/// Waits until a hook resource finishes, as Helm's `WatchUntilReady`: a Job
/// until its `Complete` or `Failed` condition, a Pod until phase `Succeeded`
/// or `Failed`. Other kinds return [`HookOutcome::NotWaited`] at once.
/// Runs out with [`KubeError::WaitTimeout`].
pub async fn wait_hook(
    resources: &ResourceClient,
    obj: &ManifestObject,
    opts: &WaitOptions,
) -> Result<HookOutcome, KubeError> {
    if !matches!(
        (obj.api_version.as_str(), obj.kind.as_str()),
        ("batch/v1", "Job") | ("v1", "Pod")
    ) {
        return Ok(HookOutcome::NotWaited);
    }
    let id = resolved_id(obj, resources.resolve(obj)?.namespace.as_deref());
    let deadline = Instant::now() + opts.effective_timeout();
    let mut last = None;
    loop {
        let verdict = match tokio::time::timeout_at(deadline, live(resources, obj)).await {
            Err(_) => {
                return Err(timeout_error(
                    "complete",
                    opts,
                    &[last],
                    std::slice::from_ref(obj),
                ));
            }
            Ok(Err(e)) => return Err(e),
            Ok(Ok(Live::Found(object))) => match hook_readiness(&object) {
                Readiness::Failed(_) => {
                    let message = hook_failure_message(&object, opts.ready.strategy);
                    return Ok(HookOutcome::Failed(message));
                }
                verdict => verdict,
            },
            Ok(Ok(other)) => Readiness::Pending(format!("{id}: {}", other.reason())),
        };
        match verdict {
            Readiness::Ready => return Ok(HookOutcome::Succeeded),
            other => last = Some(other),
        }
        if !sleep_until_next_poll(deadline, opts.interval).await {
            return Err(timeout_error(
                "complete",
                opts,
                &[last],
                std::slice::from_ref(obj),
            ));
        }
    }
}

/// Waits until every object is gone (404), for `uninstall --wait`. Objects
/// whose kind the server no longer serves (their CRD was deleted) count as
/// gone.
pub async fn wait_deleted(
    resources: &ResourceClient,
    objects: &[ManifestObject],
    opts: &WaitOptions,
) -> Result<(), KubeError> {
    let deadline = Instant::now() + opts.effective_timeout();
    let mut last: Vec<Option<Readiness>> = vec![None; objects.len()];
    loop {
        let round = futures::future::join_all(objects.iter().map(|o| check_deleted(resources, o)));
        let verdicts = match tokio::time::timeout_at(deadline, round).await {
            Ok(v) => v.into_iter().collect::<Result<Vec<_>, _>>()?,
            Err(_) => return Err(timeout_error("deleted", opts, &last, objects)),
        };
        if verdicts.iter().all(Readiness::is_ready) {
            return Ok(());
        }
        last = verdicts.into_iter().map(Some).collect();
        if !sleep_until_next_poll(deadline, opts.interval).await {
            return Err(timeout_error("deleted", opts, &last, objects));
        }
    }
}

/// Sleeps one interval, or until the deadline; false once the deadline passed.
async fn sleep_until_next_poll(deadline: Instant, interval: Duration) -> bool {
    let now = Instant::now();
    if now >= deadline {
        return false;
    }
    tokio::time::sleep_until((now + interval).min(deadline)).await;
    true
}

/// `Kind namespace/name` with the namespace the object really goes to.
fn resolved_id(obj: &ManifestObject, namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) => format!("{} {ns}/{}", obj.kind, obj.name),
        None => format!("{} {}", obj.kind, obj.name),
    }
}

/// `Kind namespace/name` as the manifest names it.
fn id_of(obj: &ManifestObject) -> String {
    match &obj.namespace {
        Some(ns) => format!("{} {ns}/{}", obj.kind, obj.name),
        None => format!("{} {}", obj.kind, obj.name),
    }
}

fn failures(verdicts: &[Option<Readiness>]) -> Vec<String> {
    verdicts
        .iter()
        .flatten()
        .filter_map(|v| match v {
            Readiness::Failed(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

fn timeout_error(
    goal: &str,
    opts: &WaitOptions,
    last: &[Option<Readiness>],
    objects: &[ManifestObject],
) -> KubeError {
    let pending = objects
        .iter()
        .zip(last)
        .filter_map(|(o, v)| match v {
            Some(Readiness::Ready) => None,
            Some(Readiness::Pending(r)) | Some(Readiness::Failed(r)) => Some(r.clone()),
            None => Some(format!("{}: not checked yet", id_of(o))),
        })
        .collect();
    KubeError::WaitTimeout {
        goal: goal.to_string(),
        timeout: go_duration(opts.effective_timeout()),
        pending,
        total: objects.len(),
    }
}

/// What a GET of an object found.
enum Live {
    Found(Json),
    Missing,
    /// The server kept failing transiently; the reason says how.
    Unreadable(String),
}

impl Live {
    fn reason(&self) -> String {
        match self {
            Live::Found(_) => String::new(),
            Live::Missing => "not found".to_string(),
            Live::Unreadable(e) => format!("cannot read it: {e}"),
        }
    }
}

async fn live(resources: &ResourceClient, obj: &ManifestObject) -> Result<Live, KubeError> {
    match resources.get(obj).await {
        Ok(Some(live)) => Ok(Live::Found(live)),
        Ok(None) => Ok(Live::Missing),
        Err(e) if e.is_transient() => Ok(Live::Unreadable(e.to_string())),
        Err(e) => Err(e),
    }
}

async fn check_ready(
    resources: &ResourceClient,
    obj: &ManifestObject,
    namespace: Option<&str>,
    opts: &ReadyOptions,
) -> Result<Readiness, KubeError> {
    let object = match live(resources, obj).await? {
        Live::Found(object) => object,
        // Helm 3's checker fails on a 404 at once; the watcher waits for it.
        Live::Missing if opts.strategy == WaitStrategy::Legacy => {
            let resource = resources.resolve(obj)?.resource.resource_name();
            return Err(KubeError::NotFound {
                operation: Box::new(Operation::new(
                    "get",
                    &resource,
                    &obj.name,
                    namespace.unwrap_or_default(),
                )),
                message: format!("{resource} {:?} not found", obj.name),
            });
        }
        other => {
            let id = resolved_id(obj, namespace);
            return Ok(Readiness::Pending(format!("{id}: {}", other.reason())));
        }
    };
    let Some(query) = related_query(&object, opts) else {
        return Ok(readiness_with(&object, &Related::default(), opts));
    };
    let ns = namespace.unwrap_or_default();
    let related = match &query {
        RelatedQuery::ReplicaSets(selector) => {
            list(resources, "apps/v1", "ReplicaSet", ns, selector).await
        }
        RelatedQuery::Pods(selector) => list(resources, "v1", "Pod", ns, selector).await,
    };
    let items = match related {
        Ok(items) => items,
        Err(e) if e.is_transient() => {
            return Ok(Readiness::Pending(format!(
                "{}: cannot list its {}: {e}",
                describe(&object),
                match query {
                    RelatedQuery::ReplicaSets(_) => "ReplicaSets",
                    RelatedQuery::Pods(_) => "Pods",
                }
            )));
        }
        Err(e) => return Err(e),
    };
    let related = match query {
        RelatedQuery::ReplicaSets(_) => Related {
            replica_sets: &items,
            pods: &[],
        },
        RelatedQuery::Pods(_) => Related {
            replica_sets: &[],
            pods: &items,
        },
    };
    Ok(readiness_with(&object, &related, opts))
}

async fn check_deleted(
    resources: &ResourceClient,
    obj: &ManifestObject,
) -> Result<Readiness, KubeError> {
    match resources.get(obj).await {
        Ok(None) => Ok(Readiness::Ready),
        Ok(Some(live)) => Ok(Readiness::Pending(format!(
            "{}: still exists",
            describe(&live)
        ))),
        Err(KubeError::NoMatch { .. }) => Ok(Readiness::Ready),
        Err(e) if e.is_transient() => Ok(Readiness::Pending(format!(
            "{}: cannot read it: {e}",
            id_of(obj)
        ))),
        Err(e) => Err(e),
    }
}

/// Objects of `api_version`/`kind` in `namespace` matching `selector`.
async fn list(
    resources: &ResourceClient,
    api_version: &str,
    kind: &str,
    namespace: &str,
    selector: &str,
) -> Result<Vec<Json>, KubeError> {
    let info = resources
        .discovery()
        .resolve(api_version, kind)
        .ok_or_else(|| KubeError::NoMatch {
            name: String::new(),
            namespace: namespace.to_string(),
            api_version: api_version.to_string(),
            kind: kind.to_string(),
        })?;
    let client = resources.client();
    let api: Api<DynamicObject> =
        Api::namespaced_with(client.raw().clone(), namespace, &info.api_resource);
    let op = Operation::new("list", &info.resource_name(), "", namespace);
    let params = ListParams::default().labels(selector);
    let listed = with_backoff(Default::default(), || async {
        api.list(&params)
            .await
            .map_err(|e| client.error(e, op.clone()))
    })
    .await?;
    listed
        .items
        .into_iter()
        .map(|o| {
            serde_json::to_value(o).map_err(|e| KubeError::Transport {
                operation: Box::new(op.clone()),
                reason: format!("cannot read the server's object: {e}"),
            })
        })
        .collect()
}

/// A duration as Go's `time.Duration.String` prints it (`5m0s`, `1h0m0s`,
/// `1.5s`, `300ms`), as Helm's messages show timeouts.
pub fn go_duration(d: Duration) -> String {
    if d.is_zero() {
        return "0s".to_string();
    }
    let nanos = d.as_nanos();
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    if nanos < 1_000_000 {
        return format!("{}µs", trim_fraction(nanos, 1_000));
    }
    if nanos < 1_000_000_000 {
        return format!("{}ms", trim_fraction(nanos, 1_000_000));
    }
    let total_secs = d.as_secs();
    let (h, m) = (total_secs / 3600, (total_secs / 60) % 60);
    let secs = trim_fraction(nanos % 60_000_000_000, 1_000_000_000);
    match (h, m) {
        (0, 0) => format!("{secs}s"),
        (0, m) => format!("{m}m{secs}s"),
        (h, m) => format!("{h}h{m}m{secs}s"),
    }
}

/// `value / unit` with its decimal fraction, trailing zeros dropped.
fn trim_fraction(value: u128, unit: u128) -> String {
    let whole = value / unit;
    let frac = value % unit;
    if frac == 0 {
        return whole.to_string();
    }
    let width = unit.ilog10() as usize;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn manifest(kind: &str, name: &str) -> ManifestObject {
        let api_version = if kind == "Job" { "batch/v1" } else { "v1" };
        ManifestObject::from_json(json!({
            "apiVersion": api_version, "kind": kind,
            "metadata": {"name": name, "namespace": "team"}
        }))
        .unwrap()
    }

    #[test]
    fn durations_print_like_go() {
        assert_eq!(go_duration(Duration::from_secs(300)), "5m0s");
        assert_eq!(go_duration(Duration::from_secs(3600)), "1h0m0s");
        assert_eq!(go_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(go_duration(Duration::from_millis(90_250)), "1m30.25s");
        assert_eq!(go_duration(Duration::from_millis(300)), "300ms");
        assert_eq!(go_duration(Duration::from_micros(1500)), "1.5ms");
        assert_eq!(go_duration(Duration::ZERO), "0s");
    }

    #[test]
    fn timeout_error_lists_every_unready_object() {
        let objects = [
            manifest("Service", "ready"),
            manifest("Pod", "slow"),
            manifest("Job", "never-seen"),
        ];
        let last = [
            Some(Readiness::Ready),
            Some(Readiness::Pending(
                "Pod team/slow: running but not Ready".into(),
            )),
            None,
        ];
        let opts = WaitOptions {
            timeout: Duration::from_secs(90),
            ..WaitOptions::default()
        };
        let text = timeout_error("ready", &opts, &last, &objects).to_string();
        assert_eq!(
            text,
            "timed out waiting for the condition after 1m30s: 2 of 3 resources not ready:\n  \
             - Pod team/slow: running but not Ready\n  \
             - Job team/never-seen: not checked yet\n\
             context deadline exceeded"
        );
    }

    #[test]
    fn events_serialize_as_json_lines() {
        let event = WaitEvent {
            api_version: "v1".into(),
            kind: "Pod".into(),
            namespace: Some("team".into()),
            name: "p".into(),
            readiness: Readiness::Pending("Pod team/p: phase Pending".into()),
            elapsed: Duration::from_millis(2500),
            ready: 0,
            total: 1,
        };
        let line = serde_json::to_value(&event).unwrap();
        assert_eq!(line["elapsed_seconds"], json!(2.5));
        assert_eq!(
            line["readiness"],
            json!({"state": "pending", "reason": "Pod team/p: phase Pending"})
        );
    }

    #[test]
    fn wait_flag_takes_helms_values() {
        use WaitStrategy::*;
        for (text, flag) in [
            ("watcher", WaitFlag::Resources(Watcher)),
            ("true", WaitFlag::Resources(Watcher)),
            ("legacy", WaitFlag::Resources(Legacy)),
            ("hookOnly", WaitFlag::HookOnly),
            ("false", WaitFlag::HookOnly),
        ] {
            assert_eq!(text.parse::<WaitFlag>(), Ok(flag), "{text}");
        }
        assert_eq!(
            "hookonly".parse::<WaitFlag>(),
            Err(
                "invalid wait input \"hookonly\". Valid inputs are watcher, hookOnly, and legacy"
                    .into()
            )
        );
        assert_eq!(WaitFlag::HookOnly.hook_strategy(), Watcher);
        assert_eq!(WaitFlag::Resources(Legacy).hook_strategy(), Legacy);
    }

    #[test]
    fn zero_timeout_means_helms_default() {
        let opts = WaitOptions {
            timeout: Duration::ZERO,
            ..WaitOptions::default()
        };
        assert_eq!(opts.effective_timeout(), DEFAULT_TIMEOUT);
    }
}
