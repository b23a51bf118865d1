//! The index YAML writer against real Helm: `fixtures/goyaml/expected.yaml`
//! is what Helm v4's `toYaml` (sigs.k8s.io/yaml over go-yaml v2, the same
//! stack ChartMuseum writes index.yaml with) printed for
//! `fixtures/goyaml/values.json`, produced with
//! `helm-render fixtures/goyaml/chart rel default "$(cat values.json)"`.
//!
//! index.yaml is written by `hoist_core::yaml::to_string`, so that is what
//! is checked here, fed the same JSON Helm read (numbers become floats, as
//! Go's JSON decoding makes them).

use hoist_core::values::Value;

#[test]
fn writer_matches_helm_to_yaml() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/goyaml");
    let values: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/values.json")).unwrap())
            .unwrap();
    let expected = std::fs::read_to_string(format!("{dir}/expected.yaml")).unwrap();
    let doc = Value::from(values["doc"].clone());
    assert!(matches!(doc, Value::Map(_)), "doc is not a map");
    let mine = hoist_core::yaml::try_to_string(&doc).unwrap();
    let (mine, expected) = (mine.trim_end(), expected.trim_end());
    if mine != expected {
        for (n, (a, b)) in mine.lines().zip(expected.lines()).enumerate() {
            assert_eq!(a, b, "first difference at line {}", n + 1);
        }
        assert_eq!(mine.lines().count(), expected.lines().count());
    }
}
