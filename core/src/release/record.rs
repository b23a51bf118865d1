//! The release record: field for field the JSON Helm v4 stores for every
//! release revision (`pkg/release/v1.Release` with its `chart/v2.Chart`).
//!
//! Helm and hoist must read each other's history, so every field keeps Go's
//! name, Go's `omitempty`/`omitzero` behaviour and Go's value formats: times
//! are RFC 3339 with trimmed nanoseconds (see [`GoTime`]), byte slices are
//! standard base64, values decode as `float64` numbers. Fields Go writes as
//! `null` when unset (a chart's `lock`, `values`, `schema`...) are `Option`s so
//! that a decoded record re-encodes to the same JSON.
//!
//! [`to_go_json`] serializes with Go's string escaping (`<`, `>`, `&`,
//! U+2028, U+2029 as `\u` escapes), so records hoist writes are byte for byte
//! what Helm would write for the same content.

use crate::chart::Chart;
use crate::json::bytes::{base64_bytes, opt_base64};
use crate::json::fields::{is_zero_i64, null_default};
use crate::release::gojson::lenient_time;
use crate::release::status::Status;
use crate::values::{Map, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

// The record's vocabulary lives with its owners; re-exported so that a
// record can be built and read through this one module.
pub use crate::chart::gojson::{ChartDependency, ChartMaintainer, ChartMetadata};
pub use crate::release::gojson::to_go_json;
pub use crate::release::hook::{
    Hook, HookDeletePolicy, HookEvent, HookExecution, HookOutputLogPolicy, HookPhase,
};
pub use crate::release::time::{GoTime, TimeError};

/// One release revision as Helm stores it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Release {
    /// The release name.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub name: String,
    /// Status, times, description and notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<Info>,
    /// The chart that was released (without its subcharts: Helm does not store them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<ReleaseChart>,
    /// The values the user supplied (not the coalesced ones).
    #[serde(
        default,
        skip_serializing_if = "Map::is_empty",
        deserialize_with = "null_default"
    )]
    pub config: Map,
    /// The rendered non-hook resources.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub manifest: String,
    /// The rendered hooks, with their last execution.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub hooks: Vec<Hook>,
    /// The revision number, starting at 1.
    #[serde(
        default,
        skip_serializing_if = "is_zero_i64",
        deserialize_with = "null_default"
    )]
    pub version: i64,
    /// The namespace the release lives in.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub namespace: String,
    /// Labels of the storage object. Helm keeps them out of the JSON (they live
    /// in the Secret's or ConfigMap's metadata), so serde skips them too.
    #[serde(skip)]
    pub labels: BTreeMap<String, String>,
    /// `csa` or `ssa` (Helm v4); empty means client-side apply.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub apply_method: String,
}

/// Helm's `apply_method` value for client-side apply.
pub const APPLY_METHOD_CLIENT_SIDE: &str = "csa";
/// Helm's `apply_method` value for server-side apply.
pub const APPLY_METHOD_SERVER_SIDE: &str = "ssa";

impl Release {
    /// The release status, [`Status::Unknown`] when the record has no `info`.
    pub fn status(&self) -> Status {
        self.info.as_ref().map(|i| i.status).unwrap_or_default()
    }

    /// Sets the status and the description together, as Helm's `SetStatus` does.
    pub fn set_status(&mut self, status: Status, description: impl Into<String>) {
        let info = self.info.get_or_insert_with(Info::default);
        info.status = status;
        info.description = description.into();
    }

    /// True when the release was applied with server-side apply.
    pub fn uses_server_side_apply(&self) -> bool {
        self.apply_method == APPLY_METHOD_SERVER_SIDE
    }
}

/// Status and bookkeeping of a release revision (Helm's `release.Info`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Info {
    /// When the first revision of the release was deployed.
    #[serde(
        default,
        skip_serializing_if = "GoTime::is_zero",
        deserialize_with = "lenient_time"
    )]
    pub first_deployed: GoTime,
    /// When this revision was deployed.
    #[serde(
        default,
        skip_serializing_if = "GoTime::is_zero",
        deserialize_with = "lenient_time"
    )]
    pub last_deployed: GoTime,
    /// When the release was uninstalled.
    #[serde(
        default,
        skip_serializing_if = "GoTime::is_zero",
        deserialize_with = "lenient_time"
    )]
    pub deleted: GoTime,
    /// A human-readable log line ("Install complete", "Rollback to 1"...).
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub description: String,
    /// The revision's state.
    #[serde(default)]
    pub status: Status,
    /// The revision a rollback went back to (newer Helm versions); 0 otherwise.
    #[serde(
        default,
        skip_serializing_if = "is_zero_i64",
        deserialize_with = "null_default"
    )]
    pub rollback_revision: i64,
    /// The rendered `templates/NOTES.txt`.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub notes: String,
    /// Deployed resources by kind, when Helm recorded them.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub resources: BTreeMap<String, Vec<serde_json::Value>>,
}

/// The chart as stored in a release (Helm's `chart/v2.Chart` JSON). Subcharts
/// are not part of it: Go does not marshal a chart's dependencies.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReleaseChart {
    /// Chart.yaml.
    #[serde(default)]
    pub metadata: Option<ChartMetadata>,
    /// Chart.lock.
    #[serde(default)]
    pub lock: Option<ChartLock>,
    /// The templates, `null` when the chart had none.
    #[serde(default)]
    pub templates: Option<Vec<ChartFile>>,
    /// values.yaml as loaded.
    #[serde(default)]
    pub values: Option<Map>,
    /// values.schema.json bytes.
    #[serde(default, with = "opt_base64")]
    pub schema: Option<Vec<u8>>,
    /// Modification time of values.schema.json; always written (zero time included).
    #[serde(default, deserialize_with = "lenient_time")]
    pub schemamodtime: GoTime,
    /// The other files of the chart.
    #[serde(default)]
    pub files: Option<Vec<ChartFile>>,
    /// Modification time of Chart.yaml.
    #[serde(
        default,
        skip_serializing_if = "GoTime::is_zero",
        deserialize_with = "lenient_time"
    )]
    pub modtime: GoTime,
}

impl ReleaseChart {
    /// The stored form of a loaded chart, as Helm's install and upgrade
    /// record it: subcharts are dropped, `values` is `null` when the chart has
    /// no values.yaml, `templates` and `files` are `null` when empty.
    ///
    /// The chart model keeps no file modification times, so `modtime`,
    /// `schemamodtime` and each file's `modtime` are Go's zero time (Helm
    /// records the times of the loaded files; it does not use them when
    /// reading a release back). Fails only on a Chart.lock `generated` time
    /// that is not RFC 3339.
    pub fn from_chart(chart: &Chart) -> Result<Self, TimeError> {
        let files = |list: &[crate::chart::ChartFile]| {
            (!list.is_empty()).then(|| {
                list.iter()
                    .map(|f| ChartFile {
                        name: f.name.clone(),
                        data: f.data.clone(),
                        modtime: GoTime::zero(),
                    })
                    .collect()
            })
        };
        let values = match &chart.values {
            Value::Map(m) if !(m.is_empty() && chart.raw_values.is_none()) => {
                match as_json_numbers(&chart.values) {
                    Value::Map(m) => Some(m),
                    _ => None,
                }
            }
            _ => None,
        };
        let lock = match &chart.lock {
            None => None,
            Some(l) => Some(ChartLock {
                generated: if l.generated.is_empty() {
                    GoTime::zero()
                } else {
                    GoTime::parse(&l.generated)?
                },
                digest: l.digest.clone(),
                dependencies: Some(
                    l.dependencies
                        .iter()
                        .map(|d| ChartDependency {
                            name: d.name.clone(),
                            version: d.version.clone(),
                            repository: d.repository.clone(),
                            ..ChartDependency::default()
                        })
                        .collect(),
                ),
            }),
        };
        Ok(ReleaseChart {
            metadata: Some(ChartMetadata::from(&chart.metadata)),
            lock,
            templates: files(&chart.templates),
            values,
            schema: chart.schema.clone(),
            schemamodtime: GoTime::zero(),
            files: files(&chart.files),
            modtime: GoTime::zero(),
        })
    }
}

/// A file of a stored chart (Helm's `common.File`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartFile {
    /// Path relative to the chart root.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// Raw content, standard base64 in JSON.
    #[serde(default, with = "base64_bytes")]
    pub data: Vec<u8>,
    /// The file's modification time.
    #[serde(
        default,
        skip_serializing_if = "GoTime::is_zero",
        deserialize_with = "lenient_time"
    )]
    pub modtime: GoTime,
}

/// Chart.lock as stored in a release.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChartLock {
    /// When the lock was generated.
    #[serde(default, deserialize_with = "lenient_time")]
    pub generated: GoTime,
    /// Digest of the dependencies it was generated from.
    #[serde(default, deserialize_with = "null_default")]
    pub digest: String,
    /// Resolved dependencies; `null` when Go had none.
    #[serde(default)]
    pub dependencies: Option<Vec<ChartDependency>>,
}

/// Converts a [`Value`] tree to Helm's number typing: every number a float,
/// as Go's `encoding/json` gives `map[string]any`. Used when values built in
/// memory (where `--set` yields integers) are stored.
pub fn as_json_numbers(value: &Value) -> Value {
    match value {
        Value::Int(i) => Value::Float(*i as f64),
        Value::List(l) => Value::List(l.iter().map(as_json_numbers).collect()),
        Value::Map(m) => Value::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), as_json_numbers(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_info_times_read_as_zero_and_are_omitted() {
        let info: Info = serde_json::from_str(
            r#"{"first_deployed":"","last_deployed":null,"status":"deployed"}"#,
        )
        .unwrap();
        assert!(info.first_deployed.is_zero() && info.last_deployed.is_zero());
        assert_eq!(
            serde_json::to_string(&info).unwrap(),
            r#"{"status":"deployed"}"#
        );
    }

    #[test]
    fn chart_nulls_survive_a_round_trip() {
        let json = r#"{"metadata":null,"lock":null,"templates":null,"values":null,"schema":null,"schemamodtime":"0001-01-01T00:00:00Z","files":null}"#;
        let chart: ReleaseChart = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&chart).unwrap(), json);
    }

    #[test]
    fn labels_are_not_serialized() {
        let mut rel = Release {
            name: "a".into(),
            version: 1,
            ..Release::default()
        };
        rel.labels.insert("k".into(), "v".into());
        assert_eq!(
            serde_json::to_string(&rel).unwrap(),
            r#"{"name":"a","version":1}"#
        );
    }

    #[test]
    fn json_numbers_become_floats() {
        let v = Value::Map(Map::from([(
            "a".to_string(),
            Value::List(vec![Value::Int(3), Value::from("x")]),
        )]));
        let expected = Value::Map(Map::from([(
            "a".to_string(),
            Value::List(vec![Value::Float(3.0), Value::from("x")]),
        )]));
        assert_eq!(as_json_numbers(&v), expected);
    }

    #[test]
    fn charts_convert_with_helm_nulls() {
        use crate::chart::{ChartFile as ModelFile, Dependency, Lock, LockDependency, Metadata};
        let mut chart = Chart {
            metadata: Metadata {
                name: "c".into(),
                version: "1.0.0".into(),
                api_version: "v2".into(),
                app_version: Some("2".into()),
                dependencies: vec![Dependency {
                    name: "sub".into(),
                    repository: String::new(),
                    alias: Some("s".into()),
                    ..Dependency::default()
                }],
                ..Metadata::default()
            },
            templates: vec![ModelFile {
                name: "templates/a.yaml".into(),
                data: b"a: 1".to_vec(),
            }],
            values: Value::Map(Map::from([("n".to_string(), Value::Int(2))])),
            raw_values: Some("n: 2".into()),
            ..Chart::default()
        };
        let stored = ReleaseChart::from_chart(&chart).unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&to_go_json(&stored).unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "metadata": {"name": "c", "version": "1.0.0", "apiVersion": "v2", "appVersion": "2",
                             "dependencies": [{"name": "sub", "repository": "", "alias": "s"}]},
                "lock": null,
                "templates": [{"name": "templates/a.yaml", "data": "YTogMQ=="}],
                "values": {"n": 2},
                "schema": null,
                "schemamodtime": "0001-01-01T00:00:00Z",
                "files": null
            })
        );
        assert_eq!(stored.values.unwrap()["n"], Value::Float(2.0));

        chart.values = Value::empty_map();
        chart.raw_values = None;
        chart.lock = Some(Lock {
            generated: "2026-01-02T03:04:05.5+01:00".into(),
            digest: "sha256:x".into(),
            dependencies: vec![LockDependency {
                name: "sub".into(),
                version: "0.1.0".into(),
                repository: "https://example.invalid".into(),
            }],
        });
        let stored = ReleaseChart::from_chart(&chart).unwrap();
        assert!(stored.values.is_none());
        let lock = stored.lock.unwrap();
        assert_eq!(lock.generated.to_string(), "2026-01-02T03:04:05.5+01:00");
        assert_eq!(lock.dependencies.unwrap()[0].version, "0.1.0");

        chart.lock.as_mut().unwrap().generated = "someday".into();
        assert!(ReleaseChart::from_chart(&chart).is_err());
    }

    #[test]
    fn set_status_creates_info() {
        let mut rel = Release::default();
        assert_eq!(rel.status(), Status::Unknown);
        rel.set_status(Status::Deployed, "Install complete");
        assert_eq!(rel.status(), Status::Deployed);
        assert_eq!(rel.info.unwrap().description, "Install complete");
    }
}
