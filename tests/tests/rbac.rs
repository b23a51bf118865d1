//! Least privilege end to end: a CI identity bound only to a namespaced Role
//! (the one README.md's "Least privilege" section shows) can install,
//! upgrade, diff, roll back, list, inspect and uninstall in that namespace,
//! and an install elsewhere fails with an error naming the verb, the
//! resource, the namespace and the rule that would allow it.
//!
//! The identity is the static token `ci-token-1` (user `ci-user-1`) that
//! tests/cluster/up.sh writes to `tokens.csv` beside the admin kubeconfig.
//! On another cluster (no such file) the test is skipped with a note.

use hoist_e2e::cluster::{Cluster, cluster, fresh_namespace, ok};
use hoist_e2e::{Run, fixture, hoist_bin, workspace_root};
use std::path::{Path, PathBuf};
use std::process::Command;

const USER: &str = "ci-user-1";
const TOKEN: &str = "ci-token-1";

/// The Role and RoleBinding of README.md's "Least privilege" section:
/// release records in Secrets, and the kinds the chart renders
/// (upgrade-app: ConfigMaps and Services). Discovery needs no grant: every
/// authenticated user may read it.
fn rbac_yaml(namespace: &str) -> String {
    format!(
        r#"apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: hoist-deployer
  namespace: {namespace}
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "list", "create", "update", "delete"]
  - apiGroups: [""]
    resources: ["configmaps", "services"]
    verbs: ["get", "create", "patch", "delete"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: hoist-deployer
  namespace: {namespace}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: hoist-deployer
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: User
    name: {USER}
"#
    )
}

/// The folder of the local cluster's state: HOIST_CLUSTER_DIR, else the
/// admin kubeconfig's folder, else up.sh's default.
fn cluster_dir(kubeconfig: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os("HOIST_CLUSTER_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let first = kubeconfig.split(':').next().unwrap_or_default();
    match Path::new(first).parent() {
        Some(dir) if dir.join("tokens.csv").exists() => dir.to_path_buf(),
        _ => PathBuf::from("/tmp/hoist-cluster"),
    }
}

/// The admin kubeconfig with every user's token replaced by `token`.
fn kubeconfig_for(admin: &str, token: &str) -> String {
    admin
        .lines()
        .map(|line| match line.split_once("token:") {
            Some((indent, _)) if indent.trim().is_empty() => format!("{indent}token: {token}"),
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Runs hoist with KUBECONFIG set to `kubeconfig`.
fn hoist_as(kubeconfig: &Path, args: &[&str]) -> Run {
    Command::new(hoist_bin())
        .args(args)
        .current_dir(workspace_root())
        .stdin(std::process::Stdio::null())
        .env_remove("HOIST_NAMESPACE")
        .env("KUBECONFIG", kubeconfig)
        .output()
        .expect("run hoist")
        .into()
}

fn ok_as(kubeconfig: &Path, args: &[&str]) -> String {
    let r = hoist_as(kubeconfig, args);
    assert_eq!(r.code, 0, "hoist {args:?} as {USER} failed: {}", r.stderr);
    r.stdout
}

#[test]
fn namespaced_role_is_enough_and_denials_name_the_permission() {
    let Some(admin_config) = cluster("namespaced_role_is_enough_and_denials_name_the_permission")
    else {
        return;
    };
    let dir = cluster_dir(&admin_config);
    let tokens = std::fs::read_to_string(dir.join("tokens.csv")).unwrap_or_default();
    if !tokens
        .lines()
        .any(|l| l.starts_with(&format!("{TOKEN},{USER},")))
    {
        eprintln!(
            "skipping: {} has no {TOKEN} for {USER} (not the cluster of tests/cluster/up.sh)",
            dir.join("tokens.csv").display()
        );
        return;
    }
    let admin_path = admin_config.split(':').next().unwrap_or_default();
    let admin_text = std::fs::read_to_string(admin_path).expect("read the admin kubeconfig");
    let scratch = tempfile::tempdir().unwrap();
    let ci_config = scratch.path().join("ci-user-1.kubeconfig");
    std::fs::write(&ci_config, kubeconfig_for(&admin_text, TOKEN)).unwrap();

    // The admin creates the namespace and the Role binding (as a platform
    // team would), with hoist itself: a chart holding the RBAC objects.
    // The other namespace need not exist: RBAC refuses before that matters.
    let ns = fresh_namespace("hoist-rbac");
    let other = fresh_namespace("hoist-rbac-other");
    let rbac_chart = scratch.path().join("rbac");
    std::fs::create_dir_all(rbac_chart.join("templates")).unwrap();
    std::fs::write(
        rbac_chart.join("Chart.yaml"),
        "apiVersion: v2\nname: rbac\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(rbac_chart.join("templates/rbac.yaml"), rbac_yaml(&ns)).unwrap();
    let rbac_chart = rbac_chart.to_string_lossy().into_owned();
    ok(&[
        "install",
        "rbac",
        &rbac_chart,
        "-n",
        &ns,
        "--create-namespace",
    ]);
    let app = fixture("charts/upgrade-app").to_string_lossy().into_owned();
    let c = Cluster::connect(&ns);
    let message = || {
        c.get("v1", "ConfigMap", "web-main")
            .map(|cm| cm["data"]["message"].as_str().unwrap_or("").to_string())
    };

    ok_as(
        &ci_config,
        &["install", "web", &app, "-n", &ns, "--set", "message=one"],
    );
    assert_eq!(message().as_deref(), Some("one"));
    let out = ok_as(
        &ci_config,
        &[
            "upgrade",
            "web",
            &app,
            "-n",
            &ns,
            "--set",
            "message=two",
            "--set",
            "extra.enabled=true",
        ],
    );
    assert!(out.contains("has been upgraded"), "{out}");
    assert_eq!(message().as_deref(), Some("two"));

    let diff = hoist_as(
        &ci_config,
        &[
            "diff",
            "rollback",
            "web",
            "1",
            "-n",
            &ns,
            "--detailed-exitcode",
        ],
    );
    assert_eq!(diff.code, 2, "{}", diff.stderr);
    assert!(
        diff.stdout
            .contains("web-extra, ConfigMap (v1) has been removed:"),
        "{}",
        diff.stdout
    );

    ok_as(&ci_config, &["rollback", "web", "1", "-n", &ns]);
    assert_eq!(message().as_deref(), Some("one"));
    assert!(c.get("v1", "ConfigMap", "web-extra").is_none());

    let list = ok_as(&ci_config, &["list", "-n", &ns, "-o", "json"]);
    assert!(
        list.contains("\"name\":\"web\"") && list.contains("\"revision\":\"3\""),
        "{list}"
    );
    let status = ok_as(&ci_config, &["status", "web", "-n", &ns]);
    assert!(status.contains("STATUS: deployed"), "{status}");
    let history = ok_as(&ci_config, &["history", "web", "-n", &ns]);
    assert!(history.contains("Rollback to 1"), "{history}");

    // Outside its namespace the identity is refused, and the message says
    // which permission is missing and which rule would grant it.
    let denied = hoist_as(&ci_config, &["install", "web", &app, "-n", &other]);
    assert_eq!(denied.code, 1, "{}", denied.stdout);
    for part in [
        "forbidden: the current user may not list secrets in namespace",
        &format!("{other:?}"),
        &format!(
            "a Role in namespace {other:?} with the rule {{apiGroups: [\"\"], resources: [\"secrets\"], verbs: [\"list\"]}}"
        ),
    ] {
        assert!(
            denied.stderr.contains(part),
            "{part:?} missing: {}",
            denied.stderr
        );
    }

    ok_as(&ci_config, &["uninstall", "web", "-n", &ns]);
    assert!(c.get("v1", "ConfigMap", "web-main").is_none());
    assert!(c.records("web").is_empty());
}

#[test]
fn kubeconfig_swaps_every_token() {
    let admin = "users:\n- name: admin\n  user:\n    token: secret-admin\n";
    assert_eq!(
        kubeconfig_for(admin, TOKEN),
        "users:\n- name: admin\n  user:\n    token: ci-token-1\n"
    );
}
