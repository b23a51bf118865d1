//! Golden tests of the Go template engine against real Helm v4.
//!
//! Each case of `fixtures/gotemplate/cases.txt` names a fixture chart and the
//! values passed to Helm; `fixtures/gotemplate/expected/CASE.json` holds what
//! Helm produced (`manifest` and `notes`, or `error`), generated with
//! `fixtures/gotemplate/gen.sh` (hooks included). The harness runs the whole
//! stack as an install does: [`hoist_core::chart::load`], the values pipeline
//! ([`hoist_core::values::render_values`]) and [`hoist_core::engine::render`],
//! then compares, per template, the documents Helm put under `# Source: PATH`
//! with the ones rendered here.

use hoist_core::engine::{Capabilities, KubeVersion, ReleaseInfo, RenderContext};
use hoist_core::values::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The fixtures folder; `GOTEMPLATE_FIXTURES` points the same harness at
/// another folder of the same layout (e.g. third-party charts kept locally).
fn fixtures() -> String {
    std::env::var("GOTEMPLATE_FIXTURES").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gotemplate").to_string()
    })
}

/// The API versions the development cluster behind the expected outputs
/// serves (group/version and group/version/Kind forms).
const API_VERSIONS: &str = "v1,v1/Pod,v1/Service,v1/ConfigMap,v1/Secret,v1/ServiceAccount,v1/PersistentVolumeClaim,v1/PersistentVolume,v1/Namespace,v1/Endpoints,v1/Event,v1/LimitRange,v1/ResourceQuota,v1/ReplicationController,v1/Node,v1/PodTemplate,apps/v1,apps/v1/Deployment,apps/v1/StatefulSet,apps/v1/DaemonSet,apps/v1/ReplicaSet,apps/v1/ControllerRevision,batch/v1,batch/v1/Job,batch/v1/CronJob,autoscaling/v1,autoscaling/v1/HorizontalPodAutoscaler,autoscaling/v2,autoscaling/v2/HorizontalPodAutoscaler,policy/v1,policy/v1/PodDisruptionBudget,networking.k8s.io/v1,networking.k8s.io/v1/Ingress,networking.k8s.io/v1/NetworkPolicy,networking.k8s.io/v1/IngressClass,rbac.authorization.k8s.io/v1,rbac.authorization.k8s.io/v1/Role,rbac.authorization.k8s.io/v1/RoleBinding,rbac.authorization.k8s.io/v1/ClusterRole,rbac.authorization.k8s.io/v1/ClusterRoleBinding,storage.k8s.io/v1,storage.k8s.io/v1/StorageClass,storage.k8s.io/v1/CSIDriver,storage.k8s.io/v1/VolumeAttachment,apiextensions.k8s.io/v1,apiextensions.k8s.io/v1/CustomResourceDefinition,admissionregistration.k8s.io/v1,admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration,admissionregistration.k8s.io/v1/MutatingWebhookConfiguration,scheduling.k8s.io/v1,scheduling.k8s.io/v1/PriorityClass,coordination.k8s.io/v1,coordination.k8s.io/v1/Lease,discovery.k8s.io/v1,discovery.k8s.io/v1/EndpointSlice,certificates.k8s.io/v1,certificates.k8s.io/v1/CertificateSigningRequest,apiregistration.k8s.io/v1,apiregistration.k8s.io/v1/APIService,node.k8s.io/v1,node.k8s.io/v1/RuntimeClass";

fn context() -> RenderContext {
    RenderContext {
        release: ReleaseInfo {
            name: "rel".into(),
            ..Default::default()
        },
        capabilities: Capabilities {
            kube_version: KubeVersion::parse("v1.33.0").unwrap(),
            api_versions: API_VERSIONS.split(',').map(String::from).collect(),
            helm_version: "v4.0.0".into(),
        },
        lookup: None,
        lint_mode: false,
        enable_dns: false,
    }
}

/// Helm's `releaseutil.SplitManifests`, trimmed documents in order.
fn split_docs(text: &str) -> Vec<String> {
    let sep = regex::Regex::new(r"(?:^|\s*\n)---\s*").unwrap();
    sep.split(text.trim())
        .filter(|d| !d.is_empty())
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .collect()
}

/// Helm's manifest: `---\n# Source: PATH\nDOC` blocks → PATH → docs.
fn parse_manifest(manifest: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for block in manifest.split("---\n# Source: ").skip(1) {
        let (path, doc) = block.split_once('\n').unwrap_or((block, ""));
        out.entry(path.to_string())
            .or_default()
            .push(doc.trim().to_string());
    }
    for docs in out.values_mut() {
        docs.sort();
    }
    out
}

/// With `GOTEMPLATE_LOOSE_YAML` set, hides what only the YAML writer decides
/// (scalar quoting, and checksums of YAML text), to see the engine's own
/// differences on third-party charts while `toYaml` is not exact yet.
fn loosen(docs: Vec<String>) -> Vec<String> {
    if std::env::var_os("GOTEMPLATE_LOOSE_YAML").is_none() {
        return docs;
    }
    let checksum = regex::Regex::new(r"(checksum/[\w.-]+: )[0-9a-f]{64}").unwrap();
    let mut out: Vec<String> = docs
        .into_iter()
        .map(|d| {
            checksum
                .replace_all(&d.replace(['"', '\''], ""), "${1}X")
                .into_owned()
        })
        .collect();
    out.sort();
    out
}

/// The lines that differ between Helm's documents and ours.
fn diff(want: &[String], got: &[String]) -> String {
    if want.len() != got.len() {
        return format!(
            "  {} documents from Helm, {} here\n  want: {want:#?}\n  got:  {got:#?}",
            want.len(),
            got.len()
        );
    }
    let mut out = String::new();
    for (w, g) in want.iter().zip(got) {
        let (wl, gl): (Vec<&str>, Vec<&str>) = (w.lines().collect(), g.lines().collect());
        for i in 0..wl.len().max(gl.len()) {
            let (a, b) = (wl.get(i).copied(), gl.get(i).copied());
            if a != b {
                out.push_str(&format!(
                    "  line {}\n    want: {a:?}\n    got:  {b:?}\n",
                    i + 1
                ));
            }
        }
    }
    out
}

/// The case's `values` member, read with [`hoist_core::json::parse`] (every
/// number a float64, as Helm's JSON values are).
fn case_values(expected: &serde_json::Value) -> Value {
    let text = serde_json::to_string(&expected["values"]).unwrap();
    hoist_core::json::parse(&text).unwrap()
}

struct Outcome {
    compared: usize,
    failures: Vec<String>,
}

fn run_case(name: &str, chart_name: &str) -> Outcome {
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}/expected/{name}.json", fixtures())).unwrap(),
    )
    .unwrap();
    let mut chart = hoist_core::chart::load(Path::new(&fixtures()).join(chart_name))
        .unwrap_or_else(|e| panic!("{name}: loading {chart_name}: {e}"));
    // The user values as Helm received them: JSON read the way Go reads it.
    let user = case_values(&expected);
    let values = hoist_core::values::render_values(&mut chart, &user, false)
        .unwrap_or_else(|e| panic!("{name}: values: {e}"))
        .values;
    let result = hoist_core::engine::render(&chart, &values, &context());
    let mut out = Outcome {
        compared: 0,
        failures: Vec::new(),
    };
    if let Some(err) = expected.get("error").and_then(|e| e.as_str()) {
        out.compared += 1;
        match result {
            Ok(_) => out
                .failures
                .push(format!("{name}: expected error {err:?}, rendered fine")),
            Err(e) if e.to_string() == err => {}
            Err(e) => out.failures.push(format!(
                "{name}: error differs\n  want: {err:?}\n  got:  {:?}",
                e.to_string()
            )),
        }
        return out;
    }
    let rendered = match result {
        Ok(r) => r,
        Err(e) => {
            out.compared += 1;
            out.failures.push(format!("{name}: unexpected error {e}"));
            return out;
        }
    };
    let mut want = parse_manifest(expected["manifest"].as_str().unwrap_or_default());
    // Hooks are kept apart by Helm; each is one document of its template.
    for h in expected["hooks"].as_array().into_iter().flatten() {
        let path = h["path"].as_str().unwrap_or_default().to_string();
        let docs = want.entry(path).or_default();
        docs.push(
            h["manifest"]
                .as_str()
                .unwrap_or_default()
                .trim()
                .to_string(),
        );
        docs.sort();
    }
    let notes_path = format!("{chart_name}/templates/NOTES.txt");
    let mut seen = Vec::new();
    for (path, text) in &rendered {
        if path.ends_with("NOTES.txt") {
            if *path == notes_path {
                out.compared += 1;
                let want_notes = expected["notes"].as_str().unwrap_or_default();
                if text.trim() != want_notes.trim() {
                    out.failures.push(format!(
                        "{name}: {path}\n  want: {want_notes:?}\n  got:  {text:?}"
                    ));
                }
            }
            continue;
        }
        let mut docs = split_docs(text);
        docs.sort();
        let want_docs = want.get(path).cloned().unwrap_or_default();
        out.compared += 1;
        seen.push(path.clone());
        let (docs, want_docs) = (loosen(docs), loosen(want_docs));
        if docs != want_docs {
            out.failures
                .push(format!("{name}: {path}\n{}", diff(&want_docs, &docs)));
        }
    }
    for path in want.keys() {
        if !seen.contains(path) {
            out.compared += 1;
            out.failures
                .push(format!("{name}: {path} rendered by Helm but not here"));
        }
    }
    out
}

#[test]
fn fixtures_render_like_helm() {
    let cases = std::fs::read_to_string(format!("{}/cases.txt", fixtures())).unwrap();
    let mut compared = 0;
    let mut failures = Vec::new();
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let mut parts = line.split_whitespace();
        let (Some(name), Some(chart)) = (parts.next(), parts.next()) else {
            continue;
        };
        let o = run_case(name, chart);
        compared += o.compared;
        failures.extend(o.failures);
    }
    let passed = compared - failures.len();
    eprintln!("gotemplate golden: {passed}/{compared} template outputs match Helm");
    for f in &failures {
        eprintln!("MISMATCH {f}\n");
    }
    assert!(
        failures.is_empty(),
        "{} of {compared} differ",
        failures.len()
    );
}
