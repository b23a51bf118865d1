//! Every case of `tests/fixtures/jsonpath/golden.json`: the output of
//! Kubernetes' JSONPath engine (the one Helm runs) for a template over
//! `tests/fixtures/jsonpath/chart/values.yaml`, recorded during
//! development from the Go engine built with Debian's Go (the method is in
//! that folder's README.md; these tests need neither). Where Go ranges over a map in random order the golden holds
//! the output in sorted key order, hoist's, and says `helm_order_random`.

use super::JsonPath;
use crate::values::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/jsonpath");

fn cases() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(format!("{FIXTURES}/golden.json"))
        .unwrap_or_else(|e| panic!("golden.json: {e}"));
    match serde_json::from_str(&text) {
        Ok(serde_json::Value::Array(cases)) => cases,
        other => panic!("golden.json is not an array: {other:?}"),
    }
}

fn values() -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}/chart/values.yaml"))
        .unwrap_or_else(|e| panic!("values.yaml: {e}"));
    crate::chart::load_values(&text).unwrap_or_else(|e| panic!("values.yaml: {e}"))
}

fn field<'a>(case: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    case.get(name).and_then(|v| v.as_str())
}

#[test]
fn every_golden_case_matches_the_go_engine() {
    let values = values();
    let cases = cases();
    assert!(cases.len() > 300, "only {} cases", cases.len());
    let mut failures = Vec::new();
    let (mut parse_errors, mut exec_errors, mut panics, mut random) = (0, 0, 0, 0);
    for case in &cases {
        let template = field(case, "template").unwrap_or_else(|| panic!("no template: {case}"));
        let got = match JsonPath::parse(template) {
            Err(e) => format!("parse error: {e}"),
            Ok(p) => {
                let mut out = Vec::new();
                let r = p.execute(&values, &mut out);
                let out = String::from_utf8_lossy(&out).into_owned();
                match r {
                    Ok(()) => format!("output: {out:?}"),
                    Err(e) if e.is_fatal() => format!("panic; output: {out:?}"),
                    Err(e) => format!("error: {e}; output: {out:?}"),
                }
            }
        };
        let want = if let Some(e) = field(case, "parse_error") {
            parse_errors += 1;
            format!("parse error: {e}")
        } else {
            let out = field(case, "output").unwrap_or_else(|| panic!("no output: {case}"));
            if case.get("helm_order_random").is_some() {
                random += 1;
            }
            if case.get("panic").is_some() {
                panics += 1;
                format!("panic; output: {out:?}")
            } else if let Some(e) = field(case, "exec_error") {
                exec_errors += 1;
                format!("error: {e}; output: {out:?}")
            } else {
                format!("output: {out:?}")
            }
        };
        if got != want {
            failures.push(format!("{template:?}\n   want {want}\n    got {got}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // The fixture covers each kind of outcome.
    assert!(parse_errors > 40 && exec_errors > 40 && panics >= 2 && random >= 5);
}
