//! The in-memory chart, field for field what Helm's `chart.Chart` holds.

use crate::values::Value;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A file of a chart: its path relative to the chart root, with `/` separators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartFile {
    /// Path relative to the chart root, e.g. `templates/deployment.yaml`.
    pub name: String,
    /// Raw bytes.
    #[serde(default, with = "crate::json::bytes::base64_bytes")]
    pub data: Vec<u8>,
}

/// A loaded chart with its subcharts.
#[derive(Clone, Debug, Default)]
pub struct Chart {
    /// Chart.yaml.
    pub metadata: Metadata,
    /// Chart.lock (requirements.lock for apiVersion v1), when present.
    pub lock: Option<Lock>,
    /// Files under templates/, partials included, sorted by name.
    pub templates: Vec<ChartFile>,
    /// values.yaml parsed (an empty map when absent).
    pub values: Value,
    /// values.yaml as written, kept so `show values` prints it verbatim.
    pub raw_values: Option<String>,
    /// values.schema.json bytes, when present.
    pub schema: Option<Vec<u8>>,
    /// Every other file (README, crds/, `.helmignore`, files read through
    /// .Files...), sorted by name; excludes Chart.yaml, Chart.lock,
    /// values.yaml, values.schema.json, templates/ and subcharts under
    /// charts/. As in Helm, `charts/*.prov` files stay here, and so do
    /// requirements.yaml/requirements.lock of apiVersion v1 charts.
    pub files: Vec<ChartFile>,
    /// Subcharts found in charts/ (folders and archives), in name order.
    pub dependencies: Vec<Chart>,
}

impl Chart {
    /// The chart's name from Chart.yaml.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// True when Chart.yaml says `type: library`.
    pub fn is_library(&self) -> bool {
        self.metadata.chart_type.as_deref() == Some("library")
    }

    /// Names of the dependencies Chart.yaml declares that have no chart of
    /// that name under charts/, in declaration order (what Helm's
    /// `CheckDependencies` and its lint rule report).
    pub fn missing_dependencies(&self) -> Vec<&str> {
        self.metadata
            .dependencies
            .iter()
            .filter(|d| !self.dependencies.iter().any(|c| c.name() == d.name))
            .map(|d| d.name.as_str())
            .collect()
    }

    /// The CRD files under crds/ (`*.yaml`, `*.yml`, `*.json`), sorted by name.
    pub fn crd_files(&self) -> Vec<&ChartFile> {
        self.files
            .iter()
            .filter(|f| {
                f.name.starts_with("crds/")
                    && (f.name.ends_with(".yaml")
                        || f.name.ends_with(".yml")
                        || f.name.ends_with(".json"))
            })
            .collect()
    }
}

/// Chart.yaml. Unknown fields are rejected so typos surface at load time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Metadata {
    /// The chart's name.
    #[serde(default)]
    pub name: String,
    /// Home page URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home: Option<String>,
    /// Source code URLs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// SemVer 2 version (required).
    #[serde(default)]
    pub version: String,
    /// One-line description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Search keywords.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Maintainers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintainers: Vec<Maintainer>,
    /// Icon URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// `v1` or `v2`.
    #[serde(default)]
    pub api_version: String,
    /// Condition path (v1 charts only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Tags (v1 charts only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// Version of the packaged application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
    /// Whether the chart is deprecated.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
    /// Free-form annotations; `hoist.dev/engine` selects the template engine.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// SemVer constraint on the target Kubernetes version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_version: Option<String>,
    /// Declared dependencies (Chart.yaml for v2, requirements.yaml for v1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
    /// `application` (default) or `library`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub chart_type: Option<String>,
}

/// A maintainer entry of Chart.yaml.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Maintainer {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A dependency declared in Chart.yaml (or requirements.yaml).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Dependency {
    /// Chart name.
    pub name: String,
    /// Version constraint.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// Repository URL, `@alias`, `file://` path or `oci://` reference.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub repository: String,
    /// Comma-separated values paths; the first that exists decides.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub condition: String,
    /// Tags; the subchart is on when any is true.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Set by condition/tag processing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub enabled: bool,
    /// Values to import from the child into the parent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub import_values: Vec<ImportValue>,
    /// Alternative name for the subchart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
}

impl Dependency {
    /// The name the subchart is known by in the parent: the alias if set.
    pub fn effective_name(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }
}

/// An `import-values` entry: either `child.path` (imports `exports.path`
/// semantics) or `{child: a.b, parent: c.d}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ImportValue {
    /// The short form: a key under the child's `exports`.
    Simple(String),
    /// The long form.
    Mapped {
        /// Path in the child's values.
        child: String,
        /// Path in the parent's values.
        parent: String,
    },
}

/// Chart.lock.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// When the lock was generated (RFC 3339).
    #[serde(default)]
    pub generated: String,
    /// Hash of the dependencies section it was generated from.
    #[serde(default)]
    pub digest: String,
    /// Resolved dependencies.
    #[serde(default)]
    pub dependencies: Vec<LockDependency>,
}

/// A resolved dependency in Chart.lock.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LockDependency {
    /// Chart name.
    pub name: String,
    /// Exact version.
    #[serde(default)]
    pub version: String,
    /// Repository it was resolved from.
    #[serde(default)]
    pub repository: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_dependencies_are_matched_by_chart_name() {
        let named = |name: &str| Chart {
            metadata: Metadata {
                name: name.into(),
                ..Metadata::default()
            },
            ..Chart::default()
        };
        let dep = |name: &str, alias: Option<&str>| Dependency {
            name: name.into(),
            alias: alias.map(String::from),
            ..Dependency::default()
        };
        let mut top = named("top");
        top.metadata.dependencies = vec![dep("b", Some("x")), dep("a", None), dep("c", None)];
        top.dependencies = vec![named("b")];
        assert_eq!(top.missing_dependencies(), vec!["a", "c"]);
    }
}
