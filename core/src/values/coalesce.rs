//! Helm's `CoalesceValues` and `MergeValues`: user values laid over a chart's
//! values.yaml, recursively into subcharts, with globals copied down.
//!
//! The rules, as Helm's `pkg/chart/common/util/coalesce.go` implements them:
//!
//! - the higher source wins (user over parent chart over subchart); maps
//!   merge key by key, scalars and lists replace;
//! - when coalescing, a `null` from a higher source deletes the key, and
//!   `null`s in a chart's own values.yaml are dropped rather than leaking
//!   into the result; a `null` set for a key no default has stays `null`;
//! - when merging (`--reuse-values`, import-values) every `null` is kept so
//!   a later coalesce can still act on it;
//! - `global` flows from each parent into each subchart, the parent winning;
//! - type clashes (map against scalar) keep the higher value and only warn.

use super::error::ValuesError;
use super::gofmt::{go_t, go_v};
use super::value::{Map, Value};
use crate::chart::Chart;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// The key whose contents every subchart inherits.
pub const GLOBAL_KEY: &str = "global";

/// Coalesced values with the warnings Helm would have logged on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Coalesced {
    /// The resulting values tree (always a map).
    pub values: Value,
    /// Helm's warnings, e.g. `warning: skipped value for sub.x: Not a table.`
    pub warnings: Vec<String>,
}

/// Helm's `CoalesceValues`: `user` over the chart's values.yaml, recursively
/// into every subchart of `chart.dependencies` under its name.
pub fn coalesce_values(chart: &Chart, user: &Value) -> Result<Value, ValuesError> {
    coalesce_values_with_warnings(chart, user).map(|c| c.values)
}

/// [`coalesce_values`], also returning the warnings.
pub fn coalesce_values_with_warnings(
    chart: &Chart,
    user: &Value,
) -> Result<Coalesced, ValuesError> {
    run(chart, user, false)
}

/// Helm's `MergeValues` (used for `--reuse-values` and import-values): like
/// coalescing but every `null` is kept.
pub fn merge_values(chart: &Chart, user: &Value) -> Result<Value, ValuesError> {
    run(chart, user, true).map(|c| c.values)
}

/// [`merge_values`], also returning the warnings.
pub fn merge_values_with_warnings(chart: &Chart, user: &Value) -> Result<Coalesced, ValuesError> {
    run(chart, user, true)
}

/// Helm's `CoalesceTables`: `src` merged under `dst` (which wins); a `null`
/// in `dst` over a non-null default deletes the key.
pub fn coalesce_tables(dst: &mut Map, src: Map) -> Vec<String> {
    tables(dst, src, false)
}

/// Helm's `MergeTables`: like [`coalesce_tables`] but keeping `null`s.
pub fn merge_tables(dst: &mut Map, src: Map) -> Vec<String> {
    tables(dst, src, true)
}

fn tables(dst: &mut Map, src: Map, merge: bool) -> Vec<String> {
    let mut w = Vec::new();
    let d = SMap::from_map(std::mem::take(dst));
    coalesce_tables_full_key(&mut w, &d, &SMap::from_map(src), "", merge);
    *dst = SMap::to_map(&d);
    w
}

fn run(chart: &Chart, user: &Value, merge: bool) -> Result<Coalesced, ValuesError> {
    let dest = match user {
        Value::Null => Map::new(),
        Value::Map(m) => m.clone(),
        other => {
            return Err(ValuesError::NotAMap {
                found: other.type_name(),
            });
        }
    };
    let dest = SMap::from_map(dest);
    let mut warnings = Vec::new();
    coalesce(&mut warnings, chart, &dest, "", merge)?;
    Ok(Coalesced {
        values: Value::Map(SMap::to_map(&dest)),
        warnings,
    })
}

/// A map shared by reference, as Go maps are.
///
/// Helm's coalescing relies on Go map aliasing in one place that is visible
/// in the output: globals are copied into subcharts one level deep only, so
/// tables two or more levels under `global` are the same objects in the
/// parent and in every subchart, and keys a subchart adds there show up in
/// the parent and in its siblings too. Working on shared maps reproduces it.
type SMap = Rc<RefCell<BTreeMap<String, S>>>;

/// A node of the shared tree: a map by reference, anything else by value.
#[derive(Clone)]
enum S {
    Map(SMap),
    Other(Value),
}

impl S {
    fn from_value(v: Value) -> S {
        match v {
            Value::Map(m) => S::Map(SMap::from_map(m)),
            other => S::Other(other),
        }
    }

    fn to_value(&self) -> Value {
        match self {
            S::Map(m) => Value::Map(SMap::to_map(m)),
            S::Other(v) => v.clone(),
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, S::Other(Value::Null))
    }

    fn as_map(&self) -> Option<&SMap> {
        match self {
            S::Map(m) => Some(m),
            S::Other(_) => None,
        }
    }
}

trait SharedMap {
    fn from_map(m: Map) -> Self;
    fn to_map(&self) -> Map;
    fn get(&self, key: &str) -> Option<S>;
    fn set(&self, key: &str, v: S);
    fn entries(&self) -> Vec<(String, S)>;
}

impl SharedMap for SMap {
    fn from_map(m: Map) -> Self {
        Rc::new(RefCell::new(
            m.into_iter().map(|(k, v)| (k, S::from_value(v))).collect(),
        ))
    }
    fn to_map(&self) -> Map {
        self.borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.to_value()))
            .collect()
    }
    fn get(&self, key: &str) -> Option<S> {
        self.borrow().get(key).cloned()
    }
    fn set(&self, key: &str, v: S) {
        self.borrow_mut().insert(key.to_string(), v);
    }
    /// A snapshot, so the map can be changed while walking it.
    fn entries(&self) -> Vec<(String, S)> {
        self.borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

fn coalesce(
    w: &mut Vec<String>,
    chart: &Chart,
    dest: &SMap,
    prefix: &str,
    merge: bool,
) -> Result<(), ValuesError> {
    coalesce_chart_values(w, chart, dest, prefix, merge);
    coalesce_deps(w, chart, dest, prefix, merge)
}

fn coalesce_deps(
    w: &mut Vec<String>,
    chart: &Chart,
    dest: &SMap,
    prefix: &str,
    merge: bool,
) -> Result<(), ValuesError> {
    for sub in &chart.dependencies {
        let name = sub.name();
        let sub_values = match dest.get(name) {
            None => {
                let m: SMap = Rc::default();
                dest.set(name, S::Map(m.clone()));
                m
            }
            Some(S::Map(m)) => m,
            Some(S::Other(other)) => {
                return Err(ValuesError::TypeMismatch {
                    key: name.to_string(),
                    found: go_t(&other),
                });
            }
        };
        let sub_prefix = concat_prefix(prefix, chart.name());
        coalesce_globals(w, &sub_values, dest, &sub_prefix);
        coalesce(w, sub, &sub_values, &sub_prefix, merge)?;
    }
    Ok(())
}

/// Copies the parent's `global` into the subchart's values; parent entries
/// win, nested global maps merge.
fn coalesce_globals(w: &mut Vec<String>, dest: &SMap, src: &SMap, prefix: &str) {
    let dg: SMap = match dest.get(GLOBAL_KEY) {
        None => Rc::default(),
        Some(S::Map(m)) => m,
        Some(_) => {
            w.push(format!(
                "warning: skipping globals because destination {GLOBAL_KEY} is not a table."
            ));
            return;
        }
    };
    let sg: SMap = match src.get(GLOBAL_KEY) {
        None => Rc::default(),
        Some(S::Map(m)) => m,
        Some(_) => {
            w.push(format!(
                "warning: skipping globals because source {GLOBAL_KEY} is not a table."
            ));
            return;
        }
    };
    for (key, val) in sg.entries() {
        match val {
            S::Map(m) => {
                // One level deep only: the tables inside stay shared.
                let vv: SMap = Rc::new(RefCell::new(m.borrow().clone()));
                match dg.get(&key) {
                    None => dg.set(&key, S::Map(vv)),
                    Some(S::Map(destv)) => {
                        // Reversed roles: the parent's table is authoritative.
                        coalesce_tables_full_key(
                            w,
                            &vv,
                            &destv,
                            &concat_prefix(prefix, &key),
                            true,
                        );
                        dg.set(&key, S::Map(vv));
                    }
                    Some(S::Other(_)) => w.push(format!(
                        "Conflict: cannot merge map onto non-map for {}. Skipping.",
                        crate::strconv::quote(&key)
                    )),
                }
            }
            other => {
                if matches!(dg.get(&key), Some(S::Map(_))) {
                    w.push(format!("key {key} is table. Skipping"));
                } else {
                    dg.set(&key, other);
                }
            }
        }
    }
    dest.set(GLOBAL_KEY, S::Map(dg));
}

/// Lays the chart's own values.yaml under `v` (which wins).
fn coalesce_chart_values(w: &mut Vec<String>, chart: &Chart, v: &SMap, prefix: &str, merge: bool) {
    let sub_prefix = concat_prefix(prefix, chart.name());
    let defaults = match &chart.values {
        Value::Map(m) => SMap::from_map(m.clone()),
        _ => Rc::default(),
    };
    for (key, val) in defaults.entries() {
        match v.get(&key) {
            Some(value) if value.is_null() && !merge => {
                // A null from a higher source removes the chart's default.
                v.borrow_mut().remove(&key);
            }
            Some(S::Map(dest)) => match val {
                S::Map(src) => {
                    let merge = merge || chart.dependencies.iter().any(|d| d.name() == key);
                    if !merge {
                        clean_nil_values(&src);
                    }
                    coalesce_tables_full_key(
                        w,
                        &dest,
                        &src,
                        &concat_prefix(&sub_prefix, &key),
                        merge,
                    );
                }
                S::Other(Value::Null) => {}
                S::Other(_) => w.push(format!(
                    "warning: skipped value for {sub_prefix}.{key}: Not a table."
                )),
            },
            Some(_) => {}
            None => {
                if !merge {
                    match &val {
                        S::Other(Value::Null) => continue,
                        S::Map(m) => clean_nil_values(m),
                        S::Other(_) => {}
                    }
                }
                v.set(&key, val);
            }
        }
    }
}

/// Merges `src` under `dst` (dst wins), recursing into maps.
fn coalesce_tables_full_key(
    w: &mut Vec<String>,
    dst: &SMap,
    src: &SMap,
    prefix: &str,
    merge: bool,
) {
    if Rc::ptr_eq(dst, src) {
        return;
    }
    // Which defaults were non-null before dst's nulls are copied over:
    // a null in dst over a real default is a deletion, over nothing it stays.
    let src_non_nil: BTreeSet<String> = src
        .borrow()
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k.clone())
        .collect();
    for (key, val) in dst.entries() {
        if val.is_null() {
            src.set(&key, S::Other(Value::Null));
        }
    }
    for (key, val) in src.entries() {
        let full_key = concat_prefix(prefix, &key);
        match dst.get(&key) {
            Some(dv) if dv.is_null() && !merge && src_non_nil.contains(&key) => {
                dst.borrow_mut().remove(&key);
            }
            None => dst.set(&key, val),
            Some(dv) => match (dv.as_map(), val.as_map()) {
                (Some(dm), Some(sm)) => coalesce_tables_full_key(w, dm, sm, &full_key, merge),
                (None, Some(_)) => w.push(format!(
                    "warning: cannot overwrite table with non table for {full_key} ({})",
                    go_v(&val.to_value())
                )),
                (Some(_), None) if !val.is_null() => w.push(format!(
                    "warning: destination for {full_key} is a table. Ignoring non-table value ({})",
                    go_v(&val.to_value())
                )),
                _ => {}
            },
        }
    }
}

/// Drops `null`s from a chart's defaults, recursively through maps.
fn clean_nil_values(m: &SMap) {
    m.borrow_mut().retain(|_, v| !v.is_null());
    for (_, v) in m.entries() {
        if let S::Map(sub) = v {
            clean_nil_values(&sub);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Metadata;
    use serde_json::json;

    fn v(j: serde_json::Value) -> Value {
        Value::from(j)
    }

    pub(crate) fn chart(name: &str, values: serde_json::Value, deps: Vec<Chart>) -> Chart {
        Chart {
            metadata: Metadata {
                name: name.into(),
                version: "1.0.0".into(),
                api_version: "v2".into(),
                ..Default::default()
            },
            values: Value::from(values),
            dependencies: deps,
            ..Default::default()
        }
    }

    #[test]
    fn user_values_win_and_maps_merge() {
        let c = chart(
            "top",
            json!({"a": {"b": 1, "c": [1, 2]}, "d": "x", "l": [1]}),
            vec![],
        );
        let got = coalesce_values(&c, &v(json!({"a": {"c": [3]}, "l": {"k": 1}}))).unwrap();
        assert_eq!(
            got,
            v(json!({"a": {"b": 1, "c": [3]}, "d": "x", "l": {"k": 1}}))
        );
    }

    #[test]
    fn null_deletes_defaults_at_every_depth() {
        let c = chart(
            "top",
            json!({"a": 1, "b": {"c": 2, "d": {"e": 3, "f": 4}}}),
            vec![],
        );
        let got = coalesce_values(&c, &v(json!({"a": null, "b": {"d": {"e": null}}}))).unwrap();
        assert_eq!(got, v(json!({"b": {"c": 2, "d": {"f": 4}}})));
        let got = coalesce_values(&c, &v(json!({"b": {"c": null, "d": null}}))).unwrap();
        assert_eq!(got, v(json!({"a": 1, "b": {}})));
    }

    #[test]
    fn null_without_default_is_kept() {
        let c = chart("top", json!({"a": {"b": 1}}), vec![]);
        let got = coalesce_values(&c, &v(json!({"x": null, "a": {"y": null}}))).unwrap();
        assert_eq!(got, v(json!({"x": null, "a": {"b": 1, "y": null}})));
    }

    #[test]
    fn nulls_in_chart_defaults_are_dropped() {
        let c = chart("top", json!({"a": null, "b": {"c": null, "d": 1}}), vec![]);
        let got = coalesce_values(&c, &Value::Null).unwrap();
        assert_eq!(got, v(json!({"b": {"d": 1}})));
        let merged = merge_values(&c, &Value::Null).unwrap();
        assert_eq!(merged, v(json!({"a": null, "b": {"c": null, "d": 1}})));
    }

    #[test]
    fn merge_keeps_user_nulls() {
        let c = chart("top", json!({"a": 1, "b": {"c": 2}}), vec![]);
        let got = merge_values(&c, &v(json!({"a": null, "b": {"c": null}}))).unwrap();
        assert_eq!(got, v(json!({"a": null, "b": {"c": null}})));
    }

    #[test]
    fn subcharts_get_parent_values_and_globals() {
        let grand = chart("grand", json!({"g": 1, "global": {"x": "grand"}}), vec![]);
        let sub = chart(
            "sub",
            json!({"s": 1, "t": 2, "global": {"y": "sub", "x": "sub"}}),
            vec![grand],
        );
        let top = chart(
            "top",
            json!({"sub": {"t": 20}, "global": {"x": "top", "m": {"a": 1}}}),
            vec![sub],
        );
        let got = coalesce_values(&top, &v(json!({"sub": {"grand": {"g": 5}}}))).unwrap();
        assert_eq!(
            got,
            v(json!({
                "global": {"x": "top", "m": {"a": 1}},
                "sub": {
                    "s": 1, "t": 20,
                    "global": {"x": "top", "y": "sub", "m": {"a": 1}},
                    "grand": {"g": 5, "global": {"x": "top", "y": "sub", "m": {"a": 1}}}
                }
            }))
        );
    }

    #[test]
    fn null_deletes_subchart_default() {
        let sub = chart("sub", json!({"a": 1, "b": {"c": 2}}), vec![]);
        let top = chart("top", json!({}), vec![sub]);
        let got = coalesce_values(&top, &v(json!({"sub": {"a": null, "b": {"c": null}}}))).unwrap();
        assert_eq!(got, v(json!({"sub": {"b": {}, "global": {}}})));
    }

    #[test]
    fn type_clashes_warn() {
        let c = chart(
            "top",
            json!({"a": {"b": 1}, "c": 1, "d": {"e": {"f": 1}}}),
            vec![],
        );
        let got =
            coalesce_values_with_warnings(&c, &v(json!({"a": 5, "c": {"x": 1}, "d": {"e": 2}})))
                .unwrap();
        assert_eq!(got.values, v(json!({"a": 5, "c": {"x": 1}, "d": {"e": 2}})));
        assert_eq!(
            got.warnings,
            vec![
                "warning: skipped value for top.c: Not a table.".to_string(),
                "warning: cannot overwrite table with non table for top.d.e (map[f:1])".to_string(),
            ]
        );
    }

    #[test]
    fn non_map_subchart_values_are_an_error() {
        let sub = chart("sub", json!({}), vec![]);
        let top = chart("top", json!({}), vec![sub]);
        // Expected texts from real Helm v4 (helm-render).
        let err = coalesce_values(&top, &v(json!({"sub": "x"}))).unwrap_err();
        assert_eq!(err.to_string(), "type mismatch on sub: %!t(string=x)");
        let err = coalesce_values(&top, &v(json!({"sub": null}))).unwrap_err();
        assert_eq!(err.to_string(), "type mismatch on sub: %!t(<nil>)");
        let err = coalesce_values(&top, &v(json!({"sub": [1, 2]}))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "type mismatch on sub: [%!t(float64=1) %!t(float64=2)]"
        );
        let err = coalesce_values(&top, &v(json!({"sub": 7}))).unwrap_err();
        assert_eq!(err.to_string(), "type mismatch on sub: %!t(float64=7)");
    }
}
