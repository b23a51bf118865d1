//! Release commands end to end against a real kube-apiserver
//! (`eval "$(tests/cluster/up.sh)"`): install, list, status, history, get
//! and uninstall with the `hoist` binary, checked by reading the cluster
//! back through hoist-core. Every test uses its own fresh namespace and is
//! skipped, with a note, when KUBECONFIG is unset.

use hoist_core::release::status::Status;
use hoist_e2e::cluster::{Cluster, assert_owned, cluster, fresh_namespace, ok};
use hoist_e2e::{chart, hoist, hoist_in};
use serde_json::Value as Json;

#[test]
fn install_hello_then_query_and_uninstall() {
    if cluster("install_hello_then_query_and_uninstall").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-rel-hello");
    let hello = chart("hello");
    let hello = hello.to_str().unwrap();
    // This apiserver rejects server-side apply of a Service port without
    // `protocol` (hello's Service has none), so hello goes in with POSTs.
    let out = ok(&[
        "install",
        "web",
        hello,
        "-n",
        &ns,
        "--create-namespace",
        "--server-side=false",
        "--set",
        "replicas=2",
    ]);
    assert!(out.starts_with("NAME: web\nLAST DEPLOYED: "), "{out}");
    assert!(out.contains("\nSTATUS: deployed\nREVISION: 1\nDESCRIPTION: Install complete\n"));
    assert!(out.contains("NOTES:\nweb greets with \"Hello from hoist\" from 2 pod(s)."));

    let c = Cluster::connect(&ns);
    for (api, kind) in [
        ("v1", "ConfigMap"),
        ("v1", "Service"),
        ("apps/v1", "Deployment"),
    ] {
        let obj = c
            .get(api, kind, "web-hello")
            .unwrap_or_else(|| panic!("{kind} web-hello missing"));
        assert_owned(&obj, "web", &ns);
    }
    let deploy = c.get("apps/v1", "Deployment", "web-hello").unwrap();
    assert_eq!(deploy["spec"]["replicas"], 2);
    let rec = c.record("web", 1).expect("release secret");
    assert_eq!(rec.status(), Status::Deployed);
    assert_eq!((rec.name.as_str(), rec.version), ("web", 1));
    assert_eq!(rec.namespace, ns);
    assert_eq!(rec.apply_method, "csa");
    assert!(
        rec.manifest
            .contains("# Source: hello/templates/deployment.yaml\n")
    );

    // The name is taken now.
    let again = hoist(&["install", "web", hello, "-n", &ns, "--server-side=false"]);
    assert_ne!(again.code, 0);
    assert!(
        again
            .stderr
            .contains("cannot re-use a name that is still in use"),
        "{}",
        again.stderr
    );

    let list = ok(&["list", "-n", &ns]);
    let mut lines = list.lines();
    let header = lines.next().unwrap();
    let columns: Vec<&str> = header.split('\t').map(str::trim_end).collect();
    assert_eq!(
        columns,
        [
            "NAME",
            "NAMESPACE",
            "REVISION",
            "UPDATED",
            "STATUS",
            "CHART",
            "APP VERSION"
        ]
    );
    let row: Vec<&str> = lines
        .next()
        .unwrap()
        .split('\t')
        .map(str::trim_end)
        .collect();
    assert_eq!(row[0], "web");
    assert_eq!(row[1], ns);
    assert_eq!(row[2], "1");
    assert!(
        row[3].ends_with(" UTC") || row[3].contains(" +"),
        "{}",
        row[3]
    );
    assert_eq!(&row[4..], ["deployed", "hello-0.1.0", "1.27.0"]);

    let rows: Json = serde_json::from_str(&ok(&["list", "-n", &ns, "-o", "json"])).unwrap();
    assert_eq!(rows[0]["name"], "web");
    assert_eq!(rows[0]["revision"], "1");
    assert_eq!(rows[0]["app_version"], "1.27.0");

    let status: Json =
        serde_json::from_str(&ok(&["status", "web", "-n", &ns, "-o", "json"])).unwrap();
    assert_eq!(status["info"]["status"], "deployed");
    assert_eq!(status["config"]["replicas"], 2);

    let history: Json =
        serde_json::from_str(&ok(&["history", "web", "-n", &ns, "-o", "json"])).unwrap();
    assert_eq!(history[0]["revision"], 1);
    assert_eq!(history[0]["description"], "Install complete");
    assert_eq!(history[0]["chart"], "hello-0.1.0");

    assert_eq!(
        ok(&["get", "values", "web", "-n", &ns]),
        "USER-SUPPLIED VALUES:\nreplicas: 2\n"
    );
    let all = ok(&["get", "values", "web", "-n", &ns, "--all"]);
    assert!(all.starts_with("COMPUTED VALUES:\n"));
    assert!(all.contains("message: Hello from hoist\n") && all.contains("replicas: 2\n"));
    let manifest = ok(&["get", "manifest", "web", "-n", &ns]);
    assert!(manifest.starts_with("---\n# Source: hello/templates/configmap.yaml\n"));
    assert!(ok(&["get", "notes", "web", "-n", &ns]).starts_with("NOTES:\nweb greets"));

    assert_eq!(
        ok(&["uninstall", "web", "-n", &ns]),
        "release \"web\" uninstalled\n"
    );
    for (api, kind) in [
        ("v1", "ConfigMap"),
        ("v1", "Service"),
        ("apps/v1", "Deployment"),
    ] {
        assert!(
            c.get(api, kind, "web-hello").is_none(),
            "{kind} left behind"
        );
    }
    assert!(c.record("web", 1).is_none(), "record left behind");
    let gone = hoist(&["status", "web", "-n", &ns]);
    assert_ne!(gone.code, 0);
    assert!(
        gone.stderr.contains("release: not found"),
        "{}",
        gone.stderr
    );
    let again = hoist(&["uninstall", "web", "-n", &ns]);
    assert_ne!(again.code, 0);
    assert_eq!(
        ok(&["uninstall", "web", "-n", &ns, "--ignore-not-found"]),
        ""
    );
}

#[test]
fn starter_chart_installs_server_side_and_keeps_history() {
    if cluster("starter_chart_installs_server_side_and_keeps_history").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-rel-starter");
    let dir = tempfile::tempdir().unwrap();
    let r = hoist_in(dir.path(), &["create", "shop"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let shop = dir.path().join("shop");
    let shop = shop.to_str().unwrap();
    let out = ok(&[
        "install",
        "app",
        shop,
        "-n",
        &ns,
        "--create-namespace",
        "-o",
        "json",
    ]);
    let rel: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(rel["info"]["status"], "deployed");
    assert_eq!(rel["apply_method"], "ssa");

    let c = Cluster::connect(&ns);
    let deploy = c
        .get("apps/v1", "Deployment", "app-shop")
        .expect("deployment");
    assert_owned(&deploy, "app", &ns);
    let svc = c.get("v1", "Service", "app-shop").expect("service");
    assert_owned(&svc, "app", &ns);
    // Applied server-side as field manager "hoist".
    let managers: Vec<&str> = deploy["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["manager"].as_str())
        .collect();
    assert!(managers.contains(&"hoist"), "{managers:?}");
    assert_eq!(c.record("app", 1).unwrap().status(), Status::Deployed);

    assert_eq!(
        ok(&["uninstall", "app", "-n", &ns, "--keep-history"]),
        "release \"app\" uninstalled\n"
    );
    assert!(c.get("apps/v1", "Deployment", "app-shop").is_none());
    let rec = c.record("app", 1).expect("record kept");
    assert_eq!(rec.status(), Status::Uninstalled);
    assert_eq!(rec.info.unwrap().description, "Uninstallation complete");
    // Uninstalled releases are listed only with --all.
    assert_eq!(ok(&["list", "-n", &ns]).lines().count(), 1);
    let all = ok(&["list", "-n", &ns, "-a"]);
    assert!(
        all.lines().nth(1).unwrap().contains("\tuninstalled"),
        "{all}"
    );
    let history: Json =
        serde_json::from_str(&ok(&["history", "app", "-n", &ns, "-o", "json"])).unwrap();
    assert_eq!(history[0]["status"], "uninstalled");
    // Helm keeps the name taken until --replace.
    let again = hoist(&["install", "app", shop, "-n", &ns]);
    assert_ne!(again.code, 0);
    assert!(
        again.stderr.contains("cannot re-use a name"),
        "{}",
        again.stderr
    );
}

#[test]
fn bad_values_leave_nothing_or_a_failed_record() {
    if cluster("bad_values_leave_nothing_or_a_failed_record").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-rel-bad");
    let hello = chart("hello");
    let hello = hello.to_str().unwrap();
    // A value the schema rejects fails before anything is written (Helm
    // renders before it creates the record).
    let r = hoist(&[
        "install",
        "bad",
        hello,
        "-n",
        &ns,
        "--create-namespace",
        "--server-side=false",
        "--set",
        "replicas=banana",
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("INSTALLATION FAILED"), "{}", r.stderr);
    let c = Cluster::connect(&ns);
    assert!(c.record("bad", 1).is_none());
    assert!(c.get("v1", "ConfigMap", "bad-hello").is_none());
    assert!(c.get("apps/v1", "Deployment", "bad-hello").is_none());

    // A value only the API server rejects (the schema check is skipped) fails after the record exists:
    // as in Helm, the record stays, marked failed with the error.
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(hoist_in(dir.path(), &["create", "shop"]).code, 0);
    let shop = dir.path().join("shop");
    let r = hoist(&[
        "install",
        "broken",
        shop.to_str().unwrap(),
        "-n",
        &ns,
        "--create-namespace",
        "--set",
        "service.port=99999999",
        "--skip-schema-validation",
    ]);
    assert_ne!(r.code, 0);
    let rec = c.record("broken", 1).expect("failed record");
    assert_eq!(rec.status(), Status::Failed);
    assert!(
        rec.info.unwrap().description.contains("broken-shop"),
        "the failure names the object"
    );
    assert!(c.get("apps/v1", "Deployment", "broken-shop").is_none());
    let list = ok(&["list", "-n", &ns]);
    assert!(list.contains("\tfailed"), "{list}");
}

/// A chart with a post-install ConfigMap hook and one plain ConfigMap.
fn hooked_chart(dir: &std::path::Path) -> std::path::PathBuf {
    let root = dir.join("hooked");
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("Chart.yaml"),
        "apiVersion: v2\nname: hooked\nversion: 0.2.0\n",
    )
    .unwrap();
    std::fs::write(
        root.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-plain\ndata:\n  a: b\n",
    )
    .unwrap();
    std::fs::write(
        root.join("templates/hook.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-hook\n  annotations:\n    \"helm.sh/hook\": post-install\ndata:\n  x: from-hook\n",
    )
    .unwrap();
    std::fs::write(
        root.join("templates/delete-hook.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-bye\n  annotations:\n    \"helm.sh/hook\": pre-delete\n",
    )
    .unwrap();
    root
}

#[test]
fn hooks_dry_run_and_replace() {
    if cluster("hooks_dry_run_and_replace").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-rel-hooks");
    let dir = tempfile::tempdir().unwrap();
    let hooked = hooked_chart(dir.path());
    let hooked = hooked.to_str().unwrap();
    let c = Cluster::connect(&ns);

    // A dry run prints the would-be release and writes nothing.
    let out = ok(&[
        "install",
        "h",
        hooked,
        "-n",
        &ns,
        "--create-namespace",
        "--dry-run",
    ]);
    assert!(out.contains("DESCRIPTION: Dry run complete\n"), "{out}");
    assert!(out.contains("HOOKS:\n---\n# Source: hooked/templates/"));
    assert!(
        out.contains("---\n# Source: hooked/templates/hook.yaml\n"),
        "{out}"
    );
    assert!(
        out.contains("MANIFEST:\n---\n# Source: hooked/templates/cm.yaml\n"),
        "{out}"
    );
    assert!(c.record("h", 1).is_none());
    assert!(c.get("v1", "ConfigMap", "h-plain").is_none());

    // --no-hooks leaves the hook out; the hook object is not owned by the
    // release (Helm does not stamp hooks).
    ok(&[
        "install",
        "h",
        hooked,
        "-n",
        &ns,
        "--create-namespace",
        "--no-hooks",
    ]);
    assert!(c.get("v1", "ConfigMap", "h-plain").is_some());
    assert!(c.get("v1", "ConfigMap", "h-hook").is_none());
    let rec = c.record("h", 1).unwrap();
    assert_eq!(rec.hooks.len(), 2);
    assert!(
        rec.hooks
            .iter()
            .all(|h| h.last_run.phase.as_str().is_empty())
    );

    // After an uninstall with kept history the name is re-usable only with
    // --replace. The pre-delete hook ran and, without a delete policy, stays.
    ok(&["uninstall", "h", "-n", &ns, "--keep-history"]);
    assert!(c.get("v1", "ConfigMap", "h-plain").is_none());
    assert!(c.get("v1", "ConfigMap", "h-bye").is_some());
    let r = hoist(&["install", "h", hooked, "-n", &ns]);
    assert_ne!(r.code, 0);
    ok(&["install", "h", hooked, "-n", &ns, "--replace"]);
    let hook = c
        .get("v1", "ConfigMap", "h-hook")
        .expect("post-install hook created");
    assert_eq!(hook["data"]["x"], "from-hook");
    // The replacement is revision 2; the uninstalled revision is superseded.
    assert_eq!(c.record("h", 1).unwrap().status(), Status::Superseded);
    let rec = c.record("h", 2).unwrap();
    assert_eq!(rec.status(), Status::Deployed);
    let post = rec.hooks.iter().find(|h| h.name == "h-hook").unwrap();
    assert_eq!(post.last_run.phase.as_str(), "Succeeded");
    assert!(!post.last_run.started_at.is_zero());
}

#[test]
fn racing_installs_of_one_name_leave_one_winner() {
    if cluster("racing_installs_of_one_name_leave_one_winner").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-rel-race");
    let dir = tempfile::tempdir().unwrap();
    let hooked = hooked_chart(dir.path());
    let hooked = hooked.to_str().unwrap().to_string();
    ok(&["install", "seed", &hooked, "-n", &ns, "--create-namespace"]);
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (chart, ns) = (hooked.clone(), ns.clone());
            std::thread::spawn(move || hoist(&["install", "race", &chart, "-n", &ns]))
        })
        .collect();
    let runs: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let winners = runs.iter().filter(|r| r.code == 0).count();
    assert_eq!(winners, 1, "{runs:?}");
    let loser = runs.iter().find(|r| r.code != 0).unwrap();
    // The loser either saw the winner's record (name in use) or lost the
    // create of revision 1 (the lock).
    assert!(
        loser
            .stderr
            .contains("cannot re-use a name that is still in use")
            || loser
                .stderr
                .contains("another operation (install/upgrade/rollback) is in progress on race"),
        "{}",
        loser.stderr
    );
    let c = Cluster::connect(&ns);
    assert_eq!(c.record("race", 1).unwrap().status(), Status::Deployed);
}

#[test]
fn crds_are_created_first_and_their_kinds_usable() {
    if cluster("crds_are_created_first_and_their_kinds_usable").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-rel-crd");
    // A group unique to this run: CRDs are cluster-scoped and outlive the test.
    let group = format!("{ns}.hoist.test");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("crdchart");
    std::fs::create_dir_all(root.join("crds")).unwrap();
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("Chart.yaml"),
        "apiVersion: v2\nname: crdchart\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::write(
        root.join("crds/gadget.yaml"),
        format!(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: gadgets.{group}\n\
             spec:\n  group: {group}\n  scope: Namespaced\n  names:\n    plural: gadgets\n    singular: gadget\n    kind: Gadget\n\
             \x20 versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n\
             \x20         type: object\n          x-kubernetes-preserve-unknown-fields: true\n"
        ),
    )
    .unwrap();
    std::fs::write(
        root.join("templates/gadget.yaml"),
        format!("apiVersion: {group}/v1\nkind: Gadget\nmetadata:\n  name: {{{{ .Release.Name }}}}-g\nspec:\n  size: 3\n"),
    )
    .unwrap();
    ok(&[
        "install",
        "g",
        root.to_str().unwrap(),
        "-n",
        &ns,
        "--create-namespace",
    ]);
    let c = Cluster::connect(&ns);
    let gadget = c
        .get(&format!("{group}/v1"), "Gadget", "g-g")
        .expect("custom resource");
    assert_owned(&gadget, "g", &ns);
    assert_eq!(gadget["spec"]["size"], 3);
    // The CRD is not part of the release manifest, so uninstall keeps it.
    ok(&["uninstall", "g", "-n", &ns]);
    assert!(c.record("g", 1).is_none());
}

#[test]
fn rejected_credentials_and_a_missing_namespace_are_clear_and_write_nothing() {
    let Some(kubeconfig) =
        cluster("rejected_credentials_and_a_missing_namespace_are_clear_and_write_nothing")
    else {
        return;
    };
    let app = hoist_e2e::fixture("charts/upgrade-app")
        .to_string_lossy()
        .into_owned();
    // The same cluster with a token the server does not accept (expired,
    // revoked or simply wrong all look alike to it: 401).
    let admin = std::fs::read_to_string(&kubeconfig).unwrap();
    let bogus: String = admin
        .lines()
        .map(|l| match l.split_once("token:") {
            Some((indent, _)) if indent.trim().is_empty() => {
                format!("{indent}token: expired-token")
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(bogus, admin, "the kubeconfig authenticates with a token");
    let dir = tempfile::tempdir().unwrap();
    let bogus_path = dir.path().join("kubeconfig");
    std::fs::write(&bogus_path, bogus).unwrap();
    let bogus_path = bogus_path.to_string_lossy().into_owned();
    let ns = fresh_namespace("hoist-badauth");
    ok(&["install", "seed", &app, "-n", &ns, "--create-namespace"]);
    for args in [
        vec!["install", "web", app.as_str(), "-n", ns.as_str()],
        vec!["upgrade", "seed", app.as_str(), "-n", ns.as_str()],
        vec!["list", "-n", ns.as_str()],
    ] {
        let mut with_config = args.clone();
        with_config.extend(["--kubeconfig", bogus_path.as_str()]);
        let run = hoist(&with_config);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("401 Unauthorized")
                && run
                    .stderr
                    .contains("invalid or expired; refresh the credentials"),
            "{args:?}: {}",
            run.stderr
        );
    }
    let c = Cluster::connect(&ns);
    assert_eq!(c.records("seed").len(), 1, "the upgrade wrote nothing");
    assert!(c.records("web").is_empty(), "the install wrote nothing");

    let missing = fresh_namespace("hoist-nonamespace");
    let run = hoist(&["install", "web", &app, "-n", &missing]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains(&format!("namespaces \"{missing}\" not found")),
        "{}",
        run.stderr
    );
}
