//! Helpers for tests against a real API server: the KUBECONFIG check,
//! fresh namespaces, and reading objects and release records back through
//! hoist-core.

use crate::hoist;
use hoist_core::kube::{ClientOptions, KubeClient, ManifestObject, ResourceClient};
use hoist_core::release::record::Release;
use hoist_core::storage::codec::{record_json, release_from_secret};
use serde_json::{Value as Json, json};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The cluster's kubeconfig, or `None` (and a note) to skip the test.
pub fn cluster(test: &str) -> Option<String> {
    match std::env::var("KUBECONFIG") {
        Ok(k) if !k.is_empty() => Some(k),
        _ => {
            eprintln!("skipping {test}: KUBECONFIG is unset (run tests/cluster/up.sh)");
            None
        }
    }
}

/// A namespace name no earlier run used (namespaces never finish deleting here).
pub fn fresh_namespace(prefix: &str) -> String {
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

/// Reads objects from the cluster with hoist-core's client.
pub struct Cluster {
    /// The runtime the client runs on.
    pub rt: tokio::runtime::Runtime,
    /// Cluster access in the test's namespace.
    pub resources: ResourceClient,
}

impl Cluster {
    /// The cluster KUBECONFIG names, in `namespace`.
    pub fn connect(namespace: &str) -> Self {
        Self::connect_to(None, namespace)
    }

    /// The cluster of `kubeconfig` (KUBECONFIG's with `None`), in `namespace`.
    pub fn connect_to(kubeconfig: Option<&str>, namespace: &str) -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let resources = rt.block_on(async {
            let client = KubeClient::connect(&ClientOptions {
                kubeconfig: kubeconfig.map(Into::into),
                namespace: Some(namespace.to_string()),
                ..ClientOptions::default()
            })
            .await
            .unwrap();
            ResourceClient::connect(client).await.unwrap()
        });
        Cluster { rt, resources }
    }

    pub fn get(&self, api_version: &str, kind: &str, name: &str) -> Option<Json> {
        let obj = ManifestObject::from_json(json!({
            "apiVersion": api_version, "kind": kind, "metadata": {"name": name}
        }))
        .unwrap();
        self.rt.block_on(self.resources.get(&obj)).unwrap()
    }

    /// The release record stored in Secret `sh.helm.release.v1.NAME.vN`.
    pub fn record(&self, name: &str, version: i64) -> Option<Release> {
        self.get(
            "v1",
            "Secret",
            &format!("sh.helm.release.v1.{name}.v{version}"),
        )
        .map(|s| release_from_secret(&s).unwrap())
    }
}

pub fn assert_owned(object: &Json, release: &str, namespace: &str) {
    let meta = &object["metadata"];
    assert_eq!(meta["labels"]["app.kubernetes.io/managed-by"], "Helm");
    assert_eq!(meta["annotations"]["meta.helm.sh/release-name"], release);
    assert_eq!(
        meta["annotations"]["meta.helm.sh/release-namespace"],
        namespace
    );
}

pub fn ok(args: &[&str]) -> String {
    let r = hoist(args);
    assert_eq!(r.code, 0, "hoist {args:?} failed: {}", r.stderr);
    r.stdout
}

impl Cluster {
    /// Every stored revision of release `name`, oldest first.
    pub fn records(&self, name: &str) -> Vec<Release> {
        let list = ManifestObject::from_json(json!({
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}
        }))
        .unwrap();
        let target = self.resources.resolve(&list).unwrap();
        let api: kube::Api<kube::api::DynamicObject> = kube::Api::namespaced_with(
            self.resources.client().raw().clone(),
            target.namespace.as_deref().unwrap(),
            &target.resource.api_resource,
        );
        let lp = kube::api::ListParams::default().labels(&format!("owner=helm,name={name}"));
        let found = self.rt.block_on(api.list(&lp)).unwrap();
        let mut out: Vec<Release> = found
            .items
            .iter()
            .map(|o| release_from_secret(&serde_json::to_value(o).unwrap()).unwrap())
            .collect();
        out.sort_by_key(|r| r.version);
        out
    }

    /// Merge-patches the status subresource of an object (nothing else
    /// writes status on a cluster without controllers).
    pub fn patch_status(&self, api_version: &str, kind: &str, name: &str, status: Json) {
        let obj = ManifestObject::from_json(json!({
            "apiVersion": api_version, "kind": kind, "metadata": {"name": name}
        }))
        .unwrap();
        let target = self.resources.resolve(&obj).unwrap();
        let api: kube::Api<kube::api::DynamicObject> = kube::Api::namespaced_with(
            self.resources.client().raw().clone(),
            target.namespace.as_deref().unwrap(),
            &target.resource.api_resource,
        );
        let patch = kube::api::Patch::Merge(json!({ "status": status }));
        self.rt
            .block_on(api.patch_status(name, &kube::api::PatchParams::default(), &patch))
            .unwrap();
    }

    /// Server-side applies `object` (as field manager `hoist`).
    pub fn apply(&self, object: Json) -> Json {
        let obj = ManifestObject::from_json(object).unwrap();
        self.rt.block_on(self.resources.apply(&obj, true)).unwrap()
    }
}

/// A release Secret Helm wrote (a committed fixture at `path`), moved from
/// namespace `recorded` to `ns`: only the record's `"namespace"` string
/// changes, the rest stays Helm's bytes. Returns the Secret and the record.
pub fn helm_secret_in(path: &Path, recorded: &str, ns: &str) -> (Json, Json) {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;
    let mut secret: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let helm_base64 = STANDARD
        .decode(secret["data"]["release"].as_str().unwrap())
        .unwrap();
    let json = record_json("fixture", &helm_base64).unwrap();
    let text = String::from_utf8(json).unwrap().replace(
        &format!("\"namespace\":\"{recorded}\""),
        &format!("\"namespace\":\"{ns}\""),
    );
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    let inner = STANDARD.encode(gz.finish().unwrap());
    secret["data"]["release"] = Json::String(STANDARD.encode(inner));
    secret["metadata"]["namespace"] = Json::String(ns.to_string());
    (secret, serde_json::from_str(&text).unwrap())
}
