//! `hoist lint`: the checks Helm's linter runs, reported as messages with a
//! severity instead of stopping at the first problem.

use std::path::Path;

use serde::Serialize;

use super::render::{RenderRequest, render_chart};
use crate::chart::{self, Chart};
use crate::values::Value;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A suggestion.
    Info,
    /// Works, but probably not as intended; an error under `--strict`.
    Warning,
    /// The chart cannot be installed as it is.
    Error,
}

impl Severity {
    /// The tag Helm prints (`INFO`, `WARNING`, `ERROR`).
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Warning => "WARNING",
            Severity::Error => "ERROR",
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LintMessage {
    /// Severity.
    pub severity: Severity,
    /// The file or folder concerned, relative to the chart (`Chart.yaml`,
    /// `templates/x.yaml`, `values.yaml`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// The findings for one chart.
#[derive(Clone, Debug, Serialize)]
pub struct LintReport {
    /// The chart path as given.
    pub chart: String,
    /// Findings in the order they were made.
    pub messages: Vec<LintMessage>,
}

impl LintReport {
    /// True when the chart fails: any error, or any warning under `strict`.
    pub fn failed(&self, strict: bool) -> bool {
        self.messages
            .iter()
            .any(|m| m.severity == Severity::Error || (strict && m.severity == Severity::Warning))
    }

    fn push(&mut self, severity: Severity, path: &str, message: impl Into<String>) {
        self.messages.push(LintMessage {
            severity,
            path: path.to_string(),
            message: message.into(),
        });
    }
}

/// Lints the chart at `path` rendered with `req` (whose release name and
/// namespace Helm's linter sets to `test-release` and the target namespace).
pub fn lint(path: &Path, req: &RenderRequest) -> LintReport {
    let mut report = LintReport {
        chart: path.display().to_string(),
        messages: Vec::new(),
    };
    let chart = match chart::load(path) {
        Ok(c) => c,
        Err(e) => {
            report.push(Severity::Error, "Chart.yaml", e.to_string());
            return report;
        }
    };
    lint_metadata(&chart, &mut report);
    lint_dependencies(&chart, &mut report);
    if chart.raw_values.is_none() {
        report.push(Severity::Info, "values.yaml", "file does not exist");
    }
    if chart.templates.is_empty() {
        report.push(
            Severity::Warning,
            "templates/",
            "directory does not exist or is empty",
        );
    }
    match render_chart(chart, req) {
        Ok(rendered) => {
            for w in &rendered.warnings {
                report.push(Severity::Warning, "values.yaml", w.clone());
            }
            let docs = rendered
                .manifests
                .iter()
                .map(|m| (m.name.as_str(), m.content.as_str()))
                .chain(
                    rendered
                        .hooks
                        .iter()
                        .map(|h| (h.path.as_str(), h.manifest.as_str())),
                );
            for (source, content) in docs {
                let rel = source.split_once('/').map(|(_, r)| r).unwrap_or(source);
                lint_document(rel, content, &mut report);
            }
        }
        Err(e) => report.push(Severity::Error, "templates/", e.to_string()),
    }
    report
}

fn lint_metadata(chart: &Chart, report: &mut LintReport) {
    let meta = &chart.metadata;
    if meta.icon.as_deref().unwrap_or("").is_empty() {
        report.push(Severity::Info, "Chart.yaml", "icon is recommended");
    }
    if meta.deprecated {
        report.push(Severity::Warning, "Chart.yaml", "chart is deprecated");
    }
    if meta.api_version == "v1" && meta.chart_type.is_some() {
        report.push(
            Severity::Error,
            "Chart.yaml",
            "chart type is not valid in apiVersion 'v1'",
        );
    }
}

fn lint_dependencies(chart: &Chart, report: &mut LintReport) {
    let missing: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|d| !chart.dependencies.iter().any(|c| c.name() == d.name))
        .map(|d| d.name.as_str())
        .collect();
    if !missing.is_empty() {
        report.push(
            Severity::Error,
            "charts/",
            format!(
                "chart directory is missing these dependencies: {} (run 'hoist dependency update')",
                missing.join(",")
            ),
        );
    }
}

/// Every rendered document must be a YAML mapping with `apiVersion`, `kind`
/// and `metadata.name`, and the name must be a valid Kubernetes name.
fn lint_document(path: &str, content: &str, report: &mut LintReport) {
    let doc = match crate::yaml::parse(content) {
        Ok(v) => v,
        Err(e) => {
            report.push(Severity::Error, path, format!("unable to parse YAML: {e}"));
            return;
        }
    };
    let Some(map) = doc.as_map() else {
        report.push(Severity::Error, path, "document is not a YAML mapping");
        return;
    };
    for field in ["apiVersion", "kind"] {
        if map
            .get(field)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            report.push(Severity::Error, path, format!("object has no {field}"));
        }
    }
    match doc.get_path("metadata.name").and_then(Value::as_str) {
        None | Some("") => report.push(Severity::Error, path, "object has no metadata.name"),
        Some(name) if !is_dns1123_subdomain(name) => report.push(
            Severity::Error,
            path,
            format!(
                "object name does not conform to Kubernetes naming requirements: {name:?}: lowercase letters, digits, '-' and '.', at most 253 characters, starting and ending with a letter or digit"
            ),
        ),
        Some(_) => {}
    }
}

fn is_dns1123_subdomain(name: &str) -> bool {
    name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_need_kind_and_valid_name() {
        let mut r = LintReport {
            chart: "x".into(),
            messages: vec![],
        };
        lint_document(
            "templates/a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok-name\n",
            &mut r,
        );
        assert!(r.messages.is_empty(), "{:?}", r.messages);
        lint_document(
            "templates/b.yaml",
            "apiVersion: v1\nmetadata:\n  name: Bad_Name\n",
            &mut r,
        );
        assert_eq!(r.messages.len(), 2);
        assert!(r.messages[0].message.contains("no kind"));
        assert!(r.messages[1].message.contains("naming requirements"));
        assert!(r.failed(false));
    }

    #[test]
    fn strict_fails_on_warnings_only_when_asked() {
        let mut r = LintReport {
            chart: "x".into(),
            messages: vec![],
        };
        r.push(Severity::Warning, "Chart.yaml", "chart is deprecated");
        assert!(!r.failed(false));
        assert!(r.failed(true));
    }
}
