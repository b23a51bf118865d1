//! Golden tests of the values pipeline against real Helm v4.
//!
//! `fixtures/values/parent` is a chart with three subcharts (one used under
//! two aliases, one with a grandchild not listed in Chart.yaml) exercising
//! globals, conditions, tags, import-values and nulls. For every line of
//! `cases.txt`, `gen.sh` rendered the chart with real Helm; each template
//! prints `toJson .Values`, so `golden/caseN.expected.json` holds the values
//! every enabled chart saw, plus the parent's `chart.values` after
//! dependency processing, and `caseN.helm-stderr.txt` Helm's warnings.
//!
//! `fixtures/values/globals` (cases in `globals-cases.txt`, outputs in
//! `globals-golden/`) checks how globals nested two levels deep are shared
//! between a parent and all its subcharts, as Go map aliasing makes them.
//! `fixtures/values/imports` (`imports-cases.txt`, `imports-golden/`) chains
//! import-values through an aliased child and two aliases of one grandchild,
//! one enabled by a parent value reaching two levels down.

mod values_support;

use hoist_core::chart::Chart;
use hoist_core::values::coalesce::coalesce_values_with_warnings;
use hoist_core::values::{Value, process_dependencies};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::fs;
use values_support::{fixtures, load};

/// The values each chart's templates see: the parent's whole tree, each
/// subchart the part under its name.
fn scoped(chart: &Chart, values: &Value, out: &mut BTreeMap<String, Json>) {
    out.insert(
        chart.name().to_string(),
        serde_json::to_value(values).unwrap(),
    );
    for sub in &chart.dependencies {
        let sub_values = values
            .as_map()
            .and_then(|m| m.get(sub.name()))
            .cloned()
            .unwrap_or_default();
        scoped(sub, &sub_values, out);
    }
}

fn run_case(chart_dir: &str, golden: &str, n: usize) {
    let dir = fixtures();
    let user_text = fs::read_to_string(dir.join(format!("{golden}/case{n}.values.json"))).unwrap();
    let user = Value::from(serde_json::from_str::<Json>(&user_text).unwrap());
    let expected: Json = serde_json::from_str(
        &fs::read_to_string(dir.join(format!("{golden}/case{n}.expected.json"))).unwrap(),
    )
    .unwrap();
    // Helm's log lines (timestamps removed by gen.sh); slog lines carry a
    // level. Go's map order makes the order of some warnings random, so the
    // lists are compared sorted.
    let mut helm_warnings: Vec<String> =
        fs::read_to_string(dir.join(format!("{golden}/case{n}.helm-stderr.txt")))
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| l.strip_prefix("WARN ").unwrap_or(l).to_string())
            .collect();
    helm_warnings.sort();

    let mut chart = load(&dir.join(chart_dir));
    let mut warnings = process_dependencies(&mut chart, &user).unwrap();
    assert_eq!(
        serde_json::to_value(&chart.values).unwrap(),
        expected["chart_values"],
        "case {n}: chart.values after dependency processing"
    );

    let coalesced = coalesce_values_with_warnings(&chart, &user).unwrap();
    let values = coalesced.values;
    warnings.extend(coalesced.warnings);
    warnings.sort();
    assert_eq!(warnings, helm_warnings, "case {n}: warnings");
    let mut got = BTreeMap::new();
    scoped(&chart, &values, &mut got);
    let want: BTreeMap<String, Json> =
        serde_json::from_value(expected["values_by_chart"].clone()).unwrap();
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "case {n}: enabled charts"
    );
    for (name, w) in &want {
        assert_eq!(&got[name], w, "case {n}: values seen by {name}");
    }
}

#[test]
fn defaults_with_aliases_tags_conditions_and_imports() {
    run_case("parent", "golden", 1);
}

#[test]
fn user_nulls_globals_and_tags() {
    run_case("parent", "golden", 2);
}

#[test]
fn conditions_disable_and_enable() {
    run_case("parent", "golden", 3);
}

#[test]
fn non_bool_condition_and_global_condition() {
    run_case("parent", "golden", 4);
}

#[test]
fn nulls_over_imports_and_globals() {
    run_case("parent", "golden", 5);
}

#[test]
fn type_clash_warnings() {
    run_case("parent", "golden", 6);
}

#[test]
fn nested_globals_are_shared_by_all_charts() {
    run_case("globals", "globals-golden", 1);
}

#[test]
fn nested_globals_with_user_values() {
    run_case("globals", "globals-golden", 2);
}

#[test]
fn imports_through_aliases() {
    run_case("imports", "imports-golden", 1);
}

#[test]
fn imports_with_user_overrides_and_disabled_alias() {
    run_case("imports", "imports-golden", 2);
}
