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
mod tree;

pub use files::Files;
pub use tree::{ScopedChart, TemplateRef};

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

/// Renders a chart with the engine it asks for.
///
/// The top chart's `hoist.dev/engine` annotation picks the engine. A
/// subchart without the annotation inherits its parent's engine (so a
/// handlebars chart may vendor handlebars subcharts without annotating each);
/// a subchart that names a *different* engine is rejected with
/// [`EngineError::MixedEngines`], because one render runs one engine and its
/// templates could not call each other's partials.
pub fn render(chart: &Chart, values: &Value, ctx: &RenderContext) -> Result<Rendered, EngineError> {
    match engine_for_tree(chart)? {
        EngineKind::GoTemplate => gotemplate::GoTemplateEngine::new().render(chart, values, ctx),
        EngineKind::Handlebars => handlebars::HandlebarsEngine::new().render(chart, values, ctx),
    }
}

/// The engine of a whole chart tree: the top chart's, checked against every
/// subchart that names one (see [`render`]).
pub fn engine_for_tree(chart: &Chart) -> Result<EngineKind, EngineError> {
    fn check(chart: &Chart, inherited: EngineKind, top: &str) -> Result<(), EngineError> {
        for sub in &chart.dependencies {
            let kind = if sub.metadata.annotations.contains_key(ENGINE_ANNOTATION) {
                EngineKind::for_chart(sub)?
            } else {
                inherited
            };
            if kind != inherited {
                return Err(EngineError::MixedEngines {
                    chart: top.to_string(),
                    subchart: sub.name().to_string(),
                    engine: kind,
                    expected: inherited,
                });
            }
            check(sub, kind, top)?;
        }
        Ok(())
    }
    let kind = EngineKind::for_chart(chart)?;
    check(chart, kind, chart.name())?;
    Ok(kind)
}

impl std::fmt::Display for EngineKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EngineKind::GoTemplate => "gotemplate",
            EngineKind::Handlebars => "handlebars",
        })
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
    #[error("{message}")]
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
    /// A subchart asked for another engine than the chart that includes it.
    #[error(
        "chart {chart}: subchart {subchart} uses the {engine} engine but its parent uses {expected}; \
         one release renders with one engine (remove the {ENGINE_ANNOTATION} annotation from the subchart or make them agree)"
    )]
    MixedEngines {
        /// The top chart.
        chart: String,
        /// The offending subchart.
        subchart: String,
        /// What the subchart asked for.
        engine: EngineKind,
        /// What its parent uses.
        expected: EngineKind,
    },
    /// The engine was asked for something it does not support yet.
    #[error("{0}")]
    Unsupported(String),
}
