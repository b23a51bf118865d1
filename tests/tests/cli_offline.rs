//! The offline commands end to end: the real `hoist` binary on real files.

use hoist_e2e::{chart, fixture, hoist, hoist_in};
use std::path::Path;

fn sources(out: &str) -> Vec<&str> {
    out.lines()
        .filter_map(|l| l.strip_prefix("# Source: "))
        .collect()
}

#[test]
fn template_renders_handlebars_chart_in_install_order_with_set_values() {
    let hello = chart("hello");
    let r = hoist(&[
        "template",
        "demo",
        hello.to_str().unwrap(),
        "--set",
        "replicas=3",
    ]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(
        sources(&r.stdout),
        [
            "hello/templates/configmap.yaml",
            "hello/templates/service.yaml",
            "hello/templates/deployment.yaml"
        ]
    );
    assert!(r.stdout.contains("  replicas: 3\n"));
    assert!(r.stdout.contains("  name: demo-hello\n"));
    assert!(r.stdout.starts_with("---\n# Source: "));
    // Helm trims the manifest block: exactly one newline at the end.
    assert!(
        r.stdout.ends_with("name: demo-hello\n"),
        "{:?}",
        &r.stdout[r.stdout.len() - 40..]
    );
}

#[test]
fn values_files_then_set_flags_win_in_helm_order() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("v.yaml");
    std::fs::write(&f, "replicas: 2\nmessage: from-file\n").unwrap();
    let hello = chart("hello");
    let r = hoist(&[
        "template",
        hello.to_str().unwrap(),
        "-f",
        f.to_str().unwrap(),
        "--set",
        "replicas=4",
    ]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert!(r.stdout.contains("replicas: 4"));
    assert!(r.stdout.contains("index.html: \"from-file\""));
    // One argument: the release is called release-name, as in Helm.
    assert!(r.stdout.contains("name: release-name-hello"));
}

#[test]
fn show_only_filters_and_reports_unknown_templates() {
    let hello = chart("hello");
    let r = hoist(&[
        "template",
        "x",
        hello.to_str().unwrap(),
        "-s",
        "templates/service.yaml",
    ]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(sources(&r.stdout), ["hello/templates/service.yaml"]);
    let r = hoist(&[
        "template",
        "x",
        hello.to_str().unwrap(),
        "-s",
        "templates/nope.yaml",
    ]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("could not find template templates/nope.yaml in chart"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

#[test]
fn schema_violations_fail_with_the_json_path() {
    let hello = chart("hello");
    let r = hoist(&[
        "template",
        "x",
        hello.to_str().unwrap(),
        "--set",
        "replicas=100",
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stdout.is_empty(), "nothing rendered on error");
    assert!(r.stderr.contains("/replicas"), "{}", r.stderr);
    let r = hoist(&[
        "template",
        "x",
        hello.to_str().unwrap(),
        "--set",
        "replicas=100",
        "--skip-schema-validation",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn bad_input_is_a_clear_error() {
    let missing = hoist(&["template", "x", "/nonexistent/chart"]);
    assert_ne!(missing.code, 0);
    assert!(
        missing.stderr.contains("/nonexistent/chart"),
        "{}",
        missing.stderr
    );

    let bad_set = hoist(&[
        "template",
        "x",
        chart("hello").to_str().unwrap(),
        "--set",
        "a[x]=1",
    ]);
    assert_ne!(bad_set.code, 0);
    assert!(!bad_set.stderr.is_empty());

    let no_version = hoist(&[
        "template",
        "x",
        fixture("charts/no-version").to_str().unwrap(),
    ]);
    assert_ne!(no_version.code, 0);
    assert!(
        no_version.stderr.to_lowercase().contains("version"),
        "{}",
        no_version.stderr
    );
}

#[test]
fn lint_passes_good_charts_and_names_problems() {
    let ok = hoist(&["lint", "--strict", chart("hello").to_str().unwrap()]);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(ok.stdout.contains("1 chart(s) linted, 0 chart(s) failed"));

    let bad = hoist(&["lint", fixture("charts/bad-object").to_str().unwrap()]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stdout
            .contains("[ERROR] templates/cm.yaml: object has no kind"),
        "{}",
        bad.stdout
    );
    assert!(bad.stdout.contains("naming requirements"), "{}", bad.stdout);

    let json = hoist(&[
        "lint",
        "-o",
        "json",
        fixture("charts/no-version").to_str().unwrap(),
    ]);
    assert_eq!(json.code, 1);
    let parsed: serde_json::Value =
        serde_json::from_str(&json.stdout).expect("lint -o json is JSON");
    assert_eq!(parsed[0]["messages"][0]["severity"], "error");
}

/// Writes a Go-template chart `name` in `dir` with `cm.yaml` as its only
/// template and `schema` as values.schema.json when given.
fn small_chart(dir: &Path, name: &str, cm: &str, schema: Option<&str>) -> std::path::PathBuf {
    let chart = dir.join(name);
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\nicon: https://example.com/i.png\n"),
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), "size: 1\n").unwrap();
    std::fs::write(chart.join("templates/cm.yaml"), cm).unwrap();
    if let Some(schema) = schema {
        std::fs::write(chart.join("values.schema.json"), schema).unwrap();
    }
    chart
}

#[test]
fn lint_with_subcharts_quiet_and_skip_schema_validation() {
    let dir = tempfile::tempdir().unwrap();
    let good = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
    let top = small_chart(dir.path(), "top", good, None);
    // The subchart has no icon: a finding of its own Chart.yaml, which
    // only linting the subchart itself reports.
    let sub = small_chart(&top.join("charts"), "sub", good, None);
    std::fs::write(
        sub.join("Chart.yaml"),
        "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
    )
    .unwrap();
    let top = top.to_str().unwrap();

    // Without --with-subcharts only the top chart is linted.
    let r = hoist(&["lint", top]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("1 chart(s) linted, 0 chart(s) failed"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("icon is recommended"), "{}", r.stdout);
    let r = hoist(&["lint", top, "--with-subcharts"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!("==> Linting {top}/charts/sub")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("icon is recommended"), "{}", r.stdout);
    assert!(
        r.stdout.contains("2 chart(s) linted, 0 chart(s) failed"),
        "{}",
        r.stdout
    );

    // --quiet: a chart with only INFO findings prints nothing at all.
    let info_only = small_chart(dir.path(), "plain", good, None);
    std::fs::write(
        info_only.join("Chart.yaml"),
        "apiVersion: v2\nname: plain\nversion: 0.1.0\n",
    )
    .unwrap();
    let r = hoist(&["lint", info_only.to_str().unwrap()]);
    assert!(r.stdout.contains("[INFO]"), "{}", r.stdout);
    let r = hoist(&["lint", "--quiet", info_only.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "", "quiet printed: {}", r.stdout);

    // A schema the values break: fails unless --skip-schema-validation.
    let schema = r#"{"type":"object","properties":{"size":{"type":"string"}}}"#;
    let strict = small_chart(dir.path(), "schemed", good, Some(schema));
    let strict = strict.to_str().unwrap();
    let r = hoist(&["lint", strict]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let r = hoist(&["lint", strict, "--skip-schema-validation"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn create_lint_template_for_the_handlebars_starter() {
    let dir = tempfile::tempdir().unwrap();
    let r = hoist_in(dir.path(), &["create", "web", "--engine", "handlebars"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lint = hoist_in(dir.path(), &["lint", "--strict", "web"]);
    assert_eq!(lint.code, 0, "{}{}", lint.stdout, lint.stderr);
    let t = hoist_in(
        dir.path(),
        &["template", "rel", "web", "--set", "service.port=8080"],
    );
    assert_eq!(t.code, 0, "{}", t.stderr);
    assert_eq!(
        sources(&t.stdout),
        [
            "web/templates/serviceaccount.yaml",
            "web/templates/service.yaml",
            "web/templates/deployment.yaml"
        ]
    );
    assert!(t.stdout.contains("- port: 8080"));
    assert!(t.stdout.contains("image: \"nginx:1.27.0\""));
    // A second create into the same folder must not overwrite anything.
    let again = hoist_in(dir.path(), &["create", "web"]);
    assert_ne!(again.code, 0);
}

fn package_sha(dir: &Path, chart: &Path) -> (String, String) {
    let r = hoist_in(
        dir,
        &[
            "package",
            chart.to_str().unwrap(),
            "-d",
            dir.to_str().unwrap(),
            "-o",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    (
        v[0]["path"].as_str().unwrap().to_string(),
        v[0]["sha256"].as_str().unwrap().to_string(),
    )
}

#[test]
fn package_is_reproducible_and_loads_back() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (path_a, sha_a) = package_sha(a.path(), &chart("hello"));
    let (_, sha_b) = package_sha(b.path(), &chart("hello"));
    assert_eq!(sha_a, sha_b);
    assert!(path_a.ends_with("hello-0.1.0.tgz"));
    let from_archive = hoist(&["template", "x", &path_a]);
    let from_dir = hoist(&["template", "x", chart("hello").to_str().unwrap()]);
    assert_eq!(from_archive.code, 0, "{}", from_archive.stderr);
    assert_eq!(from_archive.stdout, from_dir.stdout);
}

#[test]
fn show_prints_values_verbatim_and_chart_metadata() {
    let values = hoist(&["show", "values", chart("hello").to_str().unwrap()]);
    assert_eq!(values.code, 0);
    let raw = std::fs::read_to_string(chart("hello").join("values.yaml")).unwrap();
    assert_eq!(values.stdout, format!("{raw}\n"));
    let meta = hoist(&["inspect", "chart", chart("hello").to_str().unwrap()]);
    assert_eq!(meta.code, 0);
    assert!(meta.stdout.contains("name: hello\n"));
    assert!(meta.stdout.contains("hoist.dev/engine: handlebars"));
}

#[test]
fn output_dir_writes_one_file_per_template() {
    let dir = tempfile::tempdir().unwrap();
    let r = hoist(&[
        "template",
        "x",
        chart("hello").to_str().unwrap(),
        "--output-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let svc = std::fs::read_to_string(dir.path().join("hello/templates/service.yaml")).unwrap();
    assert!(
        svc.starts_with(
            "---\n# Source: hello/templates/service.yaml\napiVersion: v1\nkind: Service"
        )
    );
}

#[test]
fn version_is_machine_readable() {
    let r = hoist(&["version", "-o", "json"]);
    assert_eq!(r.code, 0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["version"].as_str().unwrap().starts_with('v'));
}

/// The Go-template starter, rendered by real Helm v4 (helm-render, release
/// `web`, namespace `default`, Kubernetes 1.33) and committed as a golden.
#[test]
fn gotemplate_starter_renders_byte_for_byte_like_helm() {
    let dir = tempfile::tempdir().unwrap();
    let r = hoist_in(dir.path(), &["create", "web"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lint = hoist_in(dir.path(), &["lint", "--strict", "web"]);
    assert_eq!(lint.code, 0, "{}{}", lint.stdout, lint.stderr);
    let t = hoist_in(
        dir.path(),
        &["template", "web", "web", "--kube-version", "1.33"],
    );
    assert_eq!(t.code, 0, "{}", t.stderr);
    let golden = std::fs::read_to_string(fixture("golden/starter-web-k1.33.helm.txt")).unwrap();
    assert_eq!(t.stdout, golden);
}

#[test]
fn template_errors_name_the_template() {
    let hbs = hoist(&[
        "template",
        "x",
        fixture("charts/hbs-broken").to_str().unwrap(),
    ]);
    assert_ne!(hbs.code, 0);
    assert!(
        hbs.stderr
            .contains("parse error in hbs-broken/templates/cm.yaml"),
        "{}",
        hbs.stderr
    );
    // Helm's wording for `required`, with the template, line and column.
    let go = hoist(&[
        "template",
        "x",
        fixture("charts/go-broken").to_str().unwrap(),
    ]);
    assert_ne!(go.code, 0);
    assert!(
        go.stderr
            .contains("execution error at (go-broken/templates/cm.yaml:6:20): a is required"),
        "{}",
        go.stderr
    );
    let ok = hoist(&[
        "template",
        "x",
        fixture("charts/go-broken").to_str().unwrap(),
        "--set",
        "a=1",
    ]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stdout.contains("  a: 1\n"));
}

#[test]
fn debug_is_a_global_flag_that_leaves_stdout_alone() {
    let hello = chart("hello");
    let plain = hoist(&["template", "demo", hello.to_str().unwrap()]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    // Helm's --debug goes anywhere on the command line.
    for args in [
        vec!["--debug", "template", "demo", hello.to_str().unwrap()],
        vec!["template", "demo", hello.to_str().unwrap(), "--debug"],
    ] {
        let debug = hoist(&args);
        assert_eq!(debug.code, 0, "{}", debug.stderr);
        assert_eq!(debug.stdout, plain.stdout);
    }
}

#[test]
fn env_prints_the_settings_and_answers_helm_names() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("c");
    let run = |args: &[&str]| {
        std::process::Command::new(hoist_e2e::hoist_bin())
            .args(args)
            .env("HOIST_CACHE_HOME", &cache)
            .env("HELM_MAX_HISTORY", "4")
            .env_remove("HOIST_MAX_HISTORY")
            .env_remove("HOIST_NAMESPACE")
            .env_remove("HELM_NAMESPACE")
            .env_remove("KUBECONFIG")
            .env("HOME", dir.path())
            .output()
            .unwrap()
    };
    let all = run(&["env"]);
    assert!(all.status.success());
    let all = String::from_utf8(all.stdout).unwrap();
    let lines: Vec<&str> = all.lines().collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "sorted as Helm's");
    assert!(
        lines.contains(&format!("HOIST_CACHE_HOME=\"{}\"", cache.display()).as_str()),
        "{all}"
    );
    assert!(lines.contains(&"HOIST_MAX_HISTORY=\"4\""), "{all}");
    assert!(lines.contains(&"HOIST_NAMESPACE=\"default\""), "{all}");
    let one = |args: &[&str]| String::from_utf8(run(args).stdout).unwrap();
    assert_eq!(
        one(&["env", "HELM_REPOSITORY_CACHE"]),
        format!("{}\n", cache.join("repository").display())
    );
    assert_eq!(one(&["-n", "web", "env", "HOIST_NAMESPACE"]), "web\n");
    assert_eq!(one(&["env", "NOT_A_SETTING"]), "\n");
}

#[test]
fn version_template_reads_build_info_fields() {
    let r = hoist(&["version", "--template", "{{.Version}}|{{.HelmCompatible}}"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (version, helm) = r.stdout.split_once('|').unwrap();
    assert_eq!(version, concat!("v", env!("CARGO_PKG_VERSION")));
    assert!(helm.starts_with("v4."), "{helm}");
    let r = hoist(&["version", "--template", "{{.Nope"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("--template"), "{}", r.stderr);
}

#[test]
fn create_from_a_starter_by_name_or_path() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let starter = data.join("starters/org");
    std::fs::create_dir_all(starter.join("templates")).unwrap();
    std::fs::write(
        starter.join("Chart.yaml"),
        "apiVersion: v2\nname: org\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::write(starter.join("values.yaml"), "name: <CHARTNAME>\n").unwrap();
    std::fs::write(
        starter.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: <CHARTNAME>-{{ .Release.Name }}\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(hoist_e2e::hoist_bin())
            .args(args)
            .current_dir(dir.path())
            .env("HOIST_DATA_HOME", &data)
            .output()
            .unwrap()
    };
    let out = run(&["create", "shop", "--starter", "org"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Creating shop\n");
    let rendered = run(&["template", "r", "shop"]);
    let text = String::from_utf8_lossy(&rendered.stdout);
    assert!(text.contains("name: shop-r"), "{text}");
    let out = run(&["create", "cart", "-p", starter.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::read_to_string(dir.path().join("cart/Chart.yaml"))
            .unwrap()
            .contains("name: cart")
    );
    let out = run(&["create", "none", "--starter", "missing"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not load"));
    assert!(!dir.path().join("none").exists());
}
