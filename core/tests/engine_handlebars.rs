//! The handlebars engine end to end: fixture charts rendered with hoist and
//! compared with what real Helm v4 printed for the equivalent Go-template
//! chart (`fixtures/engine/hbs-go`, output in `hbs-go.helm.json`), plus the
//! engine's error reporting.

use hoist_core::chart::{Chart, ChartFile, Metadata};
use hoist_core::engine::{
    self, Capabilities, EngineError, KubeVersion, ReleaseInfo, RenderContext,
};
use hoist_core::release::{self, INSTALL_ORDER};
use hoist_core::values::Value;
use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/engine")
        .join(name)
}

/// The fixture chart through the real pipeline: `chart::load`, then the
/// values module (dependency processing, coalescing, schema) with no user
/// values. Returns the chart as the engine receives it and its values.
fn load_with_values(dir: &Path) -> (Chart, Value) {
    let mut chart = hoist_core::chart::load(dir).unwrap();
    let values = hoist_core::values::render_values(&mut chart, &Value::empty_map(), false)
        .unwrap()
        .values;
    (chart, values)
}

fn ctx() -> RenderContext {
    RenderContext {
        release: ReleaseInfo {
            name: "rel".into(),
            ..ReleaseInfo::default()
        },
        capabilities: Capabilities {
            kube_version: KubeVersion::parse("1.33.0").unwrap(),
            api_versions: vec!["v1".into()],
            helm_version: "v4.0.0".into(),
        },
        lookup: None,
        lint_mode: false,
        enable_dns: false,
    }
}

fn golden(name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

#[test]
fn handlebars_chart_renders_like_its_go_twin_under_helm() {
    let (chart, values) = load_with_values(&fixture("hbs"));
    let mut rendered = engine::render(&chart, &values, &ctx()).unwrap();
    assert!(
        !rendered.keys().any(|k| k.contains("/_")),
        "partials are not output"
    );

    let notes = release::take_notes(&mut rendered, "hbs", false);
    let sorted = release::sort_manifests(&rendered, INSTALL_ORDER).unwrap();
    let content = release::release_content(
        engine::render(&chart, &values, &ctx()).unwrap(),
        "hbs",
        false,
    )
    .unwrap();
    assert_eq!(content.manifests, sorted.manifests);
    assert_eq!(content.notes, notes);
    let g = golden("hbs-go.helm.json");
    assert_eq!(
        release::manifest_text(&sorted.manifests),
        g["manifest"].as_str().unwrap()
    );
    assert_eq!(notes, g["notes"].as_str().unwrap());
    assert_eq!(sorted.hooks.len(), 1);
    assert_eq!(
        sorted.hooks[0].manifest,
        g["hooks"][0]["manifest"].as_str().unwrap()
    );
    assert_eq!(sorted.hooks[0].weight, -1);
}

fn one_template_chart(files: &[(&str, &str)]) -> Chart {
    let mut chart = Chart {
        metadata: Metadata {
            name: "t".into(),
            version: "0.1.0".into(),
            api_version: "v2".into(),
            ..Metadata::default()
        },
        values: serde_json::json!({"a": {"b": "x"}}).into(),
        ..Chart::default()
    };
    chart
        .metadata
        .annotations
        .insert(engine::ENGINE_ANNOTATION.into(), "handlebars".into());
    for (name, text) in files {
        chart.templates.push(ChartFile {
            name: name.to_string(),
            data: text.as_bytes().to_vec(),
        });
    }
    chart
}

fn render_err(files: &[(&str, &str)]) -> EngineError {
    let chart = one_template_chart(files);
    let values = chart.values.clone();
    engine::render(&chart, &values, &ctx()).unwrap_err()
}

#[test]
fn missing_value_names_template_line_and_path() {
    let err = render_err(&[(
        "templates/a.yaml",
        "ok: {{Values.a.b}}\nbad: {{Values.a.nope}}\n",
    )]);
    let msg = err.to_string();
    assert!(
        matches!(err, EngineError::Execution { ref template, .. } if template == "t/templates/a.yaml")
    );
    assert!(msg.starts_with("t/templates/a.yaml:2:"), "{msg}");
    assert!(msg.contains("Values.a.nope"), "{msg}");
}

#[test]
fn parse_error_names_template_and_line() {
    let err = render_err(&[("templates/a.yaml", "a: 1\nb: {{#if x}}\n")]);
    match err {
        EngineError::Parse { template, message } => {
            assert_eq!(template, "t/templates/a.yaml");
            assert!(
                message.starts_with("parse error in t/templates/a.yaml: line "),
                "{message}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn self_inclusion_stops_at_the_depth_limit() {
    let err = render_err(&[
        (
            "templates/_h.hbs",
            "{{#*inline \"loop\"}}x{{include \"loop\" this}}{{/inline}}",
        ),
        ("templates/a.yaml", "{{include \"loop\" this}}"),
    ]);
    let msg = err.to_string();
    assert!(
        msg.contains("exceeding the maximum of 1000"),
        "{}",
        &msg[..msg.len().min(400)]
    );
}

#[test]
fn required_and_fail_report_their_message() {
    let err = render_err(&[(
        "templates/a.yaml",
        "{{required \"a.c is required\" Values.a.c}}",
    )]);
    assert!(err.to_string().contains("a.c is required"), "{err}");
    let err = render_err(&[("templates/a.yaml", "{{fail \"stop here\"}}")]);
    assert!(err.to_string().contains("stop here"), "{err}");
}

#[test]
fn top_chart_partials_override_subchart_partials_and_nothing_is_escaped() {
    let mut chart = one_template_chart(&[
        ("templates/_h.hbs", "{{#*inline \"name\"}}top{{/inline}}"),
        (
            "templates/a.yaml",
            "v: {{include \"name\" this}} {{Values.a.b}} <&>",
        ),
    ]);
    let mut sub =
        one_template_chart(&[("templates/_h.hbs", "{{#*inline \"name\"}}sub{{/inline}}")]);
    sub.metadata.name = "s".into();
    sub.metadata.annotations.clear();
    chart.dependencies.push(sub);
    let values = chart.values.clone();
    let out = engine::render(&chart, &values, &ctx()).unwrap();
    assert_eq!(out["t/templates/a.yaml"], "v: top x <&>");
}

#[test]
fn mixed_engines_are_rejected_and_unannotated_charts_use_go_templates() {
    let mut chart = one_template_chart(&[("templates/a.yaml", "x")]);
    let mut sub = one_template_chart(&[]);
    sub.metadata.name = "gosub".into();
    sub.metadata
        .annotations
        .insert(engine::ENGINE_ANNOTATION.into(), "gotemplate".into());
    chart.dependencies.push(sub);
    let values = chart.values.clone();
    let err = engine::render(&chart, &values, &ctx()).unwrap_err();
    assert!(matches!(err, EngineError::MixedEngines { ref subchart, .. } if subchart == "gosub"));

    // Without the annotation the Go engine renders the chart.
    let mut go = one_template_chart(&[("templates/a.yaml", "x{{ print 1 2 }}")]);
    go.metadata.annotations.clear();
    let out = engine::render(&go, &values, &ctx()).unwrap();
    assert_eq!(out["t/templates/a.yaml"], "x1 2");
}

#[test]
fn files_helpers_read_the_rendering_charts_files() {
    let mut chart = one_template_chart(&[(
        "templates/a.yaml",
        "{{#each (filesGlob \"conf/*\")}}{{@key}}={{this}};{{/each}}|{{#each (filesLines \"l.txt\")}}[{{this}}]{{/each}}",
    )]);
    chart.files = vec![
        ChartFile {
            name: "conf/x".into(),
            data: b"1".to_vec(),
        },
        ChartFile {
            name: "conf/y".into(),
            data: b"2".to_vec(),
        },
        ChartFile {
            name: "l.txt".into(),
            data: b"p\nq\n".to_vec(),
        },
    ];
    let values = chart.values.clone();
    let out = engine::render(&chart, &values, &ctx()).unwrap();
    assert_eq!(out["t/templates/a.yaml"], "conf/x=1;conf/y=2;|[p][q]");
}

#[test]
fn lint_mode_turns_required_and_fail_into_warnings() {
    let chart = one_template_chart(&[(
        "templates/a.yaml",
        "r=[{{required \"need it\" Values.a.c}}] f=[{{fail \"no\"}}]",
    )]);
    let values = chart.values.clone();
    let mut lint = ctx();
    lint.lint_mode = true;
    let out = engine::render(&chart, &values, &lint).unwrap();
    assert_eq!(out["t/templates/a.yaml"], "r=[] f=[]");
}

#[test]
fn optional_values_through_if_and_default_and_dotted_partial_names() {
    let chart = one_template_chart(&[
        (
            "templates/_h.hbs",
            "{{#*inline \"t.name\"}}N={{Values.a.b}}{{/inline}}",
        ),
        (
            "templates/a.yaml",
            "{{#if Values.nope}}yes{{else}}no{{/if}} {{default 7 Values.a.nope}} {{> t.name}}",
        ),
    ]);
    let values = chart.values.clone();
    let out = engine::render(&chart, &values, &ctx()).unwrap();
    assert_eq!(out["t/templates/a.yaml"], "no 7 N=x");
}
