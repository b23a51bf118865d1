//! CD-pipeline ergonomics end to end: `diff upgrade|rollback` against live
//! objects (drift, masked Secrets, exit codes, JSON), the Helm 2-era
//! aliases, shell completion, and the `-o json` schemas of
//! docs/cli-output.md. Cluster tests use a fresh namespace and skip, with a
//! note, when KUBECONFIG is unset.

use hoist_e2e::cluster::{Cluster, cluster, fresh_namespace, ok};
use hoist_e2e::{fixture, hoist};
use serde_json::{Value as Json, json};

fn diff_app() -> String {
    fixture("charts/diff-app").to_string_lossy().into_owned()
}

fn json_of(text: &str) -> Json {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn diff_upgrade_shows_live_changes_masks_secrets_and_sets_exit_codes() {
    if cluster("diff_upgrade_shows_live_changes_masks_secrets_and_sets_exit_codes").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-diff");
    let app = diff_app();
    ok(&["install", "d", &app, "-n", &ns, "--create-namespace"]);

    // Same chart, same values: nothing to show, exit 0 even when detailed.
    let same = hoist(&[
        "diff",
        "upgrade",
        "d",
        &app,
        "-n",
        &ns,
        "--detailed-exitcode",
    ]);
    assert_eq!(
        (same.code, same.stdout.as_str()),
        (0, ""),
        "{}",
        same.stderr
    );

    let changed = hoist(&[
        "diff",
        "upgrade",
        "d",
        &app,
        "-n",
        &ns,
        "--set",
        "password=bravo1",
        "--set",
        "message=bye",
        "--detailed-exitcode",
    ]);
    assert_eq!(changed.code, 2, "{}", changed.stderr);
    let out = &changed.stdout;
    // Sorted by kind: the ConfigMap's section comes before the Secret's.
    let cm_at = out
        .find(&format!("{ns}, d-config, ConfigMap (v1) has changed:\n"))
        .unwrap_or_else(|| panic!("{out}"));
    let secret_at = out
        .find(&format!("{ns}, d-auth, Secret (v1) has changed:\n"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(cm_at < secret_at, "{out}");
    for line in [
        "-  message: hello\n",
        "+  message: bye\n",
        "-  password: '-------- # (5 bytes)'\n",
        "+  password: '++++++++ # (6 bytes)'\n",
        "   user: 'REDACTED # (5 bytes)'\n",
    ] {
        assert!(out.contains(line), "{line:?} missing:\n{out}");
    }
    // Neither the values nor their base64 ever show.
    for secret in [
        "alpha", "bravo1", "YWxwaGE", "YnJhdm8x", "admin\n", "YWRtaW4",
    ] {
        assert!(!out.contains(secret), "{secret} leaked:\n{out}");
    }
    // Not a terminal: no colour codes.
    assert!(!out.contains('\x1b'), "{out}");
    // Without --detailed-exitcode, changes still exit 0.
    let plain = hoist(&[
        "diff",
        "upgrade",
        "d",
        &app,
        "-n",
        &ns,
        "--set",
        "message=bye",
    ]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);

    // -o json: every object, sorted, with its change.
    let listed = json_of(&ok(&[
        "diff",
        "upgrade",
        "d",
        &app,
        "-n",
        &ns,
        "--set",
        "message=bye",
        "-o",
        "json",
    ]));
    let summary: Vec<Json> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| json!([d["kind"], d["name"], d["namespace"], d["change"]]))
        .collect();
    assert_eq!(
        summary,
        [
            json!(["ConfigMap", "d-config", ns, "changed"]),
            json!(["Secret", "d-auth", ns, "unchanged"]),
        ]
    );
    assert_eq!(listed[1]["diff"], "");
    assert_eq!(listed[0]["apiVersion"], "v1");

    // Drift: a hand edit on the live ConfigMap shows as a change back.
    let c = Cluster::connect(&ns);
    let api: kube::Api<kube::api::DynamicObject> = kube::Api::namespaced_with(
        c.resources.client().raw().clone(),
        &ns,
        &kube::api::ApiResource::erase::<k8s_openapi::api::core::v1::ConfigMap>(&()),
    );
    c.rt.block_on(api.patch(
        "d-config",
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(json!({"data": {"message": "edited by hand"}})),
    ))
    .unwrap();
    let drift = hoist(&[
        "diff",
        "upgrade",
        "d",
        &app,
        "-n",
        &ns,
        "--detailed-exitcode",
    ]);
    assert_eq!(drift.code, 2, "{}", drift.stderr);
    assert!(
        drift
            .stdout
            .contains("-  message: edited by hand\n+  message: hello\n"),
        "{}",
        drift.stdout
    );
    assert!(!drift.stdout.contains("Secret"), "{}", drift.stdout);

    // A release that does not exist: an error, or with -i everything added.
    let missing = hoist(&["diff", "upgrade", "nope", &app, "-n", &ns]);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("has no deployed releases"),
        "{}",
        missing.stderr
    );
    let fresh = json_of(&ok(&[
        "diff", "upgrade", "nope", &app, "-n", &ns, "-i", "-o", "json",
    ]));
    assert!(
        fresh
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["change"] == "added"),
        "{fresh}"
    );
    assert!(!fresh.to_string().contains("alpha"), "{fresh}");
    assert!(c.records("nope").is_empty(), "diff must not install");
    assert_eq!(c.records("d").len(), 1, "diff must not upgrade");
}

#[test]
fn diff_rollback_compares_live_objects_with_a_revision() {
    if cluster("diff_rollback_compares_live_objects_with_a_revision").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-diffrb");
    let app = fixture("charts/upgrade-app").to_string_lossy().into_owned();
    ok(&[
        "install",
        "web",
        &app,
        "-n",
        &ns,
        "--create-namespace",
        "--set",
        "message=one",
    ]);
    ok(&[
        "upgrade",
        "web",
        &app,
        "-n",
        &ns,
        "--set",
        "message=two",
        "--set",
        "extra.enabled=true",
    ]);
    let back = hoist(&["diff", "rollback", "web", "-n", &ns, "--detailed-exitcode"]);
    assert_eq!(back.code, 2, "{}", back.stderr);
    let out = &back.stdout;
    assert!(
        out.contains(&format!(
            "{ns}, web-extra, ConfigMap (v1) has been removed:\n"
        )),
        "{out}"
    );
    assert!(out.contains("-  message: two\n+  message: one\n"), "{out}");
    assert!(
        !out.contains("web-svc"),
        "unchanged objects are not shown: {out}"
    );

    let to_current = hoist(&[
        "diff",
        "rollback",
        "web",
        "2",
        "-n",
        &ns,
        "--detailed-exitcode",
    ]);
    assert_eq!(
        (to_current.code, to_current.stdout.as_str()),
        (0, ""),
        "{}",
        to_current.stderr
    );

    let bad = hoist(&["diff", "rollback", "web", "9", "-n", &ns]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("release has no 9 version"),
        "{}",
        bad.stderr
    );
    assert_eq!(
        Cluster::connect(&ns).records("web").len(),
        2,
        "diff must not roll back"
    );
}

#[test]
fn diff_shows_hooks_as_stored_and_leaves_tests_out_unless_asked() {
    if cluster("diff_shows_hooks_as_stored_and_leaves_tests_out_unless_asked").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-diffhooks");
    let app = fixture("charts/upgrade-app").to_string_lossy().into_owned();
    ok(&["install", "web", &app, "-n", &ns, "--create-namespace"]);
    let diff = |extra: &[&str]| {
        let mut args = vec![
            "diff",
            "upgrade",
            "web",
            &app,
            "-n",
            &ns,
            "--detailed-exitcode",
            "--set",
            "hooks.preUpgradeJob=true",
            "--set",
            "hooks.testPod=true",
        ];
        args.extend_from_slice(extra);
        hoist(&args)
    };

    let plain = diff(&[]);
    assert_eq!(plain.code, 2, "{}", plain.stderr);
    assert!(
        plain.stdout.contains(&format!(
            "{ns}, web-pre-upgrade, Job (batch/v1) has been added:\n"
        )),
        "{}",
        plain.stdout
    );
    assert!(
        plain.stdout.contains("+      - command:"),
        "{}",
        plain.stdout
    );
    assert!(
        !plain.stdout.contains("web-test"),
        "test hooks only with --include-tests: {}",
        plain.stdout
    );

    let tests = diff(&["--include-tests", "-o", "json"]);
    assert_eq!(tests.code, 2, "{}", tests.stderr);
    let rows: serde_json::Value = serde_json::from_str(&tests.stdout).unwrap();
    let hooks: Vec<(&str, &str)> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["hook"] == true)
        .map(|r| (r["name"].as_str().unwrap(), r["change"].as_str().unwrap()))
        .collect();
    assert_eq!(
        hooks,
        vec![("web-pre-upgrade", "added"), ("web-test", "added")]
    );

    let none = diff(&["--no-hooks"]);
    assert_eq!(
        (none.code, none.stdout.as_str()),
        (0, ""),
        "the objects do not change: {}",
        none.stderr
    );
}

#[test]
fn output_schemas_of_release_commands() {
    if cluster("output_schemas_of_release_commands").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-out");
    let app = fixture("charts/upgrade-app").to_string_lossy().into_owned();
    let installed = json_of(&ok(&[
        "install",
        "web",
        &app,
        "-n",
        &ns,
        "--create-namespace",
        "-o",
        "json",
    ]));
    assert_eq!(
        (
            &installed["name"],
            &installed["version"],
            &installed["info"]["status"]
        ),
        (&json!("web"), &json!(1), &json!("deployed"))
    );
    let md = json_of(&ok(&["get", "metadata", "web", "-n", &ns, "-o", "json"]));
    let keys: Vec<&str> = md.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "name",
            "chart",
            "version",
            "appVersion",
            "labels",
            "namespace",
            "revision",
            "status",
            "deployedAt",
            "applyMethod"
        ]
    );
    assert_eq!(
        (&md["chart"], &md["revision"]),
        (&json!("upgrade-app"), &json!(1))
    );
    let manifest = json_of(&ok(&["get", "manifest", "web", "-n", &ns, "-o", "json"]));
    assert!(
        manifest["manifest"].as_str().unwrap().contains("web-main"),
        "{manifest}"
    );
    assert_eq!(manifest["revision"], 1);
    let all = json_of(&ok(&["get", "all", "web", "-n", &ns, "-o", "json"]));
    assert_eq!(all["name"], "web");
    let hooks = json_of(&ok(&["get", "hooks", "web", "-n", &ns, "-o", "json"]));
    assert_eq!(hooks, json!([]));
    let yaml = ok(&["get", "notes", "web", "-n", &ns, "-o", "yaml"]);
    assert!(
        yaml.contains("name: web\n") && yaml.contains("revision: 1\n"),
        "{yaml}"
    );

    // Helm 2's `delete --purge` is uninstall.
    let gone = json_of(&ok(&["delete", "web", "--purge", "-n", &ns, "-o", "json"]));
    assert_eq!(
        gone,
        json!([{"name": "web", "namespace": ns, "uninstalled": true, "kept": [], "historyKept": false}])
    );
    assert!(Cluster::connect(&ns).records("web").is_empty());
}

#[test]
fn completion_scripts_and_inspect_alias() {
    for shell in ["bash", "zsh", "fish"] {
        let out = ok(&["completion", shell]);
        assert!(
            out.contains("rollback") && out.contains("diff"),
            "{shell}: {out}"
        );
    }
    assert_ne!(hoist(&["completion", "tcsh"]).code, 0);
    let app = fixture("charts/upgrade-app").to_string_lossy().into_owned();
    let shown = json_of(&ok(&["inspect", "chart", &app, "-o", "json"]));
    assert_eq!(shown["chart"]["name"], "upgrade-app");
    let all = json_of(&ok(&["show", "all", &app, "-o", "json"]));
    let keys: Vec<&str> = all
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["chart", "values", "readme", "crds"]);
    assert_eq!(all["values"]["message"], "hello");
    assert_eq!(all["readme"], Json::Null);
}
