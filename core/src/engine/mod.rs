//! Template engines. Every engine renders a chart tree against one
//! [`RenderContext`] and returns the rendered text of each template, keyed by
//! its path as Helm names it (`mychart/templates/x.yaml`,
//! `mychart/charts/sub/templates/y.yaml`). Splitting into documents, install
//! order and hook separation happen afterwards in [`crate::release`], so both
//! engines feed one pipeline.

pub mod context;
pub mod files;
pub mod gotemplate;
pub mod handlebars;

pub use context::{Capabilities, KubeVersion, Lookup, ReleaseInfo, RenderContext, metadata_value};

use crate::chart::Chart;
use crate::values::Value;
use std::collections::BTreeMap;

/// Rendered templates: Helm template path → rendered text. Partials (`_*`)
/// are never present; NOTES.txt files are (callers separate them).
pub type Rendered = BTreeMap<String, String>;

/// The Chart.yaml annotation that selects a chart's template engine.
pub const ENGINE_ANNOTATION: &str = "hoist.dev/engine";

/// A template engine.
pub trait Engine: Send + Sync {
    /// Renders every non-partial template of `chart` and of its subcharts.
    ///
    /// `values` is the chart's fully coalesced values tree (subcharts' values
    /// nested under their names, disabled subcharts already removed from
    /// `chart.dependencies`); each template sees the part scoped to its chart.
    fn render(
        &self,
        chart: &Chart,
        values: &Value,
        ctx: &RenderContext,
    ) -> Result<Rendered, EngineError>;
}

/// Which engine a chart asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineKind {
    /// Go text/template with Sprig and Helm's functions (the default).
    GoTemplate,
    /// Handlebars, opted into with `hoist.dev/engine: handlebars`.
    Handlebars,
}

impl EngineKind {
    /// The engine a chart selects through its annotation.
    pub fn for_chart(chart: &Chart) -> Result<Self, EngineError> {
        match chart
            .metadata
            .annotations
            .get(ENGINE_ANNOTATION)
            .map(String::as_str)
        {
            None | Some("gotemplate") | Some("go") => Ok(EngineKind::GoTemplate),
            Some("handlebars") => Ok(EngineKind::Handlebars),
            Some(other) => Err(EngineError::UnknownEngine {
                chart: chart.name().to_string(),
                engine: other.to_string(),
            }),
        }
    }
}

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A chart named an engine hoist does not have.
    #[error(
        "chart {chart}: unknown template engine {engine:?} in annotation {ENGINE_ANNOTATION} (expected \"gotemplate\" or \"handlebars\")"
    )]
    UnknownEngine {
        /// Chart name.
        chart: String,
        /// What the annotation said.
        engine: String,
    },
    /// A template failed to parse.
    #[error("parse error in {template}: {message}")]
    Parse {
        /// Helm template path.
        template: String,
        /// Details, with line and column where known.
        message: String,
    },
    /// A template failed while executing (includes `required` and `fail`).
    #[error("{message}")]
    Execution {
        /// Helm template path.
        template: String,
        /// The full message, worded as Helm words it.
        message: String,
    },
    /// The engine was asked for something it does not support yet.
    #[error("{0}")]
    Unsupported(String),
}
