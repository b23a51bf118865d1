//! Interoperability with real Helm v4 on a real API server: release
//! records that Helm wrote (committed as test data under
//! tests/fixtures/helm-interop/, produced with Helm's library through
//! ../shared/tools/helm-oracle.py) are listed, upgraded and rolled back by
//! hoist. The objects are applied with Helm's field manager first, so the
//! upgrade meets the same server-side-apply ownership a Helm-installed
//! release has. (The other direction, Helm reading hoist's records, was
//! checked with the oracle during development: `helm list` and `helm
//! history` show hoist's revisions and descriptions.)

use hoist_core::kube::ManifestObject;
use hoist_core::release::manifest::split_manifests;
use hoist_core::release::status::Status;
use hoist_e2e::cluster::{Cluster, cluster, fresh_namespace, helm_secret_in, ok};
use hoist_e2e::fixture;
use serde_json::{Value as Json, json};

/// The namespace Helm installed the fixture release in.
const RECORDED_NAMESPACE: &str = "helm-interop";

/// Helm's record with its namespace moved to `ns`, and its manifest.
fn helm_secret(revision: i64, ns: &str) -> (Json, String) {
    let path = fixture(&format!(
        "helm-interop/sh.helm.release.v1.hm.v{revision}.json"
    ));
    let (secret, record) = helm_secret_in(&path, RECORDED_NAMESPACE, ns);
    (secret, record["manifest"].as_str().unwrap().to_string())
}

/// Server-side applies `object` as `manager`.
fn apply_as(c: &Cluster, manager: &str, object: Json) {
    let obj = ManifestObject::from_json(object.clone()).unwrap();
    let target = c.resources.resolve(&obj).unwrap();
    let api: kube::Api<kube::api::DynamicObject> = match &target.namespace {
        Some(ns) => kube::Api::namespaced_with(
            c.resources.client().raw().clone(),
            ns,
            &target.resource.api_resource,
        ),
        None => kube::Api::all_with(
            c.resources.client().raw().clone(),
            &target.resource.api_resource,
        ),
    };
    let params = kube::api::PatchParams::apply(manager);
    c.rt.block_on(api.patch(&obj.name, &params, &kube::api::Patch::Apply(&object)))
        .unwrap();
}

#[test]
fn hoist_lists_upgrades_and_rolls_back_a_release_helm_installed() {
    if cluster("hoist_lists_upgrades_and_rolls_back_a_release_helm_installed").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-helm");
    let c = Cluster::connect(&ns);
    apply_as(
        &c,
        "helm",
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
    );
    let mut manifest = String::new();
    for rev in [1, 2] {
        let (secret, m) = helm_secret(rev, &ns);
        apply_as(&c, "helm", secret);
        manifest = m;
    }
    // Revision 2's objects, as Helm left them (owned by Helm's manager).
    for doc in split_manifests(&manifest) {
        let obj = ManifestObject::parse(&doc).unwrap();
        let mut body = obj.object.clone();
        body["metadata"]["namespace"] = Json::String(ns.clone());
        body["metadata"]["labels"]["app.kubernetes.io/managed-by"] = "Helm".into();
        body["metadata"]["annotations"]["meta.helm.sh/release-name"] = "hm".into();
        body["metadata"]["annotations"]["meta.helm.sh/release-namespace"] = ns.clone().into();
        apply_as(&c, "helm", body);
    }

    let list = ok(&["list", "-n", &ns]);
    assert!(list.lines().any(|l| l.starts_with("hm ")), "{list}");
    assert!(list.contains("deployed"), "{list}");
    let history = ok(&["history", "hm", "-n", &ns]);
    assert!(history.contains("Install complete"), "{history}");
    assert!(history.contains("Upgrade complete"), "{history}");
    let values = ok(&[
        "get",
        "values",
        "hm",
        "-n",
        &ns,
        "--revision",
        "1",
        "-o",
        "json",
    ]);
    assert!(values.contains("from-helm"), "{values}");

    let app = fixture("charts/upgrade-app");
    ok(&[
        "upgrade",
        "hm",
        app.to_str().unwrap(),
        "-n",
        &ns,
        "--set",
        "message=by-hoist",
    ]);
    let cm = c.get("v1", "ConfigMap", "hm-main").unwrap();
    assert_eq!(cm["data"]["message"], "by-hoist");
    let statuses: Vec<(i64, Status)> = c
        .records("hm")
        .iter()
        .map(|r| (r.version, r.status()))
        .collect();
    assert_eq!(
        statuses,
        [
            (1, Status::Superseded),
            (2, Status::Superseded),
            (3, Status::Deployed)
        ]
    );

    ok(&["rollback", "hm", "1", "-n", &ns]);
    let cm = c.get("v1", "ConfigMap", "hm-main").unwrap();
    assert_eq!(cm["data"]["message"], "from-helm");
    assert!(c.get("v1", "ConfigMap", "hm-extra").is_some());
    let r4 = c.record("hm", 4).unwrap();
    assert_eq!(r4.status(), Status::Deployed);
    assert_eq!(r4.manifest, c.record("hm", 1).unwrap().manifest);
}
