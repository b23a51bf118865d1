//! `hoist show values CHART --jsonpath TEMPLATE` end to end, against the
//! output of Kubernetes' JSONPath engine, the one Helm runs.
//!
//! tests/fixtures/jsonpath/golden.json holds, for each template of
//! templates.json, what that engine (k8s.io/client-go/util/jsonpath, built
//! from client-go's source with Debian's Go 1.19) printed over
//! chart/values.yaml loaded as Helm loads it (sigs.k8s.io/yaml into
//! `map[string]interface{}`), or the error it gave (the method is in
//! tests/fixtures/jsonpath/README.md; these tests need neither Go nor the
//! Kubernetes source). Where Go ranges over a map its
//! order is random; the golden holds sorted key order (hoist's) and says
//! `helm_order_random`.
//!
//! Helm's `show values --jsonpath` (pkg/action/show.go) prints the
//! engine's output with no newline, ignores evaluation errors (the engine
//! then printed nothing: it collects every result before printing) and
//! fails with `error parsing jsonpath TEMPLATE: ERROR` on a parse error.

use hoist_e2e::{fixture, hoist};

fn chart() -> String {
    fixture("jsonpath/chart").to_string_lossy().into_owned()
}

fn goldens() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(fixture("jsonpath/golden.json")).expect("golden.json");
    match serde_json::from_str(&text) {
        Ok(serde_json::Value::Array(cases)) => cases,
        other => panic!("golden.json is not an array: {other:?}"),
    }
}

fn field<'a>(case: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    case.get(name).and_then(|v| v.as_str())
}

#[test]
fn every_golden_template_prints_what_helm_prints() {
    let chart = chart();
    let cases = goldens();
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &cases {
        let template = field(case, "template").expect("template");
        if template.is_empty() {
            // Helm treats an empty --jsonpath as none (tested below).
            continue;
        }
        checked += 1;
        let r = hoist(&["show", "values", &chart, "--jsonpath", template]);
        let problem = if let Some(e) = field(case, "parse_error") {
            let want = format!("error parsing jsonpath {template}: {e}");
            // hoist's error report indents the lines after the first.
            let stderr = r.stderr.replace("\n  │ ", "\n");
            (r.code != 1 || !r.stdout.is_empty() || !stderr.contains(&want))
                .then(|| format!("want exit 1 and {want:?}"))
        } else if case.get("panic").is_some() {
            // Helm crashes there; hoist fails with an error instead.
            (r.code == 0 || !r.stdout.is_empty() || !r.stderr.contains("panics"))
                .then(|| "want a failure, as Helm's engine panics".to_string())
        } else {
            let want = field(case, "output").expect("output");
            (r.code != 0 || r.stdout != want || !r.stderr.is_empty())
                .then(|| format!("want exit 0, stdout {want:?}, no stderr"))
        };
        if let Some(p) = problem {
            failures.push(format!(
                "{template:?}: {p}\n   got exit {}, stdout {:?}, stderr {:?}",
                r.code, r.stdout, r.stderr
            ));
        }
    }
    assert!(checked > 300, "only {checked} templates");
    assert!(
        failures.is_empty(),
        "{} of {checked} templates differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn numbers_print_as_helm_float64() {
    let r = hoist(&[
        "show",
        "values",
        &chart(),
        "--jsonpath",
        "{.replicaCount} {.big} {.ports[0].port}|{.grid}",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "1 1e+06 80|[[1,2,3],[4],[5,6,7]]");
}

#[test]
fn evaluation_errors_print_nothing_and_succeed_but_show_under_debug() {
    let r = hoist(&[
        "show",
        "values",
        &chart(),
        "--jsonpath",
        "{.name} {.missing}",
    ]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
    let r = hoist(&[
        "show",
        "values",
        &chart(),
        "--jsonpath",
        "{.name} {.missing}",
        "--debug",
    ]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    assert!(r.stderr.contains("missing is not found"), "{}", r.stderr);
}

#[test]
fn parse_errors_fail_with_helms_wording() {
    let r = hoist(&["show", "values", &chart(), "--jsonpath", "{.tags[0}"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .contains("error parsing jsonpath {.tags[0}: unterminated array"),
        "{}",
        r.stderr
    );
}

#[test]
fn empty_template_prints_values_yaml() {
    let raw = std::fs::read_to_string(fixture("jsonpath/chart/values.yaml")).expect("values");
    let r = hoist(&["show", "values", &chart(), "--jsonpath", ""]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, format!("{raw}\n"));
}

#[test]
fn chart_without_values_file_prints_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("Chart.yaml"),
        "apiVersion: v2\nname: novalues\nversion: 0.1.0\n",
    )
    .expect("Chart.yaml");
    let path = dir.path().to_string_lossy().into_owned();
    // Helm does not even parse the template when the chart has no values.
    for template in ["{.a}", "{"] {
        let r = hoist(&["show", "values", &path, "--jsonpath", template]);
        assert_eq!(
            (r.code, r.stdout.as_str()),
            (0, ""),
            "{template}: {}",
            r.stderr
        );
    }
}

#[test]
fn jsonpath_belongs_to_show_values_only() {
    // The other show commands do not have the flag (a usage error), and
    // their help does not offer it.
    for part in ["all", "chart", "readme", "crds"] {
        let r = hoist(&["show", part, &chart(), "--jsonpath", "{.name}"]);
        assert_eq!(r.code, 2, "{part}");
        assert_eq!(r.stdout, "");
        assert!(
            r.stderr.contains("unexpected argument '--jsonpath'"),
            "{part}: {}",
            r.stderr
        );
        let help = hoist(&["show", part, "--help"]);
        assert!(
            !help.stdout.contains("--jsonpath"),
            "{part}: {}",
            help.stdout
        );
    }
    let help = hoist(&["show", "values", "--help"]);
    assert!(help.stdout.contains("--jsonpath"), "{}", help.stdout);
    let r = hoist(&[
        "show",
        "values",
        &chart(),
        "--jsonpath",
        "{.name}",
        "-o",
        "json",
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("cannot be used with"), "{}", r.stderr);
}

#[test]
fn template_may_start_with_a_hyphen() {
    // Cobra takes the next argument as the flag's value whatever it is.
    let r = hoist(&["show", "values", &chart(), "--jsonpath", "-{.name}-"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "-hoist-"), "{}", r.stderr);
}

#[test]
fn range_prints_one_line_per_item() {
    let r = hoist(&[
        "show",
        "values",
        &chart(),
        "--jsonpath",
        r#"{range .ports[*]}{.name}{"\t"}{.port}{"\n"}{end}"#,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "http\t80\nhttps\t443\nmetrics\t9090\ndebug\t2345.5\n"
    );
}
