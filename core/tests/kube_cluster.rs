//! Cluster access against a real kube-apiserver (tests/cluster/up.sh): skipped
//! with a note when KUBECONFIG is unset or the server does not answer, so
//! `cargo test` without a cluster still passes.
//!
//! Each test works in a fresh namespace with a unique name; namespaces are
//! never waited for (without controllers a deleted namespace stays
//! Terminating forever).

use hoist_core::kube::error::KubeError;
use hoist_core::kube::ownership::stamp_ownership;
use hoist_core::kube::{
    ApiDiscovery, ClientOptions, KubeClient, ManifestObject, Propagation, ResourceClient,
};
use std::path::PathBuf;

mod kube_support;
use kube_support::{cluster, fresh_namespace, note};

fn manifest(text: &str) -> ManifestObject {
    ManifestObject::parse(text).unwrap()
}

const CONFIG_MAP: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: blue
  size: \"3\"
";

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.19
        ports:
        - containerPort: 80
";

#[tokio::test]
async fn discovery_reports_version_and_groups() {
    let Some(client) = cluster("discovery_reports_version_and_groups").await else {
        return;
    };
    let discovery = ApiDiscovery::run(&client).await.unwrap();
    let caps = discovery.capabilities();
    assert_eq!(caps.kube_version.major, "1");
    assert_eq!(caps.kube_version.minor, "20");
    assert!(
        caps.kube_version.version.starts_with("v1.20."),
        "{:?}",
        caps.kube_version
    );
    // Subresources count too (deployments/scale serves kind Scale), as in
    // Helm's GetVersionSet.
    for gv in [
        "v1",
        "apps/v1",
        "apps/v1/Deployment",
        "v1/ConfigMap",
        "apps/v1/Scale",
    ] {
        assert!(
            caps.has_api_version(gv),
            "{gv} missing from {:?}",
            caps.api_versions
        );
    }
    let deploy = discovery.resolve("apps/v1", "Deployment").unwrap();
    assert!(deploy.namespaced);
    assert_eq!(deploy.api_resource.plural, "deployments");
    assert!(!discovery.resolve("v1", "Namespace").unwrap().namespaced);
}

#[tokio::test]
async fn apply_get_reapply_delete() {
    let Some(client) = cluster("apply_get_reapply_delete").await else {
        return;
    };
    let admin = ResourceClient::connect(client.clone()).await.unwrap();
    let ns = fresh_namespace(&admin, "apply").await;
    let resources = ResourceClient::connect(client.with_namespace(&ns))
        .await
        .unwrap();

    let cm = manifest(CONFIG_MAP);
    let deploy = manifest(DEPLOYMENT);
    let stored_cm = resources.apply(&cm, false).await.unwrap();
    let stored_deploy = resources.apply(&deploy, false).await.unwrap();
    // The namespace was defaulted from the client.
    assert_eq!(stored_cm["metadata"]["namespace"], ns.as_str());
    assert_eq!(stored_deploy["metadata"]["namespace"], ns.as_str());

    let live_cm = resources.get(&cm).await.unwrap().unwrap();
    assert_eq!(live_cm["data"]["color"], "blue");
    assert_eq!(live_cm["data"]["size"], "3");
    let managers: Vec<&str> = live_cm["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["manager"].as_str().unwrap())
        .collect();
    assert_eq!(managers, ["hoist"]);
    let live_deploy = resources.get(&deploy).await.unwrap().unwrap();
    assert_eq!(live_deploy["spec"]["replicas"], 2);
    assert_eq!(
        live_deploy["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.19"
    );

    // Applying the same objects again changes nothing.
    let again_cm = resources.apply(&cm, false).await.unwrap();
    let again_deploy = resources.apply(&deploy, false).await.unwrap();
    assert_eq!(
        again_cm["metadata"]["resourceVersion"],
        stored_cm["metadata"]["resourceVersion"]
    );
    assert_eq!(
        again_deploy["metadata"]["resourceVersion"],
        stored_deploy["metadata"]["resourceVersion"]
    );

    // A changed field is applied.
    let changed = manifest(&CONFIG_MAP.replace("blue", "red"));
    let updated = resources.apply(&changed, false).await.unwrap();
    assert_eq!(updated["data"]["color"], "red");
    assert_ne!(
        updated["metadata"]["resourceVersion"],
        stored_cm["metadata"]["resourceVersion"]
    );

    assert!(
        resources
            .delete(&cm, Propagation::Background)
            .await
            .unwrap()
    );
    assert!(
        resources
            .delete(&deploy, Propagation::Background)
            .await
            .unwrap()
    );
    assert!(resources.get(&cm).await.unwrap().is_none());
    assert!(resources.get(&deploy).await.unwrap().is_none());
    // Already gone: not an error.
    assert!(
        !resources
            .delete(&cm, Propagation::Background)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn foreground_delete_leaves_the_finalizer_to_the_garbage_collector() {
    let Some(client) = cluster("foreground_delete").await else {
        return;
    };
    let admin = ResourceClient::connect(client.clone()).await.unwrap();
    let ns = fresh_namespace(&admin, "fg").await;
    let resources = ResourceClient::connect(client.with_namespace(&ns))
        .await
        .unwrap();
    let deploy = manifest(DEPLOYMENT);
    resources.apply(&deploy, false).await.unwrap();
    assert!(
        resources
            .delete(&deploy, Propagation::Foreground)
            .await
            .unwrap()
    );
    // No garbage collector runs here: the object waits with its finalizer,
    // which shows the propagation policy reached the server.
    let live = resources.get(&deploy).await.unwrap().unwrap();
    assert!(live["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(live["metadata"]["finalizers"][0], "foregroundDeletion");
}

#[tokio::test]
async fn field_conflicts_need_force_and_unknown_kinds_are_named() {
    let Some(client) = cluster("field_conflicts").await else {
        return;
    };
    let admin = ResourceClient::connect(client.clone()).await.unwrap();
    let ns = fresh_namespace(&admin, "force").await;
    let resources = ResourceClient::connect(client.with_namespace(&ns))
        .await
        .unwrap();
    // Another field manager owns data.color.
    let other = ::kube::Api::<::kube::api::DynamicObject>::namespaced_with(
        client.raw().clone(),
        &ns,
        &resources
            .discovery()
            .resolve("v1", "ConfigMap")
            .unwrap()
            .api_resource,
    );
    let body = serde_json::to_value(&manifest(CONFIG_MAP).object).unwrap();
    other
        .patch(
            "settings",
            &::kube::api::PatchParams::apply("someone-else"),
            &::kube::api::Patch::Apply(&body),
        )
        .await
        .unwrap();
    let mine = manifest(&CONFIG_MAP.replace("blue", "green"));
    let err = resources.apply(&mine, false).await.unwrap_err();
    assert!(matches!(err, KubeError::Api { code: 409, .. }), "{err}");
    let forced = resources.apply(&mine, true).await.unwrap();
    assert_eq!(forced["data"]["color"], "green");

    let crd = manifest("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n");
    let err = resources.apply(&crd, false).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        // Real Helm v4 (helm-oracle install of such a chart on this cluster)
        // printed "install failed: unable to build kubernetes objects from
        // release manifest: " followed by exactly this.
        "resource mapping not found for name: \"w\" namespace: \"\" from \"\": no matches for kind \"Widget\" in version \"example.com/v1\"\nensure CRDs are installed first"
    );
}

#[tokio::test]
async fn adoption_check_uses_helms_ownership_metadata() {
    let Some(client) = cluster("adoption_check").await else {
        return;
    };
    let admin = ResourceClient::connect(client.clone()).await.unwrap();
    let ns = fresh_namespace(&admin, "own").await;
    let resources = ResourceClient::connect(client.with_namespace(&ns))
        .await
        .unwrap();
    let mut cm = manifest(CONFIG_MAP);
    assert!(
        resources
            .check_adoptable(&cm, "rel", &ns)
            .await
            .unwrap()
            .is_none()
    );
    stamp_ownership(&mut cm.object, "rel", &ns);
    resources.apply(&cm, false).await.unwrap();
    let live = resources
        .check_adoptable(&cm, "rel", &ns)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        live["metadata"]["labels"]["app.kubernetes.io/managed-by"],
        "Helm"
    );
    let err = resources
        .check_adoptable(&cm, "other", &ns)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "ConfigMap \"settings\" in namespace \"{ns}\" exists and cannot be imported into the current release: \
             invalid ownership metadata; annotation validation error: key \"meta.helm.sh/release-name\" must equal \
             \"other\": current value is \"rel\""
        )
    );
    // An object nobody owns: the message real Helm v4 printed for the same
    // situation (helm-oracle install over a kubectl-created ConfigMap), after
    // its "install failed: unable to continue with install: " prefix.
    let plain = manifest(&CONFIG_MAP.replace("settings", "plain"));
    resources.apply(&plain, false).await.unwrap();
    let err = resources
        .check_adoptable(&plain, "rel", &ns)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "ConfigMap \"plain\" in namespace \"{ns}\" exists and cannot be imported into the current release: \
             invalid ownership metadata; label validation error: missing key \"app.kubernetes.io/managed-by\": \
             must be set to \"Helm\"; annotation validation error: missing key \"meta.helm.sh/release-name\": \
             must be set to \"rel\"; annotation validation error: missing key \"meta.helm.sh/release-namespace\": \
             must be set to \"{ns}\""
        )
    );
}

/// A copy of the test kubeconfig with another bearer token.
fn kubeconfig_with_token(dir: &std::path::Path, token: &str) -> PathBuf {
    let original = std::fs::read_to_string(std::env::var_os("KUBECONFIG").unwrap()).unwrap();
    let rewritten: String = original
        .lines()
        .map(|line| match line.find("token:") {
            Some(i) => format!("{}token: {token}\n", &line[..i]),
            None => format!("{line}\n"),
        })
        .collect();
    let path = dir.join(format!("kubeconfig-{token}"));
    std::fs::write(&path, rewritten).unwrap();
    path
}

#[tokio::test]
async fn rejected_credentials_and_denied_verbs_are_explained() {
    let Some(_client) = cluster("rejected_credentials").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();

    let bad = KubeClient::connect(&ClientOptions {
        kubeconfig: Some(kubeconfig_with_token(dir.path(), "not-a-valid-token")),
        ..Default::default()
    })
    .await
    .unwrap();
    let err = bad.check_reachable().await.unwrap_err();
    assert!(matches!(err, KubeError::Unauthorized { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("the server rejected the credentials"),
        "{err}"
    );

    // ci-user-1 exists (static token) but has no role bindings.
    let unprivileged = KubeClient::connect(&ClientOptions {
        kubeconfig: Some(kubeconfig_with_token(dir.path(), "ci-token-1")),
        namespace: Some("team-a".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    let driver =
        hoist_core::storage::kube_driver::SecretsDriver::in_default_namespace(unprivileged);
    let err = hoist_core::storage::Driver::list(&driver, &|_| true)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("list: failed to list: forbidden: the current user may not list secrets in namespace \"team-a\": "),
        "{text}"
    );
}

/// `.Capabilities` as real Helm v4 saw them on the test cluster (committed
/// output of a chart that prints them, installed with helm-oracle).
#[tokio::test]
async fn capabilities_match_what_helm_saw() {
    let Some(client) = cluster("capabilities_match_what_helm_saw").await else {
        return;
    };
    let caps = ApiDiscovery::run(&client).await.unwrap().capabilities();
    let golden = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/kube/helm-capabilities-v1.20.2.txt"),
    )
    .unwrap();
    let field = |key: &str| {
        golden
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap()
            .trim()
            .trim_matches('"')
            .to_string()
    };
    if caps.kube_version.version != field("kube:") {
        note(&format!(
            "capabilities_match_what_helm_saw skipped: the cluster is {}, the golden file is for {}",
            caps.kube_version.version,
            field("kube:")
        ));
        return;
    }
    assert_eq!(caps.kube_version.major, field("major:"));
    assert_eq!(caps.kube_version.minor, field("minor:"));
    let helm: Vec<&str> = golden
        .lines()
        .filter(|l| !l.starts_with('#') && !l.contains(": "))
        .collect();
    // CRDs that other tests (or earlier runs on a reused cluster) created
    // are not part of Helm's golden view of the bare server.
    let served: Vec<&str> = caps
        .api_versions
        .iter()
        .map(String::as_str)
        .filter(|v| !v.split('/').next().unwrap_or("").ends_with(".hoist.test"))
        .collect();
    assert_eq!(served, helm);
}
