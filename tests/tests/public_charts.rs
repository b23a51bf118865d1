//! Reproducers of differences found by comparing hoist with Helm v4 on
//! public charts (`tests/public-charts/compare.sh`, a development tool), kept
//! as small self-written fixture charts so CI holds them fixed without
//! third-party code.
//!
//! Layout of `tests/fixtures/engine` (the same as hoist-core's gotemplate
//! goldens, so `GOTEMPLATE_FIXTURES` can point that harness here too):
//! `cases.txt` lines `CASE CHART VALUES_JSON`, and `expected/CASE.json`
//! with what real Helm produced (`manifest`, `hooks`, or `error`), written
//! by `gen.sh` with helm-render (Kubernetes 1.33, its fake API server's API
//! versions). Each case runs `hoist template` with the same release name,
//! namespace, Kubernetes version and API versions, and must print exactly
//! what `helm template` prints: the trimmed manifest, then each hook.

use hoist_e2e::{fixture, hoist};

/// Capabilities.APIVersions of the server behind the expected outputs.
const API_VERSIONS: &str = "v1,v1/Pod,v1/Service,v1/ConfigMap,v1/Secret,v1/ServiceAccount,v1/PersistentVolumeClaim,v1/PersistentVolume,v1/Namespace,v1/Endpoints,v1/Event,v1/LimitRange,v1/ResourceQuota,v1/ReplicationController,v1/Node,v1/PodTemplate,apps/v1,apps/v1/Deployment,apps/v1/StatefulSet,apps/v1/DaemonSet,apps/v1/ReplicaSet,apps/v1/ControllerRevision,batch/v1,batch/v1/Job,batch/v1/CronJob,autoscaling/v1,autoscaling/v1/HorizontalPodAutoscaler,autoscaling/v2,autoscaling/v2/HorizontalPodAutoscaler,policy/v1,policy/v1/PodDisruptionBudget,networking.k8s.io/v1,networking.k8s.io/v1/Ingress,networking.k8s.io/v1/NetworkPolicy,networking.k8s.io/v1/IngressClass,rbac.authorization.k8s.io/v1,rbac.authorization.k8s.io/v1/Role,rbac.authorization.k8s.io/v1/RoleBinding,rbac.authorization.k8s.io/v1/ClusterRole,rbac.authorization.k8s.io/v1/ClusterRoleBinding,storage.k8s.io/v1,storage.k8s.io/v1/StorageClass,storage.k8s.io/v1/CSIDriver,storage.k8s.io/v1/VolumeAttachment,apiextensions.k8s.io/v1,apiextensions.k8s.io/v1/CustomResourceDefinition,admissionregistration.k8s.io/v1,admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration,admissionregistration.k8s.io/v1/MutatingWebhookConfiguration,scheduling.k8s.io/v1,scheduling.k8s.io/v1/PriorityClass,coordination.k8s.io/v1,coordination.k8s.io/v1/Lease,discovery.k8s.io/v1,discovery.k8s.io/v1/EndpointSlice,certificates.k8s.io/v1,certificates.k8s.io/v1/CertificateSigningRequest,apiregistration.k8s.io/v1,apiregistration.k8s.io/v1/APIService,node.k8s.io/v1,node.k8s.io/v1/RuntimeClass";

/// What `helm template` prints for Helm's release JSON.
fn helm_template_output(expected: &serde_json::Value) -> String {
    let mut out = expected["manifest"]
        .as_str()
        .unwrap_or("")
        .trim()
        .to_string();
    out.push('\n');
    for hook in expected["hooks"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "---\n# Source: {}\n{}\n",
            hook["path"].as_str().unwrap_or(""),
            hook["manifest"].as_str().unwrap_or("")
        ));
    }
    out
}

#[test]
fn engine_reproducers_render_like_helm() {
    let root = fixture("engine");
    let cases = std::fs::read_to_string(root.join("cases.txt")).unwrap();
    let mut failures = Vec::new();
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let mut parts = line.splitn(3, ' ');
        let (case, chart, values) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap_or("{}"),
        );
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root.join(format!("expected/{case}.json"))).unwrap(),
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let values_file = dir.path().join("values.json");
        std::fs::write(&values_file, values).unwrap();
        let chart_dir = root.join(chart);
        let run = hoist(&[
            "template",
            "rel",
            chart_dir.to_str().unwrap(),
            "-n",
            "default",
            "--kube-version",
            "v1.33.0",
            "-a",
            API_VERSIONS,
            "-f",
            values_file.to_str().unwrap(),
        ]);
        if let Some(err) = expected["error"].as_str() {
            let last = err.lines().last().unwrap_or(err);
            if run.code == 0 || !run.stderr.replace('\n', " ").contains(last) {
                failures.push(format!("{case}: want error {last:?}, got {}", run.stderr));
            }
            continue;
        }
        let want = helm_template_output(&expected);
        if run.code != 0 || run.stdout != want {
            let diff: Vec<String> = want
                .lines()
                .zip(run.stdout.lines())
                .enumerate()
                .filter(|(_, (w, g))| w != g)
                .take(5)
                .map(|(i, (w, g))| format!("  line {}: want {w:?}\n           got  {g:?}", i + 1))
                .collect();
            failures.push(format!("{case}: {}\n{}", run.stderr, diff.join("\n")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
