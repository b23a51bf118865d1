//! The whole values pipeline of an install, upgrade or template run, in
//! Helm's order: dependency processing (`ProcessDependencies`), coalescing
//! and schema validation (`ToRenderValuesWithSchemaValidation`).

use super::coalesce::coalesce_values_with_warnings;
use super::dependencies::process_dependencies;
use super::error::ValuesError;
use super::schema::validate;
use super::value::Value;
use crate::chart::Chart;

/// The values templates will see, with Helm's warnings along the way.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderValues {
    /// The coalesced tree: the chart's values at the top, each enabled
    /// subchart's under its (alias) name.
    pub values: Value,
    /// Warnings Helm logs but does not fail on, one per line Helm would
    /// print (duplicates included: Helm coalesces several times).
    pub warnings: Vec<String>,
}

/// Runs the pipeline on a loaded chart and the merged user values
/// ([`super::ValueOptions::merge_values`]). On return `chart` has only its
/// enabled subcharts (aliases applied) and imported values folded in, ready
/// for the template engine.
pub fn render_values(
    chart: &mut Chart,
    user: &Value,
    skip_schema_validation: bool,
) -> Result<RenderValues, ValuesError> {
    let mut warnings = process_dependencies(chart, user)?;
    let coalesced = coalesce_values_with_warnings(chart, user)?;
    warnings.extend(coalesced.warnings);
    if !skip_schema_validation {
        validate(chart, &coalesced.values)?;
    }
    Ok(RenderValues {
        values: coalesced.values,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{Dependency, Metadata};
    use serde_json::json;

    fn chart(name: &str, values: serde_json::Value) -> Chart {
        Chart {
            metadata: Metadata {
                name: name.into(),
                version: "1.0.0".into(),
                ..Default::default()
            },
            values: Value::from(values),
            ..Default::default()
        }
    }

    #[test]
    fn disables_coalesces_and_validates() {
        let mut top = chart("top", json!({"sub": {"enabled": false}, "n": 1}));
        top.metadata.dependencies = vec![Dependency {
            name: "sub".into(),
            version: "1.0.0".into(),
            condition: "sub.enabled".into(),
            ..Default::default()
        }];
        top.dependencies = vec![chart("sub", json!({"x": 1}))];
        top.schema = Some(br#"{"properties": {"n": {"type": "integer"}}}"#.to_vec());

        let mut ok = top.clone();
        let got = render_values(&mut ok, &Value::from(json!({"n": 2})), false).unwrap();
        assert!(ok.dependencies.is_empty());
        assert_eq!(got.values.get_path("n"), Some(&Value::Float(2.0)));

        let err =
            render_values(&mut top.clone(), &Value::from(json!({"n": "x"})), false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "values don't meet the specifications of the schema(s) in the following chart(s):\ntop:\n- at '/n': got string, want integer\n"
        );
        assert!(render_values(&mut top, &Value::from(json!({"n": "x"})), true).is_ok());
    }
}
