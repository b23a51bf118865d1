//! The render pipeline every chart operation shares (Helm's
//! `Install.Run` up to `renderResources`): dependencies, values, schema,
//! kubeVersion, engine, then NOTES, hooks and manifests in install order.

use crate::chart::{self, Chart};
use std::sync::Arc;

use crate::engine::{self, Capabilities, Lookup, ReleaseInfo, RenderContext};
use crate::kube::{ClusterLookup, ResourceClient};
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
    /// `getHostByName` resolves names (Helm's `--enable-dns`).
    pub enable_dns: bool,
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
pub fn render_chart(chart: Chart, req: &RenderRequest) -> Result<RenderedChart, ActionError> {
    render_chart_with(chart, req, None)
}

/// Renders `chart` for a release on the cluster behind `resources`, with
/// `lookup` reading live objects. The render runs on a blocking thread so
/// that lookups can wait on this runtime.
pub async fn render_with_lookup(
    chart: Chart,
    req: RenderRequest,
    resources: &ResourceClient,
) -> Result<RenderedChart, ActionError> {
    let lookup: Arc<dyn Lookup> = Arc::new(ClusterLookup::new(
        resources.clone(),
        tokio::runtime::Handle::current(),
    ));
    tokio::task::spawn_blocking(move || render_chart_with(chart, &req, Some(lookup)))
        .await
        .map_err(|e| ActionError::Invalid(format!("the render thread failed: {e}")))?
}

fn render_chart_with(
    mut chart: Chart,
    req: &RenderRequest,
    lookup: Option<Arc<dyn Lookup>>,
) -> Result<RenderedChart, ActionError> {
    let rv = values::render_values(&mut chart, &req.user_values, req.skip_schema_validation)?;
    let (values, warnings) = (rv.values, rv.warnings);
    chart::check_kube_version(&chart, &req.capabilities.kube_version)?;

    let ctx = RenderContext {
        release: req.release.clone(),
        capabilities: req.capabilities.clone(),
        lookup,
        lint_mode: req.lint_mode,
        enable_dns: req.enable_dns,
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
