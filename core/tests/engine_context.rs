//! `.Chart` and `.Template` as Helm builds them (structToMap of the
//! metadata plus `IsRoot`), checked against Helm's `toJson` of both for the
//! fixture `fixtures/engine/meta-go` (`meta-go.helm.json`).

use hoist_core::engine::ScopedChart;
use hoist_core::values::Value;
use std::path::Path;

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/engine/meta-go")
}

/// `data.chart` and `data.template` of each ConfigMap Helm rendered, by name.
fn helm_json(name: &str, key: &str) -> Value {
    let g: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture().with_file_name("meta-go.helm.json")).unwrap(),
    )
    .unwrap();
    for doc in g["manifest"].as_str().unwrap().split("---\n").skip(1) {
        let v = hoist_core::yaml::parse(doc).unwrap();
        if v.get_path("metadata.name") == Some(&Value::from(name)) {
            let text = v
                .get_path(&format!("data.{key}"))
                .unwrap()
                .as_str()
                .unwrap();
            let json: serde_json::Value = serde_json::from_str(text).unwrap();
            return json.into();
        }
    }
    panic!("no ConfigMap {name}");
}

#[test]
fn chart_and_template_objects_match_helm() {
    let mut top = hoist_core::chart::load(fixture()).unwrap();
    // Dependency processing marks the enabled dependencies, as Helm's does
    // before rendering (it shows in `.Chart.Dependencies[].Enabled`).
    let values = hoist_core::values::render_values(&mut top, &Value::empty_map(), false)
        .unwrap()
        .values;
    let scoped = ScopedChart::new(&top, &values);

    assert_eq!(scoped.chart_value(), helm_json("top", "chart"));
    assert_eq!(scoped.subcharts[0].chart_value(), helm_json("dep", "chart"));

    let templates = scoped.templates();
    let find = |p: &str| {
        templates
            .iter()
            .find(|t| t.path() == p)
            .unwrap()
            .template_value()
    };
    assert_eq!(
        find("metago/templates/cm.yaml"),
        helm_json("top", "template")
    );
    assert_eq!(
        find("metago/charts/dep/templates/cm.yaml"),
        helm_json("dep", "template")
    );
}
