//! Release records written by real Helm v4 (through the Secret and ConfigMap
//! drivers, against a real kube-apiserver) decode field for field and
//! re-encode to the JSON Helm wrote.
//!
//! Fixtures under tests/fixtures/storage/ were produced by installing the
//! fixture chart `chart/` as release `probe` in namespace `hoist-storage`:
//! install (1), upgrade (2), a rollback to 1 that the driving tool left
//! pending (3, then deleted by hand), a failing upgrade (3) and an upgrade (4);
//! `cmprobe` was installed with the ConfigMap driver; `release-uninstalled.json`
//! is the release Helm returned from uninstalling `probe`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hoist_core::release::record::{
    GoTime, HookDeletePolicy, HookEvent, HookOutputLogPolicy, HookPhase, Release, to_go_json,
};
use hoist_core::release::status::Status;
use hoist_core::storage::codec::{
    Stamp, filter_system_labels, release_from_config_map, release_from_secret, secret_object,
};
use hoist_core::values::Value;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/storage")
}

fn load(name: &str) -> Json {
    let text = std::fs::read_to_string(fixture_dir().join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn items(name: &str) -> Vec<Json> {
    load(name)["items"].as_array().unwrap().clone()
}

/// The JSON bytes Helm wrote, dug out of a Secret by hand (not by the code under test).
fn helm_json_of_secret(secret: &Json) -> Vec<u8> {
    let outer = secret["data"]["release"].as_str().unwrap();
    let gz = STANDARD.decode(STANDARD.decode(outer).unwrap()).unwrap();
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn labels_of(object: &Json) -> BTreeMap<String, String> {
    serde_json::from_value(object["metadata"]["labels"].clone()).unwrap()
}

fn chart_file(path: &str) -> Vec<u8> {
    std::fs::read(fixture_dir().join("chart").join(path)).unwrap()
}

fn time(s: &str) -> GoTime {
    GoTime::parse(s).unwrap()
}

#[test]
fn every_helm_secret_re_encodes_to_the_bytes_helm_wrote() {
    for file in [
        "secrets-1-installed.json",
        "secrets-2-upgraded.json",
        "secrets-3-pending-rollback.json",
        "secrets-5-failed-then-upgraded.json",
    ] {
        for secret in items(file) {
            let release = release_from_secret(&secret).unwrap();
            let ours = to_go_json(&release).unwrap();
            let helms = helm_json_of_secret(&secret);
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(helms).unwrap(),
                "{file}: {}",
                secret["metadata"]["name"]
            );
        }
    }
}

#[test]
fn the_installed_revision_decodes_field_by_field() {
    let secret = &items("secrets-1-installed.json")[0];
    assert_eq!(secret["type"], "helm.sh/release.v1");
    assert_eq!(secret["metadata"]["name"], "sh.helm.release.v1.probe.v1");
    let r = release_from_secret(secret).unwrap();

    assert_eq!(r.name, "probe");
    assert_eq!(r.namespace, "hoist-storage");
    assert_eq!(r.version, 1);
    assert_eq!(r.apply_method, "csa");
    assert!(!r.uses_server_side_apply());

    let info = r.info.as_ref().unwrap();
    assert_eq!(info.first_deployed, time("2026-11-27T13:54:20.373139967Z"));
    assert_eq!(info.last_deployed, info.first_deployed);
    assert!(info.deleted.is_zero());
    assert_eq!(info.description, "Install complete");
    assert_eq!(info.status, Status::Deployed);
    assert_eq!(info.rollback_revision, 0);
    assert_eq!(info.notes, "Release probe revision 1 says hi <&>.\n");
    assert!(info.resources.is_empty());

    let config = Value::Map(r.config.clone());
    assert_eq!(config.get_path("greeting"), Some(&Value::from("hi <&>")));
    // Helm reads JSON numbers as float64.
    assert_eq!(config.get_path("extra.n"), Some(&Value::Float(3.0)));
    assert!(
        r.manifest
            .starts_with("---\n# Source: storage-probe/templates/configmap.yaml\n")
    );
    assert!(
        r.manifest
            .contains("  greeting: \"hi <&>\"\n  replicas: \"2\"\n  revision: \"1\"\n")
    );

    let chart = r.chart.as_ref().unwrap();
    let md = chart.metadata.as_ref().unwrap();
    assert_eq!(md.name, "storage-probe");
    assert_eq!(md.version, "0.1.0");
    assert_eq!(md.api_version, "v2");
    assert_eq!(md.app_version, "1.16.0");
    assert_eq!(md.keywords, ["storage", "probe"]);
    assert_eq!(md.maintainers[0].email, "hoist@example.invalid");
    assert_eq!(md.annotations["example.invalid/purpose"], "storage-tests");
    assert!(md.dependencies.is_empty() && md.chart_type.is_empty() && !md.deprecated);
    assert!(chart.lock.is_none());
    assert!(!chart.modtime.is_zero());
    assert!(!chart.schemamodtime.is_zero());

    let templates = chart.templates.as_ref().unwrap();
    let names: Vec<_> = templates.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "templates/NOTES.txt",
            "templates/configmap.yaml",
            "templates/hooks.yaml",
            "templates/test-hook.yaml"
        ]
    );
    for t in templates {
        assert_eq!(t.data, chart_file(&t.name), "{}", t.name);
        assert!(!t.modtime.is_zero(), "{}", t.name);
    }
    let files = chart.files.as_ref().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].name, "README.md");
    assert_eq!(files[0].data, chart_file("README.md"));
    assert_eq!(
        chart.schema.as_deref(),
        Some(chart_file("values.schema.json").as_slice())
    );

    let values = Value::Map(chart.values.clone().unwrap());
    assert_eq!(values.get_path("replicas"), Some(&Value::Float(2.0)));
    assert_eq!(values.get_path("big"), Some(&Value::Float(1_000_000.0)));
    assert_eq!(values.get_path("ratio"), Some(&Value::Float(0.5)));
    assert_eq!(values.get_path("nothing"), Some(&Value::Null));
    assert_eq!(values.get_path("nested.key"), Some(&Value::from("value")));

    // Hooks come sorted by name; the test hook never ran.
    let hooks: Vec<_> = r
        .hooks
        .iter()
        .map(|h| (h.name.as_str(), h.kind.as_str()))
        .collect();
    assert_eq!(
        hooks,
        [
            ("probe-post", "Secret"),
            ("probe-pre", "ConfigMap"),
            ("probe-test", "ConfigMap")
        ]
    );
    let post = &r.hooks[0];
    assert_eq!(post.path, "storage-probe/templates/hooks.yaml");
    assert_eq!(
        post.events,
        [
            HookEvent::PostInstall,
            HookEvent::PostUpgrade,
            HookEvent::PostRollback
        ]
    );
    assert_eq!(post.weight, 3);
    assert_eq!(
        post.delete_policies,
        [
            HookDeletePolicy::HookSucceeded,
            HookDeletePolicy::BeforeHookCreation
        ]
    );
    assert_eq!(post.output_log_policies, [HookOutputLogPolicy::HookFailed]);
    assert_eq!(post.last_run.phase, HookPhase::Succeeded);
    assert!(post.last_run.started_at.timestamp() <= post.last_run.completed_at.timestamp());
    assert!(post.manifest.starts_with("apiVersion: v1\nkind: Secret\n"));
    let pre = &r.hooks[1];
    assert_eq!(pre.weight, -5);
    assert_eq!(pre.events, [HookEvent::PreInstall, HookEvent::PreUpgrade]);
    assert!(pre.output_log_policies.is_empty());
    let test = &r.hooks[2];
    assert_eq!(test.events, [HookEvent::Test]);
    assert_eq!(test.last_run.phase, HookPhase::NotRun);
    assert!(test.last_run.started_at.is_zero() && test.last_run.completed_at.is_zero());
    assert_eq!(test.weight, 0);

    // Install creates the record (createdAt), then updates it on success:
    // Update stamps modifiedAt and createdAt is gone.
    let keys: Vec<_> = r.labels.keys().map(String::as_str).collect();
    assert_eq!(keys, ["modifiedAt", "name", "owner", "status", "version"]);
    assert_eq!(r.labels["status"], "deployed");
    assert_eq!(r.labels["version"], "1");
}

#[test]
fn an_upgrade_supersedes_the_previous_revision() {
    let all = items("secrets-2-upgraded.json");
    let rels: Vec<Release> = all
        .iter()
        .map(|s| release_from_secret(s).unwrap())
        .collect();
    assert_eq!(rels[0].version, 1);
    assert_eq!(rels[0].status(), Status::Superseded);
    assert_eq!(rels[0].labels["status"], "superseded");
    // The description is the one from the install: superseding keeps it.
    assert_eq!(
        rels[0].info.as_ref().unwrap().description,
        "Install complete"
    );
    let v2 = &rels[1];
    assert_eq!((v2.version, v2.status()), (2, Status::Deployed));
    let info = v2.info.as_ref().unwrap();
    assert_eq!(info.description, "Upgrade complete");
    assert_eq!(
        info.first_deployed,
        rels[0].info.as_ref().unwrap().first_deployed
    );
    assert!(info.last_deployed.timestamp() > info.first_deployed.timestamp());
    assert_eq!(
        Value::Map(v2.config.clone()).get_path("replicas"),
        Some(&Value::Float(3.0))
    );
}

#[test]
fn a_pending_rollback_records_its_target_and_creation_stamp() {
    let all = items("secrets-3-pending-rollback.json");
    let v3 = release_from_secret(&all[2]).unwrap();
    assert_eq!(v3.version, 3);
    assert_eq!(v3.status(), Status::PendingRollback);
    assert!(v3.status().is_pending());
    let info = v3.info.as_ref().unwrap();
    assert_eq!(info.description, "Rollback to 1");
    assert_eq!(info.rollback_revision, 1);
    // Only created, never updated: createdAt, no modifiedAt.
    let keys: Vec<_> = v3.labels.keys().map(String::as_str).collect();
    assert_eq!(keys, ["createdAt", "name", "owner", "status", "version"]);
    assert_eq!(v3.labels["status"], "pending-rollback");
}

#[test]
fn a_failed_upgrade_stays_failed_after_the_next_upgrade() {
    let all = items("secrets-5-failed-then-upgraded.json");
    let rels: Vec<Release> = all
        .iter()
        .map(|s| release_from_secret(s).unwrap())
        .collect();
    let states: Vec<_> = rels.iter().map(|r| (r.version, r.status())).collect();
    assert_eq!(
        states,
        [
            (1, Status::Superseded),
            (2, Status::Superseded),
            (3, Status::Failed),
            (4, Status::Deployed)
        ]
    );
    let failed = rels[2].info.as_ref().unwrap();
    assert!(failed
        .description
        .starts_with("Upgrade \"probe\" failed: failed to create resource: ConfigMap \"Not_A_Valid_Name\" is invalid"));
    // Upgrades copy the labels read through Query (system ones included), and
    // Helm applies them after its own stamp: revision 4 keeps revision 1's modifiedAt.
    assert_eq!(rels[3].labels["modifiedAt"], rels[0].labels["modifiedAt"]);
}

#[test]
fn our_secret_objects_carry_helm_labels_and_decode_back() {
    // Install: the labels Helm wrote after its Update are exactly ours for an
    // update of a release without user labels.
    let secret = &items("secrets-1-installed.json")[0];
    let helm_labels = labels_of(secret);
    let mut release = release_from_secret(secret).unwrap();
    release.labels = filter_system_labels(&release.labels);
    let stamp: i64 = helm_labels["modifiedAt"].parse().unwrap();
    let ours = secret_object(
        "sh.helm.release.v1.probe.v1",
        &release,
        Stamp::Modified(stamp),
    )
    .unwrap();
    assert_eq!(labels_of(&ours), helm_labels);
    assert_eq!(ours["type"], secret["type"]);
    assert_eq!(ours["metadata"]["name"], secret["metadata"]["name"]);
    let back = release_from_secret(&ours).unwrap();
    assert_eq!(back.chart, release.chart);
    assert_eq!(back.hooks, release.hooks);

    // Revision 4: labels as Query returns them win over a fresh stamp.
    let secret = &items("secrets-5-failed-then-upgraded.json")[3];
    let release = release_from_secret(secret).unwrap();
    let ours = secret_object("sh.helm.release.v1.probe.v4", &release, Stamp::Modified(1)).unwrap();
    assert_eq!(labels_of(&ours), labels_of(secret));
}

#[test]
fn the_configmap_driver_record_decodes() {
    let all = items("configmaps-installed.json");
    assert_eq!(all.len(), 1);
    let cm = &all[0];
    assert_eq!(cm["metadata"]["name"], "sh.helm.release.v1.cmprobe.v1");
    assert!(cm.get("type").is_none());
    let r = release_from_config_map(cm).unwrap();
    assert_eq!(
        (r.name.as_str(), r.version, r.status()),
        ("cmprobe", 1, Status::Deployed)
    );
    assert_eq!(
        r.info.as_ref().unwrap().notes,
        "Release cmprobe revision 1 says in a configmap.\n"
    );
    assert_eq!(r.labels["owner"], "helm");
    // The stored string is base64 of gzip of exactly our JSON.
    let gz = STANDARD
        .decode(cm["data"]["release"].as_str().unwrap())
        .unwrap();
    let mut helms = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_end(&mut helms)
        .unwrap();
    assert_eq!(to_go_json(&r).unwrap(), helms);
}

#[test]
fn the_uninstalled_release_round_trips() {
    let text = std::fs::read_to_string(fixture_dir().join("release-uninstalled.json")).unwrap();
    let r: Release = serde_json::from_str(&text).unwrap();
    let info = r.info.as_ref().unwrap();
    assert_eq!(info.status, Status::Uninstalled);
    assert_eq!(info.description, "Uninstallation complete");
    assert_eq!(info.deleted, time("2026-11-27T13:54:40.65523233Z"));
    assert_eq!(r.version, 4);
    assert_eq!(String::from_utf8(to_go_json(&r).unwrap()).unwrap(), text);
}

/// `hoist-written-v1.json` is a Secret built by [`secret_object`] (from the
/// install record with a new name, a user label `team`, new times, values and
/// description). It was posted to the API server; real Helm then printed its
/// status, history and values, and upgraded the release on top of it:
/// `secrets-hoist-written-then-helm-upgraded.json` is the result.
#[test]
fn helm_upgrades_a_release_hoist_wrote() {
    let ours = load("hoist-written-v1.json");
    let after = items("secrets-hoist-written-then-helm-upgraded.json");
    let helm_v1 = &after[0];
    assert_eq!(helm_v1["metadata"]["name"], "sh.helm.release.v1.hoisted.v1");

    // Helm re-wrote our revision 1 as superseded and kept everything else.
    let mut ours_rel = release_from_secret(&ours).unwrap();
    let helm_rel = release_from_secret(helm_v1).unwrap();
    assert_eq!(helm_rel.status(), Status::Superseded);
    assert_eq!(
        helm_rel.info.as_ref().unwrap().description,
        "Install complete <by hoist> & co"
    );
    ours_rel.set_status(Status::Superseded, "Install complete <by hoist> & co");
    assert_eq!(
        to_go_json(&helm_rel).unwrap(),
        to_go_json(&ours_rel).unwrap()
    );

    // Its labels are what object_labels gives for an update of the release
    // as Query returned it (our labels, createdAt included).
    let modified: i64 = labels_of(helm_v1)["modifiedAt"].parse().unwrap();
    let predicted = hoist_core::storage::codec::object_labels(&ours_rel, Stamp::Modified(modified));
    assert_eq!(predicted, labels_of(helm_v1));
    assert_eq!(predicted["team"], "hoist");

    // Revision 2 is Helm's, carrying our user label and createdAt along.
    let v2 = release_from_secret(&after[1]).unwrap();
    assert_eq!((v2.version, v2.status()), (2, Status::Deployed));
    assert_eq!(v2.labels["team"], "hoist");
    assert_eq!(v2.labels["createdAt"], labels_of(&ours)["createdAt"]);
    assert_eq!(
        v2.info.as_ref().unwrap().first_deployed,
        ours_rel.info.as_ref().unwrap().first_deployed
    );
}

/// The fixture chart, assembled by hand in hoist's chart model (there is no
/// loader yet), converts to the chart JSON Helm stored, except for the file
/// modification times the model does not keep. Values are taken from Helm's
/// record since parsing values.yaml is not what this test is about.
#[test]
fn a_model_chart_converts_to_the_chart_helm_stored() {
    use hoist_core::chart::{Chart, ChartFile, Maintainer, Metadata};
    use hoist_core::release::record::ReleaseChart;

    let secret = &items("secrets-1-installed.json")[0];
    let helm = release_from_secret(secret).unwrap().chart.unwrap();
    let file = |name: &str| ChartFile {
        name: name.to_string(),
        data: chart_file(name),
    };
    let chart = Chart {
        metadata: Metadata {
            name: "storage-probe".into(),
            description: Some(
                "A small chart whose release records hoist's storage tests read.".into(),
            ),
            version: "0.1.0".into(),
            app_version: Some("1.16.0".into()),
            api_version: "v2".into(),
            keywords: vec!["storage".into(), "probe".into()],
            maintainers: vec![Maintainer {
                name: "hoist".into(),
                email: Some("hoist@example.invalid".into()),
                url: None,
            }],
            annotations: BTreeMap::from([(
                "example.invalid/purpose".to_string(),
                "storage-tests".to_string(),
            )]),
            ..Metadata::default()
        },
        templates: [
            "templates/NOTES.txt",
            "templates/configmap.yaml",
            "templates/hooks.yaml",
            "templates/test-hook.yaml",
        ]
        .into_iter()
        .map(file)
        .collect(),
        values: Value::Map(helm.values.clone().unwrap()),
        raw_values: Some(String::from_utf8(chart_file("values.yaml")).unwrap()),
        schema: Some(chart_file("values.schema.json")),
        files: vec![file("README.md")],
        ..Chart::default()
    };
    let ours = ReleaseChart::from_chart(&chart).unwrap();

    let mut helm_zeroed = helm.clone();
    helm_zeroed.modtime = GoTime::default();
    helm_zeroed.schemamodtime = GoTime::default();
    for f in helm_zeroed
        .templates
        .iter_mut()
        .chain(helm_zeroed.files.iter_mut())
        .flatten()
    {
        f.modtime = GoTime::default();
    }
    assert_eq!(
        String::from_utf8(to_go_json(&ours).unwrap()).unwrap(),
        String::from_utf8(to_go_json(&helm_zeroed).unwrap()).unwrap()
    );
}
