//! `--wait`, hook and deletion waits against a real kube-apiserver
//! (`KUBECONFIG`). No controllers run there, so nothing becomes ready by
//! itself: each test creates objects, starts waiting, then plays the
//! controller by patching `/status`, and checks that the wait notices.
//! Every test uses its own fresh namespace and is skipped, with a note, when
//! KUBECONFIG is unset.

use hoist_core::kube::{
    ClientOptions, HookOutcome, KubeClient, KubeError, ManifestObject, Propagation, Readiness,
    ReadyOptions, ResourceClient, WaitEvent, WaitOptions, WaitStrategy, wait_deleted, wait_hook,
    wait_ready,
};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::{Value as Json, json};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn cluster_available(test: &str) -> bool {
    match std::env::var("KUBECONFIG") {
        Ok(k) if !k.is_empty() => true,
        _ => {
            eprintln!("skipping {test}: KUBECONFIG is unset (run tests/cluster/up.sh)");
            false
        }
    }
}

/// A namespace name no earlier run used (namespaces never finish deleting here).
fn fresh_namespace(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() % 1_000_000_000)
        .unwrap_or(0);
    format!(
        "{prefix}-{}-{}-{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

fn object(value: Json) -> ManifestObject {
    ManifestObject::from_json(value).unwrap()
}

/// A client whose default namespace is a new namespace holding a `default`
/// ServiceAccount (Pods are refused without one, and no controller makes it).
async fn setup(prefix: &str) -> (ResourceClient, String) {
    let ns = fresh_namespace(prefix);
    let client = KubeClient::connect(&ClientOptions {
        namespace: Some(ns.clone()),
        ..ClientOptions::default()
    })
    .await
    .unwrap();
    let resources = ResourceClient::connect(client).await.unwrap();
    let namespace =
        object(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}));
    resources.apply(&namespace, false).await.unwrap();
    let sa = object(
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}}),
    );
    resources.apply(&sa, false).await.unwrap();
    (resources, ns)
}

/// Creates every object and returns what the server stored.
async fn create(resources: &ResourceClient, objects: &[ManifestObject]) -> Vec<Json> {
    let mut stored = Vec::new();
    for o in objects {
        stored.push(resources.apply(o, false).await.unwrap());
    }
    stored
}

/// Merge-patches the status subresource, as a controller would.
async fn patch_status(resources: &ResourceClient, obj: &ManifestObject, status: Json) {
    let target = resources.resolve(obj).unwrap();
    let raw = resources.client().raw().clone();
    let api: Api<DynamicObject> = match &target.namespace {
        Some(ns) => Api::namespaced_with(raw, ns, &target.resource.api_resource),
        None => Api::all_with(raw, &target.resource.api_resource),
    };
    api.patch_status(
        &obj.name,
        &PatchParams::default(),
        &Patch::Merge(&json!({"status": status})),
    )
    .await
    .unwrap();
}

fn fast(strategy: WaitStrategy, timeout_ms: u64) -> WaitOptions {
    WaitOptions {
        timeout: Duration::from_millis(timeout_ms),
        interval: Duration::from_millis(100),
        ready: ReadyOptions {
            strategy,
            ..ReadyOptions::default()
        },
    }
}

fn deployment(name: &str, replicas: i64) -> ManifestObject {
    object(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
        }
    }))
}

/// The status the deployment controller reports once a rollout finished.
fn deployment_done(generation: i64, replicas: i64) -> Json {
    json!({
        "observedGeneration": generation, "replicas": replicas, "updatedReplicas": replicas,
        "readyReplicas": replicas, "availableReplicas": replicas,
        "conditions": [
            {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}
        ]
    })
}

fn generation(stored: &Json) -> i64 {
    stored["metadata"]["generation"].as_i64().unwrap()
}

#[tokio::test]
async fn watcher_wait_returns_once_statuses_are_patched_ready() {
    if !cluster_available("watcher_wait_returns_once_statuses_are_patched_ready") {
        return;
    }
    let (resources, ns) = setup("hoist-wait-watch").await;
    let objects = vec![
        deployment("web", 2),
        object(
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                      "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "protocol": "TCP"}]}}),
        ),
        object(
            json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
                      "spec": {"accessModes": ["ReadWriteOnce"],
                               "resources": {"requests": {"storage": "1Gi"}}}}),
        ),
        object(
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "seed"},
                      "spec": {"template": {"spec": {"restartPolicy": "Never",
                               "containers": [{"name": "c", "image": "busybox"}]}}}}),
        ),
        object(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "conf"}})),
    ];
    let stored = create(&resources, &objects).await;
    let events: Mutex<Vec<WaitEvent>> = Mutex::new(Vec::new());
    let record = |e: &WaitEvent| events.lock().unwrap().push(e.clone());
    let mut opts = fast(WaitStrategy::Watcher, 10_000);
    opts.ready.wait_for_jobs = true;

    let controller = async {
        tokio::time::sleep(Duration::from_millis(400)).await;
        patch_status(
            &resources,
            &objects[0],
            deployment_done(generation(&stored[0]), 2),
        )
        .await;
        patch_status(&resources, &objects[2], json!({"phase": "Bound"})).await;
        patch_status(
            &resources,
            &objects[3],
            json!({
                "startTime": "2026-01-01T00:00:00Z", "completionTime": "2026-01-01T00:00:05Z",
                "succeeded": 1,
                "conditions": [{"type": "Complete", "status": "True"}]
            }),
        )
        .await;
    };
    let (result, ()) = tokio::join!(wait_ready(&resources, &objects, &opts, &record), controller);
    result.unwrap();

    let events = events.into_inner().unwrap();
    let of = |kind: &str| events.iter().filter(|e| e.kind == kind).collect::<Vec<_>>();
    let deploy = of("Deployment");
    assert_eq!(
        deploy[0].readiness,
        Readiness::Pending(format!("Deployment {ns}/web: 0 of 2 replicas created"))
    );
    assert_eq!(deploy.last().unwrap().readiness, Readiness::Ready);
    assert_eq!(deploy[0].namespace.as_deref(), Some(ns.as_str()));
    assert!(
        matches!(&of("Job")[0].readiness, Readiness::Pending(r) if r.contains("not complete")),
        "{events:?}"
    );
    // The Service has its cluster IP at once and the ConfigMap is always ready.
    assert_eq!(of("Service")[0].readiness, Readiness::Ready);
    assert_eq!(of("ConfigMap").len(), 1);
    let last = events.last().unwrap();
    assert_eq!((last.ready, last.total), (5, 5));
}

#[tokio::test]
async fn legacy_wait_reads_the_newest_replica_set_of_a_deployment() {
    if !cluster_available("legacy_wait_reads_the_newest_replica_set_of_a_deployment") {
        return;
    }
    let (resources, _ns) = setup("hoist-wait-legacy").await;
    let dep = deployment("api", 4);
    let stored = create(&resources, std::slice::from_ref(&dep)).await;
    let uid = stored[0]["metadata"]["uid"].as_str().unwrap().to_string();
    // What the deployment controller would create: a ReplicaSet it
    // controls, with the Deployment's template plus the hash label.
    let mut template = stored[0]["spec"]["template"].clone();
    template["metadata"]["labels"]["pod-template-hash"] = json!("5d4f");
    let rs = object(json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": "api-5d4f", "labels": {"app": "api", "pod-template-hash": "5d4f"},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                                          "name": "api", "uid": uid, "controller": true}]},
        "spec": {"replicas": 4, "selector": {"matchLabels": {"app": "api", "pod-template-hash": "5d4f"}},
                 "template": template}
    }));
    let rs_stored = create(&resources, std::slice::from_ref(&rs)).await;
    let opts = fast(WaitStrategy::Legacy, 10_000);
    let events: Mutex<Vec<Readiness>> = Mutex::new(Vec::new());
    let record = |e: &WaitEvent| events.lock().unwrap().push(e.readiness.clone());

    let controller = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        patch_status(
            &resources,
            &dep,
            json!({"observedGeneration": generation(&stored[0])}),
        )
        .await;
        // 2 ready of 4 with maxUnavailable 1 (25%): still waiting.
        patch_status(
            &resources,
            &rs,
            json!({"replicas": 4,
            "observedGeneration": generation(&rs_stored[0]), "readyReplicas": 2}),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        patch_status(&resources, &rs, json!({"readyReplicas": 3})).await;
    };
    let (result, ()) = tokio::join!(
        wait_ready(&resources, std::slice::from_ref(&dep), &opts, &record),
        controller
    );
    result.unwrap();
    let events = events.into_inner().unwrap();
    assert!(
        events.iter().any(
            |r| matches!(r, Readiness::Pending(m) if m.ends_with("2 of 4 replicas ready, 3 needed"))
        ),
        "{events:?}"
    );
    assert_eq!(events.last(), Some(&Readiness::Ready));
}

#[tokio::test]
async fn timeout_lists_every_pending_object() {
    if !cluster_available("timeout_lists_every_pending_object") {
        return;
    }
    let (resources, ns) = setup("hoist-wait-timeout").await;
    let objects = vec![
        deployment("slow", 1),
        object(
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
            "spec": {"replicas": 1, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                     "template": {"metadata": {"labels": {"app": "db"}},
                                  "spec": {"containers": [{"name": "c", "image": "postgres"}]}}}}),
        ),
        object(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fine"}})),
    ];
    create(&resources, &objects).await;
    let started = std::time::Instant::now();
    let err = wait_ready(
        &resources,
        &objects,
        &fast(WaitStrategy::Watcher, 1_000),
        &|_| {},
    )
    .await
    .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    let KubeError::WaitTimeout { pending, total, .. } = &err else {
        panic!("expected a timeout, got {err}");
    };
    assert_eq!(*total, 3);
    assert_eq!(
        pending,
        &vec![
            format!("Deployment {ns}/slow: 0 of 1 replicas created"),
            format!("StatefulSet {ns}/db: 0 of 1 replicas created"),
        ]
    );
    let text = err.to_string();
    assert!(
        text.starts_with(
            "timed out waiting for the condition after 1s: 2 of 3 resources not ready:"
        ),
        "{text}"
    );
}

fn job(name: &str) -> ManifestObject {
    object(
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
        "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never",
                 "containers": [{"name": "c", "image": "busybox"}]}}}}),
    )
}

#[tokio::test]
async fn failed_job_hook_reports_helms_message() {
    if !cluster_available("failed_job_hook_reports_helms_message") {
        return;
    }
    let (resources, ns) = setup("hoist-wait-job").await;
    let hook = job("pre-install-migrate");
    create(&resources, std::slice::from_ref(&hook)).await;
    let controller = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        patch_status(
            &resources,
            &hook,
            json!({"failed": 1, "conditions": [
            {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
             "message": "Job has reached the specified backoff limit"}]}),
        )
        .await;
    };
    let opts = fast(WaitStrategy::Watcher, 10_000);
    let (outcome, ()) = tokio::join!(wait_hook(&resources, &hook, &opts), controller);
    assert_eq!(
        outcome.unwrap(),
        HookOutcome::Failed(format!(
            "resource Job/{ns}/pre-install-migrate not ready. status: Failed, message: Job Failed. failed: 1/1"
        ))
    );
    // Helm 3's wording with the legacy strategy.
    let legacy = fast(WaitStrategy::Legacy, 2_000);
    assert_eq!(
        wait_hook(&resources, &hook, &legacy).await.unwrap(),
        HookOutcome::Failed("job pre-install-migrate failed: BackoffLimitExceeded".into())
    );
}

#[tokio::test]
async fn pod_hook_succeeds_and_other_kinds_are_not_waited_for() {
    if !cluster_available("pod_hook_succeeds_and_other_kinds_are_not_waited_for") {
        return;
    }
    let (resources, _ns) = setup("hoist-wait-pod").await;
    let pod = object(
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "test-conn"},
        "spec": {"restartPolicy": "Never", "automountServiceAccountToken": false,
                 "containers": [{"name": "c", "image": "busybox"}]}}),
    );
    create(&resources, std::slice::from_ref(&pod)).await;
    let controller = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        patch_status(&resources, &pod, json!({"phase": "Running"})).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        patch_status(&resources, &pod, json!({"phase": "Succeeded"})).await;
    };
    let opts = fast(WaitStrategy::Watcher, 10_000);
    let (outcome, ()) = tokio::join!(wait_hook(&resources, &pod, &opts), controller);
    assert_eq!(outcome.unwrap(), HookOutcome::Succeeded);

    // A ConfigMap hook is done once created: no request is even made.
    let cm =
        object(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "absent"}}));
    assert_eq!(
        wait_hook(&resources, &cm, &opts).await.unwrap(),
        HookOutcome::NotWaited
    );

    // A Job that never finishes runs into the timeout.
    let stuck = job("stuck");
    create(&resources, std::slice::from_ref(&stuck)).await;
    let err = wait_hook(&resources, &stuck, &fast(WaitStrategy::Watcher, 500))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("not complete: 0 of 1 completions succeeded"),
        "{err}"
    );
}

#[tokio::test]
async fn wait_deleted_returns_when_objects_are_gone() {
    if !cluster_available("wait_deleted_returns_when_objects_are_gone") {
        return;
    }
    let (resources, ns) = setup("hoist-wait-del").await;
    let objects = vec![
        object(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}})),
        object(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b"}})),
    ];
    create(&resources, &objects).await;
    let err = wait_deleted(&resources, &objects, &fast(WaitStrategy::Watcher, 300))
        .await
        .unwrap_err();
    let expected = format!("2 of 2 resources not deleted:\n  - ConfigMap {ns}/a: still exists");
    assert!(err.to_string().contains(&expected), "{err}");
    let deleter = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        for o in &objects {
            assert!(resources.delete(o, Propagation::Background).await.unwrap());
        }
    };
    let opts = fast(WaitStrategy::Watcher, 10_000);
    let (result, ()) = tokio::join!(wait_deleted(&resources, &objects, &opts), deleter);
    result.unwrap();
}

#[tokio::test]
async fn failed_objects_end_the_wait_with_their_reasons() {
    if !cluster_available("failed_objects_end_the_wait_with_their_reasons") {
        return;
    }
    let (resources, ns) = setup("hoist-wait-failed").await;
    let objects = vec![
        deployment("stuck", 1),
        object(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fine"}})),
    ];
    let stored = create(&resources, &objects).await;
    // The controller gave up on the rollout: the watcher stops waiting for
    // the Deployment and, nothing else being pending, fails at once.
    patch_status(
        &resources,
        &objects[0],
        json!({
            "observedGeneration": generation(&stored[0]),
            "conditions": [{"type": "Progressing", "status": "False",
                            "reason": "ProgressDeadlineExceeded",
                            "message": "ReplicaSet \"stuck-1\" has timed out progressing."}]
        }),
    )
    .await;
    let started = std::time::Instant::now();
    let err = wait_ready(
        &resources,
        &objects,
        &fast(WaitStrategy::Watcher, 10_000),
        &|_| {},
    )
    .await
    .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "waited for the timeout"
    );
    let KubeError::WaitFailed { failed } = &err else {
        panic!("expected a failure, got {err}");
    };
    assert_eq!(
        failed,
        &vec![format!(
            "Deployment {ns}/stuck: progress deadline exceeded: ProgressDeadlineExceeded: \
             ReplicaSet \"stuck-1\" has timed out progressing."
        )]
    );

    // Helm 3's checker fails at once on an object that does not exist.
    let missing = vec![deployment("never-created", 1)];
    let err = wait_ready(
        &resources,
        &missing,
        &fast(WaitStrategy::Legacy, 10_000),
        &|_| {},
    )
    .await
    .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}
