//! Helm flags that scripts pass to install, upgrade and uninstall, against
//! the real API server: `--hide-notes`, repeated `-l/--labels`, and
//! `uninstall --wait=STRATEGY`.

use hoist_e2e::cluster::{cluster, fresh_namespace};
use hoist_e2e::{chart, hoist};

#[test]
fn hide_notes_repeated_labels_and_uninstall_wait_strategy() {
    if cluster("hide_notes_repeated_labels_and_uninstall_wait_strategy").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-cliflags");
    let hello = chart("hello");
    let hello = hello.to_str().unwrap();
    let run = hoist(&[
        "install",
        "greet",
        hello,
        "-n",
        &ns,
        "--create-namespace",
        "--hide-notes",
        "-l",
        "team=a",
        "-l",
        "tier=web",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("STATUS: deployed"), "{}", run.stdout);
    assert!(!run.stdout.contains("NOTES:"), "{}", run.stdout);

    // Both -l flags reached the record.
    let run = hoist(&["list", "-n", &ns, "-l", "team=a,tier=web", "-o", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let listed: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["name"], "greet");

    // Without --hide-notes the notes are printed; JSON keeps them either way.
    let run = hoist(&["upgrade", "greet", hello, "-n", &ns, "--set", "greeting=hi"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("NOTES:"), "{}", run.stdout);
    let run = hoist(&[
        "upgrade",
        "greet",
        hello,
        "-n",
        &ns,
        "--set",
        "greeting=hey",
        "--hide-notes",
        "-o",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let release: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(
        release["info"]["notes"]
            .as_str()
            .is_some_and(|n| !n.is_empty()),
        "{release}"
    );

    // get all --template sees Helm's Go field names.
    let run = hoist(&[
        "get",
        "all",
        "greet",
        "-n",
        &ns,
        "--template",
        "{{.Release.Name}}:{{.Release.Version}}:{{.Release.Info.Status}}:{{.Release.Chart.Metadata.Name}}:{{.Release.Config.greeting}}",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "greet:3:deployed:hello:hey");

    // --dry-run finds the release and deletes nothing.
    let run = hoist(&["uninstall", "greet", "-n", &ns, "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("release \"greet\" uninstalled"),
        "{}",
        run.stdout
    );
    let run = hoist(&["status", "greet", "-n", &ns, "-o", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("\"status\":\"deployed\""),
        "{}",
        run.stdout
    );
    let run = hoist(&["uninstall", "nobody", "-n", &ns, "--dry-run"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("not found"), "{}", run.stderr);

    let run = hoist(&["uninstall", "greet", "-n", &ns, "--wait=soon"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("Valid inputs are watcher, hookOnly, and legacy"),
        "{}",
        run.stderr
    );
    let run = hoist(&[
        "uninstall",
        "greet",
        "-n",
        &ns,
        "--wait=legacy",
        "--timeout",
        "60s",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = hoist(&["list", "-n", &ns, "-a", "-o", "json"]);
    assert_eq!(run.stdout.trim(), "[]", "{}", run.stdout);
}

/// Writes chart `name` (version 0.1.0) with `templates` under `dir`.
fn small_chart(
    dir: &std::path::Path,
    name: &str,
    templates: &[(&str, &str)],
) -> std::path::PathBuf {
    let chart = dir.join(name);
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
    )
    .unwrap();
    for (file, text) in templates {
        std::fs::write(chart.join("templates").join(file), text).unwrap();
    }
    chart
}

/// A chart whose ConfigMap shows what `lookup` found of ConfigMap `seed`.
fn looking_chart(dir: &std::path::Path) -> std::path::PathBuf {
    let chart = small_chart(
        dir,
        "looker",
        &[
            (
                "cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-seen\ndata:\n  \
         seen: {{ dig \"data\" \"x\" \"nothing\" (lookup \"v1\" \"ConfigMap\" .Release.Namespace \"seed\") | quote }}\n  \
         kube: {{ .Capabilities.KubeVersion.Version | quote }}\n",
            ),
            (
                "secret.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-pw\nstringData:\n  pw: hunter2\n",
            ),
        ],
    );
    small_chart(
        dir,
        "seed",
        &[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: seed\ndata:\n  x: found\n",
        )],
    );
    chart
}

/// Runs hoist with no kubeconfig anywhere (KUBECONFIG unset, an empty HOME).
fn hoist_without_cluster(args: &[&str]) -> hoist_e2e::Run {
    hoist_without_cluster_env(args, &[])
}

/// [`hoist_without_cluster`] with more environment variables.
fn hoist_without_cluster_env(args: &[&str], env: &[(&str, &str)]) -> hoist_e2e::Run {
    let home = tempfile::tempdir().unwrap();
    std::process::Command::new(hoist_e2e::hoist_bin())
        .args(args)
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env_remove("HOIST_NAMESPACE")
        .env_remove("HELM_NAMESPACE")
        .env("HOME", home.path())
        .envs(env.iter().copied())
        .output()
        .unwrap()
        .into()
}

#[test]
fn dry_run_strategies_as_helm_v4() {
    let dir = tempfile::tempdir().unwrap();
    let looker = looking_chart(dir.path());
    let looker = looker.to_str().unwrap();

    // client: rendered without any cluster, lookup empty, Helm's defaults.
    let run = hoist_without_cluster(&["install", "x", looker, "-n", "far", "--dry-run=client"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("NAMESPACE: far\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains("STATUS: pending-install\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("DESCRIPTION: Dry run complete\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("seen: \"nothing\""), "{}", run.stdout);
    assert!(!run.stderr.contains("deprecated"), "{}", run.stderr);
    // A bare --dry-run is client, with Helm v4's deprecation warning.
    let run = hoist_without_cluster(&["install", "x", looker, "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("NAMESPACE: default\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("--dry-run is deprecated and should be replaced with '--dry-run=client'"),
        "{}",
        run.stderr
    );
    // --hide-secret: only with a dry run, and then no Secret data.
    let run = hoist_without_cluster(&["install", "x", looker, "--dry-run=client", "--hide-secret"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("hunter2"), "{}", run.stdout);
    assert!(
        run.stdout.contains("# Source: looker/templates/secret.yaml\n# HIDDEN: The Secret output has been suppressed\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("kind: ConfigMap"), "{}", run.stdout);
    let run = hoist_without_cluster(&["install", "x", looker, "--hide-secret"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("hiding Kubernetes secrets requires a dry-run mode"),
        "{}",
        run.stderr
    );
    // server needs the cluster; bad values get Helm's message.
    let run = hoist_without_cluster(&["install", "x", looker, "--dry-run=server"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("kubeconfig"), "{}", run.stderr);
    let run = hoist_without_cluster(&["install", "x", looker, "--dry-run=maybe"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains(
            "invalid dry-run value (\"maybe\"). Must be \"none\", \"server\", or \"client\""
        ),
        "{}",
        run.stderr
    );

    if cluster("dry_run_strategies_as_helm_v4").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-dryrun");
    let seed = dir.path().join("seed");
    let run = hoist(&[
        "install",
        "seed",
        seed.to_str().unwrap(),
        "-n",
        &ns,
        "--create-namespace",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // server: lookup reads the cluster; client: it does not.
    let run = hoist(&["install", "y", looker, "-n", &ns, "--dry-run=server"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("seen: \"found\""), "{}", run.stdout);
    let run = hoist(&["install", "y", looker, "-n", &ns, "--dry-run=client"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("seen: \"nothing\""), "{}", run.stdout);
    // The same on upgrade, once the release exists.
    let run = hoist(&["install", "y", looker, "-n", &ns, "--dry-run=none"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (strategy, seen) in [("server", "found"), ("client", "nothing")] {
        let run = hoist(&[
            "upgrade",
            "y",
            looker,
            "-n",
            &ns,
            "--force",
            &format!("--dry-run={strategy}"),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.contains(&format!("seen: \"{seen}\"")),
            "{strategy}: {}",
            run.stdout
        );
    }
    // Nothing was written by the dry runs: one revision of y.
    let run = hoist(&["history", "y", "-n", &ns, "-o", "json"]);
    let history: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(history.as_array().map(Vec::len), Some(1), "{history}");
}

#[test]
fn global_flags_before_the_command_reach_the_cluster() {
    if cluster("global_flags_before_the_command_reach_the_cluster").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-globals");
    let hello = chart("hello");
    let run = hoist(&[
        "--namespace",
        &ns,
        "install",
        "early",
        hello.to_str().unwrap(),
        "--create-namespace",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = hoist(&["-n", &ns, "list", "-o", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let listed: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(listed[0]["name"], "early", "{listed}");
    assert_eq!(listed[0]["namespace"], ns.as_str(), "{listed}");
    // A shared $HELM_OPTS also reaches commands that need no cluster.
    let run = hoist(&[
        "--kube-context",
        "unused",
        "-n",
        &ns,
        "template",
        "t",
        hello.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn template_dry_run_server_and_validate_render_against_the_cluster() {
    let hello = chart("hello");
    let hello = hello.to_str().unwrap();
    let run = hoist_without_cluster(&["template", "t", hello, "--dry-run=client"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = hoist_without_cluster(&["template", "t", hello, "--dry-run=none"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("Must be \"server\" or \"client\""),
        "{}",
        run.stderr
    );
    // Both at once are refused, as Helm's flags are mutually exclusive.
    let run = hoist_without_cluster(&["template", "t", hello, "--validate", "--dry-run=server"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
    // Without a cluster, the server modes say why they cannot run.
    for flag in ["--dry-run=server", "--validate"] {
        let run = hoist_without_cluster(&["template", "t", hello, flag]);
        assert_ne!(run.code, 0, "{flag}");
        assert!(run.stderr.contains("kubeconfig"), "{flag}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{flag}");
    }

    if cluster("template_dry_run_server_and_validate_render_against_the_cluster").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let looker = looking_chart(dir.path());
    let looker = looker.to_str().unwrap();
    let ns = fresh_namespace("hoist-tplsrv");
    let seed = dir.path().join("seed");
    let run = hoist(&[
        "install",
        "seed",
        seed.to_str().unwrap(),
        "-n",
        &ns,
        "--create-namespace",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let server_version = {
        let run = hoist(&["install", "probe", looker, "-n", &ns, "--dry-run=server"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix("kube: "))
            .unwrap()
            .to_string()
    };
    for flag in ["--dry-run=server", "--validate"] {
        // The server's capabilities (not --kube-version) and lookup.
        let run = hoist(&[
            "template",
            "t",
            looker,
            "-n",
            &ns,
            flag,
            "--kube-version",
            "1.99.0",
        ]);
        assert_eq!(run.code, 0, "{flag}: {}", run.stderr);
        assert!(
            run.stdout.contains("seen: \"found\""),
            "{flag}: {}",
            run.stdout
        );
        assert!(
            run.stdout.contains(&format!("kube: {server_version}")),
            "{flag}: {}",
            run.stdout
        );
        assert!(run.stdout.contains("# Source: looker/templates/cm.yaml"));
        assert_eq!(
            run.stderr.contains("--validate has been deprecated"),
            flag == "--validate",
            "{flag}: {}",
            run.stderr
        );
    }
    // The client render sees nothing and Helm's default version.
    let run = hoist(&["template", "t", looker, "-n", &ns]);
    assert!(run.stdout.contains("seen: \"nothing\""), "{}", run.stdout);
    // An object another release owns stops it, as install's check does.
    let run = hoist(&[
        "template",
        "seed",
        seed.to_str().unwrap(),
        "-n",
        &ns,
        "--validate",
    ]);
    assert_eq!(
        run.code, 0,
        "its own release's objects are fine: {}",
        run.stderr
    );
    let run = hoist(&[
        "template",
        "other",
        seed.to_str().unwrap(),
        "-n",
        &ns,
        "--dry-run=server",
    ]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stderr.contains("unable to continue with install"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    // As Helm: no ownership check for --is-upgrade, adoption with
    // --take-ownership.
    for extra in ["--is-upgrade", "--take-ownership"] {
        let run = hoist(&[
            "template",
            "other",
            seed.to_str().unwrap(),
            "-n",
            &ns,
            "--dry-run=server",
            extra,
        ]);
        assert_eq!(run.code, 0, "{extra}: {}", run.stderr);
        assert!(run.stdout.contains("name: seed"), "{extra}: {}", run.stdout);
    }
    // The checks see the post-rendered manifest: renamed, it is free.
    let rename = dir.path().join("rename.sh");
    std::fs::write(
        &rename,
        "#!/bin/sh\nsed 's/name: seed$/name: seed-renamed/'\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&rename, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = hoist(&[
        "template",
        "other",
        seed.to_str().unwrap(),
        "-n",
        &ns,
        "--dry-run=server",
        "--post-renderer",
        rename.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("name: seed-renamed"), "{}", run.stdout);
    // A kind the server does not serve is refused.
    let bogus = small_chart(
        dir.path(),
        "bogus",
        &[(
            "x.yaml",
            "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
        )],
    );
    let bogus = bogus.to_str().unwrap();
    let run = hoist(&["template", "b", bogus, "-n", &ns]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = hoist(&["template", "b", bogus, "-n", &ns, "--validate"]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains("Widget"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("unable to build kubernetes objects from release manifest"),
        "{}",
        run.stderr
    );
    // Nothing was written: the only release is the seed.
    let run = hoist(&["list", "-n", &ns, "-a", "-q"]);
    assert_eq!(run.stdout.trim(), "seed");
}

#[test]
fn name_template_names_the_release_as_helm_does() {
    let hello = chart("hello");
    let hello = hello.to_str().unwrap();
    let run = hoist_without_cluster(&[
        "install",
        hello,
        "--name-template",
        "web-{{ \"ABC\" | lower }}-{{ randAlpha 4 | lower }}",
        "--dry-run=client",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let name = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("NAME: "))
        .unwrap_or_default()
        .to_string();
    assert!(name.starts_with("web-abc-") && name.len() == 12, "{name}");
    let run = hoist_without_cluster(&["template", hello, "--name-template", "t-{{ add 1 2 }}"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("t-3"), "{}", run.stdout);
    // A name and a template together, or a template giving a bad name.
    let run = hoist_without_cluster(&["install", "n", hello, "--name-template", "x", "--dry-run"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("cannot set --name-template and also specify a name"),
        "{}",
        run.stderr
    );
    let run = hoist_without_cluster(&[
        "install",
        hello,
        "--name-template",
        "Not_Valid",
        "--dry-run",
    ]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("Not_Valid"), "{}", run.stderr);
}

#[test]
fn odd_helm_variables_fall_back_as_in_helm() {
    let hello = chart("hello");
    let hello = hello.to_str().unwrap();
    let run_env = hoist_without_cluster_env;
    // Empty or unreadable values are ignored; a driver hoist lacks only
    // matters where releases are stored.
    let odd = [
        ("HELM_QPS", ""),
        ("HELM_BURST_LIMIT", "-1"),
        ("HELM_MAX_HISTORY", "many"),
        ("HELM_DEBUG", "1"),
        ("HELM_KUBEINSECURE_SKIP_TLS_VERIFY", "0"),
        ("HELM_KUBECONTEXT", ""),
        ("HELM_DRIVER", "sql"),
    ];
    let run = run_env(&["template", "t", hello], &odd);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = run_env(&["env", "HOIST_DEBUG"], &odd);
    assert_eq!(run.stdout, "true\n");
    let run = run_env(&["list"], &odd);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("storage driver \"sql\" is not supported by hoist"),
        "{}",
        run.stderr
    );
    // As Helm's env: KUBECONFIG only for --kubeconfig (the flag's empty
    // default hides the variable).
    let run = run_env(&["env"], &[("KUBECONFIG", "/some/where")]);
    assert!(!run.stdout.contains("KUBECONFIG="), "{}", run.stdout);
    let run = run_env(&["env", "--kubeconfig", "/flag/path"], &[]);
    assert!(
        run.stdout.contains("KUBECONFIG=\"/flag/path\""),
        "{}",
        run.stdout
    );
    // HELM_COLOR in any case, or unknown (auto), is no error.
    for color in ["ALWAYS", "bogus"] {
        let run = run_env(&["version"], &[("HELM_COLOR", color)]);
        assert_eq!(run.code, 0, "{color}: {}", run.stderr);
    }
}

#[test]
fn template_takes_the_kubeconfig_contexts_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("config");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n\
         contexts:\n- name: x\n  context:\n    cluster: c\n    user: u\n    namespace: ctxns\n\
         current-context: x\nusers:\n- name: u\n  user:\n    token: t\n",
    )
    .unwrap();
    let chart_dir = small_chart(
        dir.path(),
        "ns",
        &[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: {{ .Release.Namespace }}\n",
        )],
    );
    let chart_arg = chart_dir.to_str().unwrap();
    let config_arg = kubeconfig.to_str().unwrap();
    let run = hoist(&["template", "t", chart_arg, "--kubeconfig", config_arg]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("namespace: ctxns"), "{}", run.stdout);
    let run = hoist(&[
        "template",
        "t",
        chart_arg,
        "--kubeconfig",
        config_arg,
        "-n",
        "flag",
    ]);
    assert!(run.stdout.contains("namespace: flag"), "{}", run.stdout);
}

#[test]
fn uninstall_dry_run_names_what_the_policy_keeps() {
    if cluster("uninstall_dry_run_names_what_the_policy_keeps").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let chart_dir = small_chart(
        dir.path(),
        "keeper",
        &[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-kept\n  \
         annotations:\n    helm.sh/resource-policy: keep\n",
        )],
    );
    let ns = fresh_namespace("hoist-keepdry");
    let run = hoist(&[
        "install",
        "k",
        chart_dir.to_str().unwrap(),
        "-n",
        &ns,
        "--create-namespace",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = hoist(&["uninstall", "k", "-n", &ns, "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(
            "These resources were kept due to the resource policy:\n[ConfigMap] k-kept\n"
        ),
        "{}",
        run.stdout
    );
    let run = hoist(&["status", "k", "-n", &ns]);
    assert!(run.stdout.contains("STATUS: deployed"), "{}", run.stdout);
}

#[test]
fn template_hide_secret_hides_manifest_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let looker = looking_chart(dir.path());
    let run = hoist_without_cluster(&["template", "t", looker.to_str().unwrap(), "--hide-secret"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("hunter2"), "{}", run.stdout);
    assert!(
        run.stdout.contains("# Source: looker/templates/secret.yaml\n# HIDDEN: The Secret output has been suppressed\n"),
        "{}",
        run.stdout
    );
    let run = hoist_without_cluster(&["template", "t", looker.to_str().unwrap()]);
    assert!(run.stdout.contains("hunter2"), "{}", run.stdout);
}

#[test]
fn enable_dns_lets_get_host_by_name_resolve() {
    let dir = tempfile::tempdir().unwrap();
    let chart = small_chart(
        dir.path(),
        "dns",
        &[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dns\ndata:\n  \
         ip: {{ getHostByName \"localhost\" | quote }}\n",
        )],
    );
    let chart = chart.to_str().unwrap();
    let run = hoist_without_cluster(&["template", "x", chart]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("ip: \"\""), "{}", run.stdout);
    for command in [
        &["template", "x", chart, "--enable-dns"][..],
        &["install", "x", chart, "--dry-run=client", "--enable-dns"][..],
    ] {
        let run = hoist_without_cluster(command);
        assert_eq!(run.code, 0, "{command:?}: {}", run.stderr);
        let ip = run
            .stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix("ip: "))
            .unwrap_or_else(|| panic!("{}", run.stdout))
            .trim_matches('"');
        let ip: std::net::IpAddr = ip.parse().unwrap_or_else(|e| panic!("{ip:?}: {e}"));
        assert!(ip.is_loopback(), "{command:?}: {ip}");
    }

    // diff upgrade takes it too (helm-diff's flag): installed without it,
    // the address is the change.
    if cluster("enable_dns_lets_get_host_by_name_resolve").is_none() {
        return;
    }
    let ns = fresh_namespace("hoist-dns");
    let run = hoist(&["install", "dns", chart, "-n", &ns, "--create-namespace"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = hoist(&["diff", "upgrade", "dns", chart, "-n", &ns, "--no-color"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("+  ip:"), "{}", run.stdout);
    let run = hoist(&[
        "diff",
        "upgrade",
        "dns",
        chart,
        "-n",
        &ns,
        "--enable-dns",
        "--no-color",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("-  ip: \"\""), "{}", run.stdout);
}
