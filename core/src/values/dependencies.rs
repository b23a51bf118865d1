//! Helm's `ProcessDependencies`: aliases, `condition`/`tags` enablement and
//! `import-values`, applied to a loaded chart tree before rendering.
//!
//! The steps follow `pkg/chart/v2/util/dependencies.go`:
//!
//! 1. Each Chart.yaml dependency is matched (by name and version range) to a
//!    chart in charts/; the match is copied, renamed to its `alias` if any,
//!    so one chart can be used under several aliases. Charts in charts/ that
//!    no dependency matches stay as they are.
//! 2. Values are coalesced (user values over defaults) and every dependency is
//!    switched on, then off/on by `tags` (any true tag enables; only false
//!    tags disable) and then by `condition` (the first path that holds a
//!    bool decides, overriding tags). Disabled subcharts are removed, and
//!    the same runs inside each remaining subchart.
//! 3. Bottom-up, `import-values` copy child values into the parent's
//!    values.yaml; the parent's own values win over imported ones.

use super::coalesce::{coalesce_values_with_warnings, merge_tables, merge_values_with_warnings};
use super::error::ValuesError;
use super::value::{Map, Value};
use crate::chart::constraint::is_compatible_range;
use crate::chart::{Chart, Dependency, ImportValue};
use crate::strconv::quote;

/// Helm's `ProcessDependencies` (with merge semantics for import-values, as
/// Helm v3.x+ and v4 run it). `values` are the user-supplied values.
///
/// On return `chart.dependencies` holds only enabled subcharts (aliased
/// copies renamed), `chart.metadata.dependencies` only enabled entries with
/// `enabled: true` and normalized `import-values`, and each chart with
/// dependencies has the imported values folded into `chart.values`.
/// Returns Helm's warnings in the order Helm logs them: non-bool conditions
/// or tags, missing import tables, and those of every coalescing pass
/// (Helm coalesces several times, so a clash can be reported more than once).
pub fn process_dependencies(chart: &mut Chart, values: &Value) -> Result<Vec<String>, ValuesError> {
    let mut warnings = Vec::new();
    process_enabled(chart, values, "", &mut warnings)?;
    process_import_values(chart, &mut warnings)?;
    Ok(warnings)
}

/// The chart a dependency refers to, copied and renamed to its alias.
fn alias_dependency(charts: &[Chart], dep: &Dependency) -> Option<Chart> {
    let found = charts
        .iter()
        .find(|c| c.name() == dep.name && is_compatible_range(&dep.version, &c.metadata.version))?;
    let mut out = found.clone();
    if let Some(alias) = dep.alias.as_deref().filter(|a| !a.is_empty()) {
        out.metadata.name = alias.to_string();
    }
    Some(out)
}

fn process_enabled(
    chart: &mut Chart,
    values: &Value,
    path: &str,
    warnings: &mut Vec<String>,
) -> Result<(), ValuesError> {
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }

    // Charts in charts/ that no Chart.yaml entry claims are kept as they are.
    let mut charts: Vec<Chart> = chart
        .dependencies
        .iter()
        .filter(|existing| {
            !chart.metadata.dependencies.iter().any(|req| {
                existing.name() == req.name
                    && is_compatible_range(&req.version, &existing.metadata.version)
            })
        })
        .cloned()
        .collect();
    for req in chart.metadata.dependencies.iter_mut() {
        if let Some(found) = alias_dependency(&chart.dependencies, req) {
            charts.push(found);
        }
        if let Some(alias) = req.alias.as_deref().filter(|a| !a.is_empty()) {
            req.name = alias.to_string();
        }
    }
    chart.dependencies = charts;

    for req in chart.metadata.dependencies.iter_mut() {
        req.enabled = true;
    }
    let coalesced = coalesce_values_with_warnings(chart, values)?;
    warnings.extend(coalesced.warnings);
    let cvals = coalesced.values;
    process_tags(&mut chart.metadata.dependencies, &cvals, warnings);
    process_conditions(&mut chart.metadata.dependencies, &cvals, path, warnings);

    let disabled: Vec<String> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    chart
        .dependencies
        .retain(|c| !disabled.iter().any(|n| n == c.name()));
    chart
        .metadata
        .dependencies
        .retain(|r| !disabled.contains(&r.name));

    for sub in chart.dependencies.iter_mut() {
        let sub_path = format!("{path}{}.", sub.name());
        process_enabled(sub, &cvals, &sub_path, warnings)?;
    }
    Ok(())
}

/// Tags: a dependency with any true tag is on; with only false tags, off.
/// Without a `tags` table in the values, nothing changes.
fn process_tags(reqs: &mut [Dependency], cvals: &Value, warnings: &mut Vec<String>) {
    let Some(tags) = cvals
        .as_map()
        .and_then(|m| m.get("tags"))
        .and_then(Value::as_map)
    else {
        return;
    };
    for req in reqs.iter_mut() {
        let (mut has_true, mut has_false) = (false, false);
        for tag in &req.tags {
            match tags.get(tag) {
                Some(Value::Bool(true)) => has_true = true,
                Some(Value::Bool(false)) => has_false = true,
                Some(_) => warnings.push(format!(
                    "returned non-bool value tag={} chart={}",
                    slog_value(tag),
                    slog_value(&req.name)
                )),
                None => {}
            }
        }
        req.enabled = has_true || !has_false;
    }
}

/// Conditions: the first listed path holding a bool decides.
fn process_conditions(
    reqs: &mut [Dependency],
    cvals: &Value,
    path: &str,
    warnings: &mut Vec<String>,
) {
    for req in reqs.iter_mut() {
        let condition = req.condition.trim().to_string();
        for cond in condition.split(',') {
            if cond.is_empty() {
                continue;
            }
            match path_value(cvals, &format!("{path}{cond}")) {
                Some(Value::Bool(b)) => {
                    req.enabled = *b;
                    break;
                }
                Some(_) => warnings.push(format!(
                    "returned non-bool value path={} chart={}",
                    slog_value(cond),
                    slog_value(&req.name)
                )),
                None => {}
            }
        }
    }
}

/// Helm's `Values.PathValue`: the non-map value at a dotted path.
fn path_value<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let (table, key) = match path.rsplit_once('.') {
        Some((t, k)) => (table(v, t).ok()?, k),
        None => (v.as_map()?, path),
    };
    match table.get(key)? {
        Value::Map(_) => None,
        found => Some(found),
    }
}

/// Helm's `Values.Table`: the map at a dotted path, or the first path
/// segment that is missing or not a map.
fn table<'a>(v: &'a Value, path: &str) -> Result<&'a Map, String> {
    let first = path.split('.').next().unwrap_or_default();
    let mut cur = v.as_map().ok_or_else(|| first.to_string())?;
    for part in path.split('.') {
        cur = cur
            .get(part)
            .and_then(Value::as_map)
            .ok_or_else(|| part.to_string())?;
    }
    Ok(cur)
}

/// A value as Go's `log/slog` text handler writes it: quoted when it is
/// empty or holds spaces, quotes, `=` or control characters.
fn slog_value(s: &str) -> String {
    let plain = !s.is_empty()
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '=' || c.is_control());
    if plain { s.to_string() } else { quote(s) }
}

/// Nests `data` under a dotted path (`.` means the root).
fn path_to_map(path: &str, data: Map) -> Map {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for part in path.split('.').rev() {
        let mut m = Map::new();
        m.insert(part.to_string(), Value::Map(cur));
        cur = m;
    }
    cur
}

fn process_import_values(chart: &mut Chart, warnings: &mut Vec<String>) -> Result<(), ValuesError> {
    for sub in chart.dependencies.iter_mut() {
        process_import_values(sub, warnings)?;
    }
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let merged = merge_values_with_warnings(chart, &Value::Null)?;
    warnings.extend(merged.warnings);
    let cvals = merged.values;
    let mut imported = Map::new();
    for req in chart.metadata.dependencies.iter_mut() {
        let mut normalized = Vec::with_capacity(req.import_values.len());
        for iv in &req.import_values {
            let (child, parent) = match iv {
                ImportValue::Mapped { child, parent } => (child.clone(), parent.clone()),
                ImportValue::Simple(name) => (format!("exports.{name}"), ".".to_string()),
            };
            normalized.push(ImportValue::Mapped {
                child: child.clone(),
                parent: parent.clone(),
            });
            match table(&cvals, &format!("{}.{child}", req.name)) {
                Ok(found) => {
                    // Earlier imports win over later ones for the same key.
                    warnings.extend(merge_tables(
                        &mut imported,
                        path_to_map(&parent, found.clone()),
                    ));
                }
                Err(segment) => {
                    // Helm's slog lines; the wording differs between the forms.
                    let error = slog_value(&format!("{} is not a table", quote(&segment)));
                    warnings.push(match iv {
                        ImportValue::Mapped { .. } => format!(
                            "ImportValues missing table from chart chart={} error={error}",
                            slog_value(&req.name)
                        ),
                        ImportValue::Simple(_) => {
                            format!("ImportValues missing table error={error}")
                        }
                    });
                }
            }
        }
        req.import_values = normalized;
    }
    let mut values = match cvals {
        Value::Map(m) => m,
        _ => Map::new(),
    };
    // The parent's own values win over what it imports.
    warnings.extend(merge_tables(&mut values, imported));
    chart.values = Value::Map(values);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Metadata;
    use crate::values::coalesce::coalesce_values;
    use serde_json::json;

    fn v(j: serde_json::Value) -> Value {
        Value::from(j)
    }

    fn chart(
        name: &str,
        values: serde_json::Value,
        reqs: Vec<Dependency>,
        deps: Vec<Chart>,
    ) -> Chart {
        Chart {
            metadata: Metadata {
                name: name.into(),
                version: "1.0.0".into(),
                api_version: "v2".into(),
                dependencies: reqs,
                ..Default::default()
            },
            values: Value::from(values),
            dependencies: deps,
            ..Default::default()
        }
    }

    fn dep(name: &str) -> Dependency {
        Dependency {
            name: name.into(),
            version: "1.0.0".into(),
            ..Default::default()
        }
    }

    fn names(c: &Chart) -> Vec<&str> {
        c.dependencies.iter().map(|d| d.name()).collect()
    }

    #[test]
    fn aliases_make_renamed_copies() {
        let sub = chart("sub", json!({"x": 1}), vec![], vec![]);
        let mut top = chart(
            "top",
            json!({}),
            vec![
                Dependency {
                    alias: Some("one".into()),
                    ..dep("sub")
                },
                Dependency {
                    alias: Some("two".into()),
                    ..dep("sub")
                },
            ],
            vec![sub],
        );
        process_dependencies(&mut top, &Value::Null).unwrap();
        assert_eq!(names(&top), vec!["one", "two"]);
        assert_eq!(top.metadata.dependencies[0].name, "one");
        let vals = coalesce_values(&top, &Value::Null).unwrap();
        assert_eq!(vals.get_path("two.x"), Some(&Value::Float(1.0)));
    }

    #[test]
    fn version_mismatch_keeps_chart_unaliased() {
        let sub = chart("sub", json!({}), vec![], vec![]);
        let mut top = chart(
            "top",
            json!({}),
            vec![Dependency {
                version: "2.0.0".into(),
                alias: Some("other".into()),
                ..dep("sub")
            }],
            vec![sub],
        );
        process_dependencies(&mut top, &Value::Null).unwrap();
        assert_eq!(names(&top), vec!["sub"]);
    }

    #[test]
    fn conditions_override_tags() {
        let a = chart("a", json!({}), vec![], vec![]);
        let b = chart("b", json!({}), vec![], vec![]);
        let c = chart("c", json!({}), vec![], vec![]);
        let d = chart("d", json!({}), vec![], vec![]);
        let mut top = chart(
            "top",
            json!({"tags": {"front": false, "back": true}, "a": {"enabled": true}}),
            vec![
                Dependency {
                    tags: vec!["front".into()],
                    condition: "a.enabled".into(),
                    ..dep("a")
                },
                Dependency {
                    tags: vec!["front".into()],
                    ..dep("b")
                },
                Dependency {
                    tags: vec!["front".into(), "back".into()],
                    ..dep("c")
                },
                Dependency {
                    condition: "d.missing,d.on".into(),
                    ..dep("d")
                },
            ],
            vec![a, b, c, d],
        );
        process_dependencies(&mut top, &v(json!({"d": {"on": false}}))).unwrap();
        assert_eq!(names(&top), vec!["a", "c"]);
        assert!(top.metadata.dependencies.iter().all(|d| d.enabled));
    }

    #[test]
    fn non_bool_condition_warns_and_falls_through() {
        let a = chart("a", json!({"enabled": "yes", "on": false}), vec![], vec![]);
        let mut top = chart(
            "top",
            json!({}),
            vec![Dependency {
                condition: "a.enabled,a.on".into(),
                ..dep("a")
            }],
            vec![a],
        );
        let warnings = process_dependencies(&mut top, &Value::Null).unwrap();
        assert!(top.dependencies.is_empty());
        assert_eq!(
            warnings,
            vec!["returned non-bool value path=a.enabled chart=a"]
        );
    }

    #[test]
    fn nested_conditions_use_full_paths() {
        let g = chart("g", json!({}), vec![], vec![]);
        let sub = chart(
            "sub",
            json!({"g": {"enabled": true}}),
            vec![Dependency {
                condition: "g.enabled".into(),
                ..dep("g")
            }],
            vec![g],
        );
        let mut top = chart("top", json!({}), vec![dep("sub")], vec![sub]);
        let mut off = top.clone();
        process_dependencies(&mut top, &Value::Null).unwrap();
        assert_eq!(names(&top.dependencies[0]), vec!["g"]);
        process_dependencies(&mut off, &v(json!({"sub": {"g": {"enabled": false}}}))).unwrap();
        assert!(off.dependencies[0].dependencies.is_empty());
    }

    #[test]
    fn unlisted_subcharts_stay() {
        let a = chart("a", json!({}), vec![], vec![]);
        let extra = chart("extra", json!({}), vec![], vec![]);
        let mut top = chart(
            "top",
            json!({"a": {"enabled": false}}),
            vec![Dependency {
                condition: "a.enabled".into(),
                ..dep("a")
            }],
            vec![a, extra],
        );
        process_dependencies(&mut top, &Value::Null).unwrap();
        assert_eq!(names(&top), vec!["extra"]);
    }

    #[test]
    fn import_values_both_forms() {
        let sub = chart(
            "sub",
            json!({"exports": {"data": {"port": 80, "host": "sub"}}, "deep": {"a": {"b": 1, "c": 2}}}),
            vec![],
            vec![],
        );
        let mut top = chart(
            "top",
            json!({"host": "parent", "target": {"c": 20}}),
            vec![Dependency {
                import_values: vec![
                    ImportValue::Simple("data".into()),
                    ImportValue::Mapped {
                        child: "deep.a".into(),
                        parent: "target".into(),
                    },
                ],
                ..dep("sub")
            }],
            vec![sub],
        );
        process_dependencies(&mut top, &Value::Null).unwrap();
        let vals = coalesce_values(&top, &Value::Null).unwrap();
        assert_eq!(vals.get_path("port"), Some(&Value::Float(80.0)));
        assert_eq!(vals.get_path("host"), Some(&Value::from("parent")));
        assert_eq!(vals.get_path("target.b"), Some(&Value::Float(1.0)));
        assert_eq!(vals.get_path("target.c"), Some(&Value::Float(20.0)));
        assert_eq!(
            top.metadata.dependencies[0].import_values[0],
            ImportValue::Mapped {
                child: "exports.data".into(),
                parent: ".".into()
            }
        );
    }

    #[test]
    fn missing_import_table_warns() {
        let sub = chart("sub", json!({}), vec![], vec![]);
        let mut top = chart(
            "top",
            json!({}),
            vec![Dependency {
                import_values: vec![ImportValue::Simple("nope".into())],
                ..dep("sub")
            }],
            vec![sub],
        );
        let warnings = process_dependencies(&mut top, &Value::Null).unwrap();
        assert_eq!(
            warnings,
            vec![r#"ImportValues missing table error="\"exports\" is not a table""#]
        );
    }

    #[test]
    fn path_value_skips_tables() {
        let vals = v(json!({"a": {"b": {"c": true}}, "x": 1}));
        assert_eq!(path_value(&vals, "a.b.c"), Some(&Value::Bool(true)));
        assert_eq!(path_value(&vals, "a.b"), None);
        assert_eq!(path_value(&vals, "x"), Some(&Value::Float(1.0)));
        assert_eq!(path_value(&vals, "a.z.c"), None);
    }
}
