//! Byte-for-byte comparison with real Helm v4 output.
//!
//! `core/src/yaml/testdata/charts/yamljson` prints `toYaml`, `toYamlPretty`,
//! `toJson`, `toPrettyJson` and `toRawJson` of every top-level value (and of
//! the whole `.Values`), plus `fromYaml`/`fromJson` of the files in `cases/`,
//! all base64-encoded so the manifest stays valid YAML. `render.sh` ran it
//! through Helm and stored the release in `helm-release.json`. These tests
//! rebuild the same values with our parser (no template engine needed) and
//! compare our writers' output with Helm's.

use std::collections::BTreeMap;
use std::path::PathBuf;

use base64::Engine as _;
use hoist_core::json;
use hoist_core::values::{Map, Value};
use hoist_core::yaml;

fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/yaml/testdata")
}

fn chart() -> PathBuf {
    testdata().join("charts/yamljson")
}

/// ConfigMap name -> data key -> decoded text, read from Helm's manifest
/// with our own multi-document parser.
fn helm_outputs() -> BTreeMap<String, BTreeMap<String, String>> {
    outputs_of("helm-release.json")
}

fn outputs_of(release_file: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let release = std::fs::read_to_string(testdata().join(release_file)).unwrap();
    let release = json::parse(&release).unwrap();
    let manifest = release
        .get_path("manifest")
        .and_then(Value::as_str)
        .unwrap();
    let mut out = BTreeMap::new();
    for doc in yaml::parse_all(manifest).unwrap() {
        let name = doc
            .get_path("metadata.name")
            .and_then(Value::as_str)
            .unwrap();
        let mut data = BTreeMap::new();
        if let Some(m) = doc.get_path("data").and_then(Value::as_map) {
            for (k, v) in m {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(v.as_str().unwrap())
                    .unwrap();
                data.insert(k.clone(), String::from_utf8(bytes).unwrap());
            }
        }
        out.insert(name.to_string(), data);
    }
    out
}

/// Helm's coalescing drops null entries of the chart's values maps.
fn drop_nulls(v: &mut Value) {
    if let Value::Map(m) = v {
        m.retain(|_, v| !v.is_null());
        for v in m.values_mut() {
            drop_nulls(v);
        }
    }
}

fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Map(b), Value::Map(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) if slot.as_map().is_some() && v.as_map().is_some() => merge(slot, v),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

/// `.Values` as Helm saw it: values.yaml read with our parser, nulls dropped,
/// the user-supplied JSON merged on top.
fn values() -> Value {
    values_of("yamljson", "yamljson-config.json")
}

fn values_of(chart_name: &str, config_file: &str) -> Value {
    let dir = testdata().join("charts").join(chart_name);
    let text = std::fs::read_to_string(dir.join("values.yaml")).unwrap();
    let mut v = match yaml::parse(&text).unwrap() {
        Value::Null => Value::empty_map(),
        v => v,
    };
    drop_nulls(&mut v);
    let config = std::fs::read_to_string(testdata().join("charts").join(config_file)).unwrap();
    merge(&mut v, json::parse(&config).unwrap());
    v
}

fn trim_newline(s: String) -> String {
    s.strip_suffix('\n').map(str::to_string).unwrap_or(s)
}

fn render(func: &str, v: &Value) -> String {
    match func {
        "toyaml" => trim_newline(yaml::to_string(v)),
        "toyamlpretty" => trim_newline(yaml::to_string_pretty(v)),
        "tojson" => json::to_string(v),
        "toprettyjson" => json::to_string_pretty(v),
        "torawjson" => json::to_string_raw(v),
        other => panic!("unknown function {other}"),
    }
}

fn compare_all(func: &str) {
    compare_chart(func, &helm_outputs(), &values());
    compare_chart(
        func,
        &outputs_of("helm-edge-release.json"),
        &values_of("yamledge", "yamledge-values.json"),
    );
}

fn compare_chart(func: &str, helm: &BTreeMap<String, BTreeMap<String, String>>, values: &Value) {
    let data = &helm[func];
    let mut failures = Vec::new();
    for (key, expected) in data {
        let input = if key == "__all__" {
            values.clone()
        } else {
            values.as_map().unwrap()[key].clone()
        };
        let got = render(func, &input);
        if &got != expected {
            failures.push(format!(
                "--- {func}/{key}\nhelm:\n{expected}\nours:\n{got}\n"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn to_yaml_matches_helm() {
    compare_all("toyaml");
}

#[test]
fn to_yaml_pretty_matches_helm() {
    compare_all("toyamlpretty");
}

#[test]
fn to_json_matches_helm() {
    compare_all("tojson");
}

#[test]
fn to_pretty_json_matches_helm() {
    compare_all("toprettyjson");
}

#[test]
fn to_raw_json_matches_helm() {
    compare_all("torawjson");
}

/// Values the golden template builds with Sprig (`int64`, `list`...), as the
/// Go engine will hand them to the functions.
fn template_scalars() -> Vec<(&'static str, Value)> {
    let mixed: Map = [
        ("i", Value::Int(7)),
        ("f", Value::Float(7.0)),
        ("big", Value::Int(100000000000000000)),
        ("fbig", Value::Float(1e17)),
        ("tiny", Value::Float(0.000001)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    vec![
        ("int64", Value::Int(1000000)),
        ("int", Value::Int(42)),
        ("float64", Value::Float(1e6)),
        ("float_frac", Value::Float(1.5)),
        ("string", Value::from("plain")),
        ("string_num", Value::from("42")),
        ("bool", Value::Bool(true)),
        ("nil", Value::Null),
        (
            "list_ints",
            Value::List(vec![Value::Int(1), Value::Int(2), Value::Int(3)]),
        ),
        ("list_empty", Value::List(vec![])),
        ("dict_empty", Value::empty_map()),
        ("mixed", Value::Map(mixed)),
    ]
}

#[test]
fn template_values_match_helm() {
    let helm = helm_outputs();
    let data = &helm["scalars"];
    let funcs = [
        ("toYaml", "toyaml"),
        ("toYamlPretty", "toyamlpretty"),
        ("toJson", "tojson"),
        ("toPrettyJson", "toprettyjson"),
        ("toRawJson", "torawjson"),
    ];
    for (name, value) in template_scalars() {
        for (suffix, func) in funcs {
            let expected = &data[&format!("{name}.{suffix}")];
            assert_eq!(&render(func, &value), expected, "{name}.{suffix}");
        }
    }
}

/// Sprig/Helm `fromYaml`: unmarshal into a map, errors under "Error".
fn from_yaml(text: &str) -> Value {
    let mut m = Map::new();
    match yaml::parse(text) {
        Ok(Value::Map(v)) => m = v,
        Ok(Value::Null) => {}
        Ok(other) => {
            let kind = match other {
                Value::List(_) => "array",
                Value::String(_) => "string",
                Value::Bool(_) => "bool",
                _ => "number",
            };
            m.insert(
                "Error".into(),
                Value::String(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
                )),
            );
        }
        Err(e) => {
            m.insert("Error".into(), Value::String(e.message));
        }
    }
    Value::Map(m)
}

/// Cases whose error text we do not reproduce word for word (saphyr reports
/// the problem at a different place or in other words than libyaml); for
/// these we only require that both sides fail.
const LOOSE_ERRORS: &[&str] = &[];

#[test]
fn from_yaml_matches_helm() {
    let helm = helm_outputs();
    let data = &helm["fromyaml"];
    let mut failures = Vec::new();
    for (case, expected) in data {
        if !case.ends_with(".yaml") {
            continue;
        }
        let text = std::fs::read_to_string(chart().join("cases").join(case)).unwrap();
        let got = json::to_string(&from_yaml(&text));
        if &got == expected {
            continue;
        }
        let both_errors = got.starts_with("{\"Error\"") && expected.starts_with("{\"Error\"");
        if both_errors && LOOSE_ERRORS.contains(&case.as_str()) {
            continue;
        }
        failures.push(format!("{case}:\n  helm: {expected}\n  ours: {got}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn from_json_matches_helm() {
    let helm = helm_outputs();
    let data = &helm["fromyaml"];
    for (case, expected) in data {
        if !case.ends_with(".json") {
            continue;
        }
        let text = std::fs::read_to_string(chart().join("cases").join(case)).unwrap();
        match json::parse(&text) {
            Ok(v) => assert_eq!(&json::to_string(&v), expected, "{case}"),
            // Go's partial decoding before an error is not reproduced; the
            // message of a syntax error is.
            Err(json::JsonError::Syntax { message, .. }) => {
                assert!(
                    expected.contains(&message),
                    "{case}: {message} vs {expected}"
                )
            }
            Err(e) => assert!(expected.contains("Error"), "{case}: {e}"),
        }
    }
}

/// Helm's own view of values.yaml (`chart.values` in the release) must
/// equal what our parser reads, before coalescing.
#[test]
fn values_yaml_parses_like_helm() {
    let release = std::fs::read_to_string(testdata().join("helm-release.json")).unwrap();
    let release = json::parse(&release).unwrap();
    let helm_values = release.get_path("chart.values").unwrap();
    let text = std::fs::read_to_string(chart().join("values.yaml")).unwrap();
    let ours = yaml::parse(&text).unwrap();
    let a = helm_values.as_map().unwrap();
    let b = ours.as_map().unwrap();
    for (k, v) in a {
        assert_eq!(Some(v), b.get(k), "values key {k}");
    }
    assert_eq!(a.len(), b.len());
}
