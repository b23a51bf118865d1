//! `--post-renderer` end to end: `template` offline, then install, upgrade
//! and `diff upgrade` on the real API server (skipped, with a note, when
//! KUBECONFIG is unset). The post-renderers are small shell scripts each
//! test writes into its own temporary folder.
//!
//! Expected outputs are derived from real Helm v4's release of the fixture
//! chart (tests/fixtures/postrender/helm-release.json): Helm 3's
//! post-renderer gets exactly that manifest block and its output replaces it.

use hoist_e2e::cluster::{Cluster, assert_owned, cluster, fresh_namespace, ok};
use hoist_e2e::{Run, fixture, hoist, hoist_bin};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Adds the label `patched-by: VALUE` (first argument, default
/// `post-renderer`) to every object, as a kustomize patch would.
const LABEL: &str = r#"v=${1:-post-renderer}
sed "s/^metadata:\$/metadata:\n  labels:\n    patched-by: $v/""#;

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    // Written by a child `sh`, not by this process: other test threads
    // starting hoist meanwhile would inherit an open file for a moment, and
    // running the script could then fail with "Text file busy".
    let path = dir.join(name);
    let mut child = std::process::Command::new("sh")
        .args(["-c", "cat > \"$1\" && chmod 755 \"$1\"", "sh"])
        .arg(&path)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, format!("#!/bin/sh\n{body}\n").as_bytes()).unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success());
    path
}

fn chart() -> String {
    fixture("charts/postrender").to_str().unwrap().to_string()
}

/// Real Helm's release of the fixture as `web` in `default`.
fn helm_release() -> serde_json::Value {
    let text = std::fs::read_to_string(fixture("postrender/helm-release.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// What [`LABEL`] makes of a manifest block.
fn labelled(text: &str, value: &str) -> String {
    text.replace(
        "\nmetadata:\n",
        &format!("\nmetadata:\n  labels:\n    patched-by: {value}\n"),
    )
}

/// Helm's `template` output of the fixture's hooks.
fn hooks_text(release: &serde_json::Value) -> String {
    let mut out = String::new();
    for h in release["hooks"].as_array().unwrap() {
        out.push_str(&format!(
            "---\n# Source: {}\n{}\n",
            h["path"].as_str().unwrap(),
            h["manifest"].as_str().unwrap()
        ));
    }
    out
}

#[test]
fn template_pipes_the_manifests_but_not_the_hooks_through_the_program() {
    let dir = tempfile::tempdir().unwrap();
    let label = script(dir.path(), "label.sh", LABEL);
    let r = hoist(&[
        "template",
        "web",
        &chart(),
        "--post-renderer",
        label.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let helm = helm_release();
    let expected = format!(
        "{}\n{}",
        labelled(helm["manifest"].as_str().unwrap(), "post-renderer").trim(),
        hooks_text(&helm)
    );
    assert_eq!(r.stdout, expected);
}

#[test]
fn template_finds_a_bare_name_in_path_and_passes_the_arguments() {
    let dir = tempfile::tempdir().unwrap();
    script(dir.path(), "hoist-test-label", LABEL);
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new(hoist_bin())
        .args([
            "template",
            "web",
            &chart(),
            "--no-hooks",
            "--post-renderer",
            "hoist-test-label",
            "--post-renderer-args",
            "team-a",
        ])
        .env("PATH", path)
        .env_remove("HOIST_NAMESPACE")
        .output()
        .unwrap();
    let r = Run::from(out);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let helm = helm_release();
    assert_eq!(
        r.stdout,
        format!(
            "{}\n",
            labelled(helm["manifest"].as_str().unwrap(), "team-a").trim()
        )
    );
}

#[test]
fn template_show_only_filters_the_post_rendered_output() {
    let dir = tempfile::tempdir().unwrap();
    let label = script(dir.path(), "label.sh", LABEL);
    let r = hoist(&[
        "template",
        "web",
        &chart(),
        "--post-renderer",
        label.to_str().unwrap(),
        "-s",
        "templates/configmap.yaml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "---\n# Source: postrender/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\n\
         metadata:\n  labels:\n    patched-by: post-renderer\n  name: web-config\n\
         data:\n  greeting: \"hello\"\n"
    );
}

#[test]
fn template_reports_post_renderer_failures() {
    let dir = tempfile::tempdir().unwrap();
    let fail = script(
        dir.path(),
        "fail.sh",
        "cat >/dev/null\necho 'kustomization.yaml not found' >&2\nexit 1",
    );
    let empty = script(dir.path(), "empty.sh", "cat >/dev/null");
    let bad = script(dir.path(), "bad.sh", "cat >/dev/null\necho 'kind: [oops'");
    let run = |pr: &str| hoist(&["template", "web", &chart(), "--post-renderer", pr]);

    let r = run(fail.to_str().unwrap());
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains(&format!(
            "error while running post render on files: error while running command {}. error output:",
            fail.display()
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("kustomization.yaml not found"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("exit status 1"), "{}", r.stderr);
    assert!(r.stdout.is_empty());

    let r = run(empty.to_str().unwrap());
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("produced empty output"), "{}", r.stderr);

    let r = run(bad.to_str().unwrap());
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("error while parsing post rendered output")
            && r.stderr.contains("document 1 (line 1)"),
        "{}",
        r.stderr
    );

    let r = run("hoist-no-such-post-renderer");
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains(
            "invalid argument \"hoist-no-such-post-renderer\" for \"--post-renderer\" flag: \
             unable to find binary at hoist-no-such-post-renderer"
        ),
        "{}",
        r.stderr
    );

    let out = dir.path().join("out");
    let r = hoist(&[
        "template",
        "web",
        &chart(),
        "--post-renderer",
        fail.to_str().unwrap(),
        "--output-dir",
        out.to_str().unwrap(),
    ]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("cannot be used with --output-dir"),
        "{}",
        r.stderr
    );
}

/// Go turns SIGPIPE on a pipe other than stdout/stderr into an EPIPE
/// error (os/signal docs), which Helm's stdin copy ignores: a program that
/// prints its output without reading its input (far more than a pipe
/// buffer here) succeeds, and hoist must not be killed by the signal.
#[test]
fn a_post_renderer_that_ignores_its_input_does_not_kill_hoist() {
    let dir = tempfile::tempdir().unwrap();
    let fixed = script(
        dir.path(),
        "fixed.sh",
        "printf 'kind: Fixed\\nmetadata:\\n  name: x\\n'",
    );
    let values = dir.path().join("big.yaml");
    std::fs::write(&values, format!("greeting: {}\n", "x".repeat(1 << 20))).unwrap();
    let r = hoist(&[
        "template",
        "web",
        &chart(),
        "-f",
        values.to_str().unwrap(),
        "--post-renderer",
        fixed.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("kind: Fixed\nmetadata:\n  name: x\n"),
        "{}",
        r.stdout
    );
}

fn label_of(object: &serde_json::Value) -> Option<&str> {
    object["metadata"]["labels"]["patched-by"].as_str()
}

#[test]
fn install_and_upgrade_apply_and_record_the_post_rendered_manifest() {
    if cluster("install_and_upgrade_apply_and_record_the_post_rendered_manifest").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-postrender");
    let dir = tempfile::tempdir().unwrap();
    let label = script(dir.path(), "label.sh", LABEL);
    let label = label.to_str().unwrap();
    let fail = script(
        dir.path(),
        "fail.sh",
        "cat >/dev/null\necho 'patch failed' >&2\nexit 2",
    );
    let fail = fail.to_str().unwrap();
    let chart = chart();

    // A failing post-renderer on install: nothing applied, no record.
    let r = hoist(&[
        "install",
        "web",
        &chart,
        "-n",
        &ns,
        "--create-namespace",
        "--skip-crds",
        "--post-renderer",
        fail,
    ]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("INSTALLATION FAILED: error while running post render on files"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("patch failed"), "{}", r.stderr);
    let c = Cluster::connect(&ns);
    assert!(c.records("web").is_empty());
    assert!(c.get("v1", "ConfigMap", "web-config").is_none());

    ok(&[
        "install",
        "web",
        &chart,
        "-n",
        &ns,
        "--create-namespace",
        "--skip-crds",
        "--post-renderer",
        label,
    ]);
    for (kind, name) in [
        ("ConfigMap", "web-config"),
        ("ConfigMap", "web-extra"),
        ("Service", "web-svc"),
    ] {
        let obj = c
            .get("v1", kind, name)
            .unwrap_or_else(|| panic!("{kind} {name} missing"));
        assert_eq!(label_of(&obj), Some("post-renderer"), "{kind} {name}");
        assert_owned(&obj, "web", &ns);
    }
    // Hooks are not post-rendered (Helm 3).
    let hook = c
        .get("v1", "ConfigMap", "web-hook")
        .expect("hook ConfigMap");
    assert_eq!(label_of(&hook), None);

    // The record holds the post-renderer's output verbatim.
    let helm = helm_release();
    let expected = labelled(helm["manifest"].as_str().unwrap(), "post-renderer");
    assert_eq!(c.record("web", 1).unwrap().manifest, expected);
    let shown = ok(&["get", "manifest", "web", "-n", &ns]);
    assert!(
        shown.contains("  labels:\n    patched-by: post-renderer\n  name: web-svc\n"),
        "{shown}"
    );

    // diff upgrade sees the post-renderer's change of label value.
    let diff = ok(&[
        "diff",
        "upgrade",
        "web",
        &chart,
        "-n",
        &ns,
        "--post-renderer",
        label,
        "--post-renderer-args",
        "v2",
    ]);
    assert!(
        diff.contains("-    patched-by: post-renderer") && diff.contains("+    patched-by: v2"),
        "{diff}"
    );

    // An upgrade with the post-renderer keeps the patch on changed objects.
    ok(&[
        "upgrade",
        "web",
        &chart,
        "-n",
        &ns,
        "--set",
        "greeting=hi",
        "--post-renderer",
        label,
        "--post-renderer-args",
        "v2",
    ]);
    let cm = c.get("v1", "ConfigMap", "web-config").unwrap();
    assert_eq!(cm["data"]["greeting"], "hi");
    assert_eq!(label_of(&cm), Some("v2"));
    assert_eq!(c.records("web").len(), 2);

    // `upgrade --install` of a new release post-renders its install too.
    ok(&[
        "upgrade",
        "--install",
        "other",
        &chart,
        "-n",
        &ns,
        "--skip-crds",
        "--post-renderer",
        label,
        "--post-renderer-args",
        "via-upgrade-install",
    ]);
    let other = c.get("v1", "ConfigMap", "other-config").unwrap();
    assert_eq!(label_of(&other), Some("via-upgrade-install"));

    // A failing post-renderer on upgrade: no new revision, objects untouched.
    let r = hoist(&[
        "upgrade",
        "web",
        &chart,
        "-n",
        &ns,
        "--set",
        "greeting=bye",
        "--post-renderer",
        fail,
    ]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("UPGRADE FAILED: error while running post render on files"),
        "{}",
        r.stderr
    );
    assert_eq!(c.records("web").len(), 2);
    let cm = c.get("v1", "ConfigMap", "web-config").unwrap();
    assert_eq!(cm["data"]["greeting"], "hi");
    assert_eq!(label_of(&cm), Some("v2"));
}
