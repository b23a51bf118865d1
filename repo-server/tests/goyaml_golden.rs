//! The index YAML writer against real Helm: `fixtures/goyaml/expected.yaml`
//! is what Helm v4's `toYaml` (sigs.k8s.io/yaml over go-yaml v2, the same
//! stack ChartMuseum writes index.yaml with) printed for
//! `fixtures/goyaml/values.json`, produced with
//! `helm-render fixtures/goyaml/chart rel default "$(cat values.json)"`.

use hoist_repo_server::goyaml::{Node, Writer};

fn to_node(v: &serde_json::Value) -> Node {
    match v {
        serde_json::Value::Null => Node::Raw("null".into()),
        serde_json::Value::Bool(b) => Node::Bool(*b),
        serde_json::Value::Number(n) => Node::Raw(n.to_string()),
        serde_json::Value::String(s) => Node::Str(s.clone()),
        serde_json::Value::Array(a) => Node::Seq(a.iter().map(to_node).collect()),
        serde_json::Value::Object(o) => {
            Node::Map(o.iter().map(|(k, v)| (k.clone(), to_node(v))).collect())
        }
    }
}

#[test]
fn writer_matches_helm_to_yaml() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/goyaml");
    let values: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/values.json")).unwrap())
            .unwrap();
    let expected = std::fs::read_to_string(format!("{dir}/expected.yaml")).unwrap();
    let Node::Map(doc) = to_node(&values["doc"]) else {
        panic!("doc is not a map");
    };
    let mut w = Writer::new();
    w.mapping(&doc, 0);
    let mine = w.finish();
    let (mine, expected) = (mine.trim_end(), expected.trim_end());
    if mine != expected {
        for (n, (a, b)) in mine.lines().zip(expected.lines()).enumerate() {
            assert_eq!(a, b, "first difference at line {}", n + 1);
        }
        assert_eq!(mine.lines().count(), expected.lines().count());
    }
}
