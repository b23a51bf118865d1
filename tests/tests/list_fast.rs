//! `hoist list` on histories its fast path has to notice are abnormal,
//! against a real kube-apiserver: release Secrets are written directly
//! (with hoist-core's codec, as Helm lays them out) so that a newest
//! revision can be `superseded`, a release can have nothing but
//! superseded revisions, and a newest record can be undecodable. The
//! expected `--all` list is what real Helm v4's `List` (all states)
//! returned for the same records (tests/fixtures/list/helm-all.json, made
//! with `cargo test -p hoist-e2e --test list_fast -- --ignored craft` and
//! the Helm library tests/bench/helm_bench.py loads); the default list is
//! that one filtered to `deployed` and `failed`, as Helm applies its
//! default state mask after picking the newest revisions.

use hoist_core::release::record::{ChartMetadata, Info, Release, ReleaseChart};
use hoist_core::release::status::Status;
use hoist_core::storage::codec::{Stamp, secret_object};
use hoist_e2e::cluster::{Cluster, cluster, fresh_namespace, ok};
use hoist_e2e::fixture;
use serde_json::{Value as Json, json};

/// `(release, revision, status)` of every record the main scenario holds;
/// `None` as status: a record that does not decode.
const RECORDS: &[(&str, i64, Option<Status>)] = &[
    // Normal: the newest is deployed.
    ("alpha", 1, Some(Status::Superseded)),
    ("alpha", 2, Some(Status::Deployed)),
    // The newest revision is superseded (edited by hand): Helm shows it
    // with --all only, and never the deployed revision before it.
    ("bravo", 1, Some(Status::Deployed)),
    ("bravo", 2, Some(Status::Superseded)),
    // Nothing but superseded revisions.
    ("charlie", 1, Some(Status::Superseded)),
    // The newest record is broken: Helm skips it and shows revision 1.
    ("delta", 1, Some(Status::Deployed)),
    ("delta", 2, None),
    // A failed install, and a pending upgrade over a deployed revision.
    ("echo", 1, Some(Status::Failed)),
    ("foxtrot", 1, Some(Status::Deployed)),
    ("foxtrot", 2, Some(Status::PendingUpgrade)),
    // Versions compare as numbers (10 after 9).
    ("golf", 9, Some(Status::Superseded)),
    ("golf", 10, Some(Status::Deployed)),
];

fn record(name: &str, version: i64, status: Status, namespace: &str) -> Release {
    let mut r = Release {
        name: name.to_string(),
        namespace: namespace.to_string(),
        version,
        info: Some(Info::default()),
        chart: Some(ReleaseChart {
            metadata: Some(ChartMetadata {
                name: "crafted".into(),
                version: format!("0.{version}.0"),
                app_version: "1".into(),
                ..ChartMetadata::default()
            }),
            ..ReleaseChart::default()
        }),
        manifest: "kind: ConfigMap\n".into(),
        ..Release::default()
    };
    r.set_status(status, "crafted");
    r
}

/// Writes the release Secrets of `records` into the cluster's namespace.
fn craft(c: &Cluster, namespace: &str, records: &[(&str, i64, Option<Status>)]) {
    for (name, version, status) in records {
        let key = format!("sh.helm.release.v1.{name}.v{version}");
        let object = match status {
            Some(status) => secret_object(
                &key,
                &record(name, *version, *status, namespace),
                Stamp::Created(1),
            )
            .unwrap(),
            None => json!({
                "apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
                "metadata": {"name": key, "labels": {
                    "name": name, "owner": "helm", "status": "pending-upgrade",
                    "version": version.to_string()}},
                // base64 of "not a release record"
                "data": {"release": "bm90IGEgcmVsZWFzZSByZWNvcmQ="},
            }),
        };
        c.apply(object);
    }
}

/// Creates `ns` and connects to it.
fn namespace(ns: &str) -> Cluster {
    let c = Cluster::connect(ns);
    c.apply(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}));
    c
}

/// `name revision status chart` of every row of `list -o json`.
fn rows(json_text: &str) -> Vec<String> {
    let list: Vec<Json> = serde_json::from_str(json_text).unwrap();
    list.iter()
        .map(|r| {
            format!(
                "{} {} {} {}",
                r["name"].as_str().unwrap(),
                r["revision"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
                r["chart"].as_str().unwrap()
            )
        })
        .collect()
}

fn helm_rows(file: &str) -> Vec<String> {
    rows(&std::fs::read_to_string(fixture(&format!("list/{file}"))).unwrap())
}

#[test]
fn list_matches_helm_on_abnormal_histories() {
    if cluster("list_matches_helm_on_abnormal_histories").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-list-fast");
    let c = namespace(&ns);
    craft(&c, &ns, RECORDS);
    let helm_all = helm_rows("helm-all.json");
    let helm_default: Vec<String> = helm_all
        .iter()
        .filter(|r| r.contains(" deployed ") || r.contains(" failed "))
        .cloned()
        .collect();
    assert_eq!(helm_default.len(), 4, "{helm_all:?}");
    assert_eq!(rows(&ok(&["list", "-n", &ns, "-o", "json"])), helm_default);
    assert_eq!(
        rows(&ok(&["list", "-n", &ns, "-a", "-o", "json"])),
        helm_all
    );
}

/// Names of 40 releases: more than the fast path rereads one by one.
fn old_names() -> Vec<String> {
    (0..40).map(|i| format!("old-{i:02}")).collect()
}

/// One superseded revision (and nothing newer) for each of `names`.
fn superseded_only(names: &[String]) -> Vec<(&str, i64, Option<Status>)> {
    names
        .iter()
        .map(|n| (n.as_str(), 1, Some(Status::Superseded)))
        .collect()
}

#[test]
fn many_superseded_newest_revisions_fall_back_to_reading_everything() {
    if cluster("many_superseded_newest_revisions_fall_back_to_reading_everything").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-list-fallback");
    let c = namespace(&ns);
    let names = old_names();
    let mut records = superseded_only(&names);
    records.push(("live", 1, Some(Status::Deployed)));
    craft(&c, &ns, &records);
    assert_eq!(
        rows(&ok(&["list", "-n", &ns, "-o", "json"])),
        ["live 1 deployed crafted-0.1.0"]
    );
    let all = rows(&ok(&["list", "-n", &ns, "--all", "-o", "json"]));
    assert_eq!(all.len(), 41);
    assert_eq!(all[0], "live 1 deployed crafted-0.1.0");
    assert_eq!(all[1], "old-00 1 superseded crafted-0.1.0");
}

/// Writes the main scenario into a fresh namespace and prints its name,
/// to run real Helm's list on it (how the fixtures were made).
#[test]
#[ignore]
fn craft_for_helm() {
    let ns = fresh_namespace("hoist-list-helm");
    let c = namespace(&ns);
    craft(&c, &ns, RECORDS);
    println!("namespace: {ns}");
}

#[test]
fn state_flags_filter_selector_and_paging() {
    if cluster("state_flags_filter_selector_and_paging").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-list-flags");
    let c = namespace(&ns);
    craft(&c, &ns, RECORDS);
    let list = |extra: &[&str]| {
        let mut args = vec!["list", "-n", ns.as_str(), "-o", "json"];
        args.extend_from_slice(extra);
        rows(&ok(&args))
    };
    assert_eq!(
        list(&["--pending"]),
        ["foxtrot 2 pending-upgrade crafted-0.2.0"]
    );
    // Alone, --superseded lists every superseded revision (Helm skips the
    // newest-revision filter then); the broken record is left out.
    assert_eq!(
        list(&["--superseded"]),
        [
            "alpha 1 superseded crafted-0.1.0",
            "bravo 2 superseded crafted-0.2.0",
            "charlie 1 superseded crafted-0.1.0",
            "golf 9 superseded crafted-0.9.0",
        ]
    );
    assert_eq!(
        list(&["-a", "-f", "^(alpha|golf)$"]),
        [
            "alpha 2 deployed crafted-0.2.0",
            "golf 10 deployed crafted-0.10.0"
        ]
    );
    // The selector sees the record objects' labels, as Helm's list does.
    assert_eq!(
        list(&["-a", "-l", "name in (echo,golf),status!=superseded"]),
        [
            "echo 1 failed crafted-0.1.0",
            "golf 10 deployed crafted-0.10.0"
        ]
    );
    assert_eq!(
        list(&["-a", "-r", "-m", "2"]),
        [
            "golf 10 deployed crafted-0.10.0",
            "foxtrot 2 pending-upgrade crafted-0.2.0"
        ]
    );
    assert_eq!(
        list(&["-a", "--offset", "1", "-m", "1"]),
        ["bravo 2 superseded crafted-0.2.0"]
    );
    assert_eq!(ok(&["list", "-n", &ns, "-q"]), "alpha\ndelta\necho\ngolf\n");
    let table = ok(&["list", "-n", &ns, "--no-headers", "-f", "echo"]);
    assert!(table.starts_with("echo\t"), "{table}");
    assert_eq!(table.lines().count(), 1, "{table}");

    let bad = hoist_e2e::hoist(&["list", "-n", &ns, "-l", "name in echo"]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("invalid label selector"),
        "{}",
        bad.stderr
    );
}

#[test]
fn release_labels_are_stored_merged_on_upgrade_and_selectable() {
    if cluster("release_labels_are_stored_merged_on_upgrade_and_selectable").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-list-labels");
    let app = fixture("charts/upgrade-app").to_string_lossy().into_owned();
    ok(&[
        "install",
        "web",
        &app,
        "-n",
        &ns,
        "--create-namespace",
        "--labels",
        "team=web,tier=front",
    ]);
    ok(&["install", "api", &app, "-n", &ns, "-l", "team=api"]);
    let names = |selector: &str| ok(&["list", "-n", &ns, "-q", "-l", selector]);
    assert_eq!(names("team=web"), "web\n");
    assert_eq!(names("tier"), "web\n");
    assert_eq!(names("team in (web,api)"), "api\nweb\n");

    // Upgrade merges: a new value wins, an empty value removes the label,
    // and a label change alone makes a new revision.
    ok(&["upgrade", "web", &app, "-n", &ns, "-l", "tier=,env=prod"]);
    let secret = Cluster::connect(&ns)
        .get("v1", "Secret", "sh.helm.release.v1.web.v2")
        .expect("revision 2 exists");
    let labels = &secret["metadata"]["labels"];
    assert_eq!(
        (&labels["env"], &labels["team"], &labels["tier"]),
        (&json!("prod"), &json!("web"), &Json::Null),
        "{labels}"
    );
    assert_eq!(names("tier"), "");
    assert_eq!(names("env=prod,team=web"), "web\n");

    let bad = hoist_e2e::hoist(&["install", "x", &app, "-n", &ns, "-l", "owner=me"]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr
            .contains("user supplied labels contains system reserved label name"),
        "{}",
        bad.stderr
    );
}

/// `list --cached` as the API server's watch cache answers it: the same
/// releases as the consistent read once the cache has seen the writes
/// (it follows etcd within moments; the test allows it a few seconds),
/// abnormal histories and the read-everything fallback included.
#[test]
fn cached_list_shows_what_the_consistent_list_shows() {
    if cluster("cached_list_shows_what_the_consistent_list_shows").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-list-cached");
    let c = namespace(&ns);
    craft(&c, &ns, RECORDS);
    let names = old_names();
    craft(&c, &ns, &superseded_only(&names));
    for flags in [&[][..], &["-a"][..], &["--deployed", "--failed"][..]] {
        let mut args = vec!["list", "-n", &ns, "--max", "0", "-o", "json"];
        args.extend_from_slice(flags);
        let consistent = rows(&ok(&args));
        args.push("--cached");
        let mut cached = rows(&ok(&args));
        for _ in 0..30 {
            if cached == consistent {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
            cached = rows(&ok(&args));
        }
        assert_eq!(cached, consistent, "list {flags:?}");
    }
    let all = rows(&ok(&["list", "-n", &ns, "-a", "--cached", "-o", "json"]));
    assert_eq!(all.len(), 7 + 40, "{all:?}");
}
