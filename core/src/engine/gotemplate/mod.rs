//! The Go text/template engine with Sprig and Helm functions (the default).
//!
//! Layout: [`lexer`] and [`parse`] build Go's parse trees, [`exec`] walks
//! them over runtime [`value`]s, [`fmt`] prints like Go's `fmt`, [`funcs`]
//! holds the function table (Go builtins, Sprig, Helm) and [`objects`] the
//! Go objects of Helm's render context (`.Files`, `.Capabilities`).
//!
//! [`GoTemplateEngine`] reproduces Helm's `pkg/engine`: every template of the
//! chart tree is parsed into one set (so any template can `include` any
//! `define`), parsed and rendered in Helm's order, each with its own chart's
//! values, with `missingkey=zero` and `<no value>` erased, and errors
//! reworded as Helm words them.

pub mod exec;
pub mod fmt;
pub mod funcs;
pub mod lexer;
pub mod limits;
pub mod objects;
pub mod parse;
pub mod semver;
pub mod value;

use crate::chart::Chart;
use crate::engine::ScopedChart;
use crate::engine::{Engine, EngineError, RenderContext, Rendered};
use exec::{Env, GoError, MissingKey, TemplateSet};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use value::Value;

/// Stack size of the render thread: Helm allows 1000 nested `include`s, and
/// each level costs several executor frames.
const RENDER_STACK: usize = 512 * 1024 * 1024;

/// Helm's Go template engine.
#[derive(Clone, Copy, Debug, Default)]
pub struct GoTemplateEngine {
    /// Strict mode (`missingkey=error`), as `helm lint --strict` uses.
    pub strict: bool,
}

impl GoTemplateEngine {
    /// The engine with Helm's defaults.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Engine for GoTemplateEngine {
    fn render(
        &self,
        chart: &Chart,
        values: &crate::values::Value,
        ctx: &RenderContext,
    ) -> Result<Rendered, EngineError> {
        let strict = self.strict;
        std::thread::scope(|scope| {
            let handle = std::thread::Builder::new()
                .name("gotemplate-render".into())
                .stack_size(RENDER_STACK)
                .spawn_scoped(scope, move || render_chart(chart, values, ctx, strict));
            match handle {
                Ok(h) => h.join().unwrap_or_else(|_| {
                    Err(EngineError::Unsupported(
                        "rendering template failed: the renderer panicked".into(),
                    ))
                }),
                // Without a thread, render on this one.
                Err(_) => render_chart(chart, values, ctx, strict),
            }
        })
    }
}

/// Builds the top-level data of every chart of the tree (Helm's
/// `recAllTpls`), keyed by the chart's full path. The tree's shape, paths
/// and `.Chart` come from [`ScopedChart`]; `.Values` is threaded here rather
/// than taken from the scope so that a subchart's `.Values` is the very map
/// its parent sees under `.Values.<name>`, as in Go (`set` on one shows in
/// the other).
fn chart_data(
    scope: &ScopedChart<'_>,
    values: Value,
    common: &Common,
    out: &mut HashMap<String, value::MapRef>,
) -> value::MapRef {
    let subcharts = Value::map(BTreeMap::new());
    let mut top = BTreeMap::new();
    top.insert("Chart".to_string(), Value::from_input(&scope.chart_value()));
    top.insert(
        "Files".to_string(),
        Value::Object(Rc::new(objects::Files::new(scope.files()))),
    );
    top.insert("Release".to_string(), common.release.clone());
    top.insert("Capabilities".to_string(), common.capabilities.clone());
    top.insert("Values".to_string(), values.clone());
    top.insert("Subcharts".to_string(), subcharts.clone());
    let data = Rc::new(std::cell::RefCell::new(top));
    for child in &scope.subcharts {
        let name = child.chart.name();
        let child_values = match &values {
            Value::Map(m) => match m.borrow().get(name) {
                Some(v @ Value::Map(_)) => v.clone(),
                _ => Value::map(BTreeMap::new()),
            },
            _ => Value::map(BTreeMap::new()),
        };
        let child_data = chart_data(child, child_values, common, out);
        if let Value::Map(s) = &subcharts {
            s.borrow_mut()
                .insert(name.to_string(), Value::Map(child_data));
        }
    }
    out.insert(scope.full_path.clone(), data.clone());
    data
}

struct Common {
    release: Value,
    capabilities: Value,
}

fn render_chart(
    chart: &Chart,
    values: &crate::values::Value,
    ctx: &RenderContext,
    strict: bool,
) -> Result<Rendered, EngineError> {
    let release = Value::from_input(&ctx.release.to_value());
    if let Value::Map(m) = &release {
        // Helm's `.Release.Revision` is a Go `int`, not the `int64` of values.
        m.borrow_mut().insert(
            "Revision".into(),
            Value::Int(i64::from(ctx.release.revision)),
        );
    }
    let common = Common {
        release,
        capabilities: objects::capabilities(&ctx.capabilities),
    };
    let root_values = match Value::from_input(values) {
        v @ Value::Map(_) => v,
        _ => Value::map(BTreeMap::new()),
    };
    let tree = ScopedChart::new(chart, values);
    let mut data = HashMap::new();
    chart_data(&tree, root_values, &common, &mut data);
    // Helm's parse and render order; library charts give only partials.
    let templates = tree.templates();
    let funcs = Rc::new(funcs::default_funcs());
    let mut set = TemplateSet::new();
    for t in &templates {
        let name = t.path();
        let f = funcs.clone();
        // Go strings hold any bytes; invalid UTF-8 is rare enough in
        // templates that replacing it is an acceptable approximation.
        let trees = parse::parse(&name, &t.source(), &|n| f.contains_key(n)).map_err(|e| {
            EngineError::Parse {
                template: name.clone(),
                message: helm_parse_error(&name, &e.0),
            }
        })?;
        set.add(trees);
    }
    let set = Rc::new(set);
    let env = Rc::new(Env {
        funcs,
        missing_key: if strict {
            MissingKey::Error
        } else {
            MissingKey::Zero
        },
        lint_mode: ctx.lint_mode,
        lookup: ctx.lookup.clone(),
        enable_dns: ctx.enable_dns,
        included: std::cell::RefCell::new(HashMap::new()),
    });
    let mut rendered = Rendered::new();
    for t in templates.iter().filter(|t| !t.is_partial()) {
        let name = t.path();
        let Some(top) = data.get(&t.scope.full_path) else {
            continue;
        };
        top.borrow_mut()
            .insert("Template".into(), Value::from_input(&t.template_value()));
        let mut out = String::new();
        exec::execute(&env, &set, &name, Value::Map(top.clone()), &mut out).map_err(|e| {
            EngineError::Execution {
                template: name.clone(),
                message: helm_exec_error(&name, &e),
            }
        })?;
        rendered.insert(name, out.replace("<no value>", ""));
    }
    Ok(rendered)
}

/// Helm's `cleanupParseError`.
pub fn helm_parse_error(filename: &str, err: &str) -> String {
    let tokens: Vec<&str> = err.split(": ").collect();
    if tokens.len() == 1 {
        return format!("parse error in ({filename}): {err}");
    }
    format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    )
}

/// One level of Helm's `TraceableError`.
#[derive(PartialEq, Eq)]
struct Trace {
    location: String,
    message: String,
    function: String,
}

fn cut_template_suffix(msg: &str) -> &str {
    match msg.find(" template:") {
        Some(i) => &msg[..i],
        None => msg,
    }
}

/// Helm's `parseTemplateExecErrorString`.
fn parse_trace(s: &str) -> Option<Trace> {
    let rem = s.strip_prefix("template: ")?;
    if rem.starts_with("no template ") {
        return Some(Trace {
            location: String::new(),
            message: s.to_string(),
            function: String::new(),
        });
    }
    if let Some((name, after)) = rem.split_once(": executing ") {
        let inner = after.strip_prefix('"')?;
        let end = inner.find('"')?;
        let func = &inner[..end];
        let after_func = inner[end + 1..].strip_prefix(" at <")?;
        let (loc, msg) = after_func.split_once(">: ")?;
        return Some(Trace {
            location: name.to_string(),
            message: cut_template_suffix(msg).to_string(),
            function: format!("executing \"{func}\" at <{loc}>:"),
        });
    }
    let sep = rem.rfind(": ")?;
    Some(Trace {
        location: rem[..sep].to_string(),
        message: cut_template_suffix(&rem[sep + 2..]).to_string(),
        function: String::new(),
    })
}

/// Helm's `reformatExecErrorMsg`: `required`/`fail` messages become
/// `execution error at (FILE:LINE:COL): msg`; other template errors become a
/// trace of locations.
pub fn helm_exec_error(filename: &str, err: &GoError) -> String {
    if !err.exec {
        return err.text.clone();
    }
    let tokens: Vec<&str> = err.text.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return format!("execution error in ({filename}): {}", err.text);
    }
    let location = tokens[1];
    let start = funcs::helm::WARN_START;
    let end = funcs::helm::WARN_END;
    if let Some(i) = tokens[2].find(start)
        && let Some(j) = tokens[2].rfind(end)
        && j >= i + start.len()
    {
        return format!(
            "execution error at ({location}): {}",
            &tokens[2][i + start.len()..j]
        );
    }
    let mut traces: Vec<Trace> = Vec::new();
    for text in err.chain() {
        match parse_trace(&text) {
            Some(t) => {
                if traces.last() != Some(&t) {
                    traces.push(t);
                }
            }
            None => return err.text.clone(),
        }
    }
    let mut s = String::new();
    for t in &traces {
        if !t.location.is_empty() {
            s.push_str(&format!("{}\n  ", t.location));
        }
        if !t.function.is_empty() {
            s.push_str(&format!("{}\n    ", t.function));
        }
        if !t.message.is_empty() {
            s.push_str(&format!("{}\n", t.message));
        }
    }
    s.trim().to_string()
}

/// Renders one template text against `data` with the default function table
/// and `missingkey=zero`, as a single-file Helm chart would (without the
/// `<no value>` erasure). For tests and tools.
pub fn render_text(name: &str, text: &str, data: &crate::values::Value) -> Result<String, String> {
    let funcs = Rc::new(funcs::default_funcs());
    let f = funcs.clone();
    let trees = parse::parse(name, text, &|n| f.contains_key(n)).map_err(|e| e.0)?;
    let mut set = TemplateSet::new();
    set.add(trees);
    let env = Rc::new(Env {
        funcs,
        missing_key: MissingKey::Zero,
        lint_mode: false,
        lookup: None,
        enable_dns: false,
        included: std::cell::RefCell::new(HashMap::new()),
    });
    let mut out = String::new();
    exec::execute(&env, &Rc::new(set), name, Value::from_input(data), &mut out)
        .map_err(|e| e.text)?;
    Ok(out)
}

#[cfg(test)]
mod tests;
