//! `hoist template`: Helm's `helm template` output from a rendered chart.

use super::ActionError;
use super::render::RenderedChart;
use crate::chart::ignore::go_match;
use crate::release::HookEvent;
use crate::release::manifest::split_manifests;

/// Output choices of `template`.
#[derive(Clone, Debug, Default)]
pub struct TemplateOptions {
    /// Print CRDs from crds/ (of the chart and its subcharts) first.
    pub include_crds: bool,
    /// Leave test hooks out.
    pub skip_tests: bool,
    /// Leave every hook out.
    pub no_hooks: bool,
    /// Only documents rendered from templates matching these paths/globs
    /// (relative to the chart, e.g. `templates/deployment.yaml`).
    pub show_only: Vec<String>,
}

/// One document of the output with the template it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateDocument {
    /// Helm template path, e.g. `mychart/templates/svc.yaml`.
    pub source: String,
    /// The document text (without the `---` and `# Source:` lines).
    pub content: String,
    /// True for hook documents, which Helm prints after the manifest block.
    pub is_hook: bool,
}

/// The documents `helm template` prints, in its order: CRDs (when asked),
/// manifests in install order, then hooks (unless disabled or filtered).
pub fn template_documents(
    rendered: &RenderedChart,
    opts: &TemplateOptions,
) -> Result<Vec<TemplateDocument>, ActionError> {
    let mut docs = Vec::new();
    if opts.include_crds {
        for (path, content) in crd_documents(&rendered.chart, "") {
            docs.push(TemplateDocument {
                source: path,
                content,
                is_hook: false,
            });
        }
    }
    for m in &rendered.manifests {
        docs.push(TemplateDocument {
            source: m.name.clone(),
            content: m.content.clone(),
            is_hook: false,
        });
    }
    if !opts.no_hooks {
        for h in &rendered.hooks {
            if opts.skip_tests && h.events.contains(&HookEvent::Test) {
                continue;
            }
            docs.push(TemplateDocument {
                source: h.path.clone(),
                content: h.manifest.clone(),
                is_hook: true,
            });
        }
    }
    if opts.show_only.is_empty() {
        return Ok(docs);
    }
    filter_show_only(docs, &opts.show_only)
}

/// The text `helm template` prints for the documents of
/// [`template_documents`]: each as `---\n# Source: PATH\nCONTENT\n`, with
/// Helm's whitespace quirks (the manifest block is trimmed as a whole, and
/// `--show-only` trims every document).
pub fn template_text(docs: &[TemplateDocument], opts: &TemplateOptions) -> String {
    let mut out = String::new();
    if !opts.show_only.is_empty() {
        for d in docs {
            out.push_str("---\n");
            out.push_str(format!("# Source: {}\n{}", d.source, d.content).trim());
            out.push('\n');
        }
        return out;
    }
    let mut block = String::new();
    let mut hooks = String::new();
    for d in docs {
        let target = if d.is_hook { &mut hooks } else { &mut block };
        target.push_str("---\n# Source: ");
        target.push_str(&d.source);
        target.push('\n');
        target.push_str(&d.content);
        target.push('\n');
    }
    out.push_str(block.trim());
    out.push('\n');
    out.push_str(&hooks);
    out
}

/// The manifest block a post-renderer gets from `template`, as Helm 3's
/// `renderResources` builds it: CRDs (with `include_crds`) and the non-hook
/// manifests, each as `---\n# Source: PATH\nCONTENT\n`. `--show-only`
/// does not shorten it: Helm filters the post-rendered output instead.
pub fn manifest_block(
    rendered: &RenderedChart,
    opts: &TemplateOptions,
) -> Result<String, ActionError> {
    let all = TemplateOptions {
        show_only: Vec::new(),
        no_hooks: true,
        ..opts.clone()
    };
    let mut block = String::new();
    for d in template_documents(rendered, &all)? {
        push_document(&mut block, &d.source, &d.content);
    }
    Ok(block)
}

/// What `helm template` prints when a post-renderer rewrote the manifest
/// block of [`manifest_block`] into `post_rendered`: that output trimmed,
/// then the hooks (untouched, as in Helm 3). With `--show-only`, documents
/// of the whole output are picked by their `# Source: CHART/PATH` comment,
/// so a post-renderer that drops those comments leaves nothing to pick
/// (Helm then fails with "could not find template" too).
pub fn post_rendered_text(
    rendered: &RenderedChart,
    post_rendered: &str,
    opts: &TemplateOptions,
) -> Result<String, ActionError> {
    let hooks_only = TemplateOptions {
        include_crds: false,
        show_only: Vec::new(),
        ..opts.clone()
    };
    let mut out = String::new();
    out.push_str(post_rendered.trim());
    out.push('\n');
    for d in template_documents(rendered, &hooks_only)? {
        if d.is_hook {
            push_document(&mut out, &d.source, &d.content);
        }
    }
    if opts.show_only.is_empty() {
        return Ok(out);
    }
    let docs: Vec<String> = split_manifests(&out)
        .into_iter()
        .map(|d| d.trim().to_string())
        .collect();
    let mut picked = String::new();
    for pattern in &opts.show_only {
        let pattern = pattern.replace('\\', "/");
        let mut found = false;
        for doc in &docs {
            let Some(path) = source_path(doc) else {
                continue;
            };
            if go_match(&pattern, path).unwrap_or(false) {
                picked.push_str("---\n");
                picked.push_str(doc);
                picked.push('\n');
                found = true;
            }
        }
        if !found {
            return Err(ActionError::Invalid(format!(
                "could not find template {pattern} in chart"
            )));
        }
    }
    Ok(picked)
}

fn push_document(out: &mut String, source: &str, content: &str) {
    out.push_str("---\n# Source: ");
    out.push_str(source);
    out.push('\n');
    out.push_str(content);
    out.push('\n');
}

/// The template path of a post-rendered document, as Helm's
/// `# Source: [^/]+/(.+)` finds it: the first `# Source: ` comment with a
/// chart name, a `/` and a non-empty rest of the line. The chart-name part
/// may span lines (Go's `[^/]` matches newlines), the rest may not.
fn source_path(doc: &str) -> Option<&str> {
    const MARK: &str = "# Source: ";
    let mut from = 0;
    while let Some(i) = doc[from..].find(MARK) {
        let after = &doc[from + i + MARK.len()..];
        if let Some(slash) = after.find('/').filter(|s| *s > 0) {
            let rest = &after[slash + 1..];
            let line = rest.split('\n').next().unwrap_or("");
            if !line.is_empty() {
                return Some(line);
            }
        }
        from += i + 1;
    }
    None
}

/// The CRD files of a chart and all its subcharts, as `(path, content)`
/// with Helm's full paths (`parent/charts/sub/crds/x.yaml`).
pub fn crd_documents(chart: &crate::chart::Chart, prefix: &str) -> Vec<(String, String)> {
    let base = if prefix.is_empty() {
        chart.name().to_string()
    } else {
        format!("{prefix}/charts/{}", chart.name())
    };
    let mut out: Vec<(String, String)> = chart
        .crd_files()
        .into_iter()
        .map(|f| {
            (
                format!("{base}/{}", f.name),
                String::from_utf8_lossy(&f.data).into_owned(),
            )
        })
        .collect();
    for dep in &chart.dependencies {
        out.extend(crd_documents(dep, &base));
    }
    out
}

/// Keeps the documents whose source (minus the chart-name prefix) matches
/// one of the patterns, pattern by pattern, as Helm's `--show-only` does; a
/// pattern matching nothing is an error.
fn filter_show_only(
    docs: Vec<TemplateDocument>,
    patterns: &[String],
) -> Result<Vec<TemplateDocument>, ActionError> {
    let mut out = Vec::new();
    for pattern in patterns {
        let pattern = pattern.replace('\\', "/");
        let mut found = false;
        for d in &docs {
            let rel = d
                .source
                .split_once('/')
                .map(|(_, r)| r)
                .unwrap_or(&d.source);
            if go_match(&pattern, rel).unwrap_or(false) {
                out.push(d.clone());
                found = true;
            }
        }
        if !found {
            return Err(ActionError::Invalid(format!(
                "could not find template {pattern} in chart"
            )));
        }
    }
    Ok(out)
}
