//! `.Files` against real Helm: the fixture chart `fixtures/engine/files-go`
//! prints what Helm's `.Files.Glob` matched for many gobwas/glob patterns,
//! and what `Lines`, `Get`, `AsConfig` and `AsSecrets` return
//! (`files-go.helm.json`); `engine::Files` must give the same.

use hoist_core::engine::Files;
use hoist_core::values::Value;
use std::path::Path;

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/engine/files-go")
}

/// The chart's `.Files` as the loader collects them (everything but
/// Chart.yaml, values.yaml, templates/ and charts/).
fn chart_files() -> Files {
    Files::new(&hoist_core::chart::load(root()).unwrap().files)
}

/// Helm's ConfigMap data from the golden manifest.
fn helm_data() -> Value {
    let g: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().with_file_name("files-go.helm.json")).unwrap(),
    )
    .unwrap();
    let manifest = g["manifest"].as_str().unwrap();
    let doc = manifest.split_once("\n").unwrap().1; // drop the leading `---`
    hoist_core::yaml::parse(doc)
        .unwrap()
        .get_path("data")
        .unwrap()
        .clone()
}

fn data_str(key: &str) -> String {
    helm_data()
        .get_path(key)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn glob_matches_like_helm() {
    let values =
        hoist_core::yaml::parse(&std::fs::read_to_string(root().join("values.yaml")).unwrap())
            .unwrap();
    let Some(Value::List(patterns)) = values.get_path("patterns") else {
        panic!("patterns")
    };
    let globs = data_str("globs");
    let lines: Vec<&str> = globs.lines().collect();
    assert_eq!(lines.len(), patterns.len());
    let files = chart_files();
    for (pattern, line) in patterns.iter().zip(lines) {
        let pattern = pattern.as_str().unwrap();
        let split = line.find("\":").unwrap() + 1;
        let printed: String = serde_json::from_str(&line[..split]).unwrap();
        assert_eq!(printed, pattern);
        let expected: Vec<&str> = line[split + 1..].split_whitespace().collect();
        let matched = files.glob(pattern);
        let got: Vec<&str> = matched.names().collect();
        assert_eq!(got, expected, "pattern {pattern:?}");
    }
}

#[test]
fn lines_get_and_maps_like_helm() {
    let files = chart_files();
    let lines: Vec<String> = serde_json::from_str(&data_str("lines")).unwrap();
    assert_eq!(files.lines("files/lines.txt"), lines);
    assert_eq!(data_str("linesMissing"), "[]");
    assert!(files.lines("nope").is_empty());
    assert_eq!(files.get("nope"), data_str("missing"));
    assert_eq!(files.glob("nomatch").as_config(), data_str("asConfigEmpty"));
    assert_eq!(files.glob("files/dir/**").as_config(), data_str("asConfig"));
    assert_eq!(files.glob("conf/*").as_secrets(), data_str("asSecrets"));
}
