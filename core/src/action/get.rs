//! `hoist get values|manifest|notes`: parts of a release's last revision.

use super::ActionError;
use crate::release::record::Release;
use crate::values::{Map, Value};

/// The values `get values` prints: the user-supplied ones, or with `all`
/// the chart's stored defaults coalesced with them (Helm's
/// `CoalesceValues(rel.Chart, rel.Config)`).
pub fn release_values(rel: &Release, all: bool) -> Result<Value, ActionError> {
    let config = Value::Map(rel.config.clone());
    if !all {
        return Ok(config);
    }
    let mut chart = crate::chart::Chart::default();
    if let Some(stored) = &rel.chart {
        chart.values = Value::Map(stored.values.clone().unwrap_or_else(Map::new));
        if let Some(m) = &stored.metadata {
            chart.metadata.name = m.name.clone();
        }
    }
    Ok(crate::values::coalesce::coalesce_values(&chart, &config)?)
}

/// `get values` in table form: a heading, then YAML.
pub fn values_text(values: &Value, all: bool) -> String {
    let heading = if all {
        "COMPUTED VALUES:"
    } else {
        "USER-SUPPLIED VALUES:"
    };
    let body = match values {
        Value::Map(m) if m.is_empty() => "null\n".to_string(),
        v => crate::yaml::to_string(v),
    };
    format!("{heading}\n{body}")
}

/// `get notes` text: `NOTES:` then the notes, nothing without notes.
pub fn notes_text(rel: &Release) -> String {
    match rel.info.as_ref().map(|i| i.notes.as_str()) {
        Some(n) if !n.is_empty() => format!("NOTES:\n{n}\n"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::record::ReleaseChart;

    #[test]
    fn all_values_coalesce_chart_defaults_under_user_values() {
        let rel = Release {
            config: Map::from([("a".to_string(), Value::Float(2.0))]),
            chart: Some(ReleaseChart {
                values: Some(Map::from([
                    ("a".to_string(), Value::Float(1.0)),
                    ("b".to_string(), Value::from("x")),
                ])),
                ..ReleaseChart::default()
            }),
            ..Release::default()
        };
        let user = release_values(&rel, false).unwrap();
        assert_eq!(values_text(&user, false), "USER-SUPPLIED VALUES:\na: 2\n");
        let all = release_values(&rel, true).unwrap();
        assert_eq!(all.get_path("b"), Some(&Value::from("x")));
        assert_eq!(all.get_path("a"), Some(&Value::Float(2.0)));
        assert_eq!(
            values_text(&Value::empty_map(), false),
            "USER-SUPPLIED VALUES:\nnull\n"
        );
    }
}
