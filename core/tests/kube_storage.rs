//! The Secret and ConfigMap storage drivers against a real kube-apiserver
//! (tests/cluster/up.sh); skipped with a note when there is none.
//!
//! Helm-written records come from tests/fixtures/storage/ (real Helm v4
//! installs, see storage_helm_records.rs): the test creates those exact
//! objects in a fresh namespace and reads them through hoist's drivers.

use hoist_core::kube::{KubeClient, ResourceClient};
use hoist_core::release::record::Release;
use hoist_core::release::status::Status;
use hoist_core::storage::codec::{ObjectKind, filter_system_labels};
use hoist_core::storage::kube_driver::{ConfigMapsDriver, SecretsDriver};
use hoist_core::storage::{Driver, Storage, StorageError, release_key};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::PathBuf;

mod kube_support;
use kube_support::cluster;

/// A fresh namespace for `test`, created through its own resource client.
async fn fresh_namespace(client: &KubeClient, test: &str) -> String {
    let resources = ResourceClient::connect(client.clone()).await.unwrap();
    kube_support::fresh_namespace(&resources, test).await
}

fn fixture(name: &str) -> Json {
    // Names with a folder are relative to tests/fixtures, others to its storage/.
    let dir = if name.contains('/') {
        "tests/fixtures"
    } else {
        "tests/fixtures/storage"
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(dir)
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// A Helm-installed release (decoded from a committed Helm Secret), renamed.
fn sample_release(name: &str, namespace: &str, version: i64) -> Release {
    let secret = &fixture("secrets-1-installed.json")["items"][0];
    let mut release = ObjectKind::Secret.read(secret).unwrap();
    release.labels = BTreeMap::new();
    release.name = name.to_string();
    release.namespace = namespace.to_string();
    release.version = version;
    release
}

/// An item of a `kubectl get -o json` list (items carry no kind), stripped
/// of what the server assigns, ready to be created in `namespace`.
fn recreatable(object: &Json, kind: &str, namespace: &str) -> Json {
    let mut object = object.clone();
    object["kind"] = Json::String(kind.into());
    object["apiVersion"] = Json::String("v1".into());
    let meta = object["metadata"].as_object_mut().unwrap();
    for key in [
        "uid",
        "resourceVersion",
        "creationTimestamp",
        "managedFields",
    ] {
        meta.remove(key);
    }
    meta.insert("namespace".into(), Json::String(namespace.into()));
    object
}

async fn create_raw(client: &KubeClient, namespace: &str, object: Json) {
    let kind = object["kind"].as_str().unwrap();
    let plural = if kind == "Secret" {
        "secrets"
    } else {
        "configmaps"
    };
    let ar = ::kube::discovery::ApiResource {
        group: String::new(),
        version: "v1".into(),
        api_version: "v1".into(),
        kind: kind.into(),
        plural: plural.into(),
    };
    let api = ::kube::Api::<::kube::api::DynamicObject>::namespaced_with(
        client.raw().clone(),
        namespace,
        &ar,
    );
    let object: ::kube::api::DynamicObject = serde_json::from_value(object).unwrap();
    api.create(&Default::default(), &object).await.unwrap();
}

async fn raw_secret(client: &KubeClient, namespace: &str, name: &str) -> Json {
    let ar = ::kube::discovery::ApiResource {
        group: String::new(),
        version: "v1".into(),
        api_version: "v1".into(),
        kind: "Secret".into(),
        plural: "secrets".into(),
    };
    let api = ::kube::Api::<::kube::api::DynamicObject>::namespaced_with(
        client.raw().clone(),
        namespace,
        &ar,
    );
    serde_json::to_value(api.get(name).await.unwrap()).unwrap()
}

#[tokio::test]
async fn secrets_driver_creates_gets_lists_updates_deletes() {
    let Some(client) = cluster("secrets_driver_crud").await else {
        return;
    };
    let ns = fresh_namespace(&client, "sec").await;
    let driver = SecretsDriver::new(client.clone(), Some(&ns));
    assert_eq!(driver.name(), "Secret");
    let mut v1 = sample_release("demo", &ns, 1);
    let key = release_key("demo", 1);

    assert!(matches!(
        driver.get(&key).await,
        Err(StorageError::NotFound)
    ));
    driver.create(&key, &v1).await.unwrap();
    assert_eq!(driver.get(&key).await.unwrap(), v1);

    // The stored object is Helm's: type, labels, double-base64 body.
    let stored = raw_secret(&client, &ns, &key).await;
    assert_eq!(stored["type"], "helm.sh/release.v1");
    let labels = stored["metadata"]["labels"].as_object().unwrap();
    for (k, v) in [
        ("name", "demo"),
        ("owner", "helm"),
        ("status", "deployed"),
        ("version", "1"),
    ] {
        assert_eq!(labels[k], v, "label {k}");
    }
    assert!(
        labels["createdAt"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .unwrap()
            > 1_600_000_000
    );
    assert_eq!(
        ObjectKind::Secret.read(&stored).unwrap().manifest,
        v1.manifest
    );

    let listed = driver.list(&|_| true).await.unwrap();
    assert_eq!(listed.len(), 1);
    // List keeps the system labels, as Helm's does.
    assert_eq!(listed[0].labels["status"], "deployed");
    assert_eq!(
        driver
            .list(&|r| r.status() == Status::Failed)
            .await
            .unwrap()
            .len(),
        0
    );

    v1.set_status(Status::Superseded, "Upgrade complete");
    driver.update(&key, &v1).await.unwrap();
    let mut v2 = sample_release("demo", &ns, 2);
    v2.set_status(Status::Deployed, "Upgrade complete");
    driver.create(&release_key("demo", 2), &v2).await.unwrap();
    let stored = raw_secret(&client, &ns, &key).await;
    assert_eq!(stored["metadata"]["labels"]["status"], "superseded");
    assert!(stored["metadata"]["labels"]["modifiedAt"].is_string());

    let storage = Storage::new(driver.clone());
    assert_eq!(storage.history("demo").await.unwrap().len(), 2);
    assert_eq!(storage.deployed("demo").await.unwrap().version, 2);
    assert_eq!(storage.last("demo").await.unwrap().version, 2);
    let query = BTreeMap::from([
        ("name".to_string(), "demo".to_string()),
        ("status".to_string(), "superseded".to_string()),
    ]);
    let found = driver.query(&query).await.unwrap();
    assert_eq!(found.iter().map(|r| r.version).collect::<Vec<_>>(), [1]);

    let deleted = driver.delete(&key).await.unwrap();
    assert_eq!(deleted.version, 1);
    assert!(matches!(
        driver.get(&key).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        driver.delete(&key).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        driver.query(&query).await,
        Err(StorageError::NotFound)
    ));
    // Updating a record that does not exist fails (Helm's update is a PUT).
    assert!(matches!(
        driver.update(&key, &v1).await,
        Err(StorageError::Backend { .. })
    ));
}

#[tokio::test]
async fn racing_creates_of_one_revision_give_one_winner() {
    let Some(client) = cluster("racing_creates").await else {
        return;
    };
    let ns = fresh_namespace(&client, "race").await;
    for round in 0..3 {
        let release = sample_release("race", &ns, round + 1);
        let key = release_key("race", round + 1);
        let a = SecretsDriver::new(client.clone(), Some(&ns));
        let b = SecretsDriver::new(client.clone(), Some(&ns));
        let (ra, rb) = tokio::join!(
            tokio::spawn({
                let (key, release) = (key.clone(), release.clone());
                async move { a.create(&key, &release).await }
            }),
            tokio::spawn({
                let (key, release) = (key.clone(), release.clone());
                async move { b.create(&key, &release).await }
            })
        );
        let results = [ra.unwrap(), rb.unwrap()];
        let wins = results.iter().filter(|r| r.is_ok()).count();
        let lost = results
            .iter()
            .filter(|r| matches!(r, Err(StorageError::AlreadyExists)))
            .count();
        assert_eq!((wins, lost), (1, 1), "round {round}: {results:?}");
    }
}

#[tokio::test]
async fn reads_secrets_that_helm_wrote() {
    let Some(client) = cluster("reads_helm_secrets").await else {
        return;
    };
    let ns = fresh_namespace(&client, "helmsec").await;
    let items = fixture("secrets-5-failed-then-upgraded.json")["items"]
        .as_array()
        .unwrap()
        .clone();
    for item in &items {
        create_raw(&client, &ns, recreatable(item, "Secret", &ns)).await;
    }
    let driver = SecretsDriver::new(client.clone(), Some(&ns));
    for item in &items {
        let key = item["metadata"]["name"].as_str().unwrap();
        let mut expected = ObjectKind::Secret.read(item).unwrap();
        expected.labels = filter_system_labels(&expected.labels);
        assert_eq!(driver.get(key).await.unwrap(), expected, "{key}");
    }
    let storage = Storage::new(driver);
    let history = storage.history("probe").await.unwrap();
    assert_eq!(history.len(), items.len());
    let deployed = storage.deployed("probe").await.unwrap();
    let newest = items
        .iter()
        .map(|i| ObjectKind::Secret.read(i).unwrap())
        .filter(|r| r.status() == Status::Deployed)
        .max_by_key(|r| r.version)
        .unwrap();
    assert_eq!(deployed.version, newest.version);
    assert_eq!(deployed.manifest, newest.manifest);
}

#[tokio::test]
async fn config_maps_driver_reads_and_writes_helms_format() {
    let Some(client) = cluster("config_maps_driver").await else {
        return;
    };
    let ns = fresh_namespace(&client, "helmcm").await;
    let items = fixture("configmaps-installed.json")["items"]
        .as_array()
        .unwrap()
        .clone();
    for item in &items {
        create_raw(&client, &ns, recreatable(item, "ConfigMap", &ns)).await;
    }
    let driver = ConfigMapsDriver::new(client.clone(), Some(&ns));
    assert_eq!(driver.name(), "ConfigMap");
    let first = &items[0];
    let key = first["metadata"]["name"].as_str().unwrap();
    let mut expected = ObjectKind::ConfigMap.read(first).unwrap();
    expected.labels = filter_system_labels(&expected.labels);
    assert_eq!(driver.get(key).await.unwrap(), expected);

    let mut next = expected.clone();
    next.version += 1;
    let next_key = release_key(&next.name, next.version);
    driver.create(&next_key, &next).await.unwrap();
    assert!(matches!(
        driver.create(&next_key, &next).await,
        Err(StorageError::AlreadyExists)
    ));
    assert_eq!(driver.get(&next_key).await.unwrap(), next);
    // The Secrets driver does not see ConfigMap records.
    let secrets = SecretsDriver::new(client.clone(), Some(&ns));
    assert!(secrets.list(&|_| true).await.unwrap().is_empty());
}

#[tokio::test]
async fn all_namespaces_driver_lists_everywhere() {
    let Some(client) = cluster("all_namespaces").await else {
        return;
    };
    let ns_a = fresh_namespace(&client, "alla").await;
    let ns_b = fresh_namespace(&client, "allb").await;
    let marker = format!("m{}", std::process::id());
    let all = SecretsDriver::new(client.clone(), None);
    // One record through a namespaced driver, one through the all-namespaces
    // driver, which writes to the release's namespace.
    for (ns, driver) in [
        (&ns_a, SecretsDriver::new(client.clone(), Some(&ns_a))),
        (&ns_b, all.clone()),
    ] {
        let mut r = sample_release("spread", ns, 1);
        r.labels.insert("marker".into(), marker.clone());
        driver.create(&release_key("spread", 1), &r).await.unwrap();
    }
    let in_b = SecretsDriver::new(client.clone(), Some(&ns_b));
    assert_eq!(
        in_b.get(&release_key("spread", 1)).await.unwrap().namespace,
        ns_b
    );
    let query = BTreeMap::from([("marker".to_string(), marker)]);
    let mut namespaces: Vec<String> = all
        .query(&query)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.namespace)
        .collect();
    namespaces.sort();
    let mut want = vec![ns_a, ns_b];
    want.sort();
    assert_eq!(namespaces, want);
}

/// The releases hoist's driver wrote for tests/fixtures/kube/helm-reads-hoist/.
fn hoisted_releases() -> (Release, Release) {
    let ns = "hoist-kube-helmreads-1795789826";
    let mut v1 = sample_release("hoisted", ns, 1);
    v1.set_status(Status::Superseded, "Superseded by hoist");
    let mut v2 = sample_release("hoisted", ns, 2);
    v2.set_status(Status::Deployed, "Upgrade complete");
    (v1, v2)
}

/// Real Helm's `history` of a release hoist's driver wrote (committed
/// output, see the fixture's README) decodes to exactly what was written.
#[test]
fn helm_read_the_records_the_driver_wrote() {
    let history: Vec<Release> =
        serde_json::from_value(fixture("kube/helm-reads-hoist/helm-history.json")).unwrap();
    let (v1, v2) = hoisted_releases();
    assert_eq!(history, [v1, v2]);
}

/// After Helm upgraded on top of hoist's records, the driver reads Helm's
/// revision and sees its own ones superseded.
#[tokio::test]
async fn reads_helms_upgrade_on_top_of_hoist_records() {
    let Some(client) = cluster("reads_helms_upgrade").await else {
        return;
    };
    let ns = fresh_namespace(&client, "helmup").await;
    let items = fixture("kube/helm-reads-hoist/secrets-after-helm-upgrade.json")["items"]
        .as_array()
        .unwrap()
        .clone();
    for item in &items {
        create_raw(&client, &ns, recreatable(item, "Secret", &ns)).await;
    }
    let storage = Storage::new(SecretsDriver::new(client.clone(), Some(&ns)));
    let deployed = storage.deployed("hoisted").await.unwrap();
    assert_eq!((deployed.version, deployed.status()), (3, Status::Deployed));
    let (v1, mut v2) = hoisted_releases();
    assert_eq!(storage.get("hoisted", 1).await.unwrap(), v1);
    // Helm's upgrade only changed v2's status.
    let read_v2 = storage.get("hoisted", 2).await.unwrap();
    v2.set_status(Status::Superseded, "Upgrade complete");
    assert_eq!(read_v2, v2);
}
