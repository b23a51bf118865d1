//! Golden tests of values.schema.json checking against real Helm v4.
//!
//! `fixtures/values/schema` has a 2020-12 schema and a subchart with a
//! draft-07 schema. `gen-schema.sh` rendered it with real Helm for each line
//! of `schema-cases.txt` and kept Helm's error text. Helm lists sibling
//! failures in Go map order, which changes from run to run, so both reports
//! are compared with the lines under each parent sorted.

mod values_support;

use hoist_core::values::{Value, coalesce_values, process_dependencies, validate};
use std::fs;
use values_support::{fixtures, load};

/// One report line with the lines nested under it.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Line {
    text: String,
    children: Vec<Line>,
}

/// Parses an indented report into trees and sorts siblings. Chart headers
/// (`name:`) keep their order, as both Helm and hoist walk charts in order.
fn normalize(report: &str) -> Vec<(String, Vec<Line>)> {
    let mut sections: Vec<(String, Vec<(usize, String)>)> = Vec::new();
    for raw in report.trim_end().lines() {
        let indent = raw.len() - raw.trim_start().len();
        if indent == 0 && !raw.starts_with("- ") {
            sections.push((raw.to_string(), Vec::new()));
        } else if let Some(last) = sections.last_mut() {
            last.1.push((indent / 2, raw.trim_start().to_string()));
        }
    }
    sections
        .into_iter()
        .map(|(head, lines)| {
            let mut pos = 0;
            (head, tree(&lines, &mut pos, 0))
        })
        .collect()
}

fn tree(lines: &[(usize, String)], pos: &mut usize, depth: usize) -> Vec<Line> {
    let mut out = Vec::new();
    while *pos < lines.len() && lines[*pos].0 == depth {
        let text = lines[*pos].1.clone();
        *pos += 1;
        let children = tree(lines, pos, depth + 1);
        out.push(Line { text, children });
    }
    out.sort();
    out
}

fn run_case(n: usize) {
    let dir = fixtures();
    let user_text =
        fs::read_to_string(dir.join(format!("schema-golden/case{n}.values.json"))).unwrap();
    let user = Value::from(serde_json::from_str::<serde_json::Value>(&user_text).unwrap());
    let expected =
        fs::read_to_string(dir.join(format!("schema-golden/case{n}.expected.txt"))).unwrap();

    let mut chart = load(&dir.join("schema"));
    process_dependencies(&mut chart, &user).unwrap();
    let values = coalesce_values(&chart, &user).unwrap();
    let got = match validate(&chart, &values) {
        Ok(()) => String::new(),
        Err(e) => e.to_string(),
    };
    if expected.trim().is_empty() {
        assert_eq!(got, "", "case {n}: Helm accepted these values");
        return;
    }
    assert_eq!(
        normalize(&got),
        normalize(&expected),
        "case {n}:\n{got}\n---\n{expected}"
    );
    // The exact text, line for line, apart from sibling order.
    let mut got_lines: Vec<&str> = got.trim_end().lines().collect();
    let mut want_lines: Vec<&str> = expected.trim_end().lines().collect();
    got_lines.sort();
    want_lines.sort();
    assert_eq!(got_lines, want_lines, "case {n}");
}

#[test]
fn many_failures_in_parent_and_subchart() {
    run_case(1);
}

#[test]
fn valid_values_pass() {
    run_case(2);
}

#[test]
fn subchart_only_failure() {
    run_case(3);
}

#[test]
fn null_deleted_required_value_and_any_of() {
    run_case(4);
}

#[test]
fn grouped_numbers_and_lengths() {
    run_case(5);
}

#[test]
fn ref_all_of_then_unevaluated_and_one_of() {
    run_case(6);
}

#[test]
fn one_of_none_matched() {
    run_case(7);
}

#[test]
fn contains_lists_each_item() {
    run_case(8);
}

#[test]
fn format_failures_with_reasons() {
    run_case(9);
}

#[test]
fn date_out_of_range() {
    run_case(10);
}

#[test]
fn more_format_reasons() {
    run_case(11);
}
