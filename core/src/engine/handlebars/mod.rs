//! The handlebars engine, opted into with the `hoist.dev/engine: handlebars`
//! annotation in Chart.yaml.
//!
//! # Templates
//!
//! Every file under `templates/` whose name does not start with `_` is a
//! template; its output is keyed by Helm's template path like the Go
//! engine's, so hooks, NOTES.txt, install order and `# Source:` comments work
//! the same. Templates see Helm's top-level objects without the leading dot:
//! `{{Release.Name}}`, `{{Values.image.tag}}`, `{{Chart.Name}}`,
//! `{{Capabilities.KubeVersion.Version}}`, `{{Template.Name}}`,
//! `{{Subcharts.sub.Values.x}}`; subcharts see their scoped values.
//!
//! Rendering is strict: reading a value that does not exist is an error that
//! names the template, the line and the path (use `default` or `{{#if}}` for
//! optional values). Nothing is HTML-escaped.
//!
//! # Partials
//!
//! `templates/_*.hbs` and `templates/_*.tpl` files hold named partials as
//! `{{#*inline "name"}}...{{/inline}}` blocks (see [`partials`]); they are
//! shared by the whole chart tree, the top chart's winning over its
//! subcharts' on a name clash (Helm's rule for `define`).
//!
//! # Helpers
//!
//! Helm's and Sprig's functions in prefix form with their argument order:
//! `include NAME CONTEXT` (also as a subexpression:
//! `{{nindent 4 (include "mychart.labels" this)}}`), `tpl TEXT CONTEXT`,
//! `toYaml`, `toJson`, `fromYaml`, `indent N S`, `nindent N S`, `quote`,
//! `squote`, `default DEFAULT VALUE`, `required MESSAGE VALUE`,
//! `fail MESSAGE`, `b64enc`, `b64dec`, `sha256sum`, `upper`, `lower`, `trim`,
//! `trunc N S`, `replace OLD NEW S`, `contains SUBSTR S`, `hasKey MAP KEY`,
//! `semverCompare CONSTRAINT VERSION`, plus handlebars' own `if`, `unless`,
//! `each`, `with`, `lookup`, `eq`, `ne`, `and`, `or`, `not`, `len`...
//!
//! `.Files` is a family of helpers reading the files of the chart whose
//! template is being rendered (also inside partials it includes):
//! `filesGet PATH`, `filesLines PATH` (a list), `filesGlob PATTERN` (a map
//! path → content, for `{{#each}}`), `filesAsConfig PATTERN` and
//! `filesAsSecrets PATTERN` (YAML maps of base name → content / base64).
//!
//! `include` and `tpl` nest at most [`helpers::MAX_INCLUDE_DEPTH`] deep
//! (counted over all names; Helm counts per name), so a partial that
//! includes itself fails instead of exhausting the stack.
//!
//! In lint mode ([`RenderContext::lint_mode`]) `required` and `fail` log a
//! warning and yield an empty string, as under `helm lint`.

mod helpers;
pub mod partials;

pub use helpers::MAX_INCLUDE_DEPTH;

use super::{Engine, EngineError, Files, RenderContext, Rendered, ScopedChart};
use crate::chart::Chart;
use crate::values::Value;
use handlebars::{Context, Handlebars, RenderError, RenderErrorReason, TemplateError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The handlebars template engine.
#[derive(Clone, Copy, Debug, Default)]
pub struct HandlebarsEngine;

impl HandlebarsEngine {
    /// A new engine (it holds no state between renders).
    pub fn new() -> Self {
        HandlebarsEngine
    }
}

/// What helpers need to know about the render in progress.
pub(crate) struct State {
    /// `.Files` of the chart whose template is being rendered.
    files: Arc<Files>,
    /// Current `include`/`tpl` nesting.
    depth: usize,
    /// Partial name → the file defining it, for error messages.
    partial_files: HashMap<String, String>,
}

/// Stack for the render thread: deep enough for [`MAX_INCLUDE_DEPTH`]
/// nested includes. A bare self-include needs between 1 and 8 MiB for 1000
/// levels in a debug build; partials with nested blocks need more per level,
/// hence the margin. Only touched pages are committed.
const RENDER_STACK_BYTES: usize = 256 << 20;

impl Engine for HandlebarsEngine {
    fn render(
        &self,
        chart: &Chart,
        values: &Value,
        ctx: &RenderContext,
    ) -> Result<Rendered, EngineError> {
        std::thread::scope(|scope| {
            let worker = std::thread::Builder::new()
                .name("hoist-handlebars".into())
                .stack_size(RENDER_STACK_BYTES)
                .spawn_scoped(scope, || render_tree(chart, values, ctx))
                .map_err(|e| {
                    EngineError::Unsupported(format!("cannot start the render thread: {e}"))
                })?;
            worker.join().unwrap_or_else(|_| {
                Err(EngineError::Unsupported(format!(
                    "chart {}: the handlebars engine crashed while rendering",
                    chart.name()
                )))
            })
        })
    }
}

fn is_partial_source(path: &str) -> bool {
    path.ends_with(".hbs") || path.ends_with(".tpl")
}

fn render_tree(
    chart: &Chart,
    values: &Value,
    ctx: &RenderContext,
) -> Result<Rendered, EngineError> {
    let scoped = ScopedChart::new(chart, values);
    let templates = scoped.templates();
    let state = Arc::new(Mutex::new(State {
        files: Arc::new(Files::default()),
        depth: 0,
        partial_files: HashMap::new(),
    }));

    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    registry.register_escape_fn(handlebars::no_escape);
    helpers::register(&mut registry, &state, ctx.lint_mode);

    // Partials first, in Helm's parse order so that later (higher) charts win.
    for t in templates.iter().filter(|t| t.is_partial()) {
        let path = t.path();
        if !is_partial_source(&path) {
            continue;
        }
        let compiled =
            handlebars::Template::compile_with_name(t.source(), path.clone()).map_err(|e| {
                EngineError::Parse {
                    template: path.clone(),
                    message: format!("parse error in {path}: {}", describe_template_error(&e)),
                }
            })?;
        let named = partials::named_partials(compiled).map_err(|message| EngineError::Parse {
            template: path.clone(),
            message: format!("parse error in {path}: {message}"),
        })?;
        for p in named {
            state
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .partial_files
                .insert(p.name.clone(), path.clone());
            registry.register_template(&p.name, p.template);
        }
    }
    for t in templates.iter().filter(|t| !t.is_partial()) {
        let path = t.path();
        registry
            .register_template_string(&path, t.source())
            .map_err(|e| EngineError::Parse {
                template: path.clone(),
                message: format!("parse error in {path}: {}", describe_template_error(&e)),
            })?;
    }

    let mut files_of: HashMap<String, Arc<Files>> = HashMap::new();
    // The chart-level part of the data is the same for all templates of a
    // chart (and includes every subchart's), so convert it to JSON once per
    // chart and only swap `.Template` per template.
    let mut context_of: HashMap<String, Context> = HashMap::new();
    let mut out = Rendered::new();
    for t in templates.iter().filter(|t| !t.is_partial()) {
        let path = t.path();
        let files = files_of
            .entry(t.scope.full_path.clone())
            .or_insert_with(|| Arc::new(t.scope.files()))
            .clone();
        {
            let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
            s.files = files;
            s.depth = 0;
        }
        let data = match context_of.entry(t.scope.full_path.clone()) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let top = t.scope.base_context(ctx);
                let json = helpers::to_json_value(&Value::Map(top));
                e.insert(Context::from(json))
            }
        };
        if let Some(obj) = data.data_mut().as_object_mut() {
            obj.insert(
                "Template".into(),
                helpers::to_json_value(&t.template_value()),
            );
        }
        let text =
            registry
                .render_with_context(&path, data)
                .map_err(|e| EngineError::Execution {
                    template: path.clone(),
                    message: describe(&e),
                })?;
        out.insert(path, text);
    }
    Ok(out)
}

/// A parse error with its position: `line L, column C: reason`.
fn describe_template_error(e: &TemplateError) -> String {
    match e.pos() {
        Some((line, col)) => format!("line {line}, column {col}: {}", e.reason()),
        None => e.reason().to_string(),
    }
}

/// A render error as `TEMPLATE:LINE:COL: reason`, with strict-mode misses
/// worded for chart authors.
pub(crate) fn describe(e: &RenderError) -> String {
    let reason = match e.reason() {
        RenderErrorReason::MissingVariable(Some(path)) => format!(
            "value {path:?} is missing (every value a template reads must exist; use default or #if for optional ones)"
        ),
        RenderErrorReason::MissingVariable(None) => {
            "a value is missing (every value a template reads must exist)".to_string()
        }
        RenderErrorReason::Other(m) => m.clone(),
        RenderErrorReason::TemplateError(te) => describe_template_error(te),
        other => other.to_string(),
    };
    match (&e.template_name, e.line_no, e.column_no) {
        (Some(name), Some(line), Some(col)) => format!("{name}:{line}:{col}: {reason}"),
        (Some(name), _, _) => format!("{name}: {reason}"),
        _ => reason,
    }
}
