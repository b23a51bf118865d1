//! The render pipeline every chart operation shares (Helm's
//! `Install.Run` up to `renderResources`): dependencies, values, schema,
//! kubeVersion, engine, then NOTES, hooks and manifests in install order.

use crate::chart::{self, Chart};
use crate::engine::{self, Capabilities, ReleaseInfo, RenderContext};
use crate::release::Hook;
use crate::release::manifest::{self, Manifest};
use crate::values::{self, Value};

use super::ActionError;

/// What to render and for whom.
#[derive(Clone)]
pub struct RenderRequest {
    /// `.Release`.
    pub release: ReleaseInfo,
    /// `.Capabilities`.
    pub capabilities: Capabilities,
    /// Values the user supplied (already merged from -f/--set...).
    pub user_values: Value,
    /// Concatenate subcharts' NOTES.txt after the parent's.
    pub render_subchart_notes: bool,
    /// Skip values.schema.json checks.
    pub skip_schema_validation: bool,
    /// Lint mode (lenient `required`, as Helm's lint).
    pub lint_mode: bool,
}

/// A rendered chart, ready to print or apply.
#[derive(Debug)]
pub struct RenderedChart {
    /// The chart after dependency processing (disabled subcharts removed,
    /// aliases applied).
    pub chart: Chart,
    /// The values templates saw (coalesced), for `get values --all`.
    pub values: Value,
    /// Non-hook manifests in install order.
    pub manifests: Vec<Manifest>,
    /// Hooks, in execution order.
    pub hooks: Vec<Hook>,
    /// Rendered NOTES.txt (empty when the chart has none).
    pub notes: String,
    /// Warnings that do not stop the render (values coalescing, conditions).
    pub warnings: Vec<String>,
}

/// Renders `chart` for a release.
pub fn render_chart(mut chart: Chart, req: &RenderRequest) -> Result<RenderedChart, ActionError> {
    let rv = values::render_values(&mut chart, &req.user_values, req.skip_schema_validation)?;
    let (values, warnings) = (rv.values, rv.warnings);
    chart::check_kube_version(&chart, &req.capabilities.kube_version)?;

    let ctx = RenderContext {
        release: req.release.clone(),
        capabilities: req.capabilities.clone(),
        lookup: None,
        lint_mode: req.lint_mode,
    };
    let rendered = engine::render(&chart, &values, &ctx)?;

    let content = manifest::release_content(rendered, chart.name(), req.render_subchart_notes)?;
    Ok(RenderedChart {
        chart,
        values,
        manifests: content.manifests,
        hooks: content.hooks,
        notes: content.notes,
        warnings,
    })
}
