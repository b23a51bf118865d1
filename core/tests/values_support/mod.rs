//! Shared helpers of the values golden tests: a minimal chart loader for
//! the fixtures (the real loader lives in `hoist_core::chart`, owned elsewhere).

use hoist_core::chart::{Chart, Metadata};
use hoist_core::values::Value;
use std::fs;
use std::path::Path;

/// The folder holding the values fixtures.
pub fn fixtures() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/values"
    ))
}

/// Just enough of a chart loader for these fixtures: Chart.yaml,
/// values.yaml, values.schema.json and charts/ subfolders.
pub fn load(dir: &Path) -> Chart {
    let meta_yaml = fs::read_to_string(dir.join("Chart.yaml")).unwrap();
    let meta_value = hoist_core::yaml::parse(&meta_yaml).unwrap();
    let metadata: Metadata =
        serde_json::from_value(serde_json::to_value(&meta_value).unwrap()).unwrap();
    let values = match fs::read_to_string(dir.join("values.yaml")) {
        Ok(text) => hoist_core::yaml::parse(&text).unwrap(),
        Err(_) => Value::empty_map(),
    };
    let schema = fs::read(dir.join("values.schema.json")).ok();
    let mut dependencies = Vec::new();
    if let Ok(entries) = fs::read_dir(dir.join("charts")) {
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for p in paths {
            dependencies.push(load(&p));
        }
    }
    Chart {
        metadata,
        values,
        schema,
        dependencies,
        ..Default::default()
    }
}
