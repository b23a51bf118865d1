//! Client-side apply (Helm's three-way merge) end to end: `--server-side=false`
//! on the cluster of tests/cluster/up.sh, the automatic fallback on the
//! server without server-side apply of tests/cluster/up-nossa.sh
//! (HOIST_NOSSA_KUBECONFIG), and a release Helm installed client-side
//! (its record, committed under tests/fixtures/client-side-apply/helm/,
//! was written by Helm v4's library through ../shared/tools/helm-oracle.py
//! with `server_side_apply: "false"`). The chart is
//! tests/fixtures/client-side-apply/app: a ConfigMap whose keys come from
//! the values and a Deployment with an optional sidecar container;
//! tests/fixtures/client-side-apply/widgets adds a custom resource (its CRD,
//! `widgets.csa.hoist.test`, is shared by every run).
//!
//! The expected live objects follow Helm's behaviour, which was checked
//! during development by running the same install, foreign edits and
//! upgrade with Helm (oracle, `server_side_apply: "false"` then `"auto"`)
//! and with hoist in two namespaces: the ConfigMaps and the Deployments'
//! containers, annotations and labels came out identical, and so did the
//! Widgets' specs.

use hoist_core::kube::ManifestObject;
use hoist_core::release::manifest::split_manifests;
use hoist_e2e::cluster::{Cluster, cluster, fresh_namespace, helm_secret_in, ok};
use hoist_e2e::{fixture, hoist};
use serde_json::{Value as Json, json};

/// The namespace Helm installed the recorded release in.
const RECORDED_NAMESPACE: &str = "hoist-csa-record-26373";

fn app() -> String {
    fixture("client-side-apply/app")
        .to_str()
        .unwrap()
        .to_string()
}

/// Patches an object as another client would (`kubectl patch`), with the
/// field manager `someone-else`: a strategic merge patch for built-in
/// kinds, a merge patch for custom resources (which take no strategic one).
fn patch_as_someone_else(
    c: &Cluster,
    api_version: &str,
    kind: &str,
    name: &str,
    patch: kube::api::Patch<Json>,
) {
    let obj = ManifestObject::from_json(json!({
        "apiVersion": api_version, "kind": kind, "metadata": {"name": name}
    }))
    .unwrap();
    let target = c.resources.resolve(&obj).unwrap();
    let api: kube::Api<kube::api::DynamicObject> = kube::Api::namespaced_with(
        c.resources.client().raw().clone(),
        target.namespace.as_deref().unwrap(),
        &target.resource.api_resource,
    );
    let params = kube::api::PatchParams {
        field_manager: Some("someone-else".into()),
        ..Default::default()
    };
    c.rt.block_on(api.patch(name, &params, &patch)).unwrap();
}

/// Creates `namespace` with a POST.
fn create_namespace(c: &Cluster, namespace: &str) {
    let obj = ManifestObject::from_json(
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}),
    )
    .unwrap();
    c.rt.block_on(c.resources.create(&obj)).unwrap();
}

/// The ConfigMap's data and the Deployment's containers as
/// `(name, image)`, with the environment of container `app`.
fn live_state(c: &Cluster, release: &str) -> (Json, Vec<(String, String)>, Json) {
    let cm = c
        .get("v1", "ConfigMap", &format!("{release}-config"))
        .unwrap();
    let deploy = c
        .get("apps/v1", "Deployment", &format!("{release}-app"))
        .unwrap();
    let containers = deploy["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap();
    let names = containers
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["image"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let env = containers
        .iter()
        .find(|c| c["name"] == "app")
        .map(|c| c["env"].clone())
        .unwrap_or(Json::Null);
    (cm["data"].clone(), names, env)
}

/// The managers of `object` and how they wrote (`Apply` or `Update`).
fn managers(object: &Json) -> Vec<(String, String)> {
    object["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            (
                m["manager"].as_str().unwrap_or("").to_string(),
                m["operation"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn pair(name: &str, image: &str) -> (String, String) {
    (name.to_string(), image.to_string())
}

#[test]
fn client_side_install_upgrade_and_rollback_merge_three_ways() {
    if cluster("client_side_install_upgrade_and_rollback_merge_three_ways").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-csa");
    let app = app();
    ok(&[
        "install",
        "r",
        &app,
        "-n",
        &ns,
        "--create-namespace",
        "--server-side=false",
    ]);
    let c = Cluster::connect(&ns);
    assert_eq!(c.record("r", 1).unwrap().apply_method, "csa");
    let cm = c.get("v1", "ConfigMap", "r-config").unwrap();
    assert_eq!(
        managers(&cm),
        [pair("hoist", "Update")],
        "created with a POST, not applied server-side"
    );
    let (data, containers, _) = live_state(&c, "r");
    assert_eq!(
        data,
        json!({"keep": "k", "change": "old", "remove": "gone-soon"})
    );
    assert_eq!(
        containers,
        [
            pair("app", "registry.example/app:1"),
            pair("sidecar", "registry.example/sidecar:1")
        ]
    );

    // Someone else adds a key, drifts one the chart sets, gives the app
    // container an environment variable and annotates the Deployment.
    patch_as_someone_else(
        &c,
        "v1",
        "ConfigMap",
        "r-config",
        kube::api::Patch::Strategic(json!({"data": {"foreign": "x", "change": "drifted"}})),
    );
    patch_as_someone_else(
        &c,
        "apps/v1",
        "Deployment",
        "r-app",
        kube::api::Patch::Strategic(json!({"metadata": {"annotations": {"someone/else": "yes"}},
            "spec": {"template": {"spec": {"containers": [
                {"name": "app", "env": [{"name": "E", "value": "1"}]}]}}}})),
    );

    // `auto` follows revision 1's csa. A key is removed, one added, the
    // image changed and the sidecar dropped.
    ok(&[
        "upgrade",
        "r",
        &app,
        "-n",
        &ns,
        "--set",
        "data.remove=null",
        "--set",
        "data.added=new",
        "--set",
        "image=registry.example/app:2",
        "--set",
        "sidecar=false",
    ]);
    assert_eq!(c.record("r", 2).unwrap().apply_method, "csa");
    let (data, containers, env) = live_state(&c, "r");
    // The drifted key is set back (current differs from modified), the
    // foreign key survives, the removed key is gone.
    assert_eq!(
        data,
        json!({"keep": "k", "change": "old", "added": "new", "foreign": "x"})
    );
    assert_eq!(containers, [pair("app", "registry.example/app:2")]);
    assert_eq!(
        env,
        json!([{"name": "E", "value": "1"}]),
        "containers are merged by name"
    );
    let deploy = c.get("apps/v1", "Deployment", "r-app").unwrap();
    assert_eq!(deploy["metadata"]["annotations"]["someone/else"], "yes");
    assert!(
        !managers(&deploy).contains(&pair("hoist", "Apply")),
        "{:?}",
        managers(&deploy)
    );

    ok(&["rollback", "r", "1", "-n", &ns]);
    assert_eq!(c.record("r", 3).unwrap().apply_method, "csa");
    let (data, containers, env) = live_state(&c, "r");
    assert_eq!(
        data,
        json!({"keep": "k", "change": "old", "remove": "gone-soon", "foreign": "x"})
    );
    assert_eq!(
        containers,
        [
            pair("app", "registry.example/app:1"),
            pair("sidecar", "registry.example/sidecar:1")
        ]
    );
    assert_eq!(env, json!([{"name": "E", "value": "1"}]));

    // `--server-side=true` switches the release to server-side apply. As in
    // Helm v4, what hoist's client-side writes owned moves to its apply
    // entry first, so the key and the container the chart drops now are
    // removed; someone else's key stays.
    ok(&[
        "upgrade",
        "r",
        &app,
        "-n",
        &ns,
        "--server-side=true",
        "--set",
        "data.change=ssa",
        "--set",
        "data.remove=null",
        "--set",
        "sidecar=false",
    ]);
    assert_eq!(c.record("r", 4).unwrap().apply_method, "ssa");
    let (data, containers, _) = live_state(&c, "r");
    assert_eq!(data, json!({"keep": "k", "change": "ssa", "foreign": "x"}));
    assert_eq!(containers, [pair("app", "registry.example/app:1")]);
    let cm = c.get("v1", "ConfigMap", "r-config").unwrap();
    assert!(
        managers(&cm).contains(&pair("hoist", "Apply"))
            && !managers(&cm).contains(&pair("hoist", "Update")),
        "{:?}",
        managers(&cm)
    );
}

#[test]
fn an_unknown_server_side_value_is_refused_with_helms_message() {
    for cmd in [
        vec!["upgrade", "r", "chart", "--server-side=maybe"],
        vec!["rollback", "r", "--server-side", "maybe"],
    ] {
        let run = hoist(&cmd);
        assert_ne!(run.code, 0);
        assert!(
            run.stderr
                .contains("invalid/unknown release server-side apply method: maybe"),
            "{cmd:?}: {}",
            run.stderr
        );
    }
}

/// The server without server-side apply, or `None` (and a note) to skip.
fn nossa(test: &str) -> Option<String> {
    match std::env::var("HOIST_NOSSA_KUBECONFIG") {
        Ok(k) if !k.is_empty() => Some(k),
        _ => {
            eprintln!(
                "skipping {test}: HOIST_NOSSA_KUBECONFIG is unset (run tests/cluster/up-nossa.sh)"
            );
            None
        }
    }
}

#[test]
fn a_server_without_server_side_apply_gets_client_side_apply() {
    let Some(kubeconfig) = nossa("a_server_without_server_side_apply_gets_client_side_apply")
    else {
        return;
    };
    let ns = fresh_namespace("hoist-nossa");
    let app = app();
    let warning = "WARNING: the server does not support server-side apply";
    let run = hoist(&[
        "install",
        "r",
        &app,
        "-n",
        &ns,
        "--create-namespace",
        "--kubeconfig",
        &kubeconfig,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr.matches(warning).count(), 1, "{}", run.stderr);
    let c = Cluster::connect_to(Some(&kubeconfig), &ns);
    assert_eq!(c.record("r", 1).unwrap().apply_method, "csa");
    patch_as_someone_else(
        &c,
        "v1",
        "ConfigMap",
        "r-config",
        kube::api::Patch::Strategic(json!({"data": {"foreign": "x"}})),
    );

    // Asking for server-side apply again falls back again.
    let run = hoist(&[
        "upgrade",
        "r",
        &app,
        "-n",
        &ns,
        "--kubeconfig",
        &kubeconfig,
        "--server-side=true",
        "--set",
        "sidecar=false",
        "--set",
        "data.remove=null",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr.matches(warning).count(), 1, "{}", run.stderr);
    assert_eq!(c.record("r", 2).unwrap().apply_method, "csa");
    let (data, containers, _) = live_state(&c, "r");
    assert_eq!(data, json!({"keep": "k", "change": "old", "foreign": "x"}));
    assert_eq!(containers, [pair("app", "registry.example/app:1")]);

    // `auto` now follows the csa record: no server-side attempt, no warning.
    let run = hoist(&["rollback", "r", "1", "-n", &ns, "--kubeconfig", &kubeconfig]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains(warning), "{}", run.stderr);
    assert_eq!(c.record("r", 3).unwrap().apply_method, "csa");
    let (data, containers, _) = live_state(&c, "r");
    assert_eq!(data["remove"], "gone-soon");
    assert_eq!(containers.len(), 2);

    // CRDs of crds/ fall back to a POST too, and the namespace of
    // --create-namespace.
    let ns2 = fresh_namespace("hoist-nossa-cr");
    let widgets = fixture("client-side-apply/widgets");
    let run = hoist(&[
        "install",
        "w",
        widgets.to_str().unwrap(),
        "-n",
        &ns2,
        "--create-namespace",
        "--kubeconfig",
        &kubeconfig,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let c2 = Cluster::connect_to(Some(&kubeconfig), &ns2);
    assert_eq!(c2.record("w", 1).unwrap().apply_method, "csa");
    let widget = c2.get("csa.hoist.test/v1", "Widget", "w-widget").unwrap();
    assert_eq!(widget["spec"]["tags"], json!(["a", "b"]));
}

/// Helm's csa record, with its namespace moved to `ns`, and its manifest.
fn helm_secret(ns: &str) -> (Json, String) {
    let path = fixture("client-side-apply/helm/sh.helm.release.v1.hr.v1.json");
    let (secret, record) = helm_secret_in(&path, RECORDED_NAMESPACE, ns);
    assert_eq!(record["apply_method"], "csa");
    (secret, record["manifest"].as_str().unwrap().to_string())
}

#[test]
fn hoist_upgrades_a_release_helm_installed_client_side_with_client_side_apply() {
    if cluster("hoist_upgrades_a_release_helm_installed_client_side_with_client_side_apply")
        .is_none()
    {
        return;
    }
    let ns = fresh_namespace("hoist-csa-helm");
    let c = Cluster::connect(&ns);
    create_namespace(&c, &ns);
    let (secret, manifest) = helm_secret(&ns);
    c.rt.block_on(
        c.resources
            .create(&ManifestObject::from_json(secret).unwrap()),
    )
    .unwrap();
    // The objects as Helm's client-side install left them: created with
    // POSTs by field manager `helm`, stamped with the release's ownership
    // metadata.
    for doc in split_manifests(&manifest) {
        let mut obj = ManifestObject::parse(&doc).unwrap();
        obj.object["metadata"]["labels"]["app.kubernetes.io/managed-by"] = "Helm".into();
        obj.object["metadata"]["annotations"] = json!({
            "meta.helm.sh/release-name": "hr", "meta.helm.sh/release-namespace": ns,
        });
        let target = c.resources.resolve(&obj).unwrap();
        let api: kube::Api<kube::api::DynamicObject> = kube::Api::namespaced_with(
            c.resources.client().raw().clone(),
            &ns,
            &target.resource.api_resource,
        );
        let params = kube::api::PostParams {
            field_manager: Some("helm".into()),
            ..Default::default()
        };
        let body: kube::api::DynamicObject = serde_json::from_value(obj.object).unwrap();
        c.rt.block_on(api.create(&params, &body)).unwrap();
    }
    patch_as_someone_else(
        &c,
        "v1",
        "ConfigMap",
        "hr-config",
        kube::api::Patch::Strategic(json!({"data": {"foreign": "x"}})),
    );

    ok(&[
        "upgrade",
        "hr",
        &app(),
        "-n",
        &ns,
        "--set",
        "data.remove=null",
        "--set",
        "sidecar=false",
    ]);
    let rec = c.record("hr", 2).unwrap();
    assert_eq!(rec.apply_method, "csa");
    let (data, containers, _) = live_state(&c, "hr");
    assert_eq!(data, json!({"keep": "k", "change": "old", "foreign": "x"}));
    assert_eq!(containers, [pair("app", "registry.example/app:1")]);
    // Client-side: the removals were patches, nothing was applied.
    for (api, kind, name) in [
        ("v1", "ConfigMap", "hr-config"),
        ("apps/v1", "Deployment", "hr-app"),
    ] {
        let obj = c.get(api, kind, name).unwrap();
        assert!(
            !managers(&obj).iter().any(|(_, op)| op == "Apply"),
            "{kind}: {:?}",
            managers(&obj)
        );
    }

    // Switching to server-side apply takes over what Helm's and hoist's
    // client-side writes owned: the key dropped now goes away.
    ok(&[
        "upgrade",
        "hr",
        &app(),
        "-n",
        &ns,
        "--server-side=true",
        "--set",
        "data.remove=null",
        "--set",
        "sidecar=false",
        "--set",
        "data.keep=null",
    ]);
    assert_eq!(c.record("hr", 3).unwrap().apply_method, "ssa");
    let (data, _, _) = live_state(&c, "hr");
    assert_eq!(data, json!({"change": "old", "foreign": "x"}));
    let cm = c.get("v1", "ConfigMap", "hr-config").unwrap();
    assert_eq!(
        managers(&cm),
        [pair("hoist", "Apply"), pair("someone-else", "Update")]
    );
}

#[test]
fn custom_resources_get_helms_two_way_json_merge_patch() {
    if cluster("custom_resources_get_helms_two_way_json_merge_patch").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-csa-cr");
    let widgets = fixture("client-side-apply/widgets");
    let widgets = widgets.to_str().unwrap();
    ok(&[
        "install",
        "w",
        widgets,
        "-n",
        &ns,
        "--create-namespace",
        "--server-side=false",
    ]);
    let c = Cluster::connect(&ns);
    patch_as_someone_else(
        &c,
        "csa.hoist.test/v1",
        "Widget",
        "w-widget",
        kube::api::Patch::Merge(json!({"spec": {"size": 7, "owner": "ops"}})),
    );
    ok(&[
        "upgrade",
        "w",
        widgets,
        "-n",
        &ns,
        "--set",
        "tags={b,c}",
        "--set",
        "color=null",
    ]);
    assert_eq!(c.record("w", 2).unwrap().apply_method, "csa");
    let widget = c.get("csa.hoist.test/v1", "Widget", "w-widget").unwrap();
    // Helm sends custom resources the JSON merge patch from the previous
    // manifest to the new one: the list is replaced, the dropped field
    // removed, and the drifted size, which the chart did not change, stays.
    assert_eq!(
        widget["spec"],
        json!({"size": 7, "owner": "ops", "tags": ["b", "c"]})
    );
}
