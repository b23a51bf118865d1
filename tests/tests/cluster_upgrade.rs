//! Upgrade, rollback, locking and recovery end to end against a real
//! kube-apiserver: the objects in the cluster and the decoded release
//! Secrets are checked after every step. Each test uses a fresh namespace
//! and is skipped, with a note, when KUBECONFIG is unset.

use hoist_core::release::status::Status;
use hoist_e2e::cluster::{Cluster, assert_owned, cluster, fresh_namespace, ok};
use hoist_e2e::{fixture, hoist};
use serde_json::json;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn app() -> String {
    fixture("charts/upgrade-app").to_string_lossy().into_owned()
}

fn message(c: &Cluster, release: &str) -> Option<String> {
    c.get("v1", "ConfigMap", &format!("{release}-main"))
        .map(|cm| cm["data"]["message"].as_str().unwrap_or("").to_string())
}

fn statuses(c: &Cluster, release: &str) -> Vec<(i64, Status)> {
    c.records(release)
        .iter()
        .map(|r| (r.version, r.status()))
        .collect()
}

#[test]
fn install_upgrade_upgrade_rollback_uninstall_keep_history() {
    if cluster("install_upgrade_upgrade_rollback_uninstall_keep_history").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-up");
    let app = app();
    let c = Cluster::connect(&ns);

    ok(&[
        "install",
        "web",
        &app,
        "-n",
        &ns,
        "--create-namespace",
        "--set",
        "message=one",
        "--set",
        "extra.enabled=true",
    ]);
    assert_eq!(message(&c, "web").as_deref(), Some("one"));
    assert_owned(&c.get("v1", "ConfigMap", "web-extra").unwrap(), "web", &ns);
    assert_eq!(statuses(&c, "web"), [(1, Status::Deployed)]);

    // Revision 2 drops the extra ConfigMap: it must be deleted.
    let out = ok(&["upgrade", "web", &app, "-n", &ns, "--set", "message=two"]);
    assert!(out.contains("has been upgraded"), "{out}");
    assert_eq!(message(&c, "web").as_deref(), Some("two"));
    assert!(c.get("v1", "ConfigMap", "web-extra").is_none());
    assert_eq!(
        statuses(&c, "web"),
        [(1, Status::Superseded), (2, Status::Deployed)]
    );
    let r2 = c.record("web", 2).unwrap();
    assert_eq!(r2.info.as_ref().unwrap().description, "Upgrade complete");
    assert_eq!(r2.config["message"], "two".into());

    // --reuse-values keeps message=two's sibling values and adds the new one.
    ok(&[
        "upgrade",
        "web",
        &app,
        "-n",
        &ns,
        "--reuse-values",
        "--set",
        "extra.enabled=true",
    ]);
    assert_eq!(message(&c, "web").as_deref(), Some("two"));
    assert!(c.get("v1", "ConfigMap", "web-extra").is_some());
    let r3 = c.record("web", 3).unwrap();
    assert_eq!(r3.config["message"], "two".into());
    assert_eq!(
        statuses(&c, "web"),
        [
            (1, Status::Superseded),
            (2, Status::Superseded),
            (3, Status::Deployed)
        ]
    );

    // The same values again change nothing: no revision 4.
    let out = ok(&["upgrade", "web", &app, "-n", &ns, "--reuse-values"]);
    assert!(out.contains("is unchanged"), "{out}");
    assert_eq!(c.records("web").len(), 3);

    // Rollback to 1: revision 4 carries revision 1's manifest.
    let out = ok(&["rollback", "web", "1", "-n", &ns]);
    assert!(out.contains("Rollback was a success"), "{out}");
    assert_eq!(message(&c, "web").as_deref(), Some("one"));
    assert!(c.get("v1", "ConfigMap", "web-extra").is_some());
    let r4 = c.record("web", 4).unwrap();
    assert_eq!(r4.info.as_ref().unwrap().description, "Rollback to 1");
    assert_eq!(r4.info.as_ref().unwrap().rollback_revision, 1);
    assert_eq!(r4.manifest, c.record("web", 1).unwrap().manifest);
    assert_eq!(
        statuses(&c, "web"),
        [
            (1, Status::Superseded),
            (2, Status::Superseded),
            (3, Status::Superseded),
            (4, Status::Deployed)
        ]
    );
    let history = ok(&["history", "web", "-n", &ns]);
    assert!(history.contains("Rollback to 1"), "{history}");

    ok(&["uninstall", "web", "-n", &ns, "--keep-history"]);
    assert!(c.get("v1", "ConfigMap", "web-main").is_none());
    assert!(c.get("v1", "Service", "web-svc").is_none());
    let last = statuses(&c, "web");
    assert_eq!(last.len(), 4);
    assert_eq!(last[3], (4, Status::Uninstalled));

    // upgrade --install over an uninstalled release installs it again.
    let out = ok(&["upgrade", "--install", "web", &app, "-n", &ns]);
    assert!(out.contains("Installing it now"), "{out}");
    assert_eq!(message(&c, "web").as_deref(), Some("hello"));
    assert_eq!(c.records("web").last().unwrap().version, 5);
}

#[test]
fn upgrade_errors_are_clear_and_change_nothing() {
    if cluster("upgrade_errors_are_clear_and_change_nothing").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-up-err");
    let app = app();
    let c = Cluster::connect(&ns);

    let r = hoist(&["upgrade", "nothing", &app, "-n", &ns]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("\"nothing\" has no deployed releases"),
        "{}",
        r.stderr
    );

    let r = hoist(&["upgrade", "Bad_Name", &app, "-n", &ns]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("release name is invalid: Bad_Name"),
        "{}",
        r.stderr
    );

    ok(&[
        "install",
        "e",
        &app,
        "-n",
        &ns,
        "--create-namespace",
        "--set",
        "message=keep",
    ]);
    // An object the server rejects (a Service port out of range): the
    // upgrade fails, revision 2 is recorded failed, revision 1 stays deployed.
    let bad = tempfile::tempdir().unwrap();
    let chart = bad.path().join("upgrade-app");
    copy_dir(&fixture("charts/upgrade-app"), &chart);
    std::fs::write(
        chart.join("templates/service.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-svc\nspec:\n  ports:\n    - port: 99999\n      protocol: TCP\n",
    )
    .unwrap();
    let r = hoist(&[
        "upgrade",
        "e",
        chart.to_str().unwrap(),
        "-n",
        &ns,
        "--set",
        "message=new",
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("UPGRADE FAILED"), "{}", r.stderr);
    assert!(r.stderr.contains("99999"), "{}", r.stderr);
    assert_eq!(
        statuses(&c, "e"),
        [(1, Status::Deployed), (2, Status::Failed)]
    );

    // Unknown kinds fail before anything is written.
    std::fs::write(
        chart.join("templates/service.yaml"),
        "apiVersion: example.com/v1\nkind: Nope\nmetadata:\n  name: x\n",
    )
    .unwrap();
    let r = hoist(&[
        "upgrade",
        "e",
        chart.to_str().unwrap(),
        "-n",
        &ns,
        "--set",
        "message=new",
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("Nope"), "{}", r.stderr);
    assert_eq!(c.records("e").len(), 2);

    // Rolling back to a revision that does not exist.
    let r = hoist(&["rollback", "e", "9", "-n", &ns]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("release has no 9 version"),
        "{}",
        r.stderr
    );
    assert_eq!(c.records("e").len(), 2);
}

#[test]
fn oversized_release_fails_before_anything_is_applied() {
    if cluster("oversized_release_fails_before_anything_is_applied").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-big");
    let app = app();
    let c = Cluster::connect(&ns);
    let r = hoist(&[
        "install",
        "big",
        &app,
        "-n",
        &ns,
        "--create-namespace",
        "--set",
        "fillerKiB=2500",
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("too large to store"), "{}", r.stderr);
    assert!(r.stderr.contains("nothing was applied"), "{}", r.stderr);
    assert!(c.get("v1", "ConfigMap", "big-main").is_none());
    assert!(c.records("big").is_empty());

    ok(&["install", "big", &app, "-n", &ns, "--create-namespace"]);
    let r = hoist(&["upgrade", "big", &app, "-n", &ns, "--set", "fillerKiB=2500"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("too large to store"), "{}", r.stderr);
    assert!(c.get("v1", "ConfigMap", "big-filler").is_none());
    assert_eq!(statuses(&c, "big"), [(1, Status::Deployed)]);
}

#[test]
fn concurrent_upgrades_keep_history_linear() {
    if cluster("concurrent_upgrades_keep_history_linear").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-race-up");
    let app = app();
    let c = Cluster::connect(&ns);
    ok(&["install", "busy", &app, "-n", &ns, "--create-namespace"]);
    let threads: Vec<_> = (0..20)
        .map(|i| {
            let (app, ns) = (app.clone(), ns.clone());
            std::thread::spawn(move || {
                hoist(&[
                    "upgrade",
                    "busy",
                    &app,
                    "-n",
                    &ns,
                    "--set",
                    &format!("message=m{i}"),
                    "--history-max",
                    "0",
                ])
            })
        })
        .collect();
    let runs: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let winners = runs.iter().filter(|r| r.code == 0).count();
    assert!(winners >= 1, "{runs:?}");
    for loser in runs.iter().filter(|r| r.code != 0) {
        assert!(
            loser
                .stderr
                .contains("another operation (install/upgrade/rollback) is in progress on busy"),
            "{}",
            loser.stderr
        );
    }
    let records = c.records("busy");
    let versions: Vec<i64> = records.iter().map(|r| r.version).collect();
    let expected: Vec<i64> = (1..=(1 + winners as i64)).collect();
    assert_eq!(versions, expected, "history must be linear without gaps");
    assert!(records.iter().all(|r| !r.status().is_pending()));
    let deployed: Vec<_> = records
        .iter()
        .filter(|r| r.status() == Status::Deployed)
        .collect();
    assert_eq!(deployed.len(), 1);
    assert_eq!(deployed[0].version, *versions.last().unwrap());
    // The live object matches the winner of the last revision.
    let last_message = deployed[0].config["message"].clone();
    assert_eq!(message(&c, "busy").map(Into::into), Some(last_message),);
}

#[test]
fn killed_upgrade_is_recovered_by_rollback() {
    if cluster("killed_upgrade_is_recovered_by_rollback").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-kill");
    let app = app();
    let c = Cluster::connect(&ns);
    ok(&[
        "install",
        "k",
        &app,
        "-n",
        &ns,
        "--create-namespace",
        "--set",
        "message=before",
    ]);

    // The pre-upgrade Job never completes here (no controllers), so the
    // upgrade sits waiting on it with revision 2 pending.
    let mut child = Command::new(hoist_e2e::hoist_bin())
        .args([
            "upgrade",
            "k",
            &app,
            "-n",
            &ns,
            "--set",
            "message=after",
            "--set",
            "hooks.preUpgradeJob=true",
            "--timeout",
            "10m",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while c.get("batch/v1", "Job", "k-pre-upgrade").is_none() {
        assert!(Instant::now() < deadline, "the hook Job never appeared");
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(
        statuses(&c, "k"),
        [(1, Status::Deployed), (2, Status::PendingUpgrade)]
    );

    // Any further operation is refused with the recovery command.
    let r = hoist(&["upgrade", "k", &app, "-n", &ns, "--set", "message=again"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("another operation (install/upgrade/rollback) is in progress on k"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("hoist rollback k"), "{}", r.stderr);

    // The documented recovery.
    ok(&["rollback", "k", "-n", &ns]);
    assert_eq!(
        statuses(&c, "k"),
        [
            (1, Status::Superseded),
            (2, Status::Failed),
            (3, Status::Deployed)
        ]
    );
    assert_eq!(message(&c, "k").as_deref(), Some("before"));
    // And the release upgrades normally again.
    ok(&["upgrade", "k", &app, "-n", &ns, "--set", "message=later"]);
    assert_eq!(message(&c, "k").as_deref(), Some("later"));
    assert_eq!(c.records("k").last().unwrap().status(), Status::Deployed);
}

#[test]
fn history_max_prunes_old_revisions() {
    if cluster("history_max_prunes_old_revisions").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-hmax");
    let app = app();
    let c = Cluster::connect(&ns);
    ok(&["install", "h", &app, "-n", &ns, "--create-namespace"]);
    for i in 0..4 {
        ok(&[
            "upgrade",
            "h",
            &app,
            "-n",
            &ns,
            "--history-max",
            "3",
            "--set",
            &format!("message=v{i}"),
        ]);
    }
    let versions: Vec<i64> = c.records("h").iter().map(|r| r.version).collect();
    assert_eq!(versions, [3, 4, 5]);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

#[test]
fn atomic_upgrade_with_a_failing_post_upgrade_hook_restores_the_previous_objects() {
    if cluster("atomic_upgrade_with_a_failing_post_upgrade_hook_restores_the_previous_objects")
        .is_none()
    {
        return;
    }
    let ns = fresh_namespace("hoist-atomic");
    let app = app();
    let c = Cluster::connect(&ns);
    ok(&[
        "install",
        "at",
        &app,
        "-n",
        &ns,
        "--create-namespace",
        "--set",
        "message=stable",
        "--set",
        "extra.enabled=true",
    ]);
    let child = Command::new(hoist_e2e::hoist_bin())
        .args([
            "upgrade",
            "at",
            &app,
            "-n",
            &ns,
            "--atomic",
            "--timeout",
            "2m",
            "--set",
            "message=broken",
            "--set",
            "hooks.postUpgradeJob=true",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The new objects are applied before the post-upgrade hook runs.
    let deadline = Instant::now() + Duration::from_secs(60);
    while c.get("batch/v1", "Job", "at-post-upgrade").is_none() {
        assert!(Instant::now() < deadline, "the hook Job never appeared");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(message(&c, "at").as_deref(), Some("broken"));
    assert!(c.get("v1", "ConfigMap", "at-extra").is_none());
    c.patch_status(
        "batch/v1",
        "Job",
        "at-post-upgrade",
        json!({"failed": 1, "conditions": [{
            "type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
            "message": "Job has reached the specified backoff limit"
        }]}),
    );
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("has been rolled back due to atomic being set"),
        "{stderr}"
    );
    assert!(stderr.contains("post-upgrade hooks failed"), "{stderr}");
    // Revision 1's objects are back.
    assert_eq!(message(&c, "at").as_deref(), Some("stable"));
    assert!(c.get("v1", "ConfigMap", "at-extra").is_some());
    assert_eq!(
        statuses(&c, "at"),
        [
            (1, Status::Superseded),
            (2, Status::Failed),
            (3, Status::Deployed)
        ]
    );
    let r2 = c.record("at", 2).unwrap();
    let hook = r2
        .hooks
        .iter()
        .find(|h| h.name == "at-post-upgrade")
        .unwrap();
    assert_eq!(hook.last_run.phase.as_str(), "Failed");
}

#[test]
fn test_command_runs_test_hooks_and_reports_failures() {
    if cluster("test_command_runs_test_hooks_and_reports_failures").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-test");
    let app = app();
    let c = Cluster::connect(&ns);
    ok(&[
        "install",
        "t",
        &app,
        "-n",
        &ns,
        "--create-namespace",
        "--set",
        "hooks.testPod=true",
    ]);
    // Pods need their service account; no controller creates `default` here.
    c.apply(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}}));
    // Nothing runs pods here: the test plays the kubelet.
    let run = |phase: &'static str| {
        let child = Command::new(hoist_e2e::hoist_bin())
            .args(["test", "t", "-n", &ns, "--timeout", "1m"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let pod = c.get("v1", "Pod", "t-test");
            // A fresh pod (the previous run's is deleted before creation).
            if pod
                .as_ref()
                .is_some_and(|p| p["status"]["phase"] == "Pending")
            {
                break;
            }
            assert!(Instant::now() < deadline, "the test pod never appeared");
            std::thread::sleep(Duration::from_millis(100));
        }
        c.patch_status("v1", "Pod", "t-test", json!({"phase": phase}));
        child.wait_with_output().unwrap()
    };
    let out = run("Succeeded");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("TEST SUITE:     t-test"), "{stdout}");
    assert!(stdout.contains("Phase:          Succeeded"), "{stdout}");
    let hook = c
        .record("t", 1)
        .unwrap()
        .hooks
        .into_iter()
        .find(|h| h.name == "t-test")
        .unwrap();
    assert_eq!(hook.last_run.phase.as_str(), "Succeeded");

    let out = run("Failed");
    assert!(!out.status.success());
    let hook = c
        .record("t", 1)
        .unwrap()
        .hooks
        .into_iter()
        .find(|h| h.name == "t-test")
        .unwrap();
    assert_eq!(hook.last_run.phase.as_str(), "Failed");
}
