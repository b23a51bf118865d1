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

use crate::chart::{Chart, Dependency, Metadata};
use crate::release::status::Status;
use crate::values::{Map, Value};
use jiff::Timestamp;
use jiff::tz::Offset;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::io;

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

/// A rendered hook and its last execution (Helm's `release.Hook`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Hook {
    /// `metadata.name` of the hook resource.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub name: String,
    /// The Kubernetes kind.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub kind: String,
    /// The chart-relative template path, e.g. `mychart/templates/job.yaml`.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub path: String,
    /// The rendered resource.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub manifest: String,
    /// The events the hook fires on.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub events: Vec<HookEvent>,
    /// The last execution; always written, even for hooks that never ran.
    #[serde(default)]
    pub last_run: HookExecution,
    /// `helm.sh/hook-weight`.
    #[serde(
        default,
        skip_serializing_if = "is_zero_i64",
        deserialize_with = "null_default"
    )]
    pub weight: i64,
    /// `helm.sh/hook-delete-policy`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub delete_policies: Vec<HookDeletePolicy>,
    /// `helm.sh/hook-output-log-policy`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub output_log_policies: Vec<HookOutputLogPolicy>,
}

/// When a hook last ran and how it ended.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HookExecution {
    /// Start of the last run.
    #[serde(
        default,
        skip_serializing_if = "GoTime::is_zero",
        deserialize_with = "lenient_time"
    )]
    pub started_at: GoTime,
    /// End of the last run.
    #[serde(
        default,
        skip_serializing_if = "GoTime::is_zero",
        deserialize_with = "lenient_time"
    )]
    pub completed_at: GoTime,
    /// Outcome; written even when empty.
    #[serde(default)]
    pub phase: HookPhase,
}

/// The events a hook can be attached to (`helm.sh/hook`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HookEvent {
    /// Before any resource is installed.
    #[serde(rename = "pre-install")]
    PreInstall,
    /// After all resources are installed.
    #[serde(rename = "post-install")]
    PostInstall,
    /// Before resources are deleted on uninstall.
    #[serde(rename = "pre-delete")]
    PreDelete,
    /// After resources are deleted on uninstall.
    #[serde(rename = "post-delete")]
    PostDelete,
    /// Before an upgrade applies resources.
    #[serde(rename = "pre-upgrade")]
    PreUpgrade,
    /// After an upgrade applied resources.
    #[serde(rename = "post-upgrade")]
    PostUpgrade,
    /// Before a rollback applies resources.
    #[serde(rename = "pre-rollback")]
    PreRollback,
    /// After a rollback applied resources.
    #[serde(rename = "post-rollback")]
    PostRollback,
    /// `helm test`.
    #[serde(rename = "test")]
    Test,
}

/// When Helm deletes a hook resource (`helm.sh/hook-delete-policy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HookDeletePolicy {
    /// After the hook succeeded.
    #[serde(rename = "hook-succeeded")]
    HookSucceeded,
    /// After the hook failed.
    #[serde(rename = "hook-failed")]
    HookFailed,
    /// Before a new instance of the hook is created.
    #[serde(rename = "before-hook-creation")]
    BeforeHookCreation,
}

/// When Helm copies a hook's logs out (`helm.sh/hook-output-log-policy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HookOutputLogPolicy {
    /// When the hook succeeded.
    #[serde(rename = "hook-succeeded")]
    HookSucceeded,
    /// When the hook failed.
    #[serde(rename = "hook-failed")]
    HookFailed,
}

/// The outcome of a hook's last run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HookPhase {
    /// Never ran: Helm writes an empty string.
    #[default]
    #[serde(rename = "")]
    NotRun,
    /// Unknown state.
    #[serde(rename = "Unknown")]
    Unknown,
    /// Running.
    #[serde(rename = "Running")]
    Running,
    /// Succeeded.
    #[serde(rename = "Succeeded")]
    Succeeded,
    /// Failed.
    #[serde(rename = "Failed")]
    Failed,
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

impl From<&Metadata> for ChartMetadata {
    fn from(m: &Metadata) -> Self {
        let text = |o: &Option<String>| o.clone().unwrap_or_default();
        ChartMetadata {
            name: m.name.clone(),
            home: text(&m.home),
            sources: m.sources.clone(),
            version: m.version.clone(),
            description: text(&m.description),
            keywords: m.keywords.clone(),
            maintainers: m
                .maintainers
                .iter()
                .map(|x| ChartMaintainer {
                    name: x.name.clone(),
                    email: text(&x.email),
                    url: text(&x.url),
                })
                .collect(),
            icon: text(&m.icon),
            api_version: m.api_version.clone(),
            condition: text(&m.condition),
            tags: text(&m.tags),
            app_version: text(&m.app_version),
            deprecated: m.deprecated,
            annotations: m.annotations.clone(),
            kube_version: text(&m.kube_version),
            dependencies: m.dependencies.iter().map(ChartDependency::from).collect(),
            chart_type: text(&m.chart_type),
        }
    }
}

impl From<&Dependency> for ChartDependency {
    fn from(d: &Dependency) -> Self {
        ChartDependency {
            name: d.name.clone(),
            version: d.version.clone(),
            repository: d.repository.clone(),
            condition: d.condition.clone(),
            tags: d.tags.clone(),
            enabled: d.enabled,
            // ImportValue serializes to plain strings and maps: it cannot fail.
            import_values: d
                .import_values
                .iter()
                .filter_map(|v| serde_json::to_value(v).ok())
                .collect(),
            alias: d.alias.clone().unwrap_or_default(),
        }
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

/// Chart.yaml as stored in a release: Go's JSON names, every field `omitempty`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartMetadata {
    /// The chart's name.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub name: String,
    /// Home page URL.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub home: String,
    /// Source URLs.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub sources: Vec<String>,
    /// Chart version.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub version: String,
    /// One-line description.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub description: String,
    /// Keywords.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub keywords: Vec<String>,
    /// Maintainers.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub maintainers: Vec<ChartMaintainer>,
    /// Icon URL.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub icon: String,
    /// `v1` or `v2`.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub api_version: String,
    /// Condition (v1 charts).
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub condition: String,
    /// Tags (v1 charts).
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub tags: String,
    /// Application version.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub app_version: String,
    /// Whether the chart is deprecated.
    #[serde(
        default,
        skip_serializing_if = "is_false",
        deserialize_with = "null_default"
    )]
    pub deprecated: bool,
    /// Annotations.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub annotations: BTreeMap<String, String>,
    /// Kubernetes version constraint.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub kube_version: String,
    /// Declared dependencies.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub dependencies: Vec<ChartDependency>,
    /// `application` or `library`.
    #[serde(
        default,
        rename = "type",
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub chart_type: String,
}

/// A maintainer as stored in a release.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartMaintainer {
    /// Name.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub name: String,
    /// E-mail address.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub email: String,
    /// URL.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub url: String,
}

/// A dependency as stored in a release: `name` and `repository` are always
/// written, the rest only when set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ChartDependency {
    /// Chart name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// Version constraint.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub version: String,
    /// Repository.
    #[serde(default, deserialize_with = "null_default")]
    pub repository: String,
    /// Condition.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub condition: String,
    /// Tags.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub tags: Vec<String>,
    /// Set by condition/tag processing.
    #[serde(
        default,
        skip_serializing_if = "is_false",
        deserialize_with = "null_default"
    )]
    pub enabled: bool,
    /// `import-values` entries, strings or `{child, parent}` maps.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub import_values: Vec<serde_json::Value>,
    /// Alias.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub alias: String,
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

/// A point in time with the UTC offset it was recorded in, formatted the way
/// Go's `time.Time` marshals to JSON: RFC 3339 with nanoseconds whose trailing
/// zeros are dropped, `Z` for a zero offset (`2006-01-02T15:04:05.999999999Z07:00`).
/// The default is Go's zero time, `0001-01-01T00:00:00Z`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GoTime {
    instant: Timestamp,
    offset: Offset,
}

/// Go's zero time as seconds since the Unix epoch.
const GO_ZERO_UNIX_SECONDS: i64 = -62_135_596_800;

impl Default for GoTime {
    fn default() -> Self {
        GoTime::zero()
    }
}

/// A string that is not an RFC 3339 time Go would accept.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid time {value:?}: {reason}")]
pub struct TimeError {
    /// The rejected text.
    pub value: String,
    /// Why it was rejected.
    pub reason: String,
}

impl GoTime {
    /// Go's zero time, `0001-01-01T00:00:00Z`.
    pub fn zero() -> Self {
        let instant = Timestamp::from_second(GO_ZERO_UNIX_SECONDS).unwrap_or(Timestamp::MIN);
        GoTime {
            instant,
            offset: Offset::UTC,
        }
    }

    /// The current time in the local time zone's offset, as Go's `time.Now()`
    /// records it.
    pub fn now() -> Self {
        let now = jiff::ZonedDateTime::now();
        GoTime {
            instant: now.timestamp(),
            offset: now.offset(),
        }
    }

    /// A time from an instant and the offset to print it in.
    pub fn new(instant: Timestamp, offset: Offset) -> Self {
        GoTime { instant, offset }
    }

    /// True for Go's zero instant (whatever the offset), like `time.Time.IsZero`.
    pub fn is_zero(&self) -> bool {
        self.instant.as_second() == GO_ZERO_UNIX_SECONDS && self.instant.subsec_nanosecond() == 0
    }

    /// The instant.
    pub fn timestamp(&self) -> Timestamp {
        self.instant
    }

    /// The offset the time is printed in.
    pub fn offset(&self) -> Offset {
        self.offset
    }

    /// Seconds since the Unix epoch (Go's `Unix()`).
    pub fn unix_seconds(&self) -> i64 {
        self.instant.as_second()
    }

    /// Parses RFC 3339 as Go's `time.Time.UnmarshalJSON` does, keeping the offset.
    pub fn parse(text: &str) -> Result<Self, TimeError> {
        let err = |reason: &str| TimeError {
            value: text.to_string(),
            reason: reason.to_string(),
        };
        let offset = if text.ends_with('Z') || text.ends_with('z') {
            Offset::UTC
        } else {
            let split = text
                .len()
                .checked_sub(6)
                .filter(|&i| text.is_char_boundary(i))
                .ok_or_else(|| err("too short for RFC 3339"))?;
            parse_offset(&text[split..])
                .ok_or_else(|| err("no `Z` or `±hh:mm` offset at the end"))?
        };
        let instant: Timestamp = text.parse().map_err(|e: jiff::Error| err(&e.to_string()))?;
        Ok(GoTime { instant, offset })
    }
}

fn parse_offset(s: &str) -> Option<Offset> {
    let b = s.as_bytes();
    if b.len() != 6 || b[3] != b':' {
        return None;
    }
    let sign = match b[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours: i32 = s.get(1..3)?.parse().ok()?;
    let minutes: i32 = s.get(4..6)?.parse().ok()?;
    Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

impl fmt::Display for GoTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dt = self.offset.to_datetime(self.instant);
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        )?;
        let nanos = dt.subsec_nanosecond();
        if nanos != 0 {
            let digits = format!("{nanos:09}");
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        let secs = self.offset.seconds();
        if secs == 0 {
            f.write_str("Z")
        } else {
            let sign = if secs < 0 { '-' } else { '+' };
            let abs = secs.unsigned_abs();
            write!(f, "{sign}{:02}:{:02}", abs / 3600, (abs / 60) % 60)
        }
    }
}

impl Serialize for GoTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for GoTime {
    /// Strict, as Go's `time.Time`: an empty string is an error; `null` is the
    /// zero time.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(GoTime::zero()),
            Some(s) => GoTime::parse(&s).map_err(serde::de::Error::custom),
        }
    }
}

/// Helm v4 accepts `""` for the times of `info` and `last_run` (older clients
/// wrote them) and reads it as the zero time.
fn lenient_time<'de, D: Deserializer<'de>>(d: D) -> Result<GoTime, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(GoTime::zero()),
        Some(s) if s.is_empty() => Ok(GoTime::zero()),
        Some(s) => GoTime::parse(&s).map_err(serde::de::Error::custom),
    }
}

/// Go leaves a field untouched when the JSON has `null`; serde would fail.
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn is_zero_i64(v: &i64) -> bool {
    *v == 0
}

fn is_false(v: &bool) -> bool {
    !*v
}

/// `[]byte` fields: standard base64 with padding, `null` read as empty.
mod base64_bytes {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(Vec::new()),
            Some(s) => STANDARD
                .decode(s.as_bytes())
                .map_err(|e| serde::de::Error::custom(format!("invalid base64: {e}"))),
        }
    }
}

/// Nullable `[]byte` fields: `null` stays `None` so it re-encodes as `null`.
mod opt_base64 {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match bytes {
            None => s.serialize_none(),
            Some(b) => s.serialize_str(&STANDARD.encode(b)),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => STANDARD
                .decode(s.as_bytes())
                .map(Some)
                .map_err(|e| serde::de::Error::custom(format!("invalid base64: {e}"))),
        }
    }
}

/// Serializes `value` to compact JSON the way Go's `encoding/json.Marshal`
/// does: besides the usual escapes, `<`, `>`, `&`, U+2028 and U+2029 are
/// written as `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029`.
pub fn to_go_json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, GoFormatter);
    value.serialize(&mut ser)?;
    Ok(out)
}

/// serde_json's compact formatter with Go's HTML-safe string escaping.
struct GoFormatter;

impl serde_json::ser::Formatter for GoFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let escape = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                _ => continue,
            };
            writer.write_all(&fragment.as_bytes()[start..i])?;
            writer.write_all(escape.as_bytes())?;
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        char_escape: serde_json::ser::CharEscape,
    ) -> io::Result<()> {
        use serde_json::ser::CharEscape;
        // Go (1.22 and later) writes \b, \f, \n, \r, \t, \", \\ short and
        // every other control character as \u00XX, like serde_json.
        let s: &[u8] = match char_escape {
            CharEscape::Quote => b"\\\"",
            CharEscape::ReverseSolidus => b"\\\\",
            CharEscape::LineFeed => b"\\n",
            CharEscape::CarriageReturn => b"\\r",
            CharEscape::Tab => b"\\t",
            CharEscape::Backspace => b"\\b",
            CharEscape::FormFeed => b"\\f",
            CharEscape::Solidus => b"/",
            CharEscape::AsciiControl(byte) => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let buf = [
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[(byte >> 4) as usize],
                    HEX[(byte & 0xf) as usize],
                ];
                return writer.write_all(&buf);
            }
        };
        writer.write_all(s)
    }
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
    fn go_time_formats_like_rfc3339nano() {
        for text in [
            "2026-11-27T13:50:01.123456789Z",
            "2026-11-27T13:50:01.1234Z",
            "2026-11-27T13:50:01Z",
            "2026-11-27T14:50:01.5+01:00",
            "2026-11-27T08:20:01.000000001-05:30",
        ] {
            assert_eq!(GoTime::parse(text).unwrap().to_string(), text);
        }
        // Trailing zeros are Go-trimmed on output.
        let t = GoTime::parse("2026-11-27T13:50:01.120000000Z").unwrap();
        assert_eq!(t.to_string(), "2026-11-27T13:50:01.12Z");
    }

    #[test]
    fn zero_time_is_go_zero() {
        let z = GoTime::default();
        assert!(z.is_zero());
        assert_eq!(z.to_string(), "0001-01-01T00:00:00Z");
        assert!(GoTime::parse("0001-01-01T00:00:00Z").unwrap().is_zero());
        assert!(!GoTime::now().is_zero());
    }

    #[test]
    fn bad_times_are_rejected_with_the_text() {
        let err = GoTime::parse("yesterday").unwrap_err();
        assert!(err.to_string().contains("yesterday"));
        assert!(GoTime::parse("2026-11-27T13:50:01").is_err());
    }

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
    fn hook_last_run_and_phase_are_always_written() {
        let hook = Hook {
            name: "x".into(),
            ..Hook::default()
        };
        assert_eq!(
            serde_json::to_string(&hook).unwrap(),
            r#"{"name":"x","last_run":{"phase":""}}"#
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
    fn go_json_escapes_html_characters() {
        let out = to_go_json(&"a<b>&c\u{2028}\u{8}\u{1}\"\n").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#""a\u003cb\u003e\u0026c\u2028\b\u0001\"\n""#
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
        use crate::chart::{ChartFile as ModelFile, Lock, LockDependency};
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
