//! Golden test: Helm's manifest splitting, hook separation, kind sorting and
//! notes extraction, checked against what real Helm v4 stored for the static
//! fixture chart `fixtures/engine/sorting` (see `sorting.helm.json`).

use hoist_core::release::{self, Hook, HookEvent, INSTALL_ORDER};
use std::collections::BTreeMap;
use std::path::Path;

/// The chart's templates as Helm's engine would return them: since every
/// template is static text, rendering is the identity (partials excluded).
fn rendered_files() -> BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/engine/sorting");
    let mut out = BTreeMap::new();
    for (dir, prefix) in [
        ("templates", "sorty/templates"),
        ("charts/sub/templates", "sorty/charts/sub/templates"),
    ] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            if name.starts_with('_') {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            out.insert(format!("{prefix}/{name}"), text);
        }
    }
    out
}

fn golden() -> serde_json::Value {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/engine/sorting.helm.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn manifest_hooks_and_notes_match_helm() {
    let mut files = rendered_files();
    let notes = release::take_notes(&mut files, "sorty", false);
    let sorted = release::sort_manifests(&files, INSTALL_ORDER).unwrap();
    let g = golden();

    assert_eq!(notes, g["notes"].as_str().unwrap());
    assert_eq!(
        release::manifest_text(&sorted.manifests),
        g["manifest"].as_str().unwrap()
    );

    // Helm's install ran the install hooks, which writes the default delete
    // policy and the run times into the stored hooks; do the same, minus times.
    let mut hooks = sorted.hooks.clone();
    for h in &mut hooks {
        if h.runs_on(HookEvent::PreInstall) || h.runs_on(HookEvent::PostInstall) {
            h.set_default_delete_policy();
        }
    }
    let mut expected: Vec<Hook> = serde_json::from_value(g["hooks"].clone()).unwrap();
    for h in &mut expected {
        h.last_run = Default::default();
    }
    assert_eq!(hooks, expected);
}

#[test]
fn subchart_notes_are_appended_when_asked() {
    let mut files = rendered_files();
    let notes = release::take_notes(&mut files, "sorty", true);
    assert_eq!(
        notes,
        "Top notes line 1.\nTop notes line 2.\n\nSub notes.\n"
    );
    assert!(!files.keys().any(|k| k.ends_with("NOTES.txt")));
}

#[test]
fn install_hook_execution_order() {
    let mut files = rendered_files();
    release::take_notes(&mut files, "sorty", false);
    let sorted = release::sort_manifests(&files, INSTALL_ORDER).unwrap();
    let names: Vec<&str> = release::executing_hooks(&sorted.hooks, HookEvent::PreInstall)
        .iter()
        .map(|h| h.name.as_str())
        .collect();
    // Weight -2 (by name), then weight 5.
    assert_eq!(
        names,
        vec!["pre-config", "pre-secret", "sub-hook", "migrate"]
    );
}
