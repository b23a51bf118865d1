//! Chart.yaml in the form Go's `encoding/json` gives Helm's `chart.Metadata`:
//! Go's field names, empty fields left out (`omitempty`), `null` read as
//! empty. Releases store the metadata this way, and `helm package` writes
//! Chart.yaml from it (sigs.k8s.io/yaml marshals through JSON).

use crate::chart::{Dependency, Metadata};
use crate::json::fields::{is_false, null_default};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Chart.yaml in Go's JSON form: Go's JSON names, every field `omitempty`.
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

/// A maintainer in Go's JSON form.
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

/// A dependency in Go's JSON form: `name` and `repository` are always
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
