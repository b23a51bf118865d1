//! How `upgrade` combines the new user values with the previous release's
//! (Helm's `Upgrade.reuseValues`): `--reset-values`, `--reuse-values`,
//! `--reset-then-reuse-values`, or the default of reusing the old values
//! only when no new ones are given.

use super::coalesce::{coalesce_tables, coalesce_values};
use super::error::ValuesError;
use super::value::{Map, Value};
use crate::chart::Chart;

/// Which of upgrade's values flags is in effect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReuseMode {
    /// No flag: the old values are used only when no new ones are given.
    #[default]
    Default,
    /// `--reset-values`: the old values are ignored.
    Reset,
    /// `--reuse-values`: new values over the old ones, and the new chart's
    /// defaults replaced by the old release's coalesced values.
    Reuse,
    /// `--reset-then-reuse-values`: new values over the old ones, with the
    /// new chart's own defaults.
    ResetThenReuse,
}

/// Returns the user values for the upgrade. With [`ReuseMode::Reuse`] it
/// also replaces `new_chart.values` by the old release's coalesced values,
/// as Helm does.
pub fn reuse_values(
    mode: ReuseMode,
    new_chart: &mut Chart,
    old_chart: &Chart,
    old_config: &Map,
    new_values: Map,
) -> Result<Map, ValuesError> {
    match mode {
        ReuseMode::Reset => Ok(new_values),
        ReuseMode::Reuse => {
            let old = coalesce_values(old_chart, &Value::Map(old_config.clone()))?;
            let mut values = new_values;
            coalesce_tables(&mut values, old_config.clone());
            new_chart.values = old;
            Ok(values)
        }
        ReuseMode::ResetThenReuse => {
            let mut values = new_values;
            coalesce_tables(&mut values, old_config.clone());
            Ok(values)
        }
        ReuseMode::Default if new_values.is_empty() && !old_config.is_empty() => {
            Ok(old_config.clone())
        }
        ReuseMode::Default => Ok(new_values),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Metadata;
    use serde_json::json;

    fn map(j: serde_json::Value) -> Map {
        match Value::from(j) {
            Value::Map(m) => m,
            _ => Map::new(),
        }
    }

    fn chart(values: serde_json::Value) -> Chart {
        Chart {
            metadata: Metadata {
                name: "c".into(),
                version: "1.0.0".into(),
                ..Default::default()
            },
            values: Value::from(values),
            ..Default::default()
        }
    }

    /// Expected results produced by real Helm v4 (helm-oracle: install
    /// with the old values on chart 1.0.0, then upgrade to 2.0.0 with
    /// `reuse_values`): the release config and the `.Values` templates saw.
    #[test]
    fn reuse_matches_helm() {
        let old_chart = chart(json!({"a": 1, "b": 1}));
        let old_config = map(json!({"a": 2, "keep": {"x": 1}}));
        let mut new_chart = chart(json!({"a": 0, "new": true}));
        let config = reuse_values(
            ReuseMode::Reuse,
            &mut new_chart,
            &old_chart,
            &old_config,
            map(json!({"keep": {"y": 2}, "a": null})),
        )
        .unwrap();
        assert_eq!(
            Value::Map(config.clone()),
            Value::from(json!({"keep": {"x": 1, "y": 2}}))
        );
        let seen = coalesce_values(&new_chart, &Value::Map(config)).unwrap();
        assert_eq!(
            seen,
            Value::from(json!({"a": 2, "b": 1, "keep": {"x": 1, "y": 2}}))
        );
    }

    #[test]
    fn modes() {
        let old_chart = chart(json!({"a": 1, "b": 1}));
        let old_config = map(json!({"a": 2, "keep": {"x": 1}}));
        let new_vals = map(json!({"keep": {"y": 2}, "a": null}));

        let mut c = chart(json!({"a": 0, "new": true}));
        let got = reuse_values(
            ReuseMode::Reuse,
            &mut c,
            &old_chart,
            &old_config,
            new_vals.clone(),
        )
        .unwrap();
        assert_eq!(
            Value::Map(got),
            Value::from(json!({"keep": {"x": 1, "y": 2}}))
        );
        assert_eq!(
            c.values,
            Value::from(json!({"a": 2, "b": 1, "keep": {"x": 1}}))
        );

        let mut c = chart(json!({"a": 0}));
        let got = reuse_values(
            ReuseMode::ResetThenReuse,
            &mut c,
            &old_chart,
            &old_config,
            new_vals.clone(),
        )
        .unwrap();
        assert_eq!(
            Value::Map(got),
            Value::from(json!({"keep": {"x": 1, "y": 2}}))
        );
        assert_eq!(c.values, Value::from(json!({"a": 0})));

        let got =
            reuse_values(ReuseMode::Reset, &mut c, &old_chart, &old_config, new_vals).unwrap();
        assert_eq!(
            Value::Map(got),
            Value::from(json!({"keep": {"y": 2}, "a": null}))
        );

        let got = reuse_values(
            ReuseMode::Default,
            &mut c,
            &old_chart,
            &old_config,
            Map::new(),
        )
        .unwrap();
        assert_eq!(got, old_config);
    }
}
